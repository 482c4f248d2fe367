/**
 * Reading what people type in the password help: what is happening ("I forgot my password",
 * "locked out", "never got my temp password"), an NHSmail address, the 6-digit code, a mobile, a
 * vouching code, and the short answers each step offers. Pure functions of the text.
 */
import { normaliseVouchCode, VOUCH_CODE_LENGTH } from '../../adapters/resetVouches';
import { OTP_ALPHABET } from '../../adapters/oneTimePasscodes';
import type { Topic } from '../../machines/passwordHelp';
import { RESET_CODE_POLICY } from '../../machines/passwordHelp/rules';
import { normalise } from '../parsing';
import { ukMobile, type Result } from '../validators';
import { quoteInline } from '../text';

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const fail = <T = never>(error: string): Result<T> => ({ ok: false, error });

/** "password" as people type it: pasword, passwrd, passowrd, pass word, pwd, pw. */
const PASSWORD = String.raw`pa?ss? ?(?:wo?r?d|owrd|wrod)s?|pwd|pw|pword`;
const TEMPORARY = String.raw`(?:temp(?:orary)?|first|initial|new|starter)\s+(?:${PASSWORD})|(?:${PASSWORD})\s+(?:text|sms)`;
/** Not had: "never", "not", "didn't", "haven't" (with or without the apostrophe). */
const NOT = String.raw`\bnever|\bnot|n't|\b(?:did|have|has|had|do|does)nt`;
const NOT_RECEIVED = String.raw`${NOT}|\bno|still waiting|waiting for|where is|where's|\blost|\bmissing`;

/**
 * What a message says is happening, in the order that settles overlaps ("my temporary password
 * never came" is not a forgotten password; "I forgot my password and now I'm locked out" is locked).
 */
const TOPIC_PATTERNS: readonly [Topic, RegExp][] = [
  ['vouch', /\bvouch(?:ing|ed)?\b/],
  ['temporaryPasswordMissing', new RegExp(String.raw`(?:${NOT_RECEIVED}).*(?:${TEMPORARY})|(?:${TEMPORARY}).*(?:${NOT_RECEIVED})|(?:${NOT})\b.*\b(?:got|get|had|received?|arrived?|came|come)\b.*\b(?:the |a |my |any )?(?:text|sms)\b`)],
  ['mobileInDirectory', /\b(?:hide|hidden|unhide|show|showing|visible|see|remove)\b.*\b(?:mobile|phone|number)\b|\b(?:mobile|phone) (?:number )?\b.*\b(?:directory|address book|visible|hidden|hide|show)\b/],
  ['passwordRules', new RegExp(String.raw`\b(?:rules?|requirements?|policy|criteria|how (?:long|strong|many)|what (?:can|should|makes)|allowed|special characters?|symbols?|complex(?:ity)?)\b.*\b(?:${PASSWORD})\b|\b(?:${PASSWORD})\b.*\b(?:rules?|requirements?|policy|criteria|long|strong|characters?|symbols?|allowed)\b`)],
  ['locked', /\block(?:ed)?\b|\blocked out\b|\bblocked\b|\bdisabled\b|\bsuspended\b|\btoo many (?:attempts|tries|goes)\b/],
  ['inactive', /\binactive\b|\bdeactivated\b|\bdormant\b|\bnot (?:been )?used\b|\bhaven'?t used\b|\bhave not used\b|\b90 days\b|\bbeen deleted\b|\bexpired account\b/],
  ['notActivated', /\bactivat(?:e|ed|ion|ing)\b|\bfirst (?:time )?(?:log ?in|sign ?in|login)\b|\bnever (?:logged|signed) ?(?:in|on)\b|\bwelcome email\b|\bset ?up my account\b|\bmy username\b|\btemp(?:orary)? (?:password|pw)\b/],
  ['forgotten', new RegExp(String.raw`\b(?:forg[eo]t+(?:en)?|for got|can'?t remember|cannot remember|don'?t remember|do not remember|lost|reset|change|changing|wrong|incorrect|doesn'?t work|not working|expired)\b.*\b(?:${PASSWORD})\b|\b(?:${PASSWORD})\b.*\b(?:forg[eo]t+(?:en)?|reset|wrong|incorrect|expired|not working|doesn'?t work|won'?t work)\b`)],
  ['reset', /\breset request\b|\braise (?:a )?(?:reset|request)\b/],
];

/** The topic a message asks about, if it names one. */
export function readTopic(text: string): Topic | undefined {
  const t = normalise(text);
  return TOPIC_PATTERNS.find(([, pattern]) => pattern.test(t))?.[0];
}

/** "I can't log in", "help with my account": a vague start that the triage question answers. */
export function isVagueAccountTrouble(text: string): boolean {
  const t = normalise(text);
  return /\b(?:can'?t|cannot|can not|unable to|won'?t let me|not able to|couldn'?t|could not) (?:log|sign|get) ?(?:in|on|into)\b|\b(?:log ?in|sign ?in|login) (?:problem|issue|trouble)s?\b|\baccount (?:problem|issue|trouble|help)\b|\bpassword help\b|\baccount help\b/.test(t);
}

// From the start of a run only (the look-behind): tried from every character of a long run without
// spaces it took time growing with the square of its length (3 s for 20,000 characters).
const EMAIL_IN_TEXT = /(?<![^\s<>()"',;:])[^\s<>()"',;:]+@[^\s<>()"',;:]+/;
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const NHSMAIL_DOMAIN = 'nhs.net';

/**
 * An NHSmail address, lower case. Found inside a sentence ("it's Jane.Smith@nhs.net thanks"); a
 * name without the domain ("jane.smith") has @nhs.net added; anything else is refused with why.
 */
export function nhsmailAddress(text: string): Result<string> {
  const tidy = text.normalize('NFKC').replace(/^mailto:/i, '').trim();
  const found = EMAIL_IN_TEXT.exec(tidy)?.[0]?.replace(/[.!?]+$/, '');
  if (!found) {
    const bare = tidy.toLowerCase().replace(/[.!?]+$/, '');
    if (/^[a-z0-9][a-z0-9.'_-]*\.[a-z0-9'_-]*[a-z0-9]$/.test(bare) && bare.length <= 64 && LOCAL_PART.test(bare)) return ok(`${bare}@${NHSMAIL_DOMAIN}`);
    return fail('Please type the NHSmail address, for example jane.smith@nhs.net.');
  }
  const address = found.toLowerCase();
  const [local, domain] = [address.slice(0, address.lastIndexOf('@')), address.slice(address.lastIndexOf('@') + 1)];
  if (domain !== NHSMAIL_DOMAIN) {
    return fail(`${quoteInline(found)} is not an NHSmail address: NHSmail addresses end @${NHSMAIL_DOMAIN}. Please type the address you log in to NHSmail with.`);
  }
  if (!local || local.length > 64 || !LOCAL_PART.test(local)) return fail(`${quoteInline(found)} is not a valid NHSmail address; please check it and type it again.`);
  return ok(address);
}

/** Whether the text holds something meant as an email address (so a wrong one is said to be wrong). */
export function looksLikeAddress(text: string): boolean {
  return EMAIL_IN_TEXT.test(text) || /^\s*[a-z0-9]+\.[a-z0-9.]+\s*$/i.test(text);
}

/** The 6-digit reset code, spaces and dashes allowed ("246 810", "code is 246-810"). */
export function resetCode(text: string): Result<string> | undefined {
  const digits = /(?:^|[^\d])(\d[\d\s-]{2,10}\d)(?:[^\d]|$)/.exec(text)?.[1]?.replace(/[\s-]/g, '');
  if (digits === undefined) return undefined;
  if (digits.length !== RESET_CODE_POLICY.length) return fail(`The code has ${RESET_CODE_POLICY.length} digits; ${digits} has ${digits.length}. Please type it again.`);
  return ok(digits);
}

const VOUCH_CODE = new RegExp(String.raw`(?:^|[^A-Z0-9])((?:[${OTP_ALPHABET}][\s-]?){${VOUCH_CODE_LENGTH - 1}}[${OTP_ALPHABET}])(?:[^A-Z0-9]|$)`, 'i');

/** A shared mailbox owner's vouching code: 12 letters and digits, typed in any case, groups allowed. */
export function vouchCode(text: string): string | undefined {
  const found = VOUCH_CODE.exec(text.toUpperCase().replace(/\bVOUCH(?:ING)?\b/g, ' '))?.[1];
  return found ? normaliseVouchCode(found) : undefined;
}

export { ukMobile };

type Said = (t: string) => boolean;
const says = (pattern: RegExp): Said => (t) => pattern.test(t);

export const saysCannotAnswerQuestions = says(
  /\b(?:can'?t|cannot|can not|don'?t|do not|didn'?t|never|not) (?:answer|remember|know|recall|set|setup|set up|have)\b|\bforg[eo]t+(?:en)? (?:the |my )?(?:answers?|questions?|secret)\b|\bno (?:security )?questions\b|\bwhat (?:are|were) my\b|\bnot sure\b|\bno idea\b|\bdoesn'?t work\b|\bdidn'?t work\b|\bnot working\b|\bstill can'?t\b/,
);
export const saysItWorked = says(/^(?:(?:that |it )?(?:worked|works)|done|sorted|fixed|all good|great|perfect|thanks?|thank you|cheers|ta|brilliant|got it|i'?m in|im in|ok(?:ay)?(?: thanks?| thank you)?)\b/);
export const saysRaiseRequest = says(/\b(?:raise|make|send|start|request|do|want|need|please)\b.*\b(?:request|reset)\b|\breset request\b|^(?:reset|request)(?: it| my password| please)?$|\breset (?:it|my password) for me\b/);
export const saysDone = says(/^(?:done|finished|no thanks?|no thank you|that'?s all|that'?s it|nothing else|i'?m done|all done|ok(?:ay)?|thanks?|thank you|cheers|bye|goodbye)\b/);
export const saysResend = says(/\b(?:send|text)\b.*\b(?:again|another|new|resend)\b|\bresend\b|\bnew code\b|\banother code\b|\bsend it again\b|\bexpired\b/);
export const saysNoPhone = says(
  /\b(?:no|not|don'?t|do not|haven'?t|have not|can'?t|cannot|lost|broken|stolen|changed|new|old|without|never)\b.*\b(?:phone|mobile|number|texts?|code|sms)\b|\b(?:phone|mobile|number)\b.*\b(?:lost|broken|stolen|changed|wrong|old|not mine|isn'?t mine|dead)\b|\bnot my (?:number|phone|mobile)\b|\bwrong number\b|\b(?:didn'?t|did not|haven'?t|have not|never) (?:get|got|receive|received|come|came|arrive|arrived)\b|\bnothing (?:came|arrived|has come)\b|\bowner\b|\bvouch\b/,
);
export const saysCanGetTexts = says(/^(?:yes|y|yeah|yep|yup|sure|ok(?:ay)?|i can|i do|i have|correct)\b|\btext me\b|\bsend (?:me )?(?:the |a )?code\b|\bi have (?:it|my phone|the phone)\b|\bgot (?:it|my phone)\b/);
export const saysTryAgain = says(/\btry (?:again|it again)\b|^(?:again|retry|yes|y|ok(?:ay)?|please)\b|\bask (?:them |again|the owner)|\bsend (?:it )?again\b/);
export const asksForNews = says(/./);
/** "any news?" once there is nothing more to wait for (the button the waiting step offered). */
export const saysAnyNews = says(/\bnews\b|\bany (?:update|updates|answer|word|progress)\b|\b(?:has|did) (?:anyone|someone|an owner|the owner|my owner) (?:answer|answered|reply|replied|said)\b|\bwhat'?s happening\b|\bstill waiting\b/);
