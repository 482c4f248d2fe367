/**
 * The rules the password help works by (SPEC §2), as figures: the NHSmail password policy (to
 * explain, and to recognise a password someone types by mistake — never to collect one), the
 * inactivity rule, and the limits on reset requests and their codes. The texts that explain them
 * are in dialogs/passwordHelp/texts.ts and take every figure from here.
 */

/** The NHSmail password policy (SPEC §2; the care provider guide's "Password requirements"). */
export const PASSWORD_RULES = {
  minLength: 8,
  /** Kinds of character: upper case, lower case, digits, symbols; a password needs this many of the four. */
  characterKindsNeeded: 3,
  characterKinds: 4,
  /** A new password cannot be any of this many previous ones. */
  previousPasswordsRefused: 4,
  /** It must be changed at least this often. */
  maxAgeDays: 90,
  /** Never allowed anywhere in a password. */
  forbiddenCharacters: [' ', ','],
  /** It must not contain the username (the part of the address before the @). */
  mayContainUsername: false,
} as const;

/** The symbols the guide lists as examples; any other printable ASCII punctuation counts too. */
export const EXAMPLE_SYMBOLS = '!"£$%^&*';

export type CharacterKind = 'upper' | 'lower' | 'digit' | 'symbol';

const SYMBOL = /[!-/:-@[-`{-~£€¬]/u;

/** Which of the four kinds of character a text contains (letters of any alphabet count by their case). */
export function characterKinds(text: string): Set<CharacterKind> {
  const kinds = new Set<CharacterKind>();
  for (const c of text) {
    if (/\p{Lu}/u.test(c)) kinds.add('upper');
    else if (/\p{Ll}/u.test(c)) kinds.add('lower');
    else if (/\p{Nd}/u.test(c)) kinds.add('digit');
    else if (SYMBOL.test(c)) kinds.add('symbol');
  }
  return kinds;
}

/** Why a text could not be an NHSmail password; empty when it could be one. */
export type PasswordRuleBroken = 'tooShort' | 'tooFewKinds' | 'spaceOrComma' | 'containsUsername';

export function passwordRulesBroken(candidate: string, username?: string): PasswordRuleBroken[] {
  const broken: PasswordRuleBroken[] = [];
  if ([...candidate].length < PASSWORD_RULES.minLength) broken.push('tooShort');
  if (characterKinds(candidate).size < PASSWORD_RULES.characterKindsNeeded) broken.push('tooFewKinds');
  if (/[\s,]/u.test(candidate)) broken.push('spaceOrComma');
  const name = username?.split('@')[0]?.trim().toLowerCase();
  if (name && candidate.toLowerCase().includes(name)) broken.push('containsUsername');
  return broken;
}

/** Whether this text meets the NHSmail password rules that can be checked from the text alone. */
export function meetsPasswordRules(candidate: string, username?: string): boolean {
  return passwordRulesBroken(candidate, username).length === 0;
}

// ---------------------------------------------------------------------------------------------
// Accounts left unused, and leavers (SPEC §2 "First login / activation", §3; the care FAQ)

export const INACTIVITY_RULES = {
  /** An account not signed in to for this many days becomes inactive… */
  inactiveAfterDays: 90,
  /** …and is deleted this many days after that. */
  deletedAfterInactiveDays: 90,
} as const;

/** A leaver's account is deleted this many days after it is marked, unless another organisation takes it on. */
export const LEAVER_DELETED_AFTER_DAYS = 30;

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** When an account last signed in on `lastSignInOn` (YYYY-MM-DD) becomes inactive, and when it is then deleted. */
export function inactivityDates(lastSignInOn: string): { inactiveOn: string; deletedOn: string } {
  const inactiveOn = addDays(lastSignInOn, INACTIVITY_RULES.inactiveAfterDays);
  return { inactiveOn, deletedOn: addDays(inactiveOn, INACTIVITY_RULES.deletedAfterInactiveDays) };
}

/** When a leaver marked on `markedOn` is deleted. */
export function leaverDeletedOn(markedOn: string): string {
  return addDays(markedOn, LEAVER_DELETED_AFTER_DAYS);
}

// ---------------------------------------------------------------------------------------------
// Reset requests the assistant raises (SPEC §2), and the code texted to the mobile on record

/** The password-reset purpose's policy for the short verification codes (CONTRACTS §3). */
export const RESET_CODE_POLICY = {
  length: 6,
  validForMs: 10 * 60_000,
  /** A new code no sooner than this after the last. */
  minIntervalMs: 2 * 60_000,
  maxPerDay: 5,
  /** Wrong codes before code entry is locked for the account, across all instances… */
  maxFailures: 5,
  /** …for this long. */
  lockForMs: 24 * 3_600_000,
} as const;

/** At most one reset request per account in this window (a second is told the first's reference and status). */
export const RESET_REQUEST_WINDOW_MS = 24 * 3_600_000;

/** How much of the mobile on record the assistant shows: its last 3 digits. */
export const MOBILE_DIGITS_SHOWN = 3;

/** "ending 033" for +447400000033: never more of the number than that. */
export function mobileEnding(e164: string): string {
  return `ending ${e164.replace(/\D/g, '').slice(-MOBILE_DIGITS_SHOWN)}`;
}
