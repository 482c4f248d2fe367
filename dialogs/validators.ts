/**
 * Field rules for registration (SPEC §1.2–1.4): pure functions, no I/O. Each takes what the user
 * typed (or what a card sent) and returns either the normalised value or one plain-English sentence
 * that names the field and what is wrong with it. The zod schemas at the end wrap the same
 * functions, so Adaptive Card submissions are checked by exactly the same rules and messages.
 */
import { z } from 'zod';
import { parsePhoneNumberWithError, ParseError, validatePhoneNumberLength } from 'libphonenumber-js/max';
import {
  CARE_ROLES,
  DENTAL_ROLES,
  MAILBOX_TOWN_MAX_LETTERS,
  NAME_MAX_LENGTH,
  NHSMAIL_DOMAINS,
  PASSCODE_ALPHABET,
  PASSCODE_LENGTH,
  ROLES,
  SHARED_MAILBOX_PREFIX,
  TITLES,
  TOWN_MAX_LENGTH,
  townLetters,
  withoutAccents,
  type CareRole,
  type DentalRole,
  type RegisteringKind,
  type Role,
  type Title,
} from '../machines/registration/rules';
import { editDistance, normalise, parseChoice, parseYesNo, type ChoiceOption } from './parsing';

export { editDistance };
import { listOf, quoteInline, shown } from './text';

export { CARE_ROLES, DENTAL_ROLES, NAME_MAX_LENGTH, NHSMAIL_DOMAINS, ROLES, SHARED_MAILBOX_PREFIX, TITLES, TOWN_MAX_LENGTH, MAILBOX_TOWN_MAX_LETTERS };
export type { CareRole, DentalRole, RegisteringKind, Role, Title };

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T = never>(error: string): Result<T> => ({ ok: false, error });

/** Trimmed, NFKC-normalised (full-width digits and letters become ordinary ones), Unicode dashes as "-". */
function tidy(text: string): string {
  return text.normalize('NFKC').replace(/[\u2010-\u2015\u2212]/g, '-').trim();
}

/** Distinct characters, each in curly quotes: “#”, “2” */
function quotedChars(chars: readonly string[]): string {
  return listOf([...new Set(chars)].map((c) => `“${quoteInline(c)}”`), 'and');
}

/**
 * The answer inside a sentence: "It's 1-1002733005.", "LS6 1BN please", "our ODS code is VX1AB"
 * → the value alone. Only for codes and postcodes, never for names.
 */
export function core(text: string): string {
  let t = text.normalize('NFKC').replace(/[\u2018\u2019]/g, "'").trim();
  t = t.replace(/[.!?,;:]+$/, '').trim();
  t = t.replace(/(?:[,\s]+(?:please|pls|thanks|thank you|ta|cheers|x+))+$/i, '').trim();
  t = t.replace(/^(?:ok(?:ay)?|so|um+|er+|right|yes|yeah|sure|hi|hello)[,\s]+/i, '');
  t = t.replace(/^(?:it'?s|it is|that'?s|that is|this is|here it is|here you go|i think it'?s|i think it is)[:,\s]+/i, '');
  t = t.replace(/^(?:(?:my|our|the|its|it's)\s+)?[a-z' -]{2,40}?\s+(?:is|are|=)[:\s]+/i, '');
  return t.replace(/^["“”']+|["“”']+$/g, '').trim();
}

// ---------------------------------------------------------------------------------------------
// §1.2 Organisation details
// ---------------------------------------------------------------------------------------------

export interface Postcode {
  /** A full postcode ("EC1A 1BB") or just its outward code ("SW19"). */
  kind: 'full' | 'outward';
  /** Upper case, one space before the inward part; the outward code alone when kind is 'outward'. */
  postcode: string;
  outward: string;
}

// Royal Mail's shapes: A9, A99, AA9, AA99, A9A, AA9A (letters restricted by position), and GIR 0AA.
const OUTWARD = /^(?:[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRV-Y])|GIR)$/;
const INWARD = /^\d[ABD-HJLNP-UW-Z]{2}$/;
const POSTCODE_EXAMPLES = 'a full postcode such as LL11 1AA, or just its first part such as LL11';

export function postcode(text: string): Result<Postcode> {
  const exact = postcodeOf(tidy(text));
  if (exact.ok) return exact;
  const inner = postcodeOf(tidy(core(text)));
  if (inner.ok) return inner;
  // A full postcode somewhere in a sentence.
  const found = [...tidy(text).toUpperCase().matchAll(/\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b/g)].map((m) => postcodeOf(`${m[1]} ${m[2]}`)).filter((r) => r.ok);
  if (found.length === 1) return found[0]!;
  return exact;
}

function postcodeOf(typed: string): Result<Postcode> {
  if (!typed) return fail(`The postcode is missing; please type ${POSTCODE_EXAMPLES}.`);
  const compact = typed.replace(/\s+/g, '').toUpperCase();
  if (/[^A-Z0-9]/.test(compact)) {
    return fail(`${shown(typed)} is not a UK postcode: postcodes have only letters and digits. Please type ${POSTCODE_EXAMPLES}.`);
  }
  if (compact.length > 7) {
    return fail(`${shown(typed)} is too long for a UK postcode, which has at most 7 letters and digits (such as LL11 1AA).`);
  }
  if (compact.length >= 5) {
    const outward = compact.slice(0, -3);
    const inward = compact.slice(-3);
    if (OUTWARD.test(outward) && INWARD.test(inward) && (outward !== 'GIR' || inward === '0AA')) {
      return ok({ kind: 'full', postcode: `${outward} ${inward}`, outward });
    }
  }
  if (OUTWARD.test(compact) && compact !== 'GIR') return ok({ kind: 'outward', postcode: compact, outward: compact });
  return fail(`${shown(typed)} is not a UK postcode; please type ${POSTCODE_EXAMPLES}.`);
}

export function odsCode(text: string): Result<string> {
  const exact = odsCodeOf(tidy(text));
  if (exact.ok) return exact;
  const inner = odsCodeOf(tidy(core(text)));
  return inner.ok ? inner : exact;
}

function odsCodeOf(typed: string): Result<string> {
  const rule = 'ODS codes have 3 to 6 letters and digits, such as VX1AB';
  if (!typed) return fail(`The ODS code is missing; ${rule}.`);
  const code = typed.toUpperCase();
  if (/\s/.test(code)) return fail(`${shown(typed)} is not an ODS code: it has a space in it, and ${rule}.`);
  if (/[^A-Z0-9]/.test(code)) {
    const bad = [...code].filter((c) => !/[A-Z0-9]/.test(c));
    return fail(`${shown(typed)} is not an ODS code: it contains ${quotedChars(bad)}, and ${rule}.`);
  }
  if (code.length < 3) return fail(`${shown(typed)} is too short for an ODS code: ${rule}.`);
  if (code.length > 6) return fail(`${shown(typed)} is too long for an ODS code: ${rule}.`);
  return ok(code);
}

// ---------------------------------------------------------------------------------------------
// §1.3 Verification
// ---------------------------------------------------------------------------------------------

const LOCATION_RULE = 'a CQC location ID is 1- followed by 9 to 11 digits, such as 1-1002733005';

/** `1-` followed by 9 to 11 digits. Spaces anywhere are ignored (a space for the dash too); nothing else is corrected. */
export function cqcLocationId(text: string): Result<string> {
  const exact = cqcLocationIdOf(tidy(text));
  if (exact.ok) return exact;
  const inner = cqcLocationIdOf(tidy(core(text)));
  if (inner.ok) return inner;
  // One location ID somewhere in a sentence: "It's 1-1002733005 I think".
  const found = [...tidy(text).matchAll(/(?<![\p{L}\d-])1(?:\s?-\s?|\s)\d{9,11}(?![\p{L}\d])/gu)].map((m) => cqcLocationIdOf(m[0]));
  return found.length === 1 && found[0]!.ok ? found[0]! : exact;
}

function cqcLocationIdOf(typed: string): Result<string> {
  if (!typed) return fail(`The CQC location ID is missing; ${LOCATION_RULE}.`);
  // "1 1002733039": a space where the dash goes.
  const id = typed.replace(/^1\s+(?=\d{9,11}$)/, '1-').replace(/\s+/g, '').toUpperCase();
  if (/^1-\d{9,11}$/.test(id)) return ok(id);
  if (/^CON1?-?\d+$/.test(id)) {
    return fail(`${shown(typed)} looks like a CQC contact ID (the registered manager's ID), not the CQC location ID: ${LOCATION_RULE}.`);
  }
  const digits = /^1-(\d+)$/.exec(id)?.[1];
  if (digits !== undefined && digits.length < 9) {
    return fail(`${shown(typed)} is too short for a CQC location ID: it has ${digits.length} digits after the 1-, and ${LOCATION_RULE}.`);
  }
  if (digits !== undefined) {
    return fail(`${shown(typed)} is too long for a CQC location ID: it has ${digits.length} digits after the 1-, and ${LOCATION_RULE}.`);
  }
  if (/^\d+$/.test(id)) {
    return fail(`${shown(typed)} is missing the “1-” at the start: ${LOCATION_RULE}.`);
  }
  return fail(`${shown(typed)} is not a CQC location ID: ${LOCATION_RULE}.`);
}

/*
 * The CQC contact ID (registered manager's ID): `1-` or `CON1-` followed by digits. The SPEC does
 * not fix how many; the IDs on certificates have 9 to 11, so 6 to 12 is accepted: wide enough for
 * any real one, narrow enough to catch a code typed short or two codes run together.
 */
const CONTACT_DIGITS_MIN = 6;
const CONTACT_DIGITS_MAX = 12;
const CONTACT_RULE = 'a CQC contact ID is CON1- or 1- followed by digits, such as CON1-123456789';

export function cqcContactId(text: string): Result<string> {
  const exact = cqcContactIdOf(tidy(text));
  if (exact.ok) return exact;
  const inner = cqcContactIdOf(tidy(core(text)));
  if (inner.ok) return inner;
  const found = [...tidy(text).matchAll(/\b(?:CON1|1)\s?-?\s?\d{6,12}\b/gi)].map((m) => cqcContactIdOf(m[0]));
  return found.length === 1 && found[0]!.ok ? found[0]! : exact;
}

function cqcContactIdOf(typed: string): Result<string> {
  if (!typed) {
    return fail(`The CQC contact ID is missing; it is printed on the registered manager's certificate, and ${CONTACT_RULE}.`);
  }
  // "CON1 223456789": a space instead of the dash.
  const id = typed.toUpperCase().replace(/^CON1\s+(?=\d)/, 'CON1-').replace(/\s+/g, '');
  const match = /^((?:CON)?1-)(\d+)$/.exec(id);
  if (!match) return fail(`${shown(typed)} is not a CQC contact ID: ${CONTACT_RULE}.`);
  const digits = match[2]!;
  if (digits.length < CONTACT_DIGITS_MIN) {
    return fail(`${shown(typed)} is too short for a CQC contact ID: it has only ${digits.length} digits after the ${match[1]}, and it needs ${CONTACT_DIGITS_MIN} to ${CONTACT_DIGITS_MAX}.`);
  }
  if (digits.length > CONTACT_DIGITS_MAX) {
    return fail(`${shown(typed)} is too long for a CQC contact ID: it has ${digits.length} digits after the ${match[1]}, and it needs ${CONTACT_DIGITS_MIN} to ${CONTACT_DIGITS_MAX}.`);
  }
  return ok(id);
}

/** 8 characters of PASSCODE_ALPHABET; case, spaces and dashes do not matter. Value: upper case, no separators. */
export function oneTimePasscode(text: string): Result<string> {
  const code = tidy(text).replace(/[\s-]+/g, '').toUpperCase();
  if (!code) return fail(`The passcode is missing; it is the ${PASSCODE_LENGTH} characters in the email or letter you were sent.`);
  const chars = [...code];
  const lookalikes = chars.filter((c) => '0O1I'.includes(c));
  if (lookalikes.length > 0) {
    return fail(
      `The passcode cannot contain ${quotedChars(lookalikes)}: passcodes never contain 0, O, 1 or I — check for a similar-looking character.`,
    );
  }
  const others = chars.filter((c) => !PASSCODE_ALPHABET.includes(c));
  if (others.length > 0) {
    return fail(`The passcode cannot contain ${quotedChars(others)}: passcodes have only capital letters and the digits 2 to 9.`);
  }
  if (chars.length < PASSCODE_LENGTH) {
    return fail(`The passcode has ${chars.length} characters, but passcodes have ${PASSCODE_LENGTH} — check that none is missing.`);
  }
  if (chars.length > PASSCODE_LENGTH) {
    return fail(`The passcode has ${chars.length} characters, but passcodes have ${PASSCODE_LENGTH} — check for an extra one.`);
  }
  return ok(code);
}

/**
 * A passcode as a message gives it: alone, or inside a sentence ("my passcode is Q4QN 29MM").
 * `oneTimePasscode` stays strict, for telling a word apart from a password (dialogs/passwordSafety.ts).
 */
export function oneTimePasscodeIn(text: string): Result<string> {
  const exact = oneTimePasscode(text);
  if (exact.ok) return exact;
  const inner = oneTimePasscode(core(text));
  return inner.ok ? inner : exact;
}

// ---------------------------------------------------------------------------------------------
// §1.4 Town and members: free-text names
// ---------------------------------------------------------------------------------------------

const APOSTROPHES = /['\u2018\u2019\u02bc]/gu;

/**
 * Letters of any script (with their combining marks), spaces, hyphens and apostrophes; at least one
 * letter; 1 to `max` characters after trimming and collapsing spaces. Curly apostrophes become "'".
 */
function lettersText(text: string, field: string, max: number): Result<string> {
  const value = text.normalize('NFC').replace(/[\u2010\u2011]/g, '-').replace(APOSTROPHES, "'").replace(/\s+/g, ' ').trim();
  if (!value) return fail(`The ${field} is missing; please type it.`);
  const bad = [...value].filter((c) => !/[\p{L}\p{M} '-]/u.test(c));
  if (bad.length > 0) {
    return fail(`The ${field} can contain only letters, spaces, hyphens and apostrophes, so ${quotedChars(bad)} cannot be used.`);
  }
  if (!/\p{L}/u.test(value)) return fail(`The ${field} must contain at least one letter.`);
  const length = [...value].length;
  if (length > max) return fail(`The ${field} can be at most ${max} characters long, and this one has ${length}.`);
  return ok(value);
}

export function personName(text: string, field: 'first name' | 'last name'): Result<string> {
  const result = lettersText(text, field, NAME_MAX_LENGTH);
  return result.ok ? ok(capitalised(result.value)) : result;
}

/**
 * A name typed all in small letters (or all in capitals, as phones and tired hands do) with a
 * capital at the start of each part: "bob o'neill" → "Bob O'Neill". A name typed with capitals of
 * its own ("d'Artagnan", "McDonald") is kept as typed.
 */
function capitalised(name: string): string {
  if (name !== name.toLowerCase() && name !== name.toUpperCase()) return name;
  return name.toLowerCase().replace(/(^|[\s'-])(\p{L})/gu, (_m, before: string, letter: string) => `${before}${letter.toUpperCase()}`);
}

/** The postcode town as typed (SPEC §1.4): letters, spaces, hyphens and apostrophes, 1–50 characters. */
export function townName(text: string): Result<string> {
  return lettersText(text, 'town', TOWN_MAX_LENGTH);
}

export interface MailboxTown {
  /** The town's letters a–z only, lower case, accents taken off ("Stoke-on-Trent" → "stokeontrent"). */
  letters: string;
  /** More than 10 letters: the user must accept `proposedAbbreviation` or type their own. */
  abbreviationNeeded: boolean;
  /** The first 10 letters (all of them when there are 10 or fewer). */
  proposedAbbreviation: string;
}

/** The town as it goes into the shared mailbox address: takes a town already checked by `townName`. */
export function mailboxTown(town: string): Result<MailboxTown> {
  const letters = townLetters(town);
  if (!letters) {
    return fail(
      `The town ${shown(town)} has no letters a to z for the shared mailbox address; please type an abbreviation of it in the letters a to z.`,
    );
  }
  return ok({
    letters,
    abbreviationNeeded: letters.length > MAILBOX_TOWN_MAX_LETTERS,
    proposedAbbreviation: letters.slice(0, MAILBOX_TOWN_MAX_LETTERS),
  });
}

/** The user's own abbreviation of a long town: 1–10 letters a–z (spaces, hyphens, apostrophes and accents dropped), lower case. */
export function townAbbreviation(text: string): Result<string> {
  const typed = tidy(text);
  if (!typed) return fail(`The town abbreviation is missing; please type up to ${MAILBOX_TOWN_MAX_LETTERS} letters.`);
  const letters = withoutAccents(typed).toLowerCase().replace(/[\s'\u2018\u2019-]+/g, '');
  const bad = [...letters].filter((c) => !/[a-z]/.test(c));
  if (bad.length > 0) {
    return fail(`The town abbreviation can contain only the letters a to z, so ${quotedChars(bad)} cannot be used.`);
  }
  if (letters.length > MAILBOX_TOWN_MAX_LETTERS) {
    return fail(
      `The town abbreviation can be at most ${MAILBOX_TOWN_MAX_LETTERS} letters, and ${shown(typed)} has ${letters.length}.`,
    );
  }
  return ok(letters);
}

// ---------------------------------------------------------------------------------------------
// Members: email, mobile, title, role
// ---------------------------------------------------------------------------------------------

export interface EmailOptions {
  /** Domains whose addresses are refused, subdomains included; NHSMAIL_DOMAINS by default. */
  nhsmailDomains?: readonly string[];
}

const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A business or personal address (not NHSmail). Value: the whole address in lower case. */
export function email(text: string, options: EmailOptions = {}): Result<string> {
  const typed = tidy(text).replace(/^mailto:/i, '').replace(/^<(.*)>$/, '$1').trim();
  if (!typed) return fail(`The email address is missing; please type the person's business or personal email address.`);
  const address = typed.toLowerCase();
  const domainExample = 'such as name@example.co.uk';
  if (/\s/.test(address)) return fail(`${shown(typed)} is not a valid email address: an email address cannot contain spaces.`);
  const at = address.lastIndexOf('@');
  if (at < 0) return fail(`${shown(typed)} is not a valid email address: it has no @ (${domainExample}).`);
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!local || local.includes('@') || !LOCAL_PART.test(local) || local.length > 64) {
    return fail(`${shown(typed)} is not a valid email address: the part before the @ is not right (${domainExample}).`);
  }
  const labels = domain.split('.');
  if (
    labels.length < 2 ||
    domain.length > 253 ||
    !labels.every((l) => DOMAIN_LABEL.test(l)) ||
    !/^(?:[a-z]{2,63}|xn--[a-z0-9-]+)$/.test(labels[labels.length - 1]!)
  ) {
    return fail(`${shown(typed)} is not a valid email address: the part after the @ should be a domain ${domainExample}.`);
  }
  const nhsmail = (options.nhsmailDomains ?? NHSMAIL_DOMAINS).map((d) => d.toLowerCase());
  if (nhsmail.some((d) => domain === d || domain.endsWith(`.${d}`))) {
    return fail(
      `${shown(typed)} is an NHSmail address: that person already has an NHSmail account and must not be added here — ` +
        'once the shared mailbox exists, its owner can give them access to it.',
    );
  }
  return ok(address);
}

/** Where a +44 mobile may belong: Great Britain and the Crown dependencies (texts reach them all the same way). */
export const MOBILE_COUNTRIES: readonly string[] = ['GB', 'GG', 'JE', 'IM'];
/** UK mobile numbers have 10 digits after the +44 (07 and 9 more digits when dialled at home). */
const UK_MOBILE_NATIONAL_DIGITS = 10;

/**
 * A UK mobile number, as E.164 (`+447…`). Typed as 07…, +44 7…, 0044 7… or +44 (0)7…, with spaces,
 * dashes, dots or brackets. Parsed with libphonenumber-js's `max` metadata (the default metadata
 * cannot type every range), region GB. Accepted only when the type is MOBILE — for +44 the metadata
 * never answers FIXED_LINE_OR_MOBILE, so pagers (076), personal numbers (070) and the like are
 * refused — and the country is GB, GG, JE or IM.
 */
export function ukMobile(text: string): Result<string> {
  const typed = tidy(text);
  const rule = 'please type a UK mobile number, beginning 07 or +44 7';
  if (!typed) return fail(`The mobile number is missing; ${rule}.`);
  const number = shown(typed);
  const tooShort = fail<string>(`${number} is too short for a UK mobile number.`);
  const tooLong = fail<string>(`${number} is too long for a UK mobile number.`);
  const landline = fail<string>(
    `${number} is a landline number; please give a mobile number so the temporary password can be texted.`,
  );
  const notMobile = fail<string>(
    `${number} is not a mobile number; please give a mobile number so the temporary password can be texted.`,
  );
  const invalid = fail<string>(`${number} is not a valid UK mobile number; please check it and type it again.`);
  if (/\p{L}/u.test(typed)) return fail(`${number} is not a phone number: it has letters in it; ${rule}.`);
  if (!/^\+?[\d\s().-]+$/.test(typed) || !/\d/.test(typed)) return fail(`${number} is not a phone number; ${rule}.`);
  const digits = typed.replace(/\D/g, '');
  if (digits.length > 17) return tooLong;

  let parsed;
  try {
    parsed = parsePhoneNumberWithError(typed, 'GB');
  } catch (error) {
    const reason = error instanceof ParseError ? error.message : '';
    if (reason === 'TOO_SHORT') return tooShort;
    if (reason === 'TOO_LONG') return tooLong;
    if (reason === 'INVALID_COUNTRY') return fail(`${number} is not a valid phone number; ${rule}.`);
    return fail(`${number} is not a phone number; ${rule}.`);
  }
  if (parsed.countryCallingCode !== '44') {
    return fail(
      `${number} is not a UK number; please give a UK mobile number (beginning 07 or +44 7) so the temporary password can be texted.`,
    );
  }
  // A number too short to be real keeps its trunk 0 ("07400 1234" → "074001234").
  const national = parsed.nationalNumber.replace(/^0/, '');
  if (national.startsWith('7')) {
    if (national.length < UK_MOBILE_NATIONAL_DIGITS) return tooShort;
    if (national.length > UK_MOBILE_NATIONAL_DIGITS) return tooLong;
    if (!parsed.isValid()) return invalid;
    if (parsed.getType() !== 'MOBILE') return notMobile;
    if (!parsed.country || !MOBILE_COUNTRIES.includes(parsed.country)) return invalid;
    return ok(parsed.number);
  }
  // UK numbers have 9 or 10 digits after the 0 (or +44).
  const length = validatePhoneNumberLength(typed, 'GB');
  if (length === 'TOO_SHORT' || national.length < 9) return tooShort;
  // Numbers beginning 01 or 02 are geographic: say "landline" even when mistyped, since that is what matters.
  if (/^[12]/.test(national)) return landline;
  if (length === 'TOO_LONG' || national.length > UK_MOBILE_NATIONAL_DIGITS) return tooLong;
  return parsed.isValid() ? notMobile : invalid;
}


const NO_TITLE = 'none';
const TITLE_SYNONYMS: Partial<Record<Title, readonly string[]>> = { Dr: ['doctor'], Prof: ['professor'] };
const TITLE_OPTIONS: readonly ChoiceOption<Title | typeof NO_TITLE>[] = [
  ...TITLES.map((t) => ({ value: t, label: t, synonyms: TITLE_SYNONYMS[t] ?? [] })),
  { value: NO_TITLE, label: 'No title', synonyms: ['none', 'skip', 'no', 'n a', 'na', 'nothing', 'without title', 'no thanks'] },
];
/** Button labels for the title question, in the order `title` reads numbers: the 7 titles, then "No title". */
export const TITLE_CHOICES: readonly string[] = TITLE_OPTIONS.map((o) => o.label);

/** Optional (SPEC §1.4): empty, "none", "skip" or "no title" is no title (undefined). Also by number in the list. */
export function title(text: string): Result<Title | undefined> {
  if (!normalise(text)) return ok(undefined);
  const picked = parseChoice(text, TITLE_OPTIONS);
  if (picked === NO_TITLE) return ok(undefined);
  if (picked) return ok(picked);
  return fail(
    `“${shown(text)}” is not a title the account can have: choose ${listOf([...TITLES], 'or')}, or say “none” for no title.`,
  );
}

const ROLE_SYNONYMS: Partial<Record<Role, readonly string[]>> = {
  'Registered Manager': ['rm', 'manager registered', 'home manager'],
  'Administration & Clerical': ['admin', 'administration', 'administrator', 'clerical', 'admin and clerical', 'administration and clerical', 'admin & clerical'],
  'Care Assistant': ['carer', 'care worker', 'support worker', 'healthcare assistant', 'hca'],
  'Dental Nurse': ['dn'],
  Other: ['something else', 'none of these'],
};

function roleOptions(kind: RegisteringKind): ChoiceOption<Role>[] {
  return ROLES[kind].map((r) => ({ value: r, label: r, synonyms: ROLE_SYNONYMS[r] ?? [] }));
}

/** The longest text read as a role (the longest role's name is well under it). */
const ROLE_TEXT_MAX = 120;

/** One of the kind's roles: by label (any case), by number in the list, or by a word naming just one. */
export function role(text: string, kind: 'care'): Result<CareRole>;
export function role(text: string, kind: 'dental'): Result<DentalRole>;
export function role(text: string, kind: RegisteringKind): Result<Role>;
export function role(text: string, kind: RegisteringKind): Result<Role> {
  const roles = ROLES[kind];
  const choices = listOf([...roles], 'or');
  const t = normalise(text);
  const who = kind === 'care' ? 'a care provider' : 'a dental practice';
  if (!t) return fail(`The role is missing; please choose one of: ${choices}.`);
  // No role is named in more than a few words: a long text is not compared letter by letter.
  if (t.length > ROLE_TEXT_MAX) return fail(`That is too long for a role; please choose one of: ${choices}. If none fits, choose Other.`);
  const options = roleOptions(kind);
  const exact = options.find((o) => normalise(o.label) === t || o.synonyms?.includes(t));
  if (exact) return ok(exact.value);
  // A word that only one role's name has: "senior carer" is the Senior Care Worker, "the registered one" the Registered Manager.
  const words = t.split(' ').filter((w) => w.length >= 4);
  const named = roles.filter((r) => words.some((w) => normalise(r).split(' ').includes(w)));
  if (named.length === 1) return ok(named[0]!);
  const picked = parseChoice(text, options);
  if (picked) return ok(picked);
  const number = /^(?:#|no |number |option )?(\d+)$/.exec(t);
  if (number) return fail(`There is no role number ${number[1]}; please choose a number from 1 to ${roles.length}, or type the role.`);
  const candidates = roles.filter((r) => t.length >= 3 && normalise(r).includes(t));
  if (candidates.length > 1) {
    return fail(`The role “${shown(text)}” could be ${listOf(candidates, 'or')}; please say which.`);
  }
  const misspelt = closest(t, roleOptions(kind));
  if (misspelt) return ok(misspelt);
  // A word of a role's name misspelt ("managr", "recepsionist"): read as that word, then as above.
  const corrected = correctedWords(t, roles);
  if (corrected !== t) {
    const again = role(corrected, kind);
    if (again.ok || /could be/.test(again.error)) return again.ok ? again : fail(again.error.replace(shown(corrected), shown(text)));
  }
  return fail(`“${shown(text)}” is not one of the roles for ${who}: ${choices}. If none fits, choose Other.`);
}

/** Each word of 5 letters or more replaced by the one word of the roles' names it is a slip of. */
function correctedWords(typed: string, roles: readonly string[]): string {
  const vocabulary = [...new Set(roles.flatMap((r) => normalise(r).split(' ')).filter((w) => w.length >= 4))];
  return typed
    .split(' ')
    .map((word) => {
      if (word.length < 5 || vocabulary.includes(word)) return word;
      const allowed = word.length >= 9 ? 2 : 1;
      const near = vocabulary.filter((v) => editDistance(word, v) <= allowed);
      return near.length === 1 ? near[0]! : word;
    })
    .join(' ');
}

/** The one option a misspelt answer is closest to ("registered manger"), if it is close enough and no other is. */
function closest<V extends string>(typed: string, options: readonly ChoiceOption<V>[]): V | undefined {
  if (typed.length < 5) return undefined;
  const allowed = Math.max(1, Math.floor(typed.length / 6));
  const scored = options.flatMap((o) =>
    [normalise(o.label), ...(o.synonyms ?? [])]
      // Lengths further apart than the allowance cannot be close (and a long text would cost a large table).
      .filter((name) => name.length >= 5 && Math.abs(name.length - typed.length) <= allowed)
      .map((name) => ({ value: o.value, distance: editDistance(typed, name) })),
  );
  const best = Math.min(...scored.map((s) => s.distance));
  const winners = new Set(scored.filter((s) => s.distance === best).map((s) => s.value));
  return best <= allowed && winners.size === 1 ? [...winners][0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// zod schemas: the same rules for Adaptive Card submissions
// ---------------------------------------------------------------------------------------------

/**
 * A zod schema for one field, built from its validator: a missing value (undefined or null) is
 * checked as empty text, so it gets the validator's own "missing" message; anything that is not
 * text is refused. Errors carry the validator's message; inside an object, the path names the field.
 */
export function fromValidator<T>(validate: (text: string) => Result<T>, field: string) {
  return z.unknown().transform((input, ctx): T => {
    if (input !== undefined && input !== null && typeof input !== 'string') {
      ctx.addIssue({ code: 'custom', message: `The ${field} must be given as text.`, input });
      return z.NEVER;
    }
    const result = validate(input ?? '');
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.error, input });
      return z.NEVER;
    }
    return result.value;
  });
}

/** A yes/no answer: a boolean, or text such as "yes", "no", "true", "false" (Input.Toggle sends "true"/"false"). */
export function yesNoSchema(question: string) {
  return z.unknown().transform((input, ctx): boolean => {
    if (typeof input === 'boolean') return input;
    const answer = typeof input === 'string' ? parseYesNo(input) : undefined;
    if (answer === undefined) {
      ctx.addIssue({ code: 'custom', message: `Please answer yes or no to “${question}”.`, input });
      return z.NEVER;
    }
    return answer;
  });
}

export const PostcodeSchema = fromValidator(postcode, 'postcode');
export const OdsCodeSchema = fromValidator(odsCode, 'ODS code');
export const CqcLocationIdSchema = fromValidator(cqcLocationId, 'CQC location ID');
export const CqcContactIdSchema = fromValidator(cqcContactId, 'CQC contact ID');
export const OneTimePasscodeSchema = fromValidator(oneTimePasscode, 'passcode');
export const FirstNameSchema = fromValidator((t) => personName(t, 'first name'), 'first name');
export const LastNameSchema = fromValidator((t) => personName(t, 'last name'), 'last name');
export const EmailSchema = fromValidator((t) => email(t), 'email address');
export const UkMobileSchema = fromValidator(ukMobile, 'mobile number');
/** Optional: missing or empty is no title (undefined). */
export const TitleSchema = fromValidator(title, 'title').optional();
export const TownNameSchema = fromValidator(townName, 'town');
export const TownAbbreviationSchema = fromValidator(townAbbreviation, 'town abbreviation');

/** The role type of an organisation kind. */
export type RoleOf<K extends RegisteringKind> = K extends 'care' ? CareRole : DentalRole;

export function roleSchema<K extends RegisteringKind>(kind: K) {
  return fromValidator((t) => role(t, kind) as Result<RoleOf<K>>, 'role');
}

export const SHARED_MAILBOX_QUESTION = 'add to the shared mailbox?';
export const MAILBOX_ADMIN_QUESTION = 'mark as mailbox admin?';

/**
 * One member as a card submits it. A mailbox admin must also be added to the shared mailbox (SPEC
 * §1.4: the admin flag only means something there), so that combination is refused on mailboxAdmin.
 */
export function memberSchema<K extends RegisteringKind>(kind: K, emailOptions: EmailOptions = {}) {
  return z
    .object({
      title: TitleSchema,
      firstName: FirstNameSchema,
      lastName: LastNameSchema,
      email: fromValidator((t) => email(t, emailOptions), 'email address'),
      mobile: UkMobileSchema,
      role: roleSchema(kind),
      sharedMailboxAccess: yesNoSchema(SHARED_MAILBOX_QUESTION),
      mailboxAdmin: yesNoSchema(MAILBOX_ADMIN_QUESTION),
    })
    .superRefine((member, ctx) => {
      if (member.mailboxAdmin && !member.sharedMailboxAccess) {
        ctx.addIssue({
          code: 'custom',
          path: ['mailboxAdmin'],
          message: 'A mailbox admin must also be in the shared mailbox: tick “Add to the shared mailbox” as well, or untick “Mailbox admin”.',
        });
      }
    });
}

export const CareMemberSchema = memberSchema('care');
export const DentalMemberSchema = memberSchema('dental');
/** Both member schemas, by organisation kind: `MemberSchema[kind].safeParse(card.data)`. */
export const MemberSchema = { care: CareMemberSchema, dental: DentalMemberSchema } as const;
export type CareMember = z.output<typeof CareMemberSchema>;
export type DentalMember = z.output<typeof DentalMemberSchema>;
export type Member = CareMember | DentalMember;
