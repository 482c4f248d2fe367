import type { SiteAccount, SiteView } from './model';

/**
 * Finding the people a request names among the site's accounts: an NHSmail address is matched
 * exactly; a name is matched by its words ("Tom", "Okafor", "tom okafor", a letter or two out:
 * "Tom Okafour"), and what matches by name is always confirmed before anything is sent.
 */

export const fullNameOf = (a: { firstName: string; lastName: string }) => `${a.firstName} ${a.lastName}`;

const words = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z'\- ]+/g, ' ')
    .split(/[\s-]+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);

/** Optimal string alignment distance (insertions, deletions, substitutions, swaps of neighbours). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** A typed word and a word of a name: the same, or one letter out in a word of 5 or more. */
const sameWord = (typed: string, name: string) => typed === name || (typed.length >= 5 && name.length >= 5 && distance(typed, name) <= 1);

export interface PersonMatch {
  typed: string;
  /** The accounts it may mean: one, several, or none. */
  matches: SiteAccount[];
  /** Typed as an address (an exact match needs no confirming). */
  byAddress: boolean;
}

/** The accounts a typed name or address may mean, best matches only. */
export function matchPerson(typed: string, accounts: readonly SiteAccount[]): PersonMatch {
  const text = typed.trim();
  const address = /(?<![^\s@])[^\s@]+@[^\s@]+/.exec(text)?.[0]?.toLowerCase().replace(/[.,;!?]+$/, '');
  if (address) return { typed: text, matches: accounts.filter((a) => a.address === address), byAddress: true };
  const typedWords = words(text);
  if (!typedWords.length) return { typed: text, matches: [], byAddress: false };
  const exact = accounts.filter((a) => {
    const name = words(fullNameOf(a));
    return typedWords.every((w) => name.includes(w));
  });
  if (exact.length) return { typed: text, matches: exact, byAddress: false };
  const close = accounts.filter((a) => {
    const name = words(fullNameOf(a));
    return typedWords.every((w) => name.some((n) => sameWord(w, n)));
  });
  return { typed: text, matches: close, byAddress: false };
}

/** How a list of typed names and addresses resolves among the site's accounts. */
export interface Resolution {
  /** Found exactly once, in the order named (no repeats), leavers and people already reported left out. */
  people: string[];
  /** Several accounts fit: asked one at a time. */
  matching: { typed: string; options: string[]; slot: number }[];
  unmatched: string[];
  /** Accounts already marked leavers. */
  alreadyLeavers: string[];
  /** Already reported in a request still with NAS: "Name (LVR-…)". */
  alreadyReported: string[];
  byName: boolean;
}

export function resolvePeople(typed: readonly string[], site: SiteView): Resolution {
  const result: Resolution = { people: [], matching: [], unmatched: [], alreadyLeavers: [], alreadyReported: [], byName: false };
  for (const t of typed) {
    const found = matchPerson(t, site.accounts);
    const byAddress = found.byAddress;
    // Of several who fit a name, someone already gone is not the one meant.
    const staying = found.matches.filter((m) => m.status !== 'leaver');
    const matches = found.matches.length > 1 && staying.length ? staying : found.matches;
    if (!matches.length) {
      result.unmatched.push(t);
      continue;
    }
    if (!byAddress) result.byName = true;
    if (matches.length > 1) {
      result.matching.push({ typed: t, options: matches.map((m) => m.address), slot: result.people.length });
      continue;
    }
    const account = matches[0]!;
    if (account.status === 'leaver') {
      result.alreadyLeavers.push(fullNameOf(account));
      continue;
    }
    const reported = site.pendingLeavers.find((p) => p.address === account.address);
    if (reported) {
      result.alreadyReported.push(`${fullNameOf(account)} (${reported.reference})`);
      continue;
    }
    if (!result.people.includes(account.address)) result.people.push(account.address);
  }
  return result;
}

export const accountAt = (site: SiteView | undefined, address: string | undefined | null) =>
  address ? site?.accounts.find((a) => a.address === address) : undefined;
