import type { LeafPaths } from '../../machines/flow';
import {
  FIELD_STATE,
  type MemberEntryContext,
  type MemberEntryMachine,
} from '../../machines/memberEntry';
import { MAX_DENTAL_OWNERS, Member, MemberField, ROLES, TITLES, ownerCount } from '../../machines/registration/rules';
import type { FormState } from '../cards';
import { parseYesNoAnswer } from '../parsing';
import { answer, type Step, type Steps, validated } from '../step';
import { quote, spacedMobile } from '../text';
import type { FlowParse } from '../types';
import * as validate from '../validators';
import { MOBILE_PURPOSE, memberCard, memberFormValues } from './card';
import { MEMBER_FIELDS_INFO } from './fields';
import { detailsAnswer, tookText } from './details';

/**
 * How one member is asked for (machines/memberEntry): a question per field, or the whole form on
 * Teams and the web chat page. Used by the registration, and by any request for a new account.
 */

type MemberEntryState = LeafPaths<ReturnType<MemberEntryMachine['getInitialSnapshot']>['value']>;
/** The states the user can be in between turns. */
export type MemberEntryStep = Exclude<MemberEntryState, 'start' | 'afterDetails' | 'nextDetail' | 'checkingMobile' | 'checkingWhole' | 'saved' | 'left'>;

/** A member question as the flow that asks it frames it: the "where" line for the form's heading. */
export interface MemberView {
  m: MemberEntryContext;
  heading: string;
}

const name = (m: MemberEntryContext): string => {
  const { firstName, lastName } = m.member;
  return firstName ? quote(`${firstName}${lastName ? ` ${lastName}` : ''}`) : 'this person';
};
const their = (m: MemberEntryContext) => (m.member.firstName ? `${name(m)}'s` : 'their');
const ownersAllowed = (m: MemberEntryContext) => !m.fixedOwner && (m.kind === 'care' || ownerCount(m.others) < MAX_DENTAL_OWNERS);
/** What an owner is, beside what an admin and a member are (asked when choosing an owner). */
export const OWNER_OR_ADMIN =
  'An owner is responsible for the shared mailbox: they decide who can open it (linking colleagues\' NHSmail accounts to it) and tell NAS about new starters and leavers; usually the manager or an administrator. An admin (asked next, if not an owner) can look after the mailbox\'s settings but not who has access; a member can read and send its email.';
const yesNoWord = (value: boolean | undefined) => (value === undefined ? undefined : value ? 'yes' : 'no');

/** When changing a member, each question says what the answer is now. */
function now(m: MemberEntryContext, field: MemberField): string {
  if (!m.editing) return '';
  const value = m.member[field];
  if (value === undefined || value === '') return field === 'title' ? ' It is now: no title.' : '';
  const shownValue = field === 'mobile' ? spacedMobile(String(value)) : typeof value === 'boolean' ? (value ? 'yes' : 'no') : quote(String(value));
  return ` It is now: ${shownValue}.`;
}

/** A whole name typed as the first name ("Jane Smith") is offered back as first and last name. */
function firstNameAnswer(text: string): FlowParse {
  const result = validate.personName(text, 'first name');
  if (!result.ok) return { invalid: result.error };
  const words = result.value.split(' ');
  if (words.length >= 2 && !/^(de|van|von|da|di|le|la|st)$/i.test(words[words.length - 2]!)) {
    return answer('memberFullName', { firstName: words.slice(0, -1).join(' '), lastName: words[words.length - 1] });
  }
  return answer('memberFirstName', result.value);
}

/** The mobile alone, or inside a sentence: "its 07400 123456", "mobile is 07400 123456 thanks". */
function mobileIn(text: string) {
  const exact = validate.ukMobile(text);
  if (exact.ok) return exact;
  const inner = validate.ukMobile(validate.core(text));
  if (inner.ok) return inner;
  const runs = (text.match(/(?:\+|\b)\d[\d\s().-]{8,}\d\b/g) ?? []).map((run) => validate.ukMobile(run));
  return runs.length === 1 ? runs[0]! : exact;
}

const yesNo = (question: string) => (text: string) => {
  const value = parseYesNoAnswer(text);
  return value === undefined ? undefined : answer(question, value);
};

const card = (v: MemberView, form: FormState | undefined, _heading: string, question: string) => memberCardFor(v, form, question);
const ask = (step: Omit<Step<MemberView>, 'form'>): Step<MemberView> => ({ ...step, form: card });

export const MEMBER_STEPS: Steps<MemberEntryStep, MemberView> = {
  title: ask({
    prompt: ({ m }) => ({
      text: `${m.fixedOwner && !m.editing ? 'First, the shared mailbox owner: they are always in the shared mailbox and are its admin. ' : ''}What is ${their(m)} title? (optional)${now(m, 'title')}`,
      choices: [...validate.TITLE_CHOICES],
    }),
    parse: (text) => detailsAnswer(text, 'title') ?? validated(validate.title(text), (value) => answer('memberTitle', value ?? null)),
    hint: `Please choose a title (${TITLES.join(', ')}) or "No title".`,
    field: MEMBER_FIELDS_INFO.title,
  }),
  firstName: ask({
    prompt: ({ m }) => ({ text: `What is ${their(m)} first name?${now(m, 'firstName')}` }),
    parse: (text) => detailsAnswer(text, 'firstName') ?? firstNameAnswer(text),
    hint: 'Please type their first name.',
    field: MEMBER_FIELDS_INFO.firstName,
    previous: ({ m }) => m.member.firstName && quote(m.member.firstName),
  }),
  splitName: ask({
    prompt: ({ m }) => ({
      text: `Is that first name ${quote(m.split?.firstName ?? '')} and last name ${quote(m.split?.lastName ?? '')}?`,
      choices: ['Yes', 'No, it is all the first name'],
    }),
    parse: (text) => {
      const yes = parseYesNoAnswer(text);
      if (yes !== undefined) return answer('splitName', yes);
      return /all.*first name|first name.*all|^no\b/i.test(text) ? answer('splitName', false) : undefined;
    },
    hint: 'Please say yes, or no if it is all the first name.',
  }),
  lastName: ask({
    prompt: ({ m }) => ({ text: `What is ${their(m)} last name?${now(m, 'lastName')}` }),
    parse: (text) => detailsAnswer(text, 'lastName') ?? validated(validate.personName(text, 'last name'), (value) => answer('memberLastName', value)),
    hint: 'Please type their last name.',
    field: MEMBER_FIELDS_INFO.lastName,
    previous: ({ m }) => m.member.lastName && quote(m.member.lastName),
  }),
  email: ask({
    prompt: ({ m }) => ({ text: `What is ${their(m)} business or personal email address? Their NHSmail username will be sent there.${now(m, 'email')}` }),
    parse: (text) =>
      detailsAnswer(text, 'email') ?? validated(validate.email(validate.core(text).includes('@') ? validate.core(text) : text), (value) => answer('memberEmail', value)),
    hint: 'Please type an email address such as name@example.co.uk (not an nhs.net address).',
    field: MEMBER_FIELDS_INFO.email,
    previous: ({ m }) => m.member.email && quote(m.member.email),
  }),
  mobile: ask({
    prompt: ({ m }) => ({
      text: [`What is ${their(m)} UK mobile number?${now(m, 'mobile')}`, m.fixedOwner && !m.editing ? MOBILE_PURPOSE : ''].filter(Boolean).join('\n'),
    }),
    parse: (text) => detailsAnswer(text, 'mobile') ?? validated(mobileIn(text), (value) => answer('memberMobile', value)),
    hint: 'Please type a UK mobile number, such as 07400 123456.',
    field: MEMBER_FIELDS_INFO.mobile,
    previous: ({ m }) => m.member.mobile && spacedMobile(m.member.mobile),
  }),
  role: ask({
    prompt: ({ m }) => ({ text: `What is ${their(m)} role?${now(m, 'role')}`, choices: [...ROLES[m.kind]] }),
    parse: (text, { m }) => validated(validate.role(text, m.kind), (value) => answer('memberRole', value)),
    hint: 'Please choose a role from the list.',
    help: ({ m }) => `The roles are: ${ROLES[m.kind].join(', ')}. Choose Other if none fits.`,
    field: MEMBER_FIELDS_INFO.role,
    previous: ({ m }) => m.member.role,
  }),
  owner: ask({
    prompt: ({ m }) => ({
      text: [
        `Should ${name(m)} also be a shared mailbox owner?${now(m, 'owner')}`,
        OWNER_OR_ADMIN,
        m.kind === 'dental' ? `A dental practice can have at most ${MAX_DENTAL_OWNERS} owners, the first member included.` : 'You can have more than one owner; say no if they only need to use the mailbox.',
      ].join('\n'),
      choices: ['Yes', 'No'],
    }),
    parse: yesNo('memberOwner'),
    hint: 'Please answer yes or no.',
    field: MEMBER_FIELDS_INFO.owner,
    previous: ({ m }) => yesNoWord(m.member.owner),
  }),
  mailboxAccess: ask({
    prompt: ({ m }) => ({ text: `Should ${name(m)} be added to the shared mailbox?${now(m, 'sharedMailboxAccess')}`, choices: ['Yes', 'No'] }),
    parse: yesNo('memberMailboxAccess'),
    hint: 'Please answer yes or no.',
    field: MEMBER_FIELDS_INFO.sharedMailboxAccess,
    previous: ({ m }) => yesNoWord(m.member.sharedMailboxAccess),
  }),
  mailboxAdmin: ask({
    prompt: ({ m }) => ({
      text: `Should ${name(m)} be an admin of the shared mailbox? An admin can look after the mailbox's settings, but only an owner decides who has access to it.${now(m, 'mailboxAdmin')}`,
      choices: ['Yes', 'No'],
    }),
    parse: yesNo('memberMailboxAdmin'),
    hint: 'Please answer yes or no.',
    field: MEMBER_FIELDS_INFO.mailboxAdmin,
    previous: ({ m }) => yesNoWord(m.member.mailboxAdmin),
  }),
};

/** The state that asks for a field (for "edit 2 mobile"). */
export const memberFieldState = (field: MemberField) => FIELD_STATE[field];

/** Machine refusals of a whole member, shown beside the field they are about. */
const PROBLEM_FIELD: Partial<Record<string, string>> = {
  duplicateEmail: 'email',
  duplicateMobile: 'mobile',
  mobileAlreadyOnNhsmail: 'mobile',
  tooManyOwners: 'owner',
};

export function memberProblemText(m: MemberEntryContext): string | undefined {
  const took = m.took ? tookText(m.took, m.member) : undefined;
  const problem = memberProblem(m);
  return [took, problem].filter(Boolean).join(' ') || undefined;
}

function memberProblem(m: MemberEntryContext): string | undefined {
  switch (m.problem) {
    case 'duplicateEmail':
      return 'Someone in this registration already has that email address; each person needs their own.';
    case 'duplicateMobile':
      return 'Someone in this registration already has that mobile number; each person needs their own.';
    case 'mobileAlreadyOnNhsmail':
      return 'That mobile number is already on an NHSmail account, so this person may already have one. Please check the number; a person who has an account must not be added (the owner can give them access later).';
    case 'tooManyOwners':
      return `A dental practice can have at most ${MAX_DENTAL_OWNERS} shared mailbox owners, and it already has them.`;
    case 'serviceUnavailable':
      return 'Sorry, I could not check that just now. Please try again in a minute.';
    default:
      return undefined;
  }
}

/** The whole-member form for the member being added or changed. */
export function memberCardFor({ m, heading }: MemberView, form?: FormState, question?: string) {
  const shownMember = m.submitted ?? m.member;
  const values = form?.values ?? memberFormValues({ ...shownMember, ...(shownMember.mobile ? { mobile: spacedMobile(shownMember.mobile) } : {}) });
  const errors = { ...(form?.errors ?? {}) };
  const field = m.problem ? PROBLEM_FIELD[m.problem] : undefined;
  if (!form && field && m.submitted) errors[field] = memberProblemText(m) ?? '';
  return memberCard({
    heading: `${heading}${m.fixedOwner ? ' · shared mailbox owner' : ''}`,
    roles: ROLES[m.kind],
    titles: TITLES,
    ownerSlot: m.fixedOwner,
    ownerAllowed: ownersAllowed(m),
    form: { values, errors },
    mobilePurpose: m.fixedOwner && !m.editing,
    ...(question ? { question } : {}),
  });
}

const FORM_FIELDS = ['title', 'firstName', 'lastName', 'email', 'mobile', 'role', 'owner', 'sharedMailboxAccess', 'mailboxAdmin'] as const;

/** The form as the user filled it (text only), to show it again with errors. */
function formValues(value: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of FORM_FIELDS) {
    const v = value[field];
    if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') values[field] = String(v).slice(0, 200);
  }
  return values;
}

/** A submitted form, read by the same zod schemas and validators as typed answers. */
export function parseMemberForm(value: Record<string, unknown>, m: MemberEntryContext): { member: Member } | { invalid: string; form: FormState } {
  const values = formValues(value);
  // The owner's flags are fixed and not on its form; toggles left untouched are "false".
  const input = {
    ...value,
    sharedMailboxAccess: m.fixedOwner ? 'true' : (values.sharedMailboxAccess ?? 'false'),
    mailboxAdmin: m.fixedOwner ? 'true' : (values.mailboxAdmin ?? 'false'),
  };
  const parsed = validate.memberSchema(m.kind).safeParse(input);
  const owner = m.fixedOwner || values.owner === 'true';
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      errors[field] ??= issue.message;
    }
    const count = Object.keys(errors).length;
    return { invalid: `Please correct ${count === 1 ? 'the detail' : `the ${count} details`} marked on the form.`, form: { values, errors } };
  }
  const { title, ...rest } = parsed.data;
  return { member: { ...(title ? { title } : {}), ...rest, owner } as Member };
}

/** A card's submission while a member is being entered. */
export function parseMemberCard(value: Record<string, unknown>, m: MemberEntryContext): FlowParse {
  if (value.action !== 'saveMember') return undefined;
  const result = parseMemberForm(value, m);
  return 'member' in result ? { type: 'SAVE_MEMBER', member: result.member } : result;
}
