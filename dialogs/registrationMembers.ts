import type { AnyEventObject } from 'xstate';
import {
  MAX_DENTAL_OWNERS,
  MAX_MEMBERS,
  MIN_MEMBERS,
  Member,
  MemberField,
  RegistrationContext,
} from '../machines/registration';
import { ADMIN_EMAIL, NATIONAL_HELPDESK } from './contacts';
import { normalise, parseYesNo, parseYesNoAnswer } from './parsing';
import { FormState, memberCard, memberFormValues, membersListCard, reviewCard } from './cards';
import type { Reply } from './types';
import * as validate from './validators';

/**
 * Town, members, review and the finished registration (SPEC §1.4–1.5): prompts, how answers are
 * read, and what to say when an answer cannot be taken.
 */

type Parse = AnyEventObject | { invalid: string; form?: FormState } | undefined;

export interface Step {
  where: (context: RegistrationContext) => string;
  prompt(context: RegistrationContext, form?: FormState): Reply;
  parse?(text: string, context: RegistrationContext): Parse;
  hint: string;
  help?(context: RegistrationContext): string;
}

const answer = (question: string, value: unknown): AnyEventObject => ({ type: 'ANSWER', answer: { question, value } });
const kind = (c: RegistrationContext): validate.RegisteringKind => (c.organisation?.kind === 'dental' ? 'dental' : 'care');
const members = (c: RegistrationContext) => c.members ?? [];

/** Which member the current question is about: the one being edited, or the next to add. */
function memberNumber(c: RegistrationContext): number {
  return c.editing ? c.editing.index + 1 : members(c).length + 1;
}

function memberName(c: RegistrationContext): string {
  const m = c.editing ? members(c)[c.editing.index] : c.draft;
  return m?.firstName ? `${m.firstName}${m.lastName ? ` ${m.lastName}` : ''}` : 'this person';
}

const townAndMembers = () => 'Step 3 of 4 · Town and members';
const memberStep = (c: RegistrationContext) =>
  `Step 3 of 4 · Members (${memberNumber(c)} of ${MAX_MEMBERS})${c.editing ? ' · changing a detail' : ''}`;

export function mailboxAddressOf(c: RegistrationContext): string | undefined {
  if (!c.organisation || !c.mailboxTown) return undefined;
  const address = validate.sharedMailboxAddress({ kind: kind(c), town: c.mailboxTown, name: c.organisation.name, odsCode: c.organisation.odsCode });
  return address.ok ? address.value : undefined;
}

function yesNo(question: string): (text: string) => Parse {
  return (text) => {
    const value = parseYesNoAnswer(text);
    return value === undefined ? undefined : answer(question, value);
  };
}

function validated<T>(result: validate.Result<T>, toAnswer: (value: T) => AnyEventObject): Parse {
  return result.ok ? toAnswer(result.value) : { invalid: result.error };
}

function townAnswer(question: string, text: string): Parse {
  const town = validate.townName(text);
  if (!town.ok) return { invalid: town.error };
  const letters = validate.mailboxTown(town.value);
  if (!letters.ok) return { invalid: letters.error };
  return answer(question, { name: town.value, letters: letters.value.letters });
}

export function describeMember(m: Member, index: number): string {
  const flags = [
    m.owner ? 'shared mailbox owner' : undefined,
    m.sharedMailboxAccess ? 'in the shared mailbox' : 'not in the shared mailbox',
    m.mailboxAdmin ? 'mailbox admin' : undefined,
  ].filter(Boolean);
  return `${index + 1}. ${[m.title, m.firstName, m.lastName].filter(Boolean).join(' ')} — ${m.role}; ${flags.join(', ')}; ${m.email}; ${m.mobile}`;
}

const FIELD_WORDS: [MemberField, string[]][] = [
  ['title', ['title']],
  ['firstName', ['first name', 'firstname', 'forename', 'given name']],
  ['lastName', ['last name', 'lastname', 'surname', 'family name']],
  ['email', ['email', 'e-mail', 'email address']],
  ['mobile', ['mobile', 'phone', 'mobile number', 'phone number', 'number']],
  ['role', ['role', 'job', 'job title']],
  ['sharedMailboxAccess', ['shared mailbox', 'mailbox access', 'access']],
  ['mailboxAdmin', ['admin', 'mailbox admin', 'administrator']],
  ['owner', ['owner', 'mailbox owner', 'shared mailbox owner']],
];

function fieldNamed(text: string): MemberField | undefined {
  const t = ` ${normalise(text)} `;
  // Longest names first, so "shared mailbox owner" is not read as "shared mailbox".
  const named = FIELD_WORDS.flatMap(([field, words]) => words.map((w) => [field, w] as const)).sort((a, b) => b[1].length - a[1].length);
  return named.find(([, word]) => t.includes(` ${word} `))?.[0];
}

/** "edit 2 mobile", "change member 3's email", "remove 4", "add another", "done", "list". */
/** The buttons under the members list: a number picks one of these. */
function listChoices(c: RegistrationContext): ('add' | 'done')[] {
  return [...(members(c).length < MAX_MEMBERS ? (['add'] as const) : []), ...(members(c).length >= MIN_MEMBERS ? (['done'] as const) : [])];
}

function parseMembersCommand(text: string, c: RegistrationContext): Parse {
  const t = normalise(text);
  const picked = /^\d$/.test(t) ? listChoices(c)[Number(t) - 1] : undefined;
  if (picked === 'add' || /^(add|add (another|a|one more|a new)( member| person)?|add member|another)$/.test(t)) return { type: 'ADD_MEMBER' };
  if (picked === 'done' || /^(done|finished|that's all|that is all|no more|continue|next)$/.test(t)) return { type: 'MEMBERS_DONE' };
  if (/^(list|show|members|show members|list members)$/.test(t)) return { type: 'LIST_MEMBERS' };
  const command = /^(edit|change|update|correct|fix|remove|delete|take off)\b.*?(\d{1,2})\b/.exec(t);
  if (!command) return undefined;
  const index = Number(command[2]) - 1;
  if (/^(remove|delete|take off)/.test(command[1]!)) return { type: 'REMOVE_MEMBER', index };
  const field = fieldNamed(t.replace(/\d+/g, ' '));
  if (!field) {
    return { invalid: `Which detail of member ${index + 1} should change? For example "edit ${index + 1} mobile" or "edit ${index + 1} email".` };
  }
  return { type: 'EDIT_MEMBER', index, field };
}

/** Machine refusals of a whole member, shown beside the field they are about. */
const PROBLEM_FIELD: Partial<Record<string, string>> = {
  duplicateEmail: 'email',
  duplicateMobile: 'mobile',
  mobileAlreadyOnNhsmail: 'mobile',
  tooManyOwners: 'owner',
};

/** The whole-member form for the member being added or edited (Teams, web chat). */
export function memberCardFor(c: RegistrationContext, form?: FormState): Reply['card'] {
  const editingMember = c.editing ? members(c)[c.editing.index] : undefined;
  const values = form?.values ?? memberFormValues(c.submittedMember ?? editingMember ?? c.draft);
  const errors = { ...(form?.errors ?? {}) };
  const field = c.problem ? PROBLEM_FIELD[c.problem] : undefined;
  if (!form && field && c.submittedMember) errors[field] = memberProblemText(c) ?? '';
  const index = c.editing?.index ?? members(c).length;
  const owners = members(c).filter((m, i) => m.owner && i !== index).length;
  return memberCard({
    heading: `${memberStep(c)}${index === 0 ? ' · shared mailbox owner' : ''}`,
    roles: validate.ROLES[kind(c)],
    titles: validate.TITLES,
    ownerSlot: index === 0,
    ownerAllowed: kind(c) === 'care' || owners < MAX_DENTAL_OWNERS,
    form: { values, errors },
  });
}

/** Every member question also offers the whole-member form on card channels. */
function withMemberCard(step: Step): Step {
  return { ...step, prompt: (c, form) => ({ ...step.prompt(c, form), card: memberCardFor(c, form) }) };
}

const ROLE_HELP = (c: RegistrationContext) => validate.ROLES[kind(c)].join(', ');

const STEP_LIST: Record<string, Step & { card?: boolean }> = {
  town: {
    where: townAndMembers,
    prompt: (c) => ({ text: `${c.organisation?.name} is verified. What is its postcode town (the town in its postal address)?` }),
    parse: (text) => townAnswer('town', text),
    hint: 'Please type the postcode town, such as Leeds.',
    help: () => 'The postcode town is the town in your postal address. It becomes the first part of your shared mailbox address.',
  },
  townConfirm: {
    where: townAndMembers,
    prompt: () => ({ text: 'Please type the town again, to confirm it.' }),
    parse: (text) => townAnswer('townConfirm', text),
    hint: 'Please type the same town again.',
  },
  townAbbreviation: {
    where: townAndMembers,
    prompt: (c) => ({
      text: `The town part of a shared mailbox address can have at most 10 letters, and "${c.town}" has more. Shall we use "${(c.townLetters ?? '').slice(0, 10)}"? Say yes, or type your own abbreviation of at most 10 letters.`,
      choices: ['Yes', 'Back'],
    }),
    parse: (text, c) => {
      if (parseYesNo(text) === true) return answer('townAbbreviation', (c.townLetters ?? '').slice(0, 10));
      return validated(validate.townAbbreviation(text), (value) => answer('townAbbreviation', value));
    },
    hint: 'Say yes to use the abbreviation shown, or type one of at most 10 letters.',
  },
  mailboxAddress: {
    where: townAndMembers,
    prompt: (c) => ({
      text: [
        `Your shared mailbox address will be:\n${mailboxAddressOf(c)}`,
        `Next, the people who need a new NHSmail account: at least ${MIN_MEMBERS} and at most ${MAX_MEMBERS}. The first person you add is the shared mailbox owner.`,
        'Anyone who already has an NHSmail account must not be added: the owner can give them access to the shared mailbox later.',
      ].join('\n'),
      choices: ['Continue', 'Back'],
    }),
    parse: (text) => (parseYesNo(text) || ['continue', 'next', 'ok'].includes(normalise(text)) || normalise(text) === '1' ? { type: 'CONTINUE' } : undefined),
    hint: 'Say "continue" to add the people who need accounts, or "back" to change the town.',
  },
  memberTitle: {
    where: memberStep,
    card: true,
    prompt: (c) => ({
      text: `${memberNumber(c) === 1 && !c.editing ? 'First, the shared mailbox owner: they are always in the shared mailbox and are its admin. ' : ''}What is ${c.editing ? `${memberName(c)}'s` : 'their'} title? (optional)`,
      choices: [...validate.TITLE_CHOICES],
    }),
    parse: (text) => validated(validate.title(text), (value) => answer('memberTitle', value ?? null)),
    hint: `Please choose a title (${validate.TITLES.join(', ')}) or "No title".`,
  },
  memberFirstName: {
    where: memberStep,
    card: true,
    prompt: (c) => ({ text: `What is ${c.editing ? `${memberName(c)}'s` : 'their'} first name?` }),
    parse: (text) => validated(validate.personName(text, 'first name'), (value) => answer('memberFirstName', value)),
    hint: 'Please type their first name.',
  },
  memberLastName: {
    where: memberStep,
    card: true,
    prompt: (c) => ({ text: `What is ${memberName(c)}'s last name?` }),
    parse: (text) => validated(validate.personName(text, 'last name'), (value) => answer('memberLastName', value)),
    hint: 'Please type their last name.',
  },
  memberEmail: {
    where: memberStep,
    card: true,
    prompt: (c) => ({ text: `What is ${memberName(c)}'s business or personal email address? Their NHSmail username will be sent there.` }),
    parse: (text) => validated(validate.email(text), (value) => answer('memberEmail', value)),
    hint: 'Please type an email address such as name@example.co.uk (not an nhs.net address).',
  },
  memberMobile: {
    where: memberStep,
    card: true,
    prompt: (c) => ({
      text: [
        `What is ${memberName(c)}'s UK mobile number?`,
        members(c).length === 0 && !c.editing
          ? 'It is used to text their temporary password and to confirm who they are if they need a password reset; it is hidden from the NHS Directory unless they choose to show it.'
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
    }),
    parse: (text) => validated(validate.ukMobile(text), (value) => answer('memberMobile', value)),
    hint: 'Please type a UK mobile number, such as 07400 123456.',
  },
  memberRole: {
    where: memberStep,
    card: true,
    prompt: (c) => ({ text: `What is ${memberName(c)}'s role?`, choices: [...validate.ROLES[kind(c)]] }),
    parse: (text, c) => validated(validate.role(text, kind(c)), (value) => answer('memberRole', value)),
    hint: 'Please choose a role from the list.',
    help: (c) => `The roles are: ${ROLE_HELP(c)}. Choose Other if none fits.`,
  },
  memberOwner: {
    where: memberStep,
    card: true,
    prompt: (c) => ({
      text: `Should ${memberName(c)} also be a shared mailbox owner? Owners manage who has access to the shared mailbox.${kind(c) === 'dental' ? ` A dental practice can have at most ${MAX_DENTAL_OWNERS} owners.` : ''}`,
      choices: ['Yes', 'No'],
    }),
    parse: yesNo('memberOwner'),
    hint: 'Please answer yes or no.',
  },
  memberMailboxAccess: {
    where: memberStep,
    card: true,
    prompt: (c) => ({ text: `Should ${memberName(c)} be added to the shared mailbox?`, choices: ['Yes', 'No'] }),
    parse: yesNo('memberMailboxAccess'),
    hint: 'Please answer yes or no.',
  },
  memberMailboxAdmin: {
    where: memberStep,
    card: true,
    prompt: (c) => ({ text: `Should ${memberName(c)} be an admin of the shared mailbox?`, choices: ['Yes', 'No'] }),
    parse: yesNo('memberMailboxAdmin'),
    hint: 'Please answer yes or no.',
  },
  membersList: {
    where: (c) => `Step 3 of 4 · Members (${members(c).length} of ${MAX_MEMBERS})`,
    prompt: (c) => {
      const list = members(c);
      const room = list.length < MAX_MEMBERS;
      const lines = [
        'The people who will get NHSmail accounts:',
        ...list.map(describeMember),
        list.length < MIN_MEMBERS
          ? `Please add at least ${MIN_MEMBERS - list.length} more.`
          : `Say "done" when the list is complete${room ? ', or add another' : ''}.`,
        'To change a detail say, for example, "edit 2 mobile"; to take someone off, "remove 2" (the owner stays).',
      ];
      return {
        text: lines.join('\n'),
        choices: [...(room ? ['Add another member'] : []), ...(list.length >= MIN_MEMBERS ? ['Done'] : [])],
        card: membersListCard(`Step 3 of 4 · Members (${list.length} of ${MAX_MEMBERS})`, list, {
          canAdd: room,
          canFinish: list.length >= MIN_MEMBERS,
          note: list.length < MIN_MEMBERS ? `Please add at least ${MIN_MEMBERS - list.length} more.` : undefined,
        }),
      };
    },
    parse: (text, c) => {
      if (normalise(text) === 'add another member') return { type: 'ADD_MEMBER' };
      return parseMembersCommand(text, c);
    },
    hint: 'Say "add another", "done", "edit 2 email" or "remove 2".',
  },
  review: {
    where: () => 'Step 4 of 4 · Review and confirm',
    prompt: (c) => {
      const o = c.organisation!;
      return {
        text: [
          `• Organisation: ${o.name}`,
          `• ODS code: ${o.odsCode}`,
          `• CQC location ID: ${o.cqcLocationId}`,
          `• Town: ${c.town}`,
          `• Shared mailbox: ${mailboxAddressOf(c)}`,
          '• Members:',
          ...members(c).map((m, i) => `   ${describeMember(m, i)}`),
          'Please confirm that all the details are correct. Say "back" to change the members.',
        ].join('\n'),
        choices: ['Confirm and finish', 'Back'],
        card: reviewCard({
          heading: 'Step 4 of 4 · Review and confirm',
          facts: [
            ['Organisation', o.name],
            ['ODS code', o.odsCode],
            ['CQC location ID', o.cqcLocationId],
            ['Town', c.town ?? ''],
            ['Shared mailbox', mailboxAddressOf(c) ?? ''],
          ],
          members: members(c),
        }),
      };
    },
    parse: (text) =>
      ['confirm and finish', 'confirm', 'finish', 'submit', 'yes', 'correct', 'all correct', '1'].includes(normalise(text)) || parseYesNo(text)
        ? { type: 'CONFIRM' }
        : undefined,
    hint: 'Say "confirm and finish" when everything is right, or "back" to change it.',
  },
  submitted: {
    where: () => 'Registration submitted',
    prompt: (c) => {
      const admin = ADMIN_EMAIL[kind(c)];
      return {
        text: [
          `Thank you. Your registration is with the National Administration Service. Your reference is ${c.submitted?.reference}.`,
          'What happens next:',
          '• Each person gets a welcome email with their NHSmail username, and their temporary password by text message to their mobile.',
          '• They log in at www.nhs.net, change the password, accept the acceptable use policy and set their security questions.',
          `• The shared mailbox (${mailboxAddressOf(c)}) needs no activation and no password: members open it from their own account.`,
          `• If a text never arrives, contact ${admin} or the national helpdesk on ${NATIONAL_HELPDESK.phone}, quoting your reference.`,
        ].join('\n'),
        choices: ['Menu'],
      };
    },
    parse: (_text, c) => ({ invalid: `Your registration is already submitted (reference ${c.submitted?.reference}); nothing more is needed.` }),
    hint: 'Say "menu" to see what else I can do.',
  },
};

export const MEMBER_STEPS: Record<string, Step> = Object.fromEntries(
  Object.entries(STEP_LIST).map(([state, step]) => [state, step.card ? withMemberCard(step) : step]),
);

export function memberProblemText(c: RegistrationContext): string | undefined {
  switch (c.problem) {
    case 'townMismatch':
      return `The two towns did not match. Please type the postcode town again.`;
    case 'duplicateEmail':
      return 'Someone in this registration already has that email address; each person needs their own.';
    case 'duplicateMobile':
      return 'Someone in this registration already has that mobile number; each person needs their own.';
    case 'mobileAlreadyOnNhsmail':
      return 'That mobile number is already on an NHSmail account, so this person may already have one. Please check the number; a person who has an account must not be added (the owner can give them access later).';
    case 'tooManyOwners':
      return `A dental practice can have at most ${MAX_DENTAL_OWNERS} shared mailbox owners, and it already has them.`;
    case 'tooFewMembers':
      return `A registration needs at least ${MIN_MEMBERS} people.`;
    case 'membersFull':
      return `A registration can have at most ${MAX_MEMBERS} people. Remove someone first to add another.`;
    case 'cannotRemoveOwner':
      return 'The first member is the shared mailbox owner: they stay in the registration, in the shared mailbox and as its admin. You can change their name, email, mobile or role.';
    case 'noSuchMember':
      return `There is no member with that number. ${members(c).length === 0 ? '' : `Members are numbered 1 to ${members(c).length}.`}`;
    case 'submitFailed':
      return 'Sorry, the registration could not be submitted just now. Nothing is lost: please say "confirm and finish" again in a minute.';
    default:
      return undefined;
  }
}
