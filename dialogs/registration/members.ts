import {
  MAX_MEMBERS,
  MIN_MEMBERS,
  type ListedMember,
  type MemberField,
  type MemberRef,
  type RegistrationContext,
} from '../../machines/registration';
import { fullName, personName } from '../../machines/registration/rules';
import { normalise, parseYesNoAnswer } from '../parsing';
import { answer, type Step } from '../step';
import { quote, spacedMobile } from '../text';
import type { FlowParse } from '../types';
import { describeFlags, membersListCard } from './cards';

/** Part 5, the members list (SPEC §1.4); each member is asked for by dialogs/memberEntry. */

export function describeMember(m: ListedMember, index: number): string {
  return `${index + 1}. ${quote(fullName(m))} — ${quote(m.role)}; ${describeFlags(m)}; ${quote(m.email)}; ${spacedMobile(m.mobile)}`;
}

const FIELD_WORDS: [MemberField, string[]][] = [
  ['title', ['title']],
  ['firstName', ['first name', 'firstname', 'forename', 'given name', 'christian name']],
  ['lastName', ['last name', 'lastname', 'surname', 'family name', 'second name']],
  ['email', ['email', 'e-mail', 'email address', 'address']],
  ['mobile', ['mobile', 'phone', 'mobile number', 'phone number', 'number', 'mob', 'cell']],
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

/** The buttons under the members list: a number picks one of these. */
function listChoices(c: RegistrationContext): ('add' | 'done')[] {
  return [...(c.members.length < MAX_MEMBERS ? (['add'] as const) : []), ...(c.members.length >= MIN_MEMBERS ? (['done'] as const) : [])];
}

/** "2", or a name that only one member has ("Ben", "ben jones"). */
function memberIn(text: string, c: RegistrationContext): MemberRef | undefined {
  const number = /\b(\d{1,2})\b/.exec(text);
  if (number) return { index: Number(number[1]) - 1 };
  const t = ` ${normalise(text)} `;
  const named = c.members
    .map((m, index) => ({ index, names: [normalise(`${m.firstName} ${m.lastName}`), normalise(m.firstName)] }))
    .filter(({ names }) => names.some((n) => t.includes(` ${n} `) || t.includes(` ${n}'s `)));
  const whole = named.filter(({ index }) => t.includes(` ${normalise(`${c.members[index]!.firstName} ${c.members[index]!.lastName}`)} `));
  const pick = whole.length === 1 ? whole : named;
  return pick.length === 1 ? { index: pick[0]!.index } : undefined;
}

export function parseMembersCommand(text: string, c: RegistrationContext): FlowParse {
  const t = normalise(text);
  const picked = /^\d$/.test(t) ? listChoices(c)[Number(t) - 1] : undefined;
  if (picked === 'add' || /^(add|add (another|a|one more|a new|someone|somebody)( member| person| one)?|add (a )?member|add another member|another|another one|one more|more)$/.test(t)) {
    return { type: 'ADD_MEMBER' };
  }
  if (
    picked === 'done' ||
    /^(done|finished|finish|(that'?s|that is) (all|it|everyone|everybody|the lot)|no more|no one else|nobody else|continue|next|all done|(we'?re|we are|i'?m|i am) (done|finished))( now)?( thanks| thank you| please)?$/.test(t)
  ) {
    return { type: 'MEMBERS_DONE' };
  }
  if (/^(list|show|members|show members|list members|show the list|show me the list)$/.test(t)) return { type: 'LIST_MEMBERS' };
  const command = /^(edit|change|update|correct|fix|amend|remove|delete|take off|take out)\b(.*)$/.exec(t);
  if (!command) return undefined;
  const member = memberIn(command[2]!, c);
  if (!member) return { invalid: 'Which member? Say their number or their name, for example "remove 2" or "edit Ben email".' };
  if (/^(remove|delete|take)/.test(command[1]!)) return { type: 'REMOVE_MEMBER', member };
  const field = fieldNamed(command[2]!.replace(/\d+/g, ' '));
  if (!field && 'index' in member) {
    const who = c.members[member.index];
    const label = who ? quote(who.firstName) : `member ${member.index + 1}`;
    return { invalid: `Which detail of ${label} should change? For example "edit ${member.index + 1} mobile" or "edit ${member.index + 1} email".` };
  }
  return { type: 'EDIT_MEMBER', member, ...(field ? { field } : {}) };
}

const ref = (value: Record<string, unknown>): MemberRef | undefined =>
  typeof value.memberId === 'string' && typeof value.listVersion === 'number' && value.memberId.length <= 20
    ? { id: value.memberId, listVersion: value.listVersion }
    : undefined;

function listText(c: RegistrationContext): string {
  const list = c.members;
  const room = list.length < MAX_MEMBERS;
  return [
    ...(c.notice?.kind === 'memberRemoved' ? [`${quote(c.notice.name)} has been removed.`] : []),
    'The people who will get NHSmail accounts:',
    ...list.map(describeMember),
    list.length < MIN_MEMBERS ? `Please add at least ${MIN_MEMBERS - list.length} more.` : `Say "done" when the list is complete${room ? ', or add another' : ''}.`,
    'To change a detail say, for example, "edit 2 mobile"; to take someone off, "remove 2" (the owner stays).',
  ].join('\n');
}

export const MEMBER_LIST_STEPS = {
  'members.list': {
    where: (c) => ` (${c.members.length} of ${MAX_MEMBERS})`,
    prompt: (c) => ({
      text: listText(c),
      choices: [...(c.members.length < MAX_MEMBERS ? ['Add another member'] : []), ...(c.members.length >= MIN_MEMBERS ? ['Done'] : [])],
    }),
    form: (c, _form, heading) =>
      membersListCard(heading, c.members, c.listVersion, {
        canAdd: c.members.length < MAX_MEMBERS,
        canFinish: c.members.length >= MIN_MEMBERS,
        note: [
          c.notice?.kind === 'memberRemoved' ? `${c.notice.name} has been removed.` : '',
          c.members.length < MIN_MEMBERS ? `Please add at least ${MIN_MEMBERS - c.members.length} more.` : '',
        ]
          .filter(Boolean)
          .join(' ') || undefined,
      }),
    parse: (text, c) => parseMembersCommand(text, c),
    card: (value) => {
      switch (value.action) {
        case 'addMember':
          return { type: 'ADD_MEMBER' };
        case 'membersDone':
          return { type: 'MEMBERS_DONE' };
        case 'editMember': {
          const member = ref(value);
          return member ? { type: 'EDIT_MEMBER', member } : undefined;
        }
        case 'removeMember': {
          const member = ref(value);
          return member ? { type: 'REMOVE_MEMBER', member } : undefined;
        }
        case 'saveMember':
          // A form pressed twice (Teams can deliver a submission again) is not saved twice.
          return { invalid: 'That form has already been saved.' };
        default:
          return undefined;
      }
    },
    hint: 'Say "add another", "done", "edit 2 email" or "remove 2".',
    help: () =>
      `These are the people who will get a new NHSmail account: ${MIN_MEMBERS} to ${MAX_MEMBERS} in all, the first being the shared mailbox owner. Say "add another" to add someone, "edit 2 email" (or "change Ben's mobile") to change a detail, "remove 2" to take someone off, and "done" when the list is complete.`,
  },
  'members.confirmRemoval': {
    prompt: (c) => {
      const who = c.members.find((m) => m.id === c.removing);
      return { text: `Remove ${quote(who ? personName(who) : 'this person')} from the registration?`, choices: ['Yes, remove', 'No, keep'] };
    },
    parse: (text) => {
      const t = normalise(text);
      if (/^(yes,? remove|remove( them| him| her)?|yes please remove|delete)$/.test(t)) return answer('removeMember', true);
      if (/^(no,? keep|keep( them| him| her)?|no keep)$/.test(t)) return answer('removeMember', false);
      const yes = parseYesNoAnswer(text);
      return yes === undefined ? undefined : answer('removeMember', yes);
    },
    card: (value) => {
      const member = ref(value);
      return value.action === 'removeMember' && member ? { type: 'REMOVE_MEMBER', member } : undefined;
    },
    hint: 'Please say yes to remove them, or no to keep them.',
  },
} satisfies Record<string, Step<RegistrationContext>>;

/** Why the list is shown again. */
export function listProblem(c: RegistrationContext): string | undefined {
  switch (c.problem) {
    case 'tooFewMembers':
      return `A registration needs at least ${MIN_MEMBERS} people.`;
    case 'membersFull':
      return `A registration can have at most ${MAX_MEMBERS} people. Remove someone first to add another.`;
    case 'cannotRemoveOwner':
      return 'The first member is the shared mailbox owner: they stay in the registration, in the shared mailbox and as its admin. You can change their name, email, mobile or role.';
    case 'cannotChangeOwnerFlags':
      return 'The first member is the shared mailbox owner: they stay in the shared mailbox and as its admin. You can change their name, email, mobile or role.';
    case 'noSuchMember':
      return `There is no member with that number. ${c.members.length === 0 ? '' : `Members are numbered 1 to ${c.members.length}.`}`.trim();
    case 'staleList':
      return 'That button was on an older list, which has changed since, so nothing was done. Here is the list as it is now.';
    default:
      return undefined;
  }
}
