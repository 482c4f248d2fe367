import type { DetailField, MemberDetails } from '../../machines/memberEntry';
import { TITLES } from '../../machines/registration/rules';
import { normalise } from '../parsing';
import { quote, spacedMobile } from '../text';
import type { FlowParse } from '../types';
import * as validate from '../validators';
import { answer } from '../step';

/**
 * Several of a member's details in one message, as people type them: "Mrs Sarah Jones",
 * "Sarah Jones, sarah@x.co.uk, 07400 123456", "jane@example.co.uk and 07400 123456". Only when
 * the message holds two kinds of detail or more (a title, a name, an email, a mobile); one alone is
 * read by the question's own parser.
 */

const EMAIL_TOKEN = /(?<![^\s,;<>()])[^\s,;<>()]+@[^\s,;<>()]+/g;
const PHONE_RUN = /(?:\+|\b)\d[\d\s().-]{8,}\d\b/g;
/** Words that only frame the details: "her email is", "mobile:", "and". */
const FILLER = new Set([
  'and', 'her', 'his', 'their', 'email', 'e-mail', 'mail', 'address', 'mobile', 'mob', 'phone', 'number', 'tel', 'is', 'its', "it's", 'name',
  'called', 'the', 'on', 'at', 'with', 'plus', 'then', 'ok', 'so', 'also', 'first', 'last', 'surname', 'full', 'title', 'number:', 'please', 'thanks',
]);
/** Titles people use that an account cannot have: not read as a first name. */
const OTHER_TITLES = new Set(['sir', 'lady', 'lord', 'dame', 'rev', 'revd', 'reverend', 'father', 'sister', 'captain', 'capt', 'madam', 'mister', 'missus']);
const TITLE_WORDS: Record<string, string> = {
  ...Object.fromEntries(TITLES.map((t) => [t.toLowerCase(), t])),
  doctor: 'Dr',
  professor: 'Prof',
};
const PARTICLES = /^(de|van|von|da|di|le|la|st|du|del|der|den)$/i;

/** The question the message answers: where a name alone goes, and whether a title may lead it. */
export type DetailsAt = 'title' | 'firstName' | 'lastName' | 'email' | 'mobile';

export function memberDetailsIn(text: string, at: DetailsAt): MemberDetails | { invalid: string } | undefined {
  const details: MemberDetails = {};
  let rest = ` ${text.normalize('NFKC')} `;
  const emails = rest.match(EMAIL_TOKEN) ?? [];
  if (emails.length > 1) return undefined;
  if (emails[0]) {
    const email = validate.email(emails[0].replace(/[.]+$/, ''));
    if (!email.ok) return { invalid: email.error };
    details.email = email.value;
    rest = rest.replace(emails[0], ' ');
  }
  const phones = (rest.match(PHONE_RUN) ?? []).filter((p) => p.replace(/\D/g, '').length >= 10);
  if (phones.length > 1) return undefined;
  if (phones[0]) {
    const mobile = validate.ukMobile(phones[0]);
    if (!mobile.ok) return { invalid: mobile.error };
    details.mobile = mobile.value;
    rest = rest.replace(phones[0], ' ');
  }
  const words = rest
    .replace(/[,;:]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean)
    .filter((w) => !FILLER.has(normalise(w)));
  if (words.length > 0) {
    const first = normalise(words[0]!).replace(/\.$/, '');
    if (at === 'title' && TITLE_WORDS[first]) {
      details.title = TITLE_WORDS[first];
      words.shift();
    } else if (at === 'title' && OTHER_TITLES.has(first)) {
      return undefined;
    }
  }
  if (words.length > 0) {
    if (at === 'email' || at === 'mobile') return undefined;
    const name = validate.personName(words.join(' '), at === 'lastName' ? 'last name' : 'first name');
    if (!name.ok) return undefined;
    const parts = name.value.split(' ');
    if (at === 'lastName') details.lastName = name.value;
    else if (parts.length === 1) details.firstName = name.value;
    else {
      const lastLength = parts.length >= 3 && PARTICLES.test(parts[parts.length - 2]!) ? 2 : 1;
      details.firstName = parts.slice(0, -lastLength).join(' ');
      details.lastName = parts.slice(-lastLength).join(' ');
    }
  }
  // At the title, a whole name without a title is a member with no title.
  if (at === 'title' && details.title === undefined && details.firstName && details.lastName) details.title = null;
  const kinds = [details.title !== undefined, details.firstName !== undefined || details.lastName !== undefined, details.email !== undefined, details.mobile !== undefined];
  return kinds.filter(Boolean).length >= 2 ? details : undefined;
}

/** The message as several details at once, if it is that; otherwise undefined (the question's own parser reads it). */
export function detailsAnswer(text: string, at: DetailsAt): FlowParse {
  const found = memberDetailsIn(text, at);
  if (!found) return undefined;
  if ('invalid' in found) return found;
  return answer('memberDetails', found);
}

const DETAIL_WORDS: Record<DetailField, string> = { title: 'title', firstName: 'first name', lastName: 'last name', email: 'email', mobile: 'mobile' };

/** "Thank you: I have the title Mrs, first name Sarah and last name Jones." */
export function tookText(took: readonly DetailField[], member: Partial<Record<DetailField, string | null>>): string | undefined {
  const said = took
    .filter((f) => member[f] !== undefined || f === 'title')
    .map((f) => {
      const value = member[f];
      if (f === 'title') return value ? `title ${quote(value)}` : 'no title';
      return `${DETAIL_WORDS[f]} ${f === 'mobile' ? spacedMobile(String(value)) : quote(String(value))}`;
    });
  if (said.length === 0) return undefined;
  const list = said.length === 1 ? said[0] : `${said.slice(0, -1).join(', ')} and ${said[said.length - 1]}`;
  return `Thank you: I have ${list}.`;
}
