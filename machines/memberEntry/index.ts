import { and, assign, fromPromise, not, setup } from 'xstate';
import {
  MAX_DENTAL_OWNERS,
  Member,
  MemberField,
  OWNER_FLAGS,
  RegisteringKind,
  ownerCount,
  ruledMember,
  withField,
} from '../registration/rules';

/**
 * One person who needs a new NHSmail account, asked for field by field (or given whole, from a
 * form), checked against the other people of the same request and against existing NHSmail
 * accounts. A child machine: the registration invokes it for each member, and the owners'
 * "new starter" request reuses it. Input: the member so far, the organisation kind, the others;
 * output: a checked member, or "left" (the user went back or asked for the list).
 */

export interface MemberEntryInput {
  /** The member so far: empty for a new one, the member as it is when editing. */
  member?: Partial<Member>;
  kind: RegisteringKind;
  /** The other people of the request (a new email or mobile must not be theirs). */
  others: readonly Member[];
  /** The shared mailbox owner of a registration: owner, in the shared mailbox and its admin, always. */
  fixedOwner: boolean;
  /** Change just this field of an existing member. */
  field?: MemberField;
  /** Changing an existing member (every question shows the current value). */
  editing?: boolean;
}

export type MemberAnswer =
  | { question: 'memberTitle'; value: string | null }
  | { question: 'memberFirstName' | 'memberLastName' | 'memberEmail' | 'memberMobile' | 'memberRole'; value: string }
  /** A whole name typed as the first name: offered back as first and last name. */
  | { question: 'memberFullName'; value: { firstName: string; lastName: string } }
  | { question: 'splitName'; value: boolean }
  /**
   * Several details in one message ("Sarah Jones, sarah@x.co.uk, 07400 123456", "Mrs Sarah Jones"):
   * each is taken as if answered in turn, and the next question is the first still unanswered.
   */
  | { question: 'memberDetails'; value: MemberDetails }
  | { question: 'memberMailboxAccess' | 'memberMailboxAdmin' | 'memberOwner'; value: boolean };

/** The details one message can give: the title (null: no title), the name, the email, the mobile (E.164). */
export interface MemberDetails {
  title?: string | null;
  firstName?: string;
  lastName?: string;
  email?: string;
  mobile?: string;
}

/** The details a message gave, in the order they are asked. */
export const DETAIL_FIELDS = ['title', 'firstName', 'lastName', 'email', 'mobile'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];

export type MemberEntryEvent =
  | { type: 'ANSWER'; answer: MemberAnswer }
  /** A whole member at once (a form on Teams or the web chat page). */
  | { type: 'SAVE_MEMBER'; member: Member }
  | { type: 'BACK' }
  | { type: 'LIST_MEMBERS' };

export type MemberProblem = 'duplicateEmail' | 'duplicateMobile' | 'mobileAlreadyOnNhsmail' | 'tooManyOwners' | 'serviceUnavailable';

export interface MemberEntryContext extends MemberEntryInput {
  member: Partial<Member>;
  problem?: MemberProblem;
  /** A mobile number waiting for the check against existing NHSmail accounts. */
  pendingMobile?: string;
  /** A whole member given at once, kept while it is checked (and shown again if refused). */
  submitted?: Member;
  /** A whole name typed as the first name, offered as first + last. */
  split?: { firstName: string; lastName: string };
  saved?: Member;
  /** The details just taken from one message (said back to the user). */
  took?: DetailField[];
}

export type MemberEntryOutput = { outcome: 'saved'; member: Member } | { outcome: 'left' };

/** The question each answer is for, and the field it sets. */
export const FIELD_OF_QUESTION: Readonly<Record<string, MemberField>> = {
  memberTitle: 'title',
  memberFirstName: 'firstName',
  memberLastName: 'lastName',
  memberEmail: 'email',
  memberMobile: 'mobile',
  memberRole: 'role',
  memberMailboxAccess: 'sharedMailboxAccess',
  memberMailboxAdmin: 'mailboxAdmin',
  memberOwner: 'owner',
};

/** The state that asks for each field, for changing one field. */
export const FIELD_STATE: Readonly<Record<MemberField, string>> = {
  title: 'title',
  firstName: 'firstName',
  lastName: 'lastName',
  email: 'email',
  mobile: 'mobile',
  role: 'role',
  sharedMailboxAccess: 'mailboxAccess',
  mailboxAdmin: 'mailboxAdmin',
  owner: 'owner',
};

type Ctx = { context: MemberEntryContext; event: MemberEntryEvent };
const answered = (question: MemberAnswer['question']) => ({ event }: Ctx) => event.type === 'ANSWER' && event.answer.question === question;
const valueOf = (event: MemberEntryEvent): unknown => (event.type === 'ANSWER' ? event.answer.value : undefined);
const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
const problem = (p: MemberProblem) => ({ type: 'problem' as const, params: { problem: p } });
const complete = (context: MemberEntryContext): Member =>
  ruledMember({ sharedMailboxAccess: false, mailboxAdmin: false, owner: false, ...context.member } as Member, context.fixedOwner);

/** Every question: the whole form can be sent instead, "list" leaves (the member is not kept). */
const question = {
  tags: ['question'],
  on: {
    LIST_MEMBERS: { target: 'left' },
    SAVE_MEMBER: [
      { guard: 'submittedEmailTaken', actions: ['keepSubmitted', problem('duplicateEmail')] },
      { guard: 'submittedMobileTaken', actions: ['keepSubmitted', problem('duplicateMobile')] },
      { guard: 'submittedOwnerTooMany', actions: ['keepSubmitted', problem('tooManyOwners')] },
      { target: 'checkingWhole', actions: 'keepSubmitted' },
    ],
  },
} as const;

export const memberEntryMachine = setup({
  types: {
    context: {} as MemberEntryContext,
    events: {} as MemberEntryEvent,
    input: {} as MemberEntryInput,
    output: {} as MemberEntryOutput,
  },
  actors: {
    isMobileOnNhsmail: fromPromise<boolean, { mobile: string }>(async () => {
      throw new Error('member entry service "isMobileOnNhsmail" was not provided');
    }),
  },
  actions: {
    problem: assign({ problem: (_, params: { problem: MemberProblem }) => params.problem }),
    clearProblem: assign({ problem: undefined }),
    setField: assign({
      member: ({ context, event }) => {
        if (event.type !== 'ANSWER') return context.member;
        if (event.answer.question === 'memberFullName') return { ...context.member, ...event.answer.value };
        const field = FIELD_OF_QUESTION[event.answer.question];
        return field ? withField(context.member, field, event.answer.value) : context.member;
      },
      problem: undefined,
      submitted: undefined,
      took: undefined,
    }),
    offerSplit: assign({ split: ({ event }) => (event.type === 'ANSWER' && event.answer.question === 'memberFullName' ? event.answer.value : undefined), problem: undefined }),
    takeSplit: assign({ member: ({ context }) => ({ ...context.member, ...context.split }), split: undefined }),
    /** "No": the whole text was the first name (e.g. "Mary Ann"). */
    refuseSplit: assign({ member: ({ context }) => ({ ...context.member, firstName: `${context.split?.firstName} ${context.split?.lastName}` }), split: undefined }),
    holdMobile: assign({ pendingMobile: ({ event }) => String(valueOf(event)), problem: undefined, took: undefined }),
    /** Several details at once: each kept as if answered; an email or mobile another member has is refused. */
    setDetails: assign(({ context, event }) => {
      if (event.type !== 'ANSWER' || event.answer.question !== 'memberDetails') return {};
      const given = event.answer.value;
      let member = { ...context.member };
      let problem: MemberProblem | undefined;
      const took: DetailField[] = [];
      for (const field of DETAIL_FIELDS) {
        const value = given[field];
        if (value === undefined || field === 'mobile') continue;
        if (field === 'email' && context.others.some((m) => same(m.email, value ?? undefined))) {
          problem = 'duplicateEmail';
          continue;
        }
        member = withField(member, field, value);
        took.push(field);
      }
      let pendingMobile: string | undefined;
      if (given.mobile !== undefined) {
        if (context.others.some((m) => m.mobile === given.mobile)) problem ??= 'duplicateMobile';
        else {
          pendingMobile = given.mobile;
          took.push('mobile');
        }
      }
      return { member, problem, took, pendingMobile, submitted: undefined };
    }),
    setMobile: assign({ member: ({ context }) => ({ ...context.member, mobile: context.pendingMobile }), pendingMobile: undefined }),
    keepSubmitted: assign({ submitted: ({ context, event }) => (event.type === 'SAVE_MEMBER' ? ruledMember(event.member, context.fixedOwner) : context.submitted), problem: undefined }),
    takeSubmitted: assign({ member: ({ context }) => ({ ...context.submitted! }), submitted: undefined }),
    finish: assign({ saved: ({ context }) => complete(context) }),
  },
  guards: {
    changingOneField: ({ context }) => context.field !== undefined,
    isFixedOwner: ({ context }) => context.fixedOwner,
    /** Dental practices may name at most two owners in all. */
    ownersAreFull: ({ context }) => context.kind === 'dental' && ownerCount(context.others) >= MAX_DENTAL_OWNERS,
    saidYes: ({ event }) => valueOf(event) === true,
    emailTaken: ({ context, event }) => context.others.some((m) => same(m.email, String(valueOf(event)))),
    mobileTaken: ({ context, event }) => context.others.some((m) => m.mobile === String(valueOf(event))),
    mobileIsOnNhsmail: ({ event }) => (event as unknown as { output: boolean }).output === true,
    submittedEmailTaken: ({ context, event }) => event.type === 'SAVE_MEMBER' && context.others.some((m) => same(m.email, event.member.email)),
    submittedMobileTaken: ({ context, event }) => event.type === 'SAVE_MEMBER' && context.others.some((m) => m.mobile === event.member.mobile),
    submittedOwnerTooMany: ({ context, event }) =>
      event.type === 'SAVE_MEMBER' && event.member.owner && !context.fixedOwner && context.kind === 'dental' && ownerCount(context.others) >= MAX_DENTAL_OWNERS,
    answeredDetails: ({ context, event }) => answered('memberDetails')({ context, event }) && context.field === undefined,
    hasPendingMobile: ({ context }) => context.pendingMobile !== undefined,
    answeredTitle: answered('memberTitle'),
    answeredFirstName: answered('memberFirstName'),
    answeredFullName: answered('memberFullName'),
    answeredSplit: answered('splitName'),
    answeredLastName: answered('memberLastName'),
    answeredEmail: answered('memberEmail'),
    answeredMobile: answered('memberMobile'),
    answeredRole: answered('memberRole'),
    answeredOwner: answered('memberOwner'),
    answeredMailboxAccess: answered('memberMailboxAccess'),
    answeredMailboxAdmin: answered('memberMailboxAdmin'),
    /** The owner's flags cannot be changed one by one. */
    changingOwnerFlag: ({ context }) => context.fixedOwner && context.field !== undefined && OWNER_FLAGS.includes(context.field),
  },
}).createMachine({
  id: 'memberEntry',
  context: ({ input }) => ({ ...input, member: { ...(input.member ?? {}) }, others: [...input.others] }),
  initial: 'start',
  output: ({ context }) => (context.saved ? { outcome: 'saved', member: context.saved } : { outcome: 'left' }),
  states: {
    start: {
      always: [
        { guard: 'changingOwnerFlag', target: 'left' },
        ...Object.entries(FIELD_STATE).map(([field, target]) => ({
          guard: ({ context }: { context: MemberEntryContext }) => context.field === field,
          target,
        })),
        { target: 'title' },
      ],
    },
    title: {
      ...question,
      on: {
        ...question.on,
        ANSWER: [
          { guard: 'answeredDetails', target: 'afterDetails', actions: 'setDetails' },
          { guard: and(['answeredTitle', 'changingOneField']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: 'answeredTitle', target: 'firstName', actions: 'setField' },
        ],
        BACK: { target: 'left' },
      },
    },
    firstName: {
      ...question,
      on: {
        ...question.on,
        ANSWER: [
          { guard: 'answeredDetails', target: 'afterDetails', actions: 'setDetails' },
          { guard: and(['answeredFirstName', 'changingOneField']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: 'answeredFirstName', target: 'lastName', actions: 'setField' },
          { guard: 'answeredFullName', target: 'splitName', actions: 'offerSplit' },
        ],
        BACK: [{ guard: 'changingOneField', target: 'left' }, { target: 'title' }],
      },
    },
    splitName: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: and(['answeredSplit', 'saidYes', 'changingOneField']), target: 'saved', actions: ['takeSplit', 'finish'] },
          { guard: and(['answeredSplit', 'saidYes']), target: 'email', actions: 'takeSplit' },
          { guard: and(['answeredSplit', 'changingOneField']), target: 'saved', actions: ['refuseSplit', 'finish'] },
          { guard: 'answeredSplit', target: 'lastName', actions: 'refuseSplit' },
        ],
        BACK: { target: 'firstName', actions: assign({ split: undefined }) },
        LIST_MEMBERS: { target: 'left' },
      },
    },
    lastName: {
      ...question,
      on: {
        ...question.on,
        ANSWER: [
          { guard: 'answeredDetails', target: 'afterDetails', actions: 'setDetails' },
          { guard: and(['answeredLastName', 'changingOneField']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: 'answeredLastName', target: 'email', actions: 'setField' },
        ],
        BACK: [{ guard: 'changingOneField', target: 'left' }, { target: 'firstName' }],
      },
    },
    email: {
      ...question,
      on: {
        ...question.on,
        ANSWER: [
          { guard: 'answeredDetails', target: 'afterDetails', actions: 'setDetails' },
          { guard: and(['answeredEmail', 'emailTaken']), actions: problem('duplicateEmail') },
          { guard: and(['answeredEmail', 'changingOneField']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: 'answeredEmail', target: 'mobile', actions: 'setField' },
        ],
        BACK: [{ guard: 'changingOneField', target: 'left' }, { target: 'lastName' }],
      },
    },
    mobile: {
      ...question,
      on: {
        ...question.on,
        ANSWER: [
          { guard: 'answeredDetails', target: 'afterDetails', actions: 'setDetails' },
          { guard: and(['answeredMobile', 'mobileTaken']), actions: problem('duplicateMobile') },
          { guard: 'answeredMobile', target: 'checkingMobile', actions: 'holdMobile' },
        ],
        BACK: [{ guard: 'changingOneField', target: 'left' }, { target: 'email' }],
      },
    },
    /** After several details at once: a mobile among them is checked, then the first question still unanswered. */
    afterDetails: {
      always: [{ guard: 'hasPendingMobile', target: 'checkingMobile' }, { target: 'nextDetail' }],
    },
    nextDetail: {
      always: [
        { guard: ({ context }) => !context.member.firstName, target: 'firstName' },
        { guard: ({ context }) => !context.member.lastName, target: 'lastName' },
        { guard: ({ context }) => !context.member.email, target: 'email' },
        { guard: ({ context }) => !context.member.mobile, target: 'mobile' },
        { target: 'role' },
      ],
    },
    checkingMobile: {
      tags: ['busy'],
      invoke: {
        src: 'isMobileOnNhsmail',
        input: ({ context }) => ({ mobile: context.pendingMobile! }),
        onDone: [
          { guard: 'mobileIsOnNhsmail', target: 'mobile', actions: [assign({ pendingMobile: undefined }), problem('mobileAlreadyOnNhsmail')] },
          { guard: 'changingOneField', target: 'saved', actions: ['setMobile', 'clearProblem', 'finish'] },
          // (A problem with another detail of the same message stays to be said.)
          { target: 'nextDetail', actions: 'setMobile' },
        ],
        onError: { target: 'mobile', actions: [assign({ pendingMobile: undefined }), problem('serviceUnavailable')] },
      },
    },
    role: {
      ...question,
      on: {
        ...question.on,
        ANSWER: [
          { guard: and(['answeredRole', 'changingOneField']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: and(['answeredRole', 'isFixedOwner']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: and(['answeredRole', not('ownersAreFull')]), target: 'owner', actions: 'setField' },
          { guard: 'answeredRole', target: 'mailboxAccess', actions: 'setField' },
        ],
        BACK: [{ guard: 'changingOneField', target: 'left' }, { target: 'mobile' }],
      },
    },
    owner: {
      ...question,
      on: {
        ...question.on,
        ANSWER: [
          { guard: and(['answeredOwner', 'saidYes', 'ownersAreFull']), actions: problem('tooManyOwners') },
          { guard: and(['answeredOwner', 'changingOneField']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: and(['answeredOwner', 'saidYes']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: 'answeredOwner', target: 'mailboxAccess', actions: 'setField' },
        ],
        BACK: [{ guard: 'changingOneField', target: 'left' }, { target: 'role' }],
      },
    },
    mailboxAccess: {
      ...question,
      on: {
        ...question.on,
        ANSWER: [
          { guard: and(['answeredMailboxAccess', 'changingOneField']), target: 'saved', actions: ['setField', 'finish'] },
          { guard: and(['answeredMailboxAccess', 'saidYes']), target: 'mailboxAdmin', actions: 'setField' },
          { guard: 'answeredMailboxAccess', target: 'saved', actions: ['setField', 'finish'] },
        ],
        BACK: [{ guard: 'changingOneField', target: 'left' }, { guard: 'ownersAreFull', target: 'role' }, { target: 'owner' }],
      },
    },
    mailboxAdmin: {
      ...question,
      on: {
        ...question.on,
        ANSWER: { guard: 'answeredMailboxAdmin', target: 'saved', actions: ['setField', 'finish'] },
        BACK: [{ guard: 'changingOneField', target: 'left' }, { target: 'mailboxAccess' }],
      },
    },
    checkingWhole: {
      tags: ['busy'],
      invoke: {
        src: 'isMobileOnNhsmail',
        input: ({ context }) => ({ mobile: context.submitted!.mobile }),
        onDone: [
          { guard: 'mobileIsOnNhsmail', target: 'title', actions: problem('mobileAlreadyOnNhsmail') },
          { target: 'saved', actions: ['takeSubmitted', 'clearProblem', 'finish'] },
        ],
        onError: { target: 'title', actions: problem('serviceUnavailable') },
      },
    },
    saved: { type: 'final' },
    left: { type: 'final' },
  },
});

export type MemberEntryMachine = typeof memberEntryMachine;

/** The member entry with its one effect: the same machine runs with a fake in tests. */
export function provideMemberEntry(isMobileOnNhsmail: (input: { mobile: string }) => Promise<boolean>) {
  return memberEntryMachine.provide({
    actors: { isMobileOnNhsmail: fromPromise(({ input }: { input: { mobile: string } }) => isMobileOnNhsmail(input)) },
  });
}
