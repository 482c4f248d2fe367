import { registration } from './setup';

/**
 * Part 1, before any details (SPEC §1.1): one question at a time, ending at `passed` with the
 * verification route decided, or at a stop that says why this route is not for the user.
 */
export const checks = registration.createStateConfig({
  meta: { title: 'Before you start' },
  initial: 'begin',
  states: {
    /** The kind given before the registration started ("register our care home") is not asked. */
    begin: {
      always: [
        { guard: 'startKindIsHospice', target: 'hospiceStop' },
        { guard: 'hasStartKind', target: 'existingAccount' },
        { target: 'organisationKind' },
      ],
    },
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
          { guard: 'knowsCqcContactId', target: 'passed', actions: 'recordAnswer' },
          // With a passcode already in hand there is nothing to request.
          { guard: 'hasOtpInHand', target: 'passed', actions: 'recordAnswer' },
          { guard: 'doesNotKnowCqcContactId', target: 'otpDelivery', actions: 'recordAnswer' },
        ],
        BACK: 'otpInHand',
      },
    },
    otpDelivery: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'choseOtpDelivery', target: 'passed', actions: 'recordAnswer' },
        BACK: 'cqcContactId',
      },
    },
    passed: {
      tags: ['summary'],
      on: {
        CONTINUE: '#registration.organisation',
        BACK: [{ guard: 'neededOtpDelivery', target: 'otpDelivery' }, { target: 'cqcContactId' }],
      },
    },
  },
});
