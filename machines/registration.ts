import { assign, fromPromise, setup } from 'xstate';

/**
 * Registering an organisation for NHSmail: the pre-requisite questionnaire (SPEC §1.1), which
 * decides whether the organisation may use this route and how it will be verified; then the
 * organisation's details (§1.2) and its verification (§1.3). Every lookup, passcode and check is
 * an actor provided from outside (see `RegistrationServices`), so the machine stays pure.
 */

export type OrganisationKind = 'care' | 'dental' | 'hospice';
export type OtpDelivery = 'email' | 'post';

export interface PrerequisiteAnswers {
  organisationKind?: OrganisationKind;
  hasNhsmailAccount?: boolean;
  toolkitPublished?: boolean;
  otpInHand?: boolean;
  knowsCqcContactId?: boolean;
  otpDelivery?: OtpDelivery;
}

export type QuestionId =
  | 'organisationKind'
  | 'existingAccount'
  | 'toolkit'
  | 'otpInHand'
  | 'cqcContactId'
  | 'otpDelivery';

/** The value each question takes, as the dialog hands it over (already validated and normalised). */
export type Answer =
  | { question: 'organisationKind'; value: OrganisationKind }
  | { question: 'otpDelivery'; value: OtpDelivery }
  | { question: Exclude<QuestionId, 'organisationKind' | 'otpDelivery'>; value: boolean }
  | { question: 'postcode' | 'organisation' | 'managerEmail' | 'cqcLocationId' | 'contactId' | 'passcode'; value: string }
  | { question: 'cqcDetailsCorrect'; value: boolean }
  | { question: 'newPasscode'; value: OtpDelivery | 'no' };

export type AnswerQuestion = Answer['question'];

export type RegistrationEvent =
  | { type: 'ANSWER'; answer: Answer }
  | { type: 'BACK' }
  /** "Continue" after the summary; "I have my passcode" while waiting for one. */
  | { type: 'CONTINUE' }
  /** Send the passcode again while waiting for it. */
  | { type: 'RESEND' };

/** An organisation as offered in a list: "Name – ODS code". */
export interface OrganisationChoice {
  name: string;
  odsCode: string;
  kind: OrganisationKind;
}

/** What the registration keeps of the chosen organisation (never its verification secrets). */
export interface ChosenOrganisation extends OrganisationChoice {
  cqcLocationId: string;
  addressLines: string[];
  town: string;
  postcode: string;
  fullDetailsHeld: boolean;
  hasSharedMailbox: boolean;
  hasPendingRegistration: boolean;
}

export interface PasscodeSent {
  channel: OtpDelivery;
  /** Where it went, partly hidden: "j***@example.co.uk" or "the CQC-registered address". */
  sentTo: string;
  issuedAt: number;
  expiresAt: number;
}

export type VerificationOutcome =
  | { result: 'verified' }
  | { result: 'failed'; failuresLeft: number }
  | { result: 'expired'; expiredAt: number }
  | { result: 'locked'; lockedUntil: number };

/** Why the current step is being asked again, for the dialog to explain. */
export type Problem =
  | 'noOrganisationsFound'
  | 'tooManyOrganisations'
  | 'unknownOrganisation'
  | 'otherKindOfOrganisation'
  | 'managerEmailMismatch'
  | 'notVerified'
  | 'serviceUnavailable';

export interface RegistrationContext {
  answers: PrerequisiteAnswers;
  postcode?: string;
  candidates?: OrganisationChoice[];
  organisation?: ChosenOrganisation;
  cqcLocationId?: string;
  passcode?: PasscodeSent;
  verifiedBy?: 'otp' | 'cqc-contact-id';
  failuresLeft?: number;
  expiredAt?: number;
  lockedUntil?: number;
  problem?: Problem;
}

/** At most this many organisations are offered from one postcode; more → ask for the full postcode. */
export const MAX_CANDIDATES = 12;

/** The effects the registration needs, provided by the caller with `machine.provide({ actors })`. */
export interface RegistrationServices {
  findOrganisations: (input: { postcode: string }) => Promise<OrganisationChoice[]>;
  getOrganisation: (input: { odsCode: string }) => Promise<ChosenOrganisation | undefined>;
  checkManagerEmail: (input: { odsCode: string; email: string }) => Promise<boolean>;
  requestPasscode: (input: { odsCode: string; kind: 'care' | 'dental'; channel: OtpDelivery }) => Promise<PasscodeSent>;
  verifyOrganisation: (input: {
    odsCode: string;
    cqcLocationId: string;
    method: 'otp' | 'cqc-contact-id';
    secret: string;
  }) => Promise<VerificationOutcome>;
}

const notProvided = (name: string) =>
  fromPromise<never, unknown>(async () => {
    throw new Error(`registration service "${name}" was not provided`);
  });

export type VerificationRoute = 'otp-in-hand' | 'cqc-contact-id' | 'otp-by-email' | 'otp-by-post';

/** Which way the organisation will prove who it is, from the questionnaire's answers. */
export function verificationRoute(answers: PrerequisiteAnswers): VerificationRoute | undefined {
  if (answers.otpInHand) return 'otp-in-hand';
  if (answers.knowsCqcContactId) return 'cqc-contact-id';
  if (answers.otpDelivery === 'email') return 'otp-by-email';
  if (answers.otpDelivery === 'post') return 'otp-by-post';
  return undefined;
}

const answerTo =
  <Q extends AnswerQuestion>(question: Q, value?: unknown) =>
  ({ event }: { event: RegistrationEvent }) =>
    event.type === 'ANSWER' &&
    event.answer.question === question &&
    (value === undefined || event.answer.value === value);

const answerValue = (event: RegistrationEvent): unknown => (event.type === 'ANSWER' ? event.answer.value : undefined);

/** Route B: a dental practice whose details the directory does not fully hold. */
const isRouteB = (context: RegistrationContext) =>
  context.organisation?.kind === 'dental' && context.organisation.fullDetailsHeld === false;

/** How the passcode is to be sent, when one must be requested at all. */
export function passcodeChannel(context: RegistrationContext): OtpDelivery | undefined {
  const route = verificationRoute(context.answers);
  if (route === 'otp-in-hand') return undefined;
  // Route B verifies with a passcode sent by post, whatever was chosen before.
  if (isRouteB(context)) return 'post';
  if (route === 'otp-by-email') return 'email';
  if (route === 'otp-by-post') return 'post';
  return undefined;
}

export function verificationMethod(context: RegistrationContext): 'otp' | 'cqc-contact-id' {
  return verificationRoute(context.answers) === 'cqc-contact-id' && !isRouteB(context) ? 'cqc-contact-id' : 'otp';
}

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

    // §1.4 Town and members come next.
    town: { tags: ['question'] },
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
    },
  });
}
