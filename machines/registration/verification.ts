import { and } from 'xstate';
import { passcodeChannel, verificationMethod } from './model';
import { registration } from './setup';

/**
 * Part 3, verification (SPEC §1.3): the CQC location ID first, then the CQC contact ID or a
 * one-time passcode (sent now by email or post when the user has none; the conversation can rest
 * at `awaitingPasscode` for days, and a passcode pasted there is taken at once). Expired
 * passcodes, the lock-out after 5 failures in 24 hours, and dental Route B (`confirmCqcDetails`).
 */
export const verification = registration.createStateConfig({
  meta: { step: 2, title: 'Verification' },
  initial: 'cqcLocationId',
  states: {
    cqcLocationId: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveCqcLocationId', target: 'secret', actions: 'recordCqcLocationId' },
        BACK: [
          { guard: 'passcodeGoesByEmail', target: '#registration.organisation.managerEmail', actions: 'clearProblem' },
          { target: '#registration.organisation.choose', actions: 'clearProblem' },
        ],
      },
    },
    secret: {
      always: [
        { guard: 'verifiesWithContactId', target: 'contactId' },
        { guard: 'passcodeMustBeRequested', target: 'requestingPasscode' },
        { target: 'passcode' },
      ],
    },
    requestingPasscode: {
      tags: ['busy'],
      invoke: {
        src: 'requestPasscode',
        input: ({ context, event }) => {
          const chosen = (event as { answer?: { question?: string; value?: unknown } }).answer;
          const channel =
            chosen?.question === 'newPasscode' && (chosen.value === 'email' || chosen.value === 'post')
              ? chosen.value
              : (context.passcode?.channel ?? passcodeChannel(context) ?? 'post');
          return { odsCode: context.organisation!.odsCode, kind: context.organisation!.kind as 'care' | 'dental', channel };
        },
        onDone: { target: 'awaitingPasscode', actions: 'keepPasscodeRequest' },
        onError: [
          { guard: 'passcodeWasRequested', target: 'awaitingPasscode', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          { target: 'cannotSendPasscode' },
        ],
      },
    },
    cannotSendPasscode: { tags: ['stop'], on: { BACK: { target: 'cqcLocationId', actions: 'clearProblem' } } },
    awaitingPasscode: {
      tags: ['waiting'],
      on: {
        // (A conversation from the first release may wait here without the CQC location ID.)
        CONTINUE: [{ guard: 'knowsCqcLocationId', target: 'passcode', actions: 'clearProblem' }, { target: 'cqcLocationId', actions: 'clearProblem' }],
        RESEND: { target: 'requestingPasscode', actions: 'clearProblem' },
        // A passcode pasted while waiting is the passcode: the CQC location ID is already known.
        ANSWER: [
          { guard: and(['gavePasscode', 'knowsCqcLocationId']), target: 'verifying', actions: 'clearProblem' },
          { guard: 'gavePasscode', target: 'cqcLocationId', actions: { type: 'problem', params: { problem: 'cqcLocationIdFirst' } } },
          { guard: 'gaveCqcLocationId', target: 'passcode', actions: 'recordCqcLocationId' },
        ],
        BACK: { target: 'cqcLocationId', actions: 'clearProblem' },
      },
    },
    contactId: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveContactId', target: 'verifying', actions: 'clearProblem' },
        BACK: { target: 'cqcLocationId', actions: 'clearProblem' },
      },
    },
    passcode: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gavePasscode', target: 'verifying', actions: 'clearProblem' },
        RESEND: { guard: 'passcodeWasRequested', target: 'requestingPasscode', actions: 'clearProblem' },
        BACK: [
          { guard: 'passcodeWasRequested', target: 'awaitingPasscode', actions: 'clearProblem' },
          { target: 'cqcLocationId', actions: 'clearProblem' },
        ],
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
          secret: String((event as { answer?: { value?: unknown } }).answer?.value ?? ''),
        }),
        onDone: [
          { guard: 'wasVerified', target: 'verified', actions: 'markVerified' },
          { guard: 'passcodeHadExpired', target: 'passcodeExpired', actions: 'keepExpiry' },
          { guard: 'verificationIsLocked', target: 'locked', actions: 'keepLock' },
          // Never say which detail was wrong: both are asked again.
          { target: 'cqcLocationId', actions: 'notVerified' },
        ],
        onError: [
          { guard: 'verifiesWithContactId', target: 'contactId', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
          { target: 'passcode', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
        ],
      },
    },
    passcodeExpired: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'wantsNewPasscodeByEmail', target: 'requestingPasscode' },
          { guard: 'wantsNewPasscodeByPost', target: 'requestingPasscode' },
          { guard: 'wantsNoNewPasscode', target: 'passcodeNotRenewed' },
        ],
      },
    },
    passcodeNotRenewed: { tags: ['stop'], on: { BACK: 'passcodeExpired' } },
    /** Locked after 5 failures in 24 hours: "try again" checks the lock, and goes on once it is lifted. */
    locked: { tags: ['stop'], on: { CONTINUE: 'checkingLock' } },
    checkingLock: {
      tags: ['busy'],
      invoke: {
        src: 'verificationLockedUntil',
        input: ({ context }) => ({ odsCode: context.organisation!.odsCode }),
        onDone: [
          { guard: 'stillLocked', target: 'locked', actions: ['keepLockedUntil', { type: 'problem', params: { problem: 'stillLocked' } }] },
          { target: 'cqcLocationId', actions: 'forgetLock' },
        ],
        onError: { target: 'locked', actions: { type: 'problem', params: { problem: 'serviceUnavailable' } } },
      },
    },
    verified: {
      always: [{ guard: 'needsCqcDetailsConfirmed', target: 'confirmCqcDetails' }, { target: '#registration.town' }],
    },
    confirmCqcDetails: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'confirmedCqcDetails', target: '#registration.town' },
          { guard: 'rejectedCqcDetails', target: 'cqcDetailsRejected' },
        ],
      },
    },
    cqcDetailsRejected: { tags: ['stop'], on: { BACK: 'confirmCqcDetails' } },
  },
});
