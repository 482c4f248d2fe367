import { assign, fromPromise, sendTo, setup } from 'xstate';
import { outputOf as output, type FlowInput, type StepMeta } from '../flow';
import { memberEntryMachine, type MemberEntryInput, type MemberEntryOutput } from '../memberEntry';
import {
  MAILBOX_TOWN_MAX_LETTERS,
  MAX_CANDIDATES,
  MAX_MEMBERS,
  MIN_MEMBERS,
  OWNER_FLAGS,
  personName,
  isTownAbbreviation,
  sameTown,
  townLetters,
  namesOrganisation,
} from './rules';
import {
  type AnswerQuestion,
  type ChosenOrganisation,
  type OrganisationChoice,
  type PasscodeRequest,
  type PrerequisiteAnswers,
  type Problem,
  type RegistrationContext,
  type RegistrationEvent,
  type RegistrationStart,
  type RegistrationSubmission,
  type SubmitOutcome,
  type VerificationOutcome,
  isListStale,
  isRouteB,
  kindOf,
  memberNamed,
  notProvided,
  passcodeChannel,
  verificationMethod,
} from './model';

/**
 * The registration's guards, actions and actors, declared once so that each part of the statechart
 * (machines/registration/*.ts) is checked against them by XState's typed `setup`.
 */

/** Whether the event answers `question` (with `value`, when given). */
export const answerTo =
  (question: AnswerQuestion | string, value?: unknown) =>
  ({ event }: { event: RegistrationEvent }) =>
    event.type === 'ANSWER' && event.answer.question === question && (value === undefined || event.answer.value === value);

export const answerValue = (event: RegistrationEvent): unknown => (event.type === 'ANSWER' ? event.answer.value : undefined);

/** The output of the invoked service an event reports (a `xstate.done.actor.*` event). */

const PREREQUISITE_FIELD: Partial<Record<string, keyof PrerequisiteAnswers>> = {
  organisationKind: 'organisationKind',
  existingAccount: 'hasNhsmailAccount',
  toolkit: 'toolkitPublished',
  otpInHand: 'otpInHand',
  cqcContactId: 'knowsCqcContactId',
  otpDelivery: 'otpDelivery',
};

/** The organisations found whose name is the one given at the start. */
const namedCandidates = (context: RegistrationContext) => {
  const name = context.start?.organisationName;
  return name ? (context.candidates ?? []).filter((o) => namesOrganisation(name, o.name)) : [];
};

/** What the member entry starts with: a new member (the first is the owner) or one being changed. */
export function memberEntryInput(context: RegistrationContext): MemberEntryInput {
  const editing = context.entry?.memberId ? context.members.find((m) => m.id === context.entry!.memberId) : undefined;
  const fixedOwner = editing ? context.members[0]?.id === editing.id : context.members.length === 0;
  const { id: _id, ...member } = editing ?? { id: '' };
  return {
    member: editing ? member : fixedOwner ? { owner: true, sharedMailboxAccess: true, mailboxAdmin: true } : {},
    kind: kindOf(context),
    others: context.members.filter((m) => m.id !== editing?.id).map(({ id: _, ...m }) => m),
    fixedOwner,
    ...(context.entry?.field ? { field: context.entry.field } : {}),
    ...(editing ? { editing: true } : {}),
  };
}

export const registration = setup({
  types: {
    context: {} as RegistrationContext,
    events: {} as RegistrationEvent,
    input: {} as FlowInput,
    meta: {} as StepMeta,
  },
  actors: {
    findOrganisations: notProvided('findOrganisations') as ReturnType<typeof fromPromise<OrganisationChoice[], { postcode: string }>>,
    getOrganisation: notProvided('getOrganisation') as ReturnType<typeof fromPromise<ChosenOrganisation | undefined, { odsCode: string; conversationKey: string }>>,
    checkManagerEmail: notProvided('checkManagerEmail') as ReturnType<typeof fromPromise<boolean, { odsCode: string; email: string }>>,
    requestPasscode: notProvided('requestPasscode') as ReturnType<
      typeof fromPromise<PasscodeRequest, { odsCode: string; kind: 'care' | 'dental'; channel: 'email' | 'post' }>
    >,
    verifyOrganisation: notProvided('verifyOrganisation') as ReturnType<
      typeof fromPromise<VerificationOutcome, { odsCode: string; cqcLocationId: string; method: 'otp' | 'cqc-contact-id'; secret: string }>
    >,
    verificationLockedUntil: notProvided('verificationLockedUntil') as ReturnType<typeof fromPromise<number | undefined, { odsCode: string }>>,
    submitRegistration: notProvided('submitRegistration') as ReturnType<typeof fromPromise<SubmitOutcome, RegistrationSubmission>>,
    memberEntry: memberEntryMachine,
  },
  actions: {
    recordAnswer: assign({
      answers: ({ context, event }) => {
        if (event.type !== 'ANSWER') return context.answers;
        const key = PREREQUISITE_FIELD[event.answer.question];
        return key ? { ...context.answers, [key]: event.answer.value } : context.answers;
      },
    }),
    clearProblem: assign({ problem: undefined, notice: undefined }),
    problem: assign({ problem: (_, params: { problem: Problem }) => params.problem, notice: undefined }),
    recordPostcode: assign({ postcode: ({ event }) => String(answerValue(event)), problem: undefined }),
    /** The postcode the user gave at the start, used once. */
    takeStartPostcode: assign({
      postcode: ({ context }) => context.start?.postcode,
      start: ({ context }) => {
        const { postcode: _p, ...rest } = context.start ?? {};
        return Object.keys(rest).length ? rest : undefined;
      },
    }),
    /** The one organisation at the postcode with the name the user gave at the start. */
    pickNamedCandidate: assign({
      pickedOdsCode: ({ context }) => namedCandidates(context)[0]?.odsCode,
      start: ({ context }) => {
        const { organisationName: _n, ...rest } = context.start ?? {};
        return Object.keys(rest).length ? rest : undefined;
      },
      notice: { kind: 'organisationNamed' } as const,
    }),
    keepCandidates: assign({
      candidates: ({ context, event }) =>
        output<OrganisationChoice[]>(event)
          .filter((o) => o.kind === context.answers.organisationKind)
          .slice(0, MAX_CANDIDATES + 1),
    }),
    keepOrganisation: assign({ organisation: ({ event }) => output<ChosenOrganisation>(event), passcode: undefined, nextPasscodeAt: undefined }),
    forgetOrganisation: assign({ organisation: undefined }),
    recordCqcLocationId: assign({ cqcLocationId: ({ event }) => String(answerValue(event)), problem: undefined, notice: undefined }),
    keepPasscodeRequest: assign(({ context, event }) => {
      const request = output<PasscodeRequest>(event);
      if (request.sent) {
        return {
          passcode: request.passcode,
          nextPasscodeAt: undefined,
          expiredAt: undefined,
          problem: undefined,
          notice: context.passcode ? ({ kind: 'passcodeSentAgain' } as const) : undefined,
        };
      }
      return {
        passcode: request.last ?? context.passcode,
        nextPasscodeAt: request.nextAllowedAt,
        problem: request.reason === 'dailyLimit' ? ('passcodeDailyLimit' as const) : ('passcodeTooSoon' as const),
        notice: undefined,
      };
    }),
    markVerified: assign({ verifiedBy: ({ context }) => verificationMethod(context), problem: undefined, failuresLeft: undefined, nextPasscodeAt: undefined }),
    keepExpiry: assign({ expiredAt: ({ event }) => output<{ expiredAt: number }>(event).expiredAt }),
    keepLock: assign({ lockedUntil: ({ event }) => output<{ lockedUntil: number }>(event).lockedUntil }),
    /** The lock checked again: still locked until… */
    keepLockedUntil: assign({ lockedUntil: ({ context, event }) => output<number | undefined>(event) ?? context.lockedUntil }),
    forgetLock: assign({ lockedUntil: undefined, failuresLeft: undefined, problem: undefined, notice: undefined }),
    notVerified: assign({ problem: 'notVerified' as const, failuresLeft: ({ event }) => output<{ failuresLeft?: number }>(event).failuresLeft }),
    recordTypedTown: assign({ typedTown: ({ event }) => String(answerValue(event)), problem: undefined }),
    /** The town as the directory writes it when it is the same town; otherwise as typed. */
    confirmTown: assign(({ context }) => {
      const typed = context.typedTown ?? '';
      const town = context.organisation && sameTown(typed, context.organisation.town) ? context.organisation.town : typed;
      const letters = townLetters(town);
      return { town, typedTown: undefined, mailboxTown: letters.length > MAILBOX_TOWN_MAX_LETTERS ? undefined : letters, problem: undefined };
    }),
    recordMailboxTown: assign({ mailboxTown: ({ event }) => String(answerValue(event)), problem: undefined }),
    startNewMember: assign({ entry: () => ({}), problem: undefined, notice: undefined }),
    startEdit: assign({
      entry: ({ context, event }) => {
        if (event.type !== 'EDIT_MEMBER') return undefined;
        return { memberId: memberNamed(context, event.member)?.id, ...(event.field ? { field: event.field } : {}) };
      },
      problem: undefined,
      notice: undefined,
    }),
    keepMember: assign(({ context, event }) => {
      const done = output<MemberEntryOutput>(event);
      if (done.outcome !== 'saved') return { entry: undefined };
      const id = context.entry?.memberId;
      const members = id
        ? context.members.map((m) => (m.id === id ? { ...done.member, id } : m))
        : [...context.members, { ...done.member, id: `m${context.nextMemberId}` }];
      return {
        members,
        nextMemberId: id ? context.nextMemberId : context.nextMemberId + 1,
        listVersion: context.listVersion + 1,
        entry: undefined,
        problem: undefined,
        notice: { kind: 'memberSaved' as const, name: personName(done.member), changed: !!id },
      };
    }),
    endEntry: assign({ entry: undefined }),
    startReviewChange: assign({ reviewing: true }),
    endReviewChange: assign({ reviewing: undefined }),
    forwardToMember: sendTo('member', ({ event }) => event),
    askRemoval: assign({
      removing: ({ context, event }) => (event.type === 'REMOVE_MEMBER' ? memberNamed(context, event.member)?.id : undefined),
      problem: undefined,
      notice: undefined,
    }),
    removeMember: assign(({ context }) => {
      const removed = context.members.find((m) => m.id === context.removing);
      return {
        members: context.members.filter((m) => m.id !== context.removing),
        listVersion: context.listVersion + 1,
        removing: undefined,
        notice: removed ? { kind: 'memberRemoved' as const, name: personName(removed) } : undefined,
      };
    }),
    keepMemberAfterAll: assign({ removing: undefined }),
    keepSubmission: assign(({ event }) => {
      const outcome = output<SubmitOutcome>(event);
      return outcome.outcome === 'submitted'
        ? { submitted: { reference: outcome.reference, submittedAt: outcome.submittedAt }, problem: undefined }
        : { alreadyBeingProcessed: { existing: outcome.existing, kept: outcome.kept }, problem: undefined };
    }),
  },
  guards: {
    isHospice: answerTo('organisationKind', 'hospice'),
    isCareProviderOrDentalPractice: (args) => answerTo('organisationKind', 'care')(args) || answerTo('organisationKind', 'dental')(args),
    alreadyHasNhsmailAccount: answerTo('existingAccount', true),
    hasNoNhsmailAccount: answerTo('existingAccount', false),
    toolkitPublished: answerTo('toolkit', true),
    toolkitNotPublished: answerTo('toolkit', false),
    answeredOtpInHand: answerTo('otpInHand'),
    knowsCqcContactId: answerTo('cqcContactId', true),
    doesNotKnowCqcContactId: answerTo('cqcContactId', false),
    hasOtpInHand: ({ event, context }) => answerTo('cqcContactId', false)({ event }) && context.answers.otpInHand === true,
    choseOtpDelivery: answerTo('otpDelivery'),
    neededOtpDelivery: ({ context }) => !context.answers.otpInHand && !context.answers.knowsCqcContactId,
    gavePostcode: answerTo('postcode'),
    choseOrganisation: answerTo('organisation'),
    gaveManagerEmail: answerTo('managerEmail'),
    gaveCqcLocationId: answerTo('cqcLocationId'),
    knowsCqcLocationId: ({ context }) => context.cqcLocationId !== undefined,
    gaveContactId: answerTo('contactId'),
    gavePasscode: answerTo('passcode'),
    confirmedCqcDetails: answerTo('cqcDetailsCorrect', true),
    rejectedCqcDetails: answerTo('cqcDetailsCorrect', false),
    wantsNewPasscodeByEmail: ({ event, context }) => answerTo('newPasscode', 'email')({ event }) && !isRouteB(context),
    wantsNewPasscodeByPost: answerTo('newPasscode', 'post'),
    wantsNoNewPasscode: answerTo('newPasscode', 'no'),
    foundNoOrganisations: ({ context }) => (context.candidates ?? []).length === 0,
    hasStartKind: ({ context }) => context.start?.kind !== undefined,
    startKindIsHospice: ({ context }) => context.start?.kind === 'hospice',
    hasStartPostcode: ({ context }) => context.start?.postcode !== undefined,
    foundTheNamedOrganisation: ({ context }) => namedCandidates(context).length === 1,
    foundTooManyOrganisations: ({ context }) => (context.candidates ?? []).length > MAX_CANDIDATES,
    isUnknownOrganisation: ({ event }) => !output<ChosenOrganisation | undefined>(event),
    isOtherKindOfOrganisation: ({ event, context }) => output<ChosenOrganisation>(event).kind !== context.answers.organisationKind,
    alreadyHasSharedMailbox: ({ event }) => output<ChosenOrganisation>(event).hasSharedMailbox,
    hasPendingRegistration: ({ event }) => output<ChosenOrganisation>(event).pendingRegistration !== undefined,
    passcodeGoesByEmail: ({ context }) => passcodeChannel(context) === 'email',
    passcodeMustBeRequested: ({ context }) => passcodeChannel(context) !== undefined && context.passcode === undefined,
    passcodeWasRequested: ({ context }) => context.passcode !== undefined,
    managerEmailMatches: ({ event }) => output<boolean>(event) === true,
    verifiesWithContactId: ({ context }) => verificationMethod(context) === 'cqc-contact-id',
    wasVerified: ({ event }) => output<VerificationOutcome>(event).result === 'verified',
    passcodeHadExpired: ({ event }) => output<VerificationOutcome>(event).result === 'expired',
    verificationIsLocked: ({ event }) => output<VerificationOutcome>(event).result === 'locked',
    stillLocked: ({ event }) => output<number | undefined>(event) !== undefined,
    needsCqcDetailsConfirmed: ({ context }) => isRouteB(context),
    gaveTown: answerTo('town'),
    gaveTownAgain: answerTo('townConfirm'),
    gaveRecordedTown: ({ context, event }) =>
      answerTo('town')({ event }) && !!context.organisation?.town && sameTown(String(answerValue(event)), context.organisation.town),
    townMatches: ({ context, event }) => answerTo('townConfirm')({ event }) && sameTown(String(answerValue(event)), context.typedTown ?? ''),
    townNeedsAbbreviation: ({ context }) => townLetters(context.typedTown ?? '').length > MAILBOX_TOWN_MAX_LETTERS,
    gaveTownAbbreviation: ({ event }) => answerTo('townAbbreviation')({ event }) && isTownAbbreviation(String(answerValue(event))),
    hasMembers: ({ context }) => context.members.length > 0,
    memberSaved: ({ event }) => output<MemberEntryOutput>(event).outcome === 'saved',
    hasRoomForAnotherMember: ({ context }) => context.members.length < MAX_MEMBERS,
    hasEnoughMembers: ({ context }) => context.members.length >= MIN_MEMBERS,
    isStaleList: ({ context, event }) => (event.type === 'EDIT_MEMBER' || event.type === 'REMOVE_MEMBER') && isListStale(context, event.member),
    memberExists: ({ context, event }) => (event.type === 'EDIT_MEMBER' || event.type === 'REMOVE_MEMBER') && memberNamed(context, event.member) !== undefined,
    /** The first member stays the owner, in the shared mailbox and its admin. */
    isOwnerRemoval: ({ context, event }) => event.type === 'REMOVE_MEMBER' && memberNamed(context, event.member)?.id === context.members[0]?.id,
    isOwnerFlagChange: ({ context, event }) =>
      event.type === 'EDIT_MEMBER' && !!event.field && OWNER_FLAGS.includes(event.field) && memberNamed(context, event.member)?.id === context.members[0]?.id,
    isReviewChange: ({ context }) => context.reviewing === true,
    confirmedRemoval: answerTo('removeMember', true),
    refusedRemoval: answerTo('removeMember', false),
    wasAlreadyBeingProcessed: ({ event }) => output<SubmitOutcome>(event).outcome === 'alreadyBeingProcessed',
  },
});

const KINDS: readonly string[] = ['care', 'dental', 'hospice'];

/** The start input as far as it can be trusted: short text, a known kind. */
function startOf(start: Record<string, unknown> | undefined): RegistrationStart | undefined {
  if (!start) return undefined;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() && v.length <= 100 ? v.trim() : undefined);
  const postcode = text(start.postcode)?.toUpperCase();
  const organisationName = text(start.organisationName);
  const kind = typeof start.kind === 'string' && KINDS.includes(start.kind) ? (start.kind as RegistrationStart['kind']) : undefined;
  const found = { ...(postcode ? { postcode } : {}), ...(organisationName ? { organisationName } : {}), ...(kind ? { kind } : {}) };
  return Object.keys(found).length ? found : undefined;
}

/** The context a registration starts with, from the root machine's input (and what the user said first). */
export function initialContext(input: FlowInput): RegistrationContext {
  const start = startOf(input.start);
  return {
    attemptId: input.attemptId,
    ...(start ? { start } : {}),
    requester: {
      channelId: input.channelId,
      conversationKey: input.conversationKey,
      conversationReference: input.conversationReference ?? null,
      ...(input.user?.email ? { email: input.user.email } : {}),
    },
    answers: start?.kind ? { organisationKind: start.kind } : {},
    members: [],
    nextMemberId: 1,
    listVersion: 0,
  };
}
