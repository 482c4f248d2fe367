/**
 * Passwords are never collected (SPEC §2, issue 8): the assistant never asks for one, and a
 * message that looks like it holds one is dropped before it reaches the conversation's state or
 * any log, and the user is told to change that password now.
 *
 * This reads what the user typed, so it sits with the other readers of user text (dialogs/), and it
 * uses the same field rules (dialogs/validators.ts) to leave alone the answers the flows expect.
 * Two signs make a password:
 *
 * - **stated**: "my password is …", "password: …", "pw = …", "… is my password", "… as my
 *   password" — the word that follows (or comes before) is taken for the password, unless it is
 *   one of the ordinary words people say there ("my password is not working", "… is 90 days old");
 * - **meets the rules**: a word (between spaces or commas, which NHSmail passwords cannot contain)
 *   of at least 8 characters with three of upper case, lower case, digits and symbols
 *   (machines/passwordHelp/rules.ts) — unless it has the shape of an answer the flows ask for or
 *   of ordinary writing: an email or web address, a NAS reference (REG-7KD9QX2P), a registration
 *   passcode typed as people type it (7kd9-qx2p, Kd9qx2p7; in any case while one is awaited), a CQC ID, a name or place with hyphens
 *   and apostrophes (O'Brien-Smith, Stockton-on-Tees), words run together with punctuation
 *   ("Couldn't", "Hello!!!", "ok.Thanks"), times and dates ("10am-12pm"), versions ("Windows10").
 *
 * It errs towards dropping: a message wrongly taken for a password costs the user a retype, a
 * password wrongly kept stays in a store and a log.
 */
import { meetsPasswordRules } from '../machines/passwordHelp/rules';
import { cqcContactId, cqcLocationId, oneTimePasscode } from './validators';

export interface PasswordFound {
  /** Where it is in the text (UTF-16 offsets, as String.prototype.slice takes them). */
  start: number;
  end: number;
  reason: 'stated' | 'meetsPasswordRules';
}

/** What stands in for a password in a scrubbed text. */
export const PASSWORD_PLACEHOLDER = '[password]';

/** The prefixes of NAS request references (CONTRACTS §1): REG-7KD9QX2P and the like. */
const REFERENCE = /^(?:REG|PWD|LVR|JNR|NST|OWN|NAM|AUD|TMS|QST)-[A-HJ-NP-Z2-9]{8}$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const WEB_ADDRESS = /^(?:https?:\/\/|www\.)\S+$/i;
/** Version-numbered things people mention: Windows10, iPhone15, Office365, Covid-19. */
const PRODUCT_VERSION = /^(?:windows|win|office|microsoft|iphone|ipad|ios|android|macos|galaxy|pixel|outlook|covid|sars-cov)-?\d{1,4}$/i;
/** Codes in capitals and digits only, such as a helpdesk ticket (INC-0012345). */
const CAPITALS_CODE = /^[A-Z]{2,5}[-/_]?\d[\dA-Z/_-]*$/;
/** A shared mailbox owner's vouching code as the email writes it: 7KD9-QX2P-M4TN (in one case). */
const VOUCH_CODE = /^(?:[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}|[a-hj-np-z2-9]{4}-[a-hj-np-z2-9]{4}-[a-hj-np-z2-9]{4})$/;
/** A number joined to a word: 12-character, 24-hour, 90-day. */
const NUMBER_WORD = /^\d{1,4}-\p{Ll}+$/u;
/**
 * Runs of letters as people write words: lower, Title, CAPITALS, one inner capital (McDonald,
 * iPhone), or an acronym run into a word (NHSmail, NHSnet, ICBs) — "I can't get into NHSmail."
 */
const WORDLIKE = /^(?:\p{Ll}+|\p{Lu}\p{Ll}*|\p{Lu}+|\p{Lu}?\p{Ll}+\p{Lu}\p{Ll}+|\p{Lu}{2,}\p{Ll}+)$/u;
/** Punctuation that joins or ends words in ordinary writing. */
const WRITING_PUNCTUATION = /^[-'’‘.!?&/:;()"“”…]+$/u;

/** Words, names and places joined by punctuation, no digits: Anne-Marie, O'Brien, Couldn't, Hello!!!, ok.Thanks */
function isWrittenWords(word: string): boolean {
  if (/\p{Nd}/u.test(word)) return false;
  const parts = word.match(/\p{L}[\p{L}\p{M}]*|[^\p{L}\p{M}]+/gu) ?? [];
  return parts.every((part) =>
    /^\p{L}/u.test(part) ? WORDLIKE.test(part.normalize('NFD').replace(/\p{M}/gu, '')) : WRITING_PUNCTUATION.test(part),
  );
}

/** What the conversation is waiting for, when that changes what counts as ordinary. */
export interface PasswordCheckOptions {
  /** A registration passcode is awaited: a word of 8 passcode characters is one, whatever its case. */
  expecting?: 'passcode';
}

/** Starts as a CQC location or contact ID does: `1-` or `CON1-` and digits. */
const CQC_ID_SHAPED = /^(?:con1|1)-\d{4,}/i;

/** A link written as markdown, `[text](http://…)`: a link pasted or typed, never a password. */
const MARKDOWN_LINK = /\]\((?:https?:\/\/|www\.|mailto:)/i;

/** What ordinary writing or an expected answer looks like, though it meets the password rules. */
function isOrdinary(word: string, options: PasswordCheckOptions): boolean {
  if (MARKDOWN_LINK.test(word)) return true;
  if (EMAIL.test(word) || WEB_ADDRESS.test(word) || REFERENCE.test(word) || PRODUCT_VERSION.test(word) || CAPITALS_CODE.test(word)) return true;
  if (VOUCH_CODE.test(word) || NUMBER_WORD.test(word)) return true;
  // A link somewhere in the word (markdown [text](https://…), a pasted URL in brackets).
  if (/(?:https?:\/\/|www\.)[^\s]/i.test(word)) return true;
  if (cqcContactId(word).ok || cqcLocationId(word).ok) return true;
  // A CQC ID mistyped ("1-1002733005X", "CON1-12345678O") is an answer to put right, not a password.
  if (CQC_ID_SHAPED.test(word)) return true;
  // A registration passcode is read in any case, but "Summer22" has the same letters: unless one is
  // awaited, only as people type a code they read — all capitals, all small letters, or the first
  // capitalised by a phone with the digits among the letters (not a word and then a number).
  if (oneTimePasscode(word).ok) {
    if (options.expecting === 'passcode') return true;
    const letters = word.replace(/[^\p{L}]/gu, '');
    const rest = letters.slice(1);
    if (letters === letters.toUpperCase() || letters === letters.toLowerCase()) return true;
    if (rest === rest.toLowerCase() && !/^\p{L}+[\s-]?\p{Nd}+$/u.test(word)) return true;
  }
  if (isWrittenWords(word)) return true;
  // Times, dates and ordinals: 10am-12pm, 9.30am, 1st-3rd, 21/22nd
  if (/^[\d:./–-]+$/.test(word.replace(/(?:am|pm|st|nd|rd|th)/gi, '')) && /\d/.test(word)) return true;
  return false;
}

// Quotes, brackets and markdown emphasis around a word (**PWD-7KD9QX2P** copied from a reply).
const LEADING = /^["'“‘(<[*_]+/u;
const TRAILING = /["'”’)>\].,;:!?*_]+$/u;

/** The word as typed, and without quotes or brackets around it and sentence punctuation after it. */
function variants(word: string): string[] {
  const stripped = word.replace(LEADING, '').replace(TRAILING, '');
  return stripped && stripped !== word ? [word, stripped] : [word];
}

function looksLikeAPasswordWord(word: string, options: PasswordCheckOptions): boolean {
  const forms = variants(word);
  return forms.some((w) => meetsPasswordRules(w)) && !forms.some((w) => isOrdinary(w, options));
}

// ---------------------------------------------------------------------------------------------
// Stated passwords

const PASSWORD_WORD = String.raw`(?:pass(?:word|wd)|pwd|pw|p\/w|pword)`;
/** "password is", "password:", "pwd =", "password I used was", "password's", "pass:" — what follows is the password. */
const STATED_AFTER = new RegExp(
  [
    String.raw`\b${PASSWORD_WORD}\s*[:=]`,
    String.raw`\b${PASSWORD_WORD}\s+-\s+`,
    String.raw`\b${PASSWORD_WORD}(?:\s+(?:that|which))?(?:\s+(?:i|we)\s+(?:use|used|typed|tried|entered|set|chose|picked|was given|got|have))?\s+(?:is|was|would be|should be|used to be|might be|could be)\b\s*[:=-]?`,
    String.raw`\b${PASSWORD_WORD}['’]s\s`,
    String.raw`\bpass\s*[:=]`,
  ].join('|'),
  'giu',
);
/**
 * "… is my password", "… as my password", "… was my old password" — the word before is the
 * password. The word is matched from its start only (`(?<!\S)`): tried from every character of a
 * long run without spaces, it took time growing with the square of its length (20 s for 100 KB).
 */
const STATED_BEFORE = new RegExp(String.raw`(?<!\S)(\S+)\s+(?:is|was|as)\s+(?:my|the|our)\s+(?:new\s+|old\s+|temporary\s+|temp\s+|current\s+)?${PASSWORD_WORD}\b`, 'giu');

/** Words people say after "my password is" that are not the password. */
const NOT_A_PASSWORD = new Set(
  `a an the my your our it its this that these not no nope never wrong incorrect invalid expired expiring expire expires expiry
  locked blocked disabled suspended forgotten forgot lost reset resetting changed changing change working correct right ok okay
  fine still too very really being been asking saying rejected refused different same new old temporary temp short long weak
  strong case required needed missing gone broken stuck hidden unknown what which how why when where who whose now just also
  definitely definately probably always all only in on at for to of and or but so if please help is was isnt wasnt doesnt
  dont didnt wont cant due about nearly almost sent texted coming through going accepted recognised recognized valid updated
  saved there here mine you i we they he she one showing up set being given meant supposed fine failing failed sorry exactly
  something anything nothing somewhere as like`.split(/\s+/),
);
const AMOUNT_UNITS = /^(?:days?|weeks?|months?|years?|characters?|chars?|letters?|digits?|numbers?|times?|attempts?|tries|minutes?|mins?|hours?|hrs?|old)\b/i;

function spanOfWordAt(text: string, from: number): { start: number; end: number } | undefined {
  const match = /[^\s,]+/gu;
  match.lastIndex = from;
  const found = match.exec(text);
  return found ? { start: found.index, end: found.index + found[0].length } : undefined;
}

function isStatedPassword(word: string, after: string): boolean {
  const bare = word.replace(LEADING, '').replace(TRAILING, '');
  if (!bare) return false;
  if (NOT_A_PASSWORD.has(bare.toLowerCase().replace(/['’]/g, ''))) return false;
  if (/^\d+$/.test(bare) && AMOUNT_UNITS.test(after.trimStart())) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------

/** Every password-like part of a text, in order, overlapping ones merged. */
export function findPasswords(text: string, options: PasswordCheckOptions = {}): PasswordFound[] {
  const found: PasswordFound[] = [];
  for (const cue of text.matchAll(STATED_AFTER)) {
    const span = spanOfWordAt(text, cue.index + cue[0].length);
    if (span && isStatedPassword(text.slice(span.start, span.end), text.slice(span.end))) found.push({ ...span, reason: 'stated' });
  }
  for (const cue of text.matchAll(STATED_BEFORE)) {
    const word = cue[1]!;
    if (isStatedPassword(word, '')) found.push({ start: cue.index, end: cue.index + word.length, reason: 'stated' });
  }
  for (const word of text.matchAll(/[^\s,]+/gu)) {
    if (looksLikeAPasswordWord(word[0], options)) found.push({ start: word.index, end: word.index + word[0].length, reason: 'meetsPasswordRules' });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: PasswordFound[] = [];
  for (const f of found) {
    const last = merged[merged.length - 1];
    if (last && f.start < last.end) {
      last.end = Math.max(last.end, f.end);
      if (f.reason === 'stated') last.reason = 'stated';
    } else {
      merged.push({ ...f });
    }
  }
  return merged;
}

/** Whether a message looks like it holds a password. */
export function looksLikePassword(text: string, options: PasswordCheckOptions = {}): boolean {
  return findPasswords(text, options).length > 0;
}

/** The text with every password-like part replaced by "[password]". */
export function scrubPassword(text: string, options: PasswordCheckOptions = {}): string {
  let out = '';
  let at = 0;
  for (const f of findPasswords(text, options)) {
    out += text.slice(at, f.start) + PASSWORD_PLACEHOLDER;
    at = f.end;
  }
  return out + text.slice(at);
}
