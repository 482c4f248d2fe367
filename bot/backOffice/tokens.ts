import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { NAS_QUEUES, type NasQueue } from '../../adapters/nasRequests';

/**
 * The back office's bearer tokens, one or more per NAS queue, from `NAS_API_TOKENS`:
 * `care:<token>,dental:<token>` (commas, spaces or new lines between entries; two tokens for a
 * queue while one replaces the other). No token configured: the back office is off.
 */

export interface BackOfficeToken {
  queue: NasQueue;
  token: string;
}

/** Long enough that guessing is hopeless (`openssl rand -base64 32` gives 44 characters). */
export const MIN_TOKEN_LENGTH = 32;
const TOKEN = /^[A-Za-z0-9._~+/=-]+$/;
const FORMAT = `"care:<token>,dental:<token>" (each token at least ${MIN_TOKEN_LENGTH} letters, digits or . _ ~ + / = -)`;

/** Problems with a token list, each naming the entry by position (never the token itself). */
export function tokenListProblems(text: string): string[] {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  if (entries.length === 0) return [`must be ${FORMAT}`];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  entries.forEach((entry, i) => {
    const at = entry.indexOf(':');
    const queue = at > 0 ? entry.slice(0, at) : '';
    const token = at > 0 ? entry.slice(at + 1) : '';
    const which = `entry ${i + 1}`;
    if (at <= 0) problems.push(`${which} must be <queue>:<token>, e.g. care:<token>`);
    else if (!(NAS_QUEUES as readonly string[]).includes(queue)) problems.push(`${which} names queue "${queue.slice(0, 20)}"; the queues are ${NAS_QUEUES.join(' and ')}`);
    else if (token.length < MIN_TOKEN_LENGTH) problems.push(`${which} (${queue}) has a token of ${token.length} characters; at least ${MIN_TOKEN_LENGTH} are needed`);
    else if (!TOKEN.test(token)) problems.push(`${which} (${queue}) has a token with characters other than letters, digits and . _ ~ + / = -`);
    else if (seen.has(token) && seen.get(token) !== queue) problems.push(`${which} gives ${queue} a token already given to ${seen.get(token)}; each queue needs its own`);
    else seen.set(token, queue);
  });
  return problems;
}

/** The zod schema of `NAS_API_TOKENS` (bot/config.ts). */
export const NasApiTokensSchema = z
  .string()
  .superRefine((text, ctx) => {
    const problems = tokenListProblems(text);
    if (problems.length) ctx.addIssue({ code: 'custom', message: problems.join('; ') });
  })
  .transform((text): BackOfficeToken[] =>
    [...new Set(text.split(/[\s,]+/).filter(Boolean))].map((entry) => {
      const at = entry.indexOf(':');
      return { queue: entry.slice(0, at) as NasQueue, token: entry.slice(at + 1) };
    }),
  );

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/** Finds which queue a presented token opens, comparing in constant time. */
export class TokenBook {
  private readonly entries: { queue: NasQueue; digest: Buffer }[];

  constructor(tokens: readonly BackOfficeToken[]) {
    this.entries = tokens.map((t) => ({ queue: t.queue, digest: digest(t.token) }));
  }

  get enabled(): boolean {
    return this.entries.length > 0;
  }

  /** The queue of a token, or undefined for one that is not configured. */
  queueOf(presented: string): NasQueue | undefined {
    const candidate = digest(presented);
    let found: NasQueue | undefined;
    // Every entry is compared, so the time taken says nothing about which (if any) matched.
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, candidate) && !found) found = entry.queue;
    return found;
  }
}
