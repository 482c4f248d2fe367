/**
 * Reading what owners type: which request they mean ("Jane has left", "we have a new starter"),
 * the people a message names ("Jane and Tom have left", "tom.okafor@nhs.net"), where a leaver
 * goes, a provider (its ODS code or its name), a new name, and the short answers. Pure.
 */
import type { RequestKind } from '../../machines/ownerRequests';
import { normalise } from '../parsing';
import { odsCode, personName, type Result } from '../validators';

/** What a message asks for, in the order that settles overlaps ("I am leaving" is not an owner's leaver report). */
const KIND_PATTERNS: readonly [RequestKind, RegExp][] = [
  [
    'ownLeaving',
    /\b(?:i am|i'm|im|i have|i've|ive|i)\s+(?:just\s+)?(?:am\s+)?(?:leaving|left|moving|resigned|resigning|retiring|retired|changing jobs?|handing in my notice)\b|\bmy (?:own )?(?:leaving|last (?:working )?day|move|notice)\b|\breport (?:my own|myself)\b|\bown leaving\b/,
  ],
  ['teamsTeam', /\bteams? team\b|\bmicrosoft teams\b.*\b(?:team|site|set ?up|create|new)\b|\b(?:a|new) team (?:in|on) teams\b/],
  ['siteAudit', /\baudit\b|\bwho (?:has|have|can) (?:access|open|see|get into)\b|\baccess list\b|\bcheck (?:the |who has )?access\b|\blist of (?:who|people|users)\b/],
  [
    'ownerChange',
    /\bhand(?:ing)? ?over\b|\bnew (?:shared mailbox )?owner\b|\bchange (?:of |the )?(?:shared mailbox )?owner|\btransfer (?:the )?owner|\bowner(?:ship)? (?:change|transfer|handover)\b|\bstep(?:ping)? down as (?:the )?owner\b|\bno longer (?:the )?owner\b|\bmake \w+ (?:the )?owner\b/,
  ],
  ['nameChange', /\bname change\b|\bchange (?:of )?(?:her |his |their |my |someone'?s |a )?(?:sur)?name\b|\bchanged (?:her|his|their) (?:sur)?name\b|\b(?:got|getting) married\b|\bmarried name\b|\bnew (?:sur)?name\b/],
  ['joiner', /\bjoiners?\b|\balready (?:has|have|got) (?:an? )?(?:nhsmail|nhs\.net|nhs mail)\b|\bfrom another (?:home|provider|practice|organisation|care home)\b|\bjoin(?:ing|ed)? us\b.*\bnhs ?mail\b|\bmove (?:their|her|his) (?:nhsmail )?account\b/],
  ['newStarter', /\bnew (?:starter|staff|member of staff|employee|colleague|carer|nurse|worker|recruit|person|member)\b|\b(?:just )?started with us\b|\baccount for (?:a |my |our )?(?:new|colleague|member|someone)\b|\bnew (?:nhsmail )?account\b|\bstarters?\b/],
  ['leaver', /\bleavers?\b|\b(?:has|have|had) (?:just )?left\b|\bleft (?:the|our|my|us)\b|\bis leaving\b|\bare leaving\b|\bno longer works?\b|\b(?:has|have) resigned\b|\bresigned\b|\bmoved on\b|\bdoesn'?t work (?:here|for us)\b|\bleaving us\b|\bleft\b/],
];

export function readKind(text: string): RequestKind | undefined {
  const t = normalise(text);
  return KIND_PATTERNS.find(([, pattern]) => pattern.test(t))?.[0];
}

const NOT_A_NAME = new Set([
  'we', 'i', 'someone', 'somebody', 'a', 'an', 'one', 'staff', 'a member of staff', 'member of staff', 'a leaver', 'leaver', 'leavers', 'colleague', 'a colleague',
  'my colleague', 'our', 'they', 'he', 'she', 'it', 'a staff member', 'staff member', 'two', 'two people', 'people', 'some', 'some staff', 'carer', 'a carer',
  'report', 'report a leaver', 'hi', 'hello', 'please', 'that', 'this', 'there', 'who', 'the', 'nurse', 'a nurse', 'my', 'everyone', 'all',
  'i am', 'im', "i'm", 'me', 'myself', 'you', 'us', 'yes', 'yep', 'yeah', 'yup', 'no', 'nope', 'ok', 'okay', 'sure', 'thanks', 'thank you', 'sorry',
]);

const TITLES = /^(?:mr|mrs|miss|ms|mx|dr|prof|nurse|sister)\.?\s+/;
/** An address in a sentence, from where a word starts (so a long run without an @ is read once). */
const ADDRESS = /(?<![^\s<>()"',;:])[^\s<>()"',;:]+@[^\s<>()"',;:]+/g;
const FILLER = /^(?:just|only|also|and|our|my|the|a|colleague|carer|nurse|staff member|member of staff|care assistant|senior carer|manager|deputy manager|receptionist|dentist)\s+/;

/**
 * The people a message names, as typed: addresses and names, split at commas and "and". Words
 * around them ("has left", "our carer") are dropped; text that names nobody gives [].
 */
export function readPeople(text: string): string[] {
  const addresses = text.match(ADDRESS)?.map((a) => a.replace(/[.!?]+$/, '').toLowerCase()) ?? [];
  let rest = text.replace(ADDRESS, ' , ');
  rest = rest
    .replace(/\b(?:has|have|had|is|are|was|were)\s+(?:(?:just|all|both|now|already|also)\s+)*(?:left|leaving|resigned|gone|moved on)\b.*$/i, ' ')
    .replace(/\b(?:left|leaving|resigned|no longer works?|doesn'?t work)\b.*$/i, ' ')
    .replace(/^.*\b(?:leavers?|report(?:ing)?|left|leaving|about|for|is|are|called|named)\b\s*:?/i, ' ')
    .replace(/^\s*(?:hi|hello|hiya|please|so|um|er|ok|okay)\b[\s,]*/i, ' ')
    // A correction: "sorry i meant Amy Pearce", "no, I mean Amy", "oops its amy".
    .replace(/^\s*(?:(?:sorry|oops|no|actually)\b[\s,]*)*(?:i\s+mean[t]?|it'?s|it\s+is|i\s+meant\s+to\s+say)\b\s*/i, ' ');
  const names = rest
    .split(/,|;|\/|&|\+|\band\b|\bplus\b|\n/i)
    .map((part) =>
      part
        .replace(/[.!?]+$/g, '')
        .replace(/\b(?:both|too|also|as well|from (?:here|us)|today|yesterday|last week|this week)\b/gi, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .map((part) => {
      let p = part.toLowerCase();
      for (let i = 0; i < 3; i++) p = p.replace(TITLES, '').replace(FILLER, '');
      return part.slice(part.length - p.length).trim();
    })
    .filter((part) => part && /^[\p{L}][\p{L}' -]{0,60}$/u.test(part) && !NOT_A_NAME.has(part.toLowerCase()) && part.split(' ').length <= 4);
  return [...addresses, ...names].slice(0, 10);
}

/** Where a leaver goes: this organisation only, social care altogether, or another provider. */
export function readLeaving(text: string): 'organisation' | 'socialCare' | 'provider' | undefined {
  const t = normalise(text);
  if (/^1$/.test(t)) return 'organisation';
  if (/^2$/.test(t)) return 'socialCare';
  if (/^3$/.test(t)) return 'provider';
  if (/\bjoin(?:ing|ed|s)? (?!us\b)[a-z]|\b(?:moving|moved|move|going|gone|joining|joined|transfer(?:ring|red)?|started|starting) (?:to|at|with)\b|\banother (?:provider|home|care home|practice|organisation|company|job)\b|\bnew (?:provider|job|employer|home)\b|\bprovider\b/.test(t)) return 'provider';
  if (/\b(?:social care|care (?:sector|altogether|completely)|altogether|for good|completely|retir(?:ing|ed|e)|leav(?:ing|es) care|out of care|the nhs|different (?:sector|career|industry)|not staying in care)\b/.test(t)) return 'socialCare';
  if (/\b(?:only|just)\b|\b(?:this|our|the) (?:home|organisation|practice|site|place|company)\b|\borganisation\b|\bstay(?:s|ing)? in (?:social )?care\b/.test(t)) return 'organisation';
  return undefined;
}

/** A provider named by its ODS code, or by its name. */
export function readProvider(text: string): { odsCode: string } | { name: string } | { invalid: string } | undefined {
  const cleaned = text.replace(/^\s*(?:to|it'?s|it is|they'?re (?:going|moving) to|moving to|going to|joining)\s+/i, '').replace(/[.!]+$/, '').trim();
  if (!cleaned) return undefined;
  const code = /^\(?([A-Za-z0-9]{3,6})\)?$/.test(cleaned) && /\d/.test(cleaned) ? odsCode(cleaned) : undefined;
  if (code?.ok) return { odsCode: code.value };
  const inside = /\(([A-Za-z0-9]{3,6})\)/.exec(cleaned)?.[1];
  if (inside && /\d/.test(inside)) {
    const found = odsCode(inside);
    if (found.ok) return { odsCode: found.value };
  }
  if (cleaned.length > 120) return { invalid: 'That is longer than a provider’s name: please type just its name, or its ODS code.' };
  if (!/\p{L}{2,}/u.test(cleaned)) return undefined;
  return { name: cleaned.replace(/\s+/g, ' ') };
}

/** A new first and last name ("Jane Smith", "first name Jane, surname Smith"). */
export function readNewName(text: string): Result<{ firstName: string; lastName: string }> | undefined {
  const t = text
    .replace(/^\s*(?:(?:her|his|their|the) )?(?:new )?(?:name is|name'?s|it'?s|it is|to|now)\s+/i, '')
    .replace(/\b(?:first ?name|surname|last name)\s*(?:is|:)?\s*/gi, ' ')
    .replace(/[,.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t) return undefined;
  const words = t.split(' ');
  if (words.length < 2) return { ok: false, error: 'Please type the new first name and last name together, for example "Jane Smith".' };
  const first = personName(words.slice(0, -1).join(' '), 'first name');
  if (!first.ok) return first;
  const last = personName(words[words.length - 1]!, 'last name');
  if (!last.ok) return last;
  return { ok: true, value: { firstName: first.value, lastName: last.value } };
}

export const saysDone = (text: string) =>
  /^(?:done|no|nope|nah|no thanks?|no thank you|nothing(?: else| more)?|no more|that'?s (?:all|it|everything)|that is (?:all|it|everything)|all done|finished|i'?m done|ok(?:ay)?|thanks?|thank you|cheers|bye|goodbye)\b/.test(normalise(text));
export const saysConfirm = (text: string) => /^(?:confirm(?:ed)?|yes|y|yep|yeah|send(?: it)?|submit|go ahead|ok(?:ay)?|correct|that'?s (?:right|correct)|looks (?:good|right|fine)|all (?:good|correct)|1)\b/.test(normalise(text));
export const saysTryAgain = (text: string) => /\btry (?:again|it again)\b|^(?:again|retry|yes|y|ok(?:ay)?|please)\b/.test(normalise(text));
export const saysResend = (text: string) => /\b(?:send|email)\b.*\b(?:again|another|new)\b|\bresend\b|\bnew code\b|\banother code\b|\bexpired\b|\b(?:didn'?t|did not|haven'?t|have not|never) (?:get|got|receive|come|arrive)/.test(normalise(text));

/**
 * What free text at the menu starts (dialogs/routing.ts): the request it names, with the people
 * it names for a leaver ("Jane and Tom have left"). A question about how something works ("how do
 * I change my name?") is left to the questions; a request to do it is taken here.
 */
export function ownerRequestsStart(text: string): { kind: RequestKind; people?: string[] } | undefined {
  const kind = readKind(text);
  if (!kind) return undefined;
  const asking = /^(?:how|what|why|when|where|can|could|do|does|is|are|should|who)\b/.test(normalise(text));
  if (asking && (kind === 'nameChange' || kind === 'teamsTeam' || kind === 'siteAudit')) return undefined;
  const people = kind === 'leaver' ? readPeople(text) : [];
  return { kind, ...(people.length ? { people } : {}) };
}
