/**
 * What a message already says that a flow would otherwise ask for: a postcode, an ODS code, a
 * request reference, an NHSmail address, a CQC location ID, a person's name ("Jane has left"), the
 * kind of organisation. Each candidate is checked by the registration's own validators, so a flow
 * started with a slot gets a value it would have accepted if typed at its question.
 */
import { cqcLocationId, email, odsCode, personName, postcode as checkPostcode } from '../validators';
import { NHSMAIL_DOMAINS } from '../validators';

export type SlotKind = 'care' | 'dental' | 'hospice';

export interface Slots {
  postcode?: string;
  odsCode?: string;
  reference?: string;
  nhsmailAddress?: string;
  /** Any other email address in the message. */
  email?: string;
  cqcLocationId?: string;
  personName?: string;
  kind?: SlotKind;
}

/** The NAS request reference prefixes (CONTRACTS §1) and 8 characters. */
export const REFERENCE_PREFIXES = ['REG', 'PWD', 'LVR', 'JNR', 'NST', 'OWN', 'NAM', 'AUD', 'TMS', 'QST'] as const;
// "REG-7KD9QX2P", "reg 7kd9qx2p", or run together ("REG7KD9QX2P") when the code has a digit, so "registering" is not one.
const REFERENCE = new RegExp(`\\b(${REFERENCE_PREFIXES.join('|')})(?:[-\\s]([A-Z0-9]{8})|((?=[A-Z]*\\d)[A-Z0-9]{8}))\\b`, 'i');

const FULL_POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b/gi;
const NAMED_OUTWARD = /\bpost\s?code\s*(?:is|:|=|of)?\s*([A-Z]{1,2}\d[A-Z\d]?)\b(?!\s*\d[A-Z]{2})/i;
const NAMED_ODS = /\bods(?:\s+code)?\s*(?:is|:|=|of)?\s*([A-Z0-9]{3,6})\b/i;
/** Typed in capitals with letters and digits ("V12345", "CPODS2"), or a V followed by digits in any case. */
const ODS_LIKE = /\b(?:(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z][A-Z0-9]{2,5}|[Vv]\d{3,5})\b/g;
// Starts only where a word starts, so a long run without an @ is read once, not from every character.
const EMAIL = /(?<![^\s<>()[\]"',;:])[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g;
const LOCATION = /\b1-\d{9,11}\b/;

const KIND_WORDS: ReadonlyArray<[SlotKind, RegExp]> = [
  ['hospice', /\bhospices?\b/i],
  ['dental', /\b(?:dental|dentists?|dentistry|orthodontists?)\b/i],
  ['care', /\b(?:carers?|care\s+workers?|care\s?homes?|nursing\s+homes?|residential\s+(?:homes?|care)|domiciliary|home\s+care|care\s+providers?|care\s+agency|supported\s+living)\b/i],
];

/** Words that stand where a name would but are not one: "she has left", "our deputy left". */
const NOT_NAMES = new Set(
  ('i me my we our us you your he she they him her them it this that someone somebody anyone everyone nobody no one ' +
    'staff member members colleague colleagues worker workers carer carers nurse nurses manager managers deputy owner ' +
    'employee employees person people user users one who he\'s she\'s account mailbox admin home practice team today ' +
    'yesterday the a an and has have had is was left leaving new starter joiner just also already then now').split(' '),
);

// "Jane has left", "Tom's leaving", "Sam is starting on Monday".
const AUX = "(?:'s\\s+|\\s+(?:has|have|had|is|was|will\\s+be)\\s+|\\s+)(?:just\\s+)?";
const LEFT = `${AUX}(?:left|gone|quit|resigned|retired|leaves|leaving|handed\\s+in)`;
const STARTED = `${AUX}(?:started|starts|starting|joined|joins|joining)`;
/** One or two words of letters; an apostrophe only inside a word ("O'Neill"), never a trailing "'s". */
const WORD = "[A-Za-z][A-Za-z\\-]*(?:'[A-Za-z]{2,}[A-Za-z\\-]*)?";
const NAME = `(${WORD}(?:\\s+${WORD})?)`;
const NAME_PATTERNS: readonly RegExp[] = [
  new RegExp(`^(?:hi|hello)?[,\\s]*${NAME}${LEFT}\\b`, 'i'),
  new RegExp(`^(?:hi|hello)?[,\\s]*${NAME}${STARTED}\\b`, 'i'),
  new RegExp(`\\b(?:called|named)\\s+${NAME}`, 'i'),
  new RegExp(`\\b(?:new\\s+starter|leaver|joiner)\\s*(?:is|:|-|,)\\s*${NAME}`, 'i'),
  new RegExp(`\\b(?:remove|take)\\s+${NAME}\\s+(?:from|off)\\b`, 'i'),
];

function capitalised(name: string): string {
  return name
    .split(/\s+/)
    .map((w) => (w === w.toLowerCase() ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ');
}

/** A person's name from the message, checked word by word; undefined when the words are not a name. */
function findPersonName(text: string): string | undefined {
  for (const pattern of NAME_PATTERNS) {
    const words = pattern.exec(text.trim())?.[1]?.split(/\s+/);
    if (!words) continue;
    // Keep the leading words that are names ("Tom Smith", "Sarah" from "Sarah she").
    const kept: string[] = [];
    for (const w of words) {
      if (NOT_NAMES.has(w.toLowerCase()) || !personName(w, 'first name').ok) break;
      kept.push(w);
    }
    if (kept.length > 0) return capitalised(kept.join(' '));
  }
  return undefined;
}

/** The ODS code in the text and where it is: one called so ("ODS code is vx1ab"), or one that looks like one. */
function findOdsCode(text: string): { value: string; raw: string } | undefined {
  const withoutCodes = text.replace(FULL_POSTCODE, ' ').replace(LOCATION, ' ');
  const named = NAMED_ODS.exec(withoutCodes);
  // A word after "ODS code" counts if it has a digit or was typed in capitals ("RRK"), not "pls".
  const candidates = named && (/\d/.test(named[1]!) || named[1] === named[1]!.toUpperCase()) ? [named[1]!] : (withoutCodes.match(ODS_LIKE) ?? []);
  for (const candidate of candidates) {
    // An outward postcode on its own ("LL9") is a postcode, not an ODS code, unless it was called one.
    if (!named && checkPostcode(candidate).ok) continue;
    const checked = odsCode(candidate);
    if (checked.ok) return { value: checked.value, raw: candidate };
  }
  return undefined;
}

/**
 * The text with its addresses, references, postcodes, CQC location IDs and ODS codes blanked out:
 * their letters and digits say nothing about what is asked ("LL11" must not match an answer that
 * happens to use LL11 as an example), so questions are searched without them.
 */
export function withoutSlotValues(text: string): string {
  let t = text.replace(EMAIL, ' ').replace(new RegExp(REFERENCE.source, 'gi'), ' ');
  const code = findOdsCode(t);
  t = t.replace(FULL_POSTCODE, (m, outward: string, inward: string) => (checkPostcode(`${outward} ${inward}`).ok ? ' ' : m));
  t = t.replace(new RegExp(LOCATION.source, 'g'), ' ');
  if (code) t = t.replace(new RegExp(`\\b${code.raw}\\b`), ' ');
  const named = NAMED_OUTWARD.exec(t);
  if (named && checkPostcode(named[1]!).ok) t = t.replace(new RegExp(`\\b${named[1]}\\b`), ' ');
  return t.replace(/\s+/g, ' ').trim();
}

export function extractSlots(text: string): Slots {
  const slots: Slots = {};
  const reference = REFERENCE.exec(text);
  if (reference) slots.reference = `${reference[1]!.toUpperCase()}-${(reference[2] ?? reference[3])!.toUpperCase()}`;

  for (const raw of text.match(EMAIL) ?? []) {
    const address = raw.replace(/[.!?]+$/, '');
    const checked = email(address, { nhsmailDomains: [] });
    if (!checked.ok) continue;
    const domain = checked.value.slice(checked.value.lastIndexOf('@') + 1);
    const nhsmail = NHSMAIL_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));
    if (nhsmail) slots.nhsmailAddress ??= checked.value;
    else slots.email ??= checked.value;
  }
  // Addresses, references and IDs are taken out before looking for codes, so their parts are not read as codes.
  const rest = text.replace(EMAIL, ' ').replace(new RegExp(REFERENCE.source, 'gi'), ' ');

  for (const match of rest.matchAll(FULL_POSTCODE)) {
    const checked = checkPostcode(`${match[1]} ${match[2]}`);
    if (checked.ok) {
      slots.postcode = checked.value.postcode;
      break;
    }
  }
  if (!slots.postcode) {
    const named = NAMED_OUTWARD.exec(rest);
    const checked = named && checkPostcode(named[1]!);
    if (checked && checked.ok) slots.postcode = checked.value.postcode;
  }

  const location = LOCATION.exec(rest);
  if (location) {
    const checked = cqcLocationId(location[0]);
    if (checked.ok) slots.cqcLocationId = checked.value;
  }

  const code = findOdsCode(rest);
  if (code) slots.odsCode = code.value;

  const name = findPersonName(text);
  if (name) slots.personName = name;
  for (const [kind, pattern] of KIND_WORDS) {
    if (pattern.test(text)) {
      slots.kind = kind;
      break;
    }
  }
  return slots;
}
