import { assign, setup } from 'xstate';

/**
 * Registering an organisation for NHSmail. This part is the pre-requisite questionnaire
 * (SPEC §1.1): it decides whether the organisation may use this route and how it will be
 * verified. Its resting state `prerequisitesMet` is where the registration steps continue.
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

/** The value each question takes, as the dialog hands it over. */
export type Answer =
  | { question: 'organisationKind'; value: OrganisationKind }
  | { question: 'otpDelivery'; value: OtpDelivery }
  | { question: Exclude<QuestionId, 'organisationKind' | 'otpDelivery'>; value: boolean };

export type RegistrationEvent = { type: 'ANSWER'; answer: Answer } | { type: 'BACK' };

export interface RegistrationContext {
  answers: PrerequisiteAnswers;
}

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
  <Q extends QuestionId>(question: Q, value?: unknown) =>
  ({ event }: { event: RegistrationEvent }) =>
    event.type === 'ANSWER' &&
    event.answer.question === question &&
    (value === undefined || event.answer.value === value);

export const registrationMachine = setup({
  types: {
    context: {} as RegistrationContext,
    events: {} as RegistrationEvent,
  },
  actions: {
    recordAnswer: assign({
      answers: ({ context, event }) => {
        if (event.type !== 'ANSWER') return context.answers;
        const { question, value } = event.answer;
        const field: Record<QuestionId, keyof PrerequisiteAnswers> = {
          organisationKind: 'organisationKind',
          existingAccount: 'hasNhsmailAccount',
          toolkit: 'toolkitPublished',
          otpInHand: 'otpInHand',
          cqcContactId: 'knowsCqcContactId',
          otpDelivery: 'otpDelivery',
        };
        return { ...context.answers, [field[question]]: value };
      },
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
        BACK: [{ guard: 'neededOtpDelivery', target: 'otpDelivery' }, { target: 'cqcContactId' }],
      },
    },
  },
});

export type RegistrationMachine = typeof registrationMachine;
