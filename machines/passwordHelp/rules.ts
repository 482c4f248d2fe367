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
