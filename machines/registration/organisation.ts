import { registration } from './setup';

/**
 * Part 2, the organisation (SPEC §1.2): found by postcode (or typed ODS code), refused when it has
 * a shared mailbox already or a registration being processed, then the registered manager's email
 * when the passcode is to go there.
 */
export const organisation = registration.createStateConfig({
  meta: { step: 1, title: 'Organisation details' },
  initial: 'postcode',
  states: {
    postcode: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gavePostcode', target: 'finding', actions: 'recordPostcode' },
        BACK: { target: '#registration.checks.passed', actions: 'clearProblem' },
      },
    },
    finding: {
      tags: ['busy'],
      invoke: {
        src: 'findOrganisations',
        input: ({ context }) => ({ postcode: context.postcode! }),
        onDone: { target: 'found', actions: 'keepCandidates' },
        onError: { target: 'postcode', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
    found: {
      always: [
        { guard: 'foundNoOrganisations', target: 'postcode', actions: { type: 'problem', params: { problem: 'noOrganisationsFound' } } },
        // More than fit in a list: the user types the ODS code or the full postcode.
        { guard: 'foundTooManyOrganisations', target: 'choose', actions: { type: 'problem', params: { problem: 'tooManyOrganisations' } } },
        { target: 'choose' },
      ],
    },
    choose: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'choseOrganisation', target: 'lookingUp', actions: 'clearProblem' },
          { guard: 'gavePostcode', target: 'finding', actions: 'recordPostcode' },
        ],
        BACK: { target: 'postcode', actions: 'clearProblem' },
      },
    },
    lookingUp: {
      tags: ['busy'],
      invoke: {
        src: 'getOrganisation',
        input: ({ context, event }) => ({
          odsCode: String((event as { answer?: { value?: unknown } }).answer?.value ?? ''),
          conversationKey: context.requester.conversationKey,
        }),
        onDone: [
          { guard: 'isUnknownOrganisation', target: 'choose', actions: { type: 'problem', params: { problem: 'unknownOrganisation' } } },
          { guard: 'isOtherKindOfOrganisation', target: 'choose', actions: { type: 'problem', params: { problem: 'otherKindOfOrganisation' } } },
          { guard: 'alreadyHasSharedMailbox', target: 'sharedMailboxExists', actions: 'keepOrganisation' },
          { guard: 'hasPendingRegistration', target: 'alreadyPending', actions: 'keepOrganisation' },
          { target: 'chosen', actions: 'keepOrganisation' },
        ],
        onError: { target: 'choose', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
    sharedMailboxExists: { tags: ['stop'], on: { BACK: { target: 'choose', actions: 'forgetOrganisation' } } },
    /** Someone's registration for this organisation is already being processed. */
    alreadyPending: { tags: ['stop'], on: { BACK: { target: 'choose', actions: 'forgetOrganisation' } } },
    chosen: {
      always: [{ guard: 'passcodeGoesByEmail', target: 'managerEmail' }, { target: '#registration.verification' }],
    },
    managerEmail: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveManagerEmail', target: 'checkingManagerEmail', actions: 'clearProblem' },
        BACK: { target: 'choose', actions: 'clearProblem' },
      },
    },
    checkingManagerEmail: {
      tags: ['busy'],
      invoke: {
        src: 'checkManagerEmail',
        input: ({ context, event }) => ({
          odsCode: context.organisation!.odsCode,
          email: String((event as { answer?: { value?: unknown } }).answer?.value ?? ''),
        }),
        onDone: [
          { guard: 'managerEmailMatches', target: '#registration.verification' },
          { target: 'managerEmail', actions: { type: 'problem', params: { problem: 'managerEmailMismatch' } } },
        ],
        onError: { target: 'managerEmail', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
  },
});
