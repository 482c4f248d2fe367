import { and, assign, fromPromise, not, setup } from 'xstate';
import {
  MEMBER_FIELDS,
  MIN_MEMBERS,
  MAX_MEMBERS,
  MAX_DENTAL_OWNERS,
  MAILBOX_TOWN_MAX_LETTERS,
  MAX_CANDIDATES,
  passcodeChannel,
  verificationMethod,
  FIELD_STATE,
  notProvided,
  answerTo,
  answerValue,
  isRouteB,
  members,
  others,
  ownerCount,
  isDental,
  submittedOf,
  FIELD_OF_QUESTION,
  withField,
  ruledMember,
  answeredField,
  type OtpDelivery,
  type PrerequisiteAnswers,
  type AnswerQuestion,
  type RegistrationEvent,
  type RequestOrigin,
  type Member,
  type SubmittedRequest,
  type RegistrationSubmission,
  type OrganisationChoice,
  type ChosenOrganisation,
  type PasscodeSent,
  type VerificationOutcome,
  type Problem,
  type RegistrationContext,
  type RegistrationServices
} from './registrationModel';

/**
 * The registration statechart (SPEC §1): the checks, organisation details, verification, town,
 * members, review. One file on purpose: XState's typed \`setup\` checks every state's guards and
 * actions against the ones it declares, so the states stay together; the model (types, rules,
 * helpers) is in machines/registrationModel.ts.
 */
export * from './registrationModel';

/** From the members list, "edit" goes to the question for that field. */
const editTransitions = MEMBER_FIELDS.map((field) => ({
  guard: ({ event }: { event: RegistrationEvent }) => event.type === 'EDIT_MEMBER' && event.field === field,
  target: FIELD_STATE[field],
  actions: 'startEdit' as const,
}));

/** Every member question: "list" shows the members (a member half-entered is dropped). */
const memberQuestion = {
  tags: ['question', 'member'],
  on: {
    LIST_MEMBERS: { target: 'membersList', actions: 'leaveMemberEntry' },
    SAVE_MEMBER: [
      { guard: 'submittedEmailInRegistration', actions: ['keepSubmittedMember', { type: 'problem', params: { problem: 'duplicateEmail' } }] },
      { guard: 'submittedMobileInRegistration', actions: ['keepSubmittedMember', { type: 'problem', params: { problem: 'duplicateMobile' } }] },
      { guard: 'submittedOwnerTooMany', actions: ['keepSubmittedMember', { type: 'problem', params: { problem: 'tooManyOwners' } }] },
      { target: 'checkingSubmittedMember', actions: 'holdSubmittedMember' },
    ],
  },
} as const;

export const registrationMachine = setup({
  types: {
    context: {} as RegistrationContext,
    events: {} as RegistrationEvent,
  },
  actors: {
    findOrganisations: notProvided('findOrganisations') as ReturnType<typeof fromPromise<OrganisationChoice[], { postcode: string }>>,
    getOrganisation: notProvided('getOrganisation') as ReturnType<typeof fromPromise<ChosenOrganisation | undefined, { odsCode: string }>>,
    checkManagerEmail: notProvided('checkManagerEmail') as ReturnType<typeof fromPromise<boolean, { odsCode: string; email: string }>>,
    requestPasscode: notProvided('requestPasscode') as ReturnType<
      typeof fromPromise<PasscodeSent, { odsCode: string; kind: 'care' | 'dental'; channel: OtpDelivery }>
    >,
    verifyOrganisation: notProvided('verifyOrganisation') as ReturnType<
      typeof fromPromise<VerificationOutcome, { odsCode: string; cqcLocationId: string; method: 'otp' | 'cqc-contact-id'; secret: string }>
    >,
    isMobileOnNhsmail: notProvided('isMobileOnNhsmail') as ReturnType<typeof fromPromise<boolean, { mobile: string }>>,
    submitRegistration: notProvided('submitRegistration') as ReturnType<typeof fromPromise<SubmittedRequest, RegistrationSubmission>>,
  },
  actions: {
    recordAnswer: assign({
      answers: ({ context, event }) => {
        if (event.type !== 'ANSWER') return context.answers;
        const { question, value } = event.answer;
        const field: Partial<Record<AnswerQuestion, keyof PrerequisiteAnswers>> = {
          organisationKind: 'organisationKind',
          existingAccount: 'hasNhsmailAccount',
          toolkit: 'toolkitPublished',
          otpInHand: 'otpInHand',
          cqcContactId: 'knowsCqcContactId',
          otpDelivery: 'otpDelivery',
        };
        const key = field[question];
        return key ? { ...context.answers, [key]: value } : context.answers;
      },
    }),
    clearProblem: assign({ problem: undefined }),
    recordPostcode: assign({ postcode: ({ event }) => String(answerValue(event)), problem: undefined }),
    recordCqcLocationId: assign({ cqcLocationId: ({ event }) => String(answerValue(event)), problem: undefined }),
    problem: assign({ problem: (_, params: { problem: Problem }) => params.problem }),
    recordTown: assign({
      town: ({ event }) => (answerValue(event) as { name: string }).name,
      townLetters: ({ event }) => (answerValue(event) as { letters: string }).letters,
      problem: undefined,
    }),
    recordMailboxTown: assign({
      mailboxTown: ({ context, event }) =>
        event.type === 'ANSWER' && event.answer.question === 'townAbbreviation' ? String(event.answer.value) : context.townLetters,
      problem: undefined,
    }),
    startNewMember: assign({ draft: () => ({}), editing: undefined, problem: undefined }),
    /** The first member is the shared mailbox owner: always in the shared mailbox, and its admin. */
    startOwner: assign({ draft: () => ({ owner: true, sharedMailboxAccess: true, mailboxAdmin: true }), editing: undefined, problem: undefined }),
    setDraftField: assign({
      draft: (ctx) => {
        const answered = answeredField(ctx);
        return answered ? withField(ctx.context.draft ?? {}, answered.field, answered.value) : ctx.context.draft;
      },
      problem: undefined,
    }),
    saveDraft: assign({
      members: ({ context }) => [...members(context), { sharedMailboxAccess: false, mailboxAdmin: false, owner: false, ...context.draft } as Member],
      draft: undefined,
      problem: undefined,
    }),
    applyEdit: assign({
      members: (ctx) => {
        const answered = answeredField(ctx);
        const { editing } = ctx.context;
        if (!answered || !editing) return ctx.context.members;
        return members(ctx.context).map((m, i) => (i === editing.index ? (withField(m, answered.field, answered.value) as Member) : m));
      },
      editing: undefined,
      problem: undefined,
    }),
    startEdit: assign({
      editing: ({ event }) => (event.type === 'EDIT_MEMBER' ? { index: event.index, field: event.field } : undefined),
      draft: undefined,
      problem: undefined,
    }),
    removeMember: assign({
      members: ({ context, event }) => members(context).filter((_, i) => event.type !== 'REMOVE_MEMBER' || i !== event.index),
      problem: undefined,
    }),
    leaveMemberEntry: assign({ draft: undefined, editing: undefined, problem: undefined, pendingMobile: undefined, submittedMember: undefined }),
    holdMobile: assign({ pendingMobile: ({ event }) => String(answerValue(event)), problem: undefined }),
    holdSubmittedMember: assign({
      submittedMember: ({ context, event }) => ruledMember(context, submittedOf(event)!),
      problem: undefined,
    }),
    keepSubmittedMember: assign({ submittedMember: ({ context, event }) => submittedOf(event) ?? context.submittedMember }),
    saveSubmittedMember: assign({
      members: ({ context }) => {
        const member = context.submittedMember!;
        const { editing } = context;
        return editing ? members(context).map((m, i) => (i === editing.index ? member : m)) : [...members(context), member];
      },
      submittedMember: undefined,
      draft: undefined,
      editing: undefined,
      problem: undefined,
    }),
  },
  guards: {
    isHospice: ({ event }) => answerTo('organisationKind', 'hospice')({ event }),
    isCareProviderOrDentalPractice: ({ event }) =>
      answerTo('organisationKind', 'care')({ event }) || answerTo('organisationKind', 'dental')({ event }),
    alreadyHasNhsmailAccount: ({ event }) => answerTo('existingAccount', true)({ event }),
    hasNoNhsmailAccount: ({ event }) => answerTo('existingAccount', false)({ event }),
    toolkitPublished: ({ event }) => answerTo('toolkit', true)({ event }),
    toolkitNotPublished: ({ event }) => answerTo('toolkit', false)({ event }),
    answeredOtpInHand: ({ event }) => answerTo('otpInHand')({ event }),
    knowsCqcContactId: ({ event }) => answerTo('cqcContactId', true)({ event }),
    doesNotKnowCqcContactId: ({ event }) => answerTo('cqcContactId', false)({ event }),
    hasOtpInHand: ({ event, context }) => answerTo('cqcContactId', false)({ event }) && context.answers.otpInHand === true,
    choseOtpDelivery: ({ event }) => answerTo('otpDelivery')({ event }),
    neededOtpDelivery: ({ context }) => !context.answers.otpInHand && !context.answers.knowsCqcContactId,
    gavePostcode: ({ event }) => answerTo('postcode')({ event }),
    choseOrganisation: ({ event }) => answerTo('organisation')({ event }),
    gaveManagerEmail: ({ event }) => answerTo('managerEmail')({ event }),
    gaveCqcLocationId: ({ event }) => answerTo('cqcLocationId')({ event }),
    gaveContactId: ({ event }) => answerTo('contactId')({ event }),
    gavePasscode: ({ event }) => answerTo('passcode')({ event }),
    confirmedCqcDetails: ({ event }) => answerTo('cqcDetailsCorrect', true)({ event }),
    rejectedCqcDetails: ({ event }) => answerTo('cqcDetailsCorrect', false)({ event }),
    wantsNewPasscodeByEmail: ({ event, context }) => answerTo('newPasscode', 'email')({ event }) && !isRouteB(context),
    wantsNewPasscodeByPost: ({ event }) => answerTo('newPasscode', 'post')({ event }),
    wantsNoNewPasscode: ({ event }) => answerTo('newPasscode', 'no')({ event }),
    foundNoOrganisations: ({ context }) => (context.candidates ?? []).length === 0,
    foundTooManyOrganisations: ({ context }) => (context.candidates ?? []).length > MAX_CANDIDATES,
    isUnknownOrganisation: ({ event }) => !(event as unknown as { output?: ChosenOrganisation }).output,
    isOtherKindOfOrganisation: ({ event, context }) =>
      (event as unknown as { output: ChosenOrganisation }).output.kind !== context.answers.organisationKind,
    alreadyHasSharedMailbox: ({ event }) => (event as unknown as { output: ChosenOrganisation }).output.hasSharedMailbox,
    hasPendingRegistration: ({ event }) => (event as unknown as { output: ChosenOrganisation }).output.hasPendingRegistration,
    passcodeGoesByEmail: ({ context }) => passcodeChannel(context) === 'email',
    passcodeMustBeRequested: ({ context }) => passcodeChannel(context) !== undefined,
    passcodeWasRequested: ({ context }) => context.passcode !== undefined,
    managerEmailMatches: ({ event }) => (event as unknown as { output: boolean }).output === true,
    verifiesWithContactId: ({ context }) => verificationMethod(context) === 'cqc-contact-id',
    wasVerified: ({ event }) => (event as unknown as { output: VerificationOutcome }).output.result === 'verified',
    passcodeHadExpired: ({ event }) => (event as unknown as { output: VerificationOutcome }).output.result === 'expired',
    verificationIsLocked: ({ event }) => (event as unknown as { output: VerificationOutcome }).output.result === 'locked',
    needsCqcDetailsConfirmed: ({ context }) => isRouteB(context),
    gaveTown: ({ event }) => answerTo('town')({ event }),
    gaveTownAgain: ({ event }) => answerTo('townConfirm')({ event }),
    townMatches: ({ context, event }) =>
      answerTo('townConfirm')({ event }) &&
      (answerValue(event) as { name: string }).name.trim().toLowerCase() === (context.town ?? '').trim().toLowerCase(),
    townNeedsAbbreviation: ({ context }) => (context.townLetters ?? '').length > MAILBOX_TOWN_MAX_LETTERS,
    gaveTownAbbreviation: ({ event }) =>
      answerTo('townAbbreviation')({ event }) && /^[a-z]{1,10}$/.test(String(answerValue(event))),
    hasMembers: ({ context }) => members(context).length > 0,
    answeredMemberField: ({ event }) => event.type === 'ANSWER' && FIELD_OF_QUESTION[event.answer.question] !== undefined,
    answeredTitle: ({ event }) => answerTo('memberTitle')({ event }),
    answeredFirstName: ({ event }) => answerTo('memberFirstName')({ event }),
    answeredLastName: ({ event }) => answerTo('memberLastName')({ event }),
    answeredEmail: ({ event }) => answerTo('memberEmail')({ event }),
    answeredMobile: ({ event }) => answerTo('memberMobile')({ event }),
    answeredRole: ({ event }) => answerTo('memberRole')({ event }),
    answeredMailboxAccess: ({ event }) => answerTo('memberMailboxAccess')({ event }),
    answeredMailboxAdmin: ({ event }) => answerTo('memberMailboxAdmin')({ event }),
    answeredOwner: ({ event }) => answerTo('memberOwner')({ event }),
    saidYes: ({ event }) => answerValue(event) === true,
    isEditing: ({ context }) => context.editing !== undefined,
    isOwnerSlot: ({ context }) => members(context).length === 0,
    emailAlreadyInRegistration: ({ context, event }) =>
      others(context).some((m) => m.email.toLowerCase() === String(answerValue(event)).toLowerCase()),
    mobileAlreadyInRegistration: ({ context, event }) => others(context).some((m) => m.mobile === String(answerValue(event))),
    mobileIsOnNhsmail: ({ event }) => (event as unknown as { output: boolean }).output === true,
    /** Dental practices may name at most two owners in all. */
    ownersAreFull: ({ context }) => isDental(context) && ownerCount(others(context)) >= MAX_DENTAL_OWNERS,
    submittedEmailInRegistration: ({ context, event }) =>
      others(context).some((m) => m.email.toLowerCase() === (submittedOf(event)?.email ?? '').toLowerCase()),
    submittedMobileInRegistration: ({ context, event }) => others(context).some((m) => m.mobile === submittedOf(event)?.mobile),
    submittedOwnerTooMany: ({ context, event }) =>
      submittedOf(event)?.owner === true &&
      (context.editing?.index ?? members(context).length) !== 0 &&
      isDental(context) &&
      ownerCount(others(context)) >= MAX_DENTAL_OWNERS,
    submittedMobileIsOnNhsmail: ({ event }) => (event as unknown as { output: boolean }).output === true,
    hasRoomForAnotherMember: ({ context }) => members(context).length < MAX_MEMBERS,
    hasEnoughMembers: ({ context }) => members(context).length >= MIN_MEMBERS,
    memberExists: ({ context, event }) =>
      (event.type === 'EDIT_MEMBER' || event.type === 'REMOVE_MEMBER') && event.index >= 0 && event.index < members(context).length,
    /** The first member stays the owner, in the shared mailbox and its admin. */
    touchesOwnerSlot: ({ event }) =>
      (event.type === 'REMOVE_MEMBER' && event.index === 0) ||
      (event.type === 'EDIT_MEMBER' && event.index === 0 && ['owner', 'sharedMailboxAccess', 'mailboxAdmin'].includes(event.field)),
  },
}).createMachine({
  id: 'registration',
  context: { answers: {} },
  initial: 'organisationKind',
  states: {
    organisationKind: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'isHospice', target: 'hospiceStop', actions: 'recordAnswer' },
          { guard: 'isCareProviderOrDentalPractice', target: 'existingAccount', actions: 'recordAnswer' },
        ],
      },
    },
    hospiceStop: { tags: ['stop'], on: { BACK: 'organisationKind' } },
    existingAccount: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'alreadyHasNhsmailAccount', target: 'existingAccountStop', actions: 'recordAnswer' },
          { guard: 'hasNoNhsmailAccount', target: 'toolkit', actions: 'recordAnswer' },
        ],
        BACK: 'organisationKind',
      },
    },
    existingAccountStop: { tags: ['stop'], on: { BACK: 'existingAccount' } },
    toolkit: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'toolkitNotPublished', target: 'toolkitStop', actions: 'recordAnswer' },
          { guard: 'toolkitPublished', target: 'otpInHand', actions: 'recordAnswer' },
        ],
        BACK: 'existingAccount',
      },
    },
    toolkitStop: { tags: ['stop'], on: { BACK: 'toolkit' } },
    otpInHand: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'answeredOtpInHand', target: 'cqcContactId', actions: 'recordAnswer' },
        BACK: 'toolkit',
      },
    },
    cqcContactId: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'knowsCqcContactId', target: 'prerequisitesMet', actions: 'recordAnswer' },
          // With a passcode already in hand there is nothing to request.
          { guard: 'hasOtpInHand', target: 'prerequisitesMet', actions: 'recordAnswer' },
          { guard: 'doesNotKnowCqcContactId', target: 'otpDelivery', actions: 'recordAnswer' },
        ],
        BACK: 'otpInHand',
      },
    },
    otpDelivery: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'choseOtpDelivery', target: 'prerequisitesMet', actions: 'recordAnswer' },
        BACK: 'cqcContactId',
      },
    },
    prerequisitesMet: {
      tags: ['summary'],
      on: {
        CONTINUE: 'postcode',
        BACK: [{ guard: 'neededOtpDelivery', target: 'otpDelivery' }, { target: 'cqcContactId' }],
      },
    },

    // §1.2 Organisation details
    postcode: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gavePostcode', target: 'findingOrganisations', actions: 'recordPostcode' },
        BACK: { target: 'prerequisitesMet', actions: 'clearProblem' },
      },
    },
    findingOrganisations: {
      tags: ['busy'],
      invoke: {
        src: 'findOrganisations',
        input: ({ context }) => ({ postcode: context.postcode! }),
        onDone: {
          target: 'organisationsFound',
          actions: assign({
            candidates: ({ event, context }) =>
              event.output.filter((o) => o.kind === context.answers.organisationKind).slice(0, MAX_CANDIDATES + 1),
          }),
        },
        onError: { target: 'postcode', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
    organisationsFound: {
      always: [
        { guard: 'foundNoOrganisations', target: 'postcode', actions: { type: 'problem', params: { problem: 'noOrganisationsFound' } } },
        // More than fit in a list: the user types the ODS code or the full postcode.
        { guard: 'foundTooManyOrganisations', target: 'chooseOrganisation', actions: { type: 'problem', params: { problem: 'tooManyOrganisations' } } },
        { target: 'chooseOrganisation' },
      ],
    },
    chooseOrganisation: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'choseOrganisation', target: 'lookingUpOrganisation', actions: 'clearProblem' },
          { guard: 'gavePostcode', target: 'findingOrganisations', actions: 'recordPostcode' },
        ],
        BACK: { target: 'postcode', actions: 'clearProblem' },
      },
    },
    lookingUpOrganisation: {
      tags: ['busy'],
      invoke: {
        src: 'getOrganisation',
        input: ({ event }) => ({ odsCode: String(answerValue(event as RegistrationEvent)) }),
        onDone: [
          { guard: 'isUnknownOrganisation', target: 'chooseOrganisation', actions: { type: 'problem', params: { problem: 'unknownOrganisation' } } },
          { guard: 'isOtherKindOfOrganisation', target: 'chooseOrganisation', actions: { type: 'problem', params: { problem: 'otherKindOfOrganisation' } } },
          { guard: 'alreadyHasSharedMailbox', target: 'sharedMailboxExistsStop', actions: assign({ organisation: ({ event }) => event.output }) },
          { guard: 'hasPendingRegistration', target: 'registrationPendingStop', actions: assign({ organisation: ({ event }) => event.output }) },
          { target: 'organisationChosen', actions: assign({ organisation: ({ event }) => event.output, passcode: undefined }) },
        ],
        onError: { target: 'chooseOrganisation', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
    sharedMailboxExistsStop: { tags: ['stop'], on: { BACK: { target: 'chooseOrganisation', actions: assign({ organisation: undefined }) } } },
    registrationPendingStop: { tags: ['stop'], on: { BACK: { target: 'chooseOrganisation', actions: assign({ organisation: undefined }) } } },
    organisationChosen: {
      always: [
        { guard: 'passcodeGoesByEmail', target: 'managerEmail' },
        { guard: 'passcodeMustBeRequested', target: 'requestingPasscode' },
        { target: 'cqcLocationId' },
      ],
    },
    managerEmail: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveManagerEmail', target: 'checkingManagerEmail', actions: 'clearProblem' },
        BACK: { target: 'chooseOrganisation', actions: 'clearProblem' },
      },
    },
    checkingManagerEmail: {
      tags: ['busy'],
      invoke: {
        src: 'checkManagerEmail',
        input: ({ context, event }) => ({ odsCode: context.organisation!.odsCode, email: String(answerValue(event as RegistrationEvent)) }),
        onDone: [
          { guard: 'managerEmailMatches', target: 'requestingPasscode' },
          { target: 'managerEmail', actions: { type: 'problem', params: { problem: 'managerEmailMismatch' } } },
        ],
        onError: { target: 'managerEmail', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },

    // §1.3 Verification
    requestingPasscode: {
      tags: ['busy'],
      invoke: {
        src: 'requestPasscode',
        input: ({ context, event }) => {
          const chosen = answerValue(event as RegistrationEvent);
          const channel = chosen === 'email' || chosen === 'post' ? chosen : (passcodeChannel(context) ?? 'post');
          return { odsCode: context.organisation!.odsCode, kind: context.organisation!.kind as 'care' | 'dental', channel };
        },
        onDone: { target: 'awaitingPasscode', actions: assign({ passcode: ({ event }) => event.output, expiredAt: undefined, problem: undefined }) },
        onError: { target: 'cannotSendPasscode' },
      },
    },
    cannotSendPasscode: { tags: ['stop'], on: { BACK: { target: 'chooseOrganisation' } } },
    awaitingPasscode: {
      tags: ['waiting'],
      on: {
        CONTINUE: { target: 'cqcLocationId', actions: 'clearProblem' },
        RESEND: { target: 'requestingPasscode' },
        // Typing the CQC location ID straight away is as good as saying the passcode has come.
        ANSWER: { guard: 'gaveCqcLocationId', target: 'verificationSecret', actions: 'recordCqcLocationId' },
      },
    },
    cqcLocationId: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveCqcLocationId', target: 'verificationSecret', actions: 'recordCqcLocationId' },
        BACK: [{ guard: 'passcodeWasRequested', target: 'awaitingPasscode' }, { target: 'chooseOrganisation' }],
      },
    },
    verificationSecret: {
      always: [{ guard: 'verifiesWithContactId', target: 'enterContactId' }, { target: 'enterPasscode' }],
    },
    enterContactId: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveContactId', target: 'verifying' },
        BACK: { target: 'cqcLocationId', actions: 'clearProblem' },
      },
    },
    enterPasscode: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gavePasscode', target: 'verifying' },
        BACK: { target: 'cqcLocationId', actions: 'clearProblem' },
      },
    },
    verifying: {
      tags: ['busy'],
      invoke: {
        src: 'verifyOrganisation',
        input: ({ context, event }) => ({
          odsCode: context.organisation!.odsCode,
          cqcLocationId: context.cqcLocationId!,
          method: verificationMethod(context),
          secret: String(answerValue(event as RegistrationEvent)),
        }),
        onDone: [
          {
            guard: 'wasVerified',
            target: 'verified',
            actions: assign({ verifiedBy: ({ context }) => verificationMethod(context), problem: undefined, failuresLeft: undefined }),
          },
          {
            guard: 'passcodeHadExpired',
            target: 'passcodeExpired',
            actions: assign({ expiredAt: ({ event }) => (event.output as { expiredAt: number }).expiredAt }),
          },
          {
            guard: 'verificationIsLocked',
            target: 'verificationLocked',
            actions: assign({ lockedUntil: ({ event }) => (event.output as { lockedUntil: number }).lockedUntil }),
          },
          {
            target: 'cqcLocationId',
            actions: assign({
              problem: 'notVerified' as const,
              failuresLeft: ({ event }) => (event.output as { failuresLeft?: number }).failuresLeft,
            }),
          },
        ],
        onError: { target: 'cqcLocationId', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
    passcodeExpired: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'wantsNewPasscodeByEmail', target: 'requestingPasscode' },
          { guard: 'wantsNewPasscodeByPost', target: 'requestingPasscode' },
          { guard: 'wantsNoNewPasscode', target: 'passcodeNotRenewedStop' },
        ],
      },
    },
    passcodeNotRenewedStop: { tags: ['stop'], on: { BACK: 'passcodeExpired' } },
    verificationLocked: { tags: ['stop'] },
    verified: {
      always: [{ guard: 'needsCqcDetailsConfirmed', target: 'confirmCqcDetails' }, { target: 'town' }],
    },
    confirmCqcDetails: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'confirmedCqcDetails', target: 'town' },
          { guard: 'rejectedCqcDetails', target: 'cqcDetailsRejectedStop' },
        ],
      },
    },
    cqcDetailsRejectedStop: { tags: ['stop'], on: { BACK: 'confirmCqcDetails' } },

    // §1.4 Town and members
    town: {
      tags: ['question'],
      on: { ANSWER: { guard: 'gaveTown', target: 'townConfirm', actions: 'recordTown' } },
    },
    townConfirm: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: and(['townMatches', 'townNeedsAbbreviation']), target: 'townAbbreviation', actions: 'clearProblem' },
          { guard: 'townMatches', target: 'mailboxAddress', actions: 'recordMailboxTown' },
          { guard: 'gaveTownAgain', target: 'town', actions: { type: 'problem', params: { problem: 'townMismatch' } } },
        ],
        BACK: { target: 'town', actions: 'clearProblem' },
      },
    },
    townAbbreviation: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveTownAbbreviation', target: 'mailboxAddress', actions: 'recordMailboxTown' },
        BACK: { target: 'town', actions: 'clearProblem' },
      },
    },
    mailboxAddress: {
      tags: ['question'],
      on: {
        CONTINUE: [{ guard: 'hasMembers', target: 'membersList' }, { target: 'memberTitle', actions: 'startOwner' }],
        BACK: 'town',
      },
    },
    memberTitle: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredTitle', 'isEditing']), target: 'membersList', actions: 'applyEdit' },
          { guard: 'answeredTitle', target: 'memberFirstName', actions: 'setDraftField' },
        ],
        BACK: [
          { guard: 'hasMembers', target: 'membersList', actions: 'leaveMemberEntry' },
          { target: 'mailboxAddress', actions: 'leaveMemberEntry' },
        ],
      },
    },
    memberFirstName: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredFirstName', 'isEditing']), target: 'membersList', actions: 'applyEdit' },
          { guard: 'answeredFirstName', target: 'memberLastName', actions: 'setDraftField' },
        ],
        BACK: [{ guard: 'isEditing', target: 'membersList', actions: 'leaveMemberEntry' }, { target: 'memberTitle' }],
      },
    },
    memberLastName: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredLastName', 'isEditing']), target: 'membersList', actions: 'applyEdit' },
          { guard: 'answeredLastName', target: 'memberEmail', actions: 'setDraftField' },
        ],
        BACK: [{ guard: 'isEditing', target: 'membersList', actions: 'leaveMemberEntry' }, { target: 'memberFirstName' }],
      },
    },
    memberEmail: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredEmail', 'emailAlreadyInRegistration']), actions: { type: 'problem', params: { problem: 'duplicateEmail' } } },
          { guard: and(['answeredEmail', 'isEditing']), target: 'membersList', actions: 'applyEdit' },
          { guard: 'answeredEmail', target: 'memberMobile', actions: 'setDraftField' },
        ],
        BACK: [{ guard: 'isEditing', target: 'membersList', actions: 'leaveMemberEntry' }, { target: 'memberLastName' }],
      },
    },
    memberMobile: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredMobile', 'mobileAlreadyInRegistration']), actions: { type: 'problem', params: { problem: 'duplicateMobile' } } },
          { guard: 'answeredMobile', target: 'checkingMobile', actions: 'holdMobile' },
        ],
        BACK: [{ guard: 'isEditing', target: 'membersList', actions: 'leaveMemberEntry' }, { target: 'memberEmail' }],
      },
    },
    checkingMobile: {
      tags: ['busy'],
      invoke: {
        src: 'isMobileOnNhsmail',
        input: ({ context }) => ({ mobile: context.pendingMobile! }),
        onDone: [
          { guard: 'mobileIsOnNhsmail', target: 'memberMobile', actions: { type: 'problem', params: { problem: 'mobileAlreadyOnNhsmail' } } },
          { guard: 'isEditing', target: 'membersList', actions: ['applyEdit', assign({ pendingMobile: undefined })] },
          { target: 'memberRole', actions: ['setDraftField', assign({ pendingMobile: undefined })] },
        ],
        onError: { target: 'memberMobile', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
    checkingSubmittedMember: {
      tags: ['busy'],
      invoke: {
        src: 'isMobileOnNhsmail',
        input: ({ context }) => ({ mobile: context.submittedMember!.mobile }),
        onDone: [
          { guard: 'submittedMobileIsOnNhsmail', target: 'memberTitle', actions: { type: 'problem', params: { problem: 'mobileAlreadyOnNhsmail' } } },
          { target: 'membersList', actions: 'saveSubmittedMember' },
        ],
        onError: { target: 'memberTitle', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
    memberRole: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredRole', 'isEditing']), target: 'membersList', actions: 'applyEdit' },
          // The shared mailbox owner's flags are fixed: it is saved now.
          { guard: and(['answeredRole', 'isOwnerSlot']), target: 'membersList', actions: ['setDraftField', 'saveDraft'] },
          { guard: and(['answeredRole', not('ownersAreFull')]), target: 'memberOwner', actions: 'setDraftField' },
          { guard: 'answeredRole', target: 'memberMailboxAccess', actions: 'setDraftField' },
        ],
        BACK: [{ guard: 'isEditing', target: 'membersList', actions: 'leaveMemberEntry' }, { target: 'memberMobile' }],
      },
    },
    memberOwner: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredOwner', 'saidYes', 'ownersAreFull']), actions: { type: 'problem', params: { problem: 'tooManyOwners' } } },
          { guard: and(['answeredOwner', 'isEditing']), target: 'membersList', actions: 'applyEdit' },
          { guard: and(['answeredOwner', 'saidYes']), target: 'membersList', actions: ['setDraftField', 'saveDraft'] },
          { guard: 'answeredOwner', target: 'memberMailboxAccess', actions: 'setDraftField' },
        ],
        BACK: [{ guard: 'isEditing', target: 'membersList', actions: 'leaveMemberEntry' }, { target: 'memberRole' }],
      },
    },
    memberMailboxAccess: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredMailboxAccess', 'isEditing']), target: 'membersList', actions: 'applyEdit' },
          { guard: and(['answeredMailboxAccess', 'saidYes']), target: 'memberMailboxAdmin', actions: 'setDraftField' },
          { guard: 'answeredMailboxAccess', target: 'membersList', actions: ['setDraftField', 'saveDraft'] },
        ],
        BACK: [{ guard: 'isEditing', target: 'membersList', actions: 'leaveMemberEntry' }, { target: 'memberRole' }],
      },
    },
    memberMailboxAdmin: {
      ...memberQuestion,
      on: {
        ...memberQuestion.on,
        ANSWER: [
          { guard: and(['answeredMailboxAdmin', 'isEditing']), target: 'membersList', actions: 'applyEdit' },
          { guard: 'answeredMailboxAdmin', target: 'membersList', actions: ['setDraftField', 'saveDraft'] },
        ],
        BACK: [{ guard: 'isEditing', target: 'membersList', actions: 'leaveMemberEntry' }, { target: 'memberMailboxAccess' }],
      },
    },
    membersList: {
      tags: ['question'],
      on: {
        ADD_MEMBER: [
          { guard: 'hasRoomForAnotherMember', target: 'memberTitle', actions: 'startNewMember' },
          { actions: { type: 'problem', params: { problem: 'membersFull' } } },
        ],
        EDIT_MEMBER: [
          { guard: not('memberExists'), actions: { type: 'problem', params: { problem: 'noSuchMember' } } },
          { guard: 'touchesOwnerSlot', actions: { type: 'problem', params: { problem: 'cannotRemoveOwner' } } },
          ...editTransitions,
        ],
        REMOVE_MEMBER: [
          { guard: not('memberExists'), actions: { type: 'problem', params: { problem: 'noSuchMember' } } },
          { guard: 'touchesOwnerSlot', actions: { type: 'problem', params: { problem: 'cannotRemoveOwner' } } },
          { target: 'membersList', actions: 'removeMember' },
        ],
        LIST_MEMBERS: { actions: 'clearProblem' },
        MEMBERS_DONE: [
          { guard: 'hasEnoughMembers', target: 'review', actions: 'clearProblem' },
          { actions: { type: 'problem', params: { problem: 'tooFewMembers' } } },
        ],
        BACK: { target: 'mailboxAddress', actions: 'clearProblem' },
      },
    },

    // §1.5 Review, confirm and finish
    review: {
      tags: ['question'],
      on: {
        CONFIRM: { target: 'submitting', actions: 'clearProblem' },
        BACK: 'membersList',
      },
    },
    submitting: {
      tags: ['busy'],
      invoke: {
        src: 'submitRegistration',
        input: ({ context, event }) => ({
          organisation: {
            kind: context.organisation!.kind as 'care' | 'dental',
            name: context.organisation!.name,
            odsCode: context.organisation!.odsCode,
            cqcLocationId: context.organisation!.cqcLocationId,
          },
          town: context.town!,
          mailboxTown: context.mailboxTown!,
          members: members(context),
          verifiedBy: context.verifiedBy!,
          origin: (event as { origin?: RequestOrigin }).origin ?? { conversationKey: 'unknown', conversationReference: null },
        }),
        onDone: { target: 'submitted', actions: assign({ submitted: ({ event }) => event.output }) },
        onError: { target: 'review', actions: { type: 'problem', params: { problem: 'submitFailed' } } },
      },
    },
    /** Done: the reference and next steps stay on show; confirming again changes nothing. */
    submitted: { tags: ['done'] },
  },
});

/** The registration machine with its effects: the same machine runs with fakes in tests. */
export function provideRegistrationServices(services: RegistrationServices) {
  return registrationMachine.provide({
    actors: {
      findOrganisations: fromPromise(({ input }: { input: { postcode: string } }) => services.findOrganisations(input)),
      getOrganisation: fromPromise(({ input }: { input: { odsCode: string } }) => services.getOrganisation(input)),
      checkManagerEmail: fromPromise(({ input }: { input: { odsCode: string; email: string } }) => services.checkManagerEmail(input)),
      requestPasscode: fromPromise(({ input }: { input: Parameters<RegistrationServices['requestPasscode']>[0] }) =>
        services.requestPasscode(input),
      ),
      verifyOrganisation: fromPromise(({ input }: { input: Parameters<RegistrationServices['verifyOrganisation']>[0] }) =>
        services.verifyOrganisation(input),
      ),
      isMobileOnNhsmail: fromPromise(({ input }: { input: { mobile: string } }) => services.isMobileOnNhsmail(input)),
      submitRegistration: fromPromise(({ input }: { input: RegistrationSubmission }) => services.submitRegistration(input)),
    },
  });
}
