import { assign, fromPromise, setup } from 'xstate';
import { CODE_ENTRY_GUARDS, lockedUntilOf } from '../codeEntry';
import { outputOf as output } from '../flow';
import {
  notProvided,
  teamsAddress,
  type OwnerCodeCheck,
  type OwnerCodeSend,
  type OwnerVerificationContext,
  type OwnerVerificationEvent,
  type OwnerVerificationInput,
  type OwnerVerificationOutput,
  type OwnerVerificationProblem,
  type PersonLookup,
} from './model';

/**
 * Owner verification as one child machine any flow can invoke (the owners' requests do): who is
 * asking, proved by their Teams sign-in or by a 6-digit code emailed to the NHSmail address they
 * give (10 minutes, 5 wrong codes lock code entry, counted across instances by the code service),
 * then looked up in the account directory. Its output is the proved identity and the person as
 * the directory has them; whether that person may ask for something is the invoking flow's rule.
 *
 * Until the code is right nothing said depends on whether the address is an account.
 */

const answered = (question: 'ownerAddress' | 'ownerCode') => ({ event }: { event: OwnerVerificationEvent }) =>
  event.type === 'ANSWER' && event.answer.question === question;
const problem = (p: OwnerVerificationProblem) => ({ type: 'problem' as const, params: { problem: p } });

export const ownerVerificationMachine = setup({
  types: {
    context: {} as OwnerVerificationContext,
    events: {} as OwnerVerificationEvent,
    input: {} as OwnerVerificationInput,
    output: {} as OwnerVerificationOutput,
  },
  actors: {
    identifyPerson: notProvided('identifyPerson') as ReturnType<typeof fromPromise<PersonLookup, { address: string }>>,
    sendOwnerCode: notProvided('sendOwnerCode') as ReturnType<typeof fromPromise<OwnerCodeSend, { address: string }>>,
    verifyOwnerCode: notProvided('verifyOwnerCode') as ReturnType<typeof fromPromise<OwnerCodeCheck, { address: string; code: string }>>,
  },
  actions: {
    problem: assign({ problem: (_, params: { problem: OwnerVerificationProblem }) => params.problem, codeSent: undefined }),
    clearProblem: assign({ problem: undefined, codeSent: undefined }),
    useEarlier: assign(({ context }) => ({ address: context.earlier!.address, via: context.earlier!.via })),
    useTeams: assign(({ context }) => ({ address: teamsAddress(context.session), via: 'teamsSignIn' as const })),
    recordAddress: assign(({ context, event }) => {
      const address = event.type === 'ANSWER' ? String(event.answer.value).trim().toLowerCase() : context.address;
      // Another address starts afresh: nothing about the last one carries over.
      const same = address === context.address;
      return {
        address,
        via: 'emailCode' as const,
        problem: undefined,
        codeSent: undefined,
        ...(same ? {} : { code: undefined, attemptsLeft: undefined, lockedUntil: undefined, dailyLimitUntil: undefined }),
      };
    }),
    keepCodeSent: assign(({ context, event }) => ({
      code: { expiresAt: output<Extract<OwnerCodeSend, { sent: true }>>(event).expiresAt },
      codeSent: context.code?.expiresAt ? ('again' as const) : ('first' as const),
      problem: undefined,
      attemptsLeft: undefined,
    })),
    keepTooSoon: assign(({ context, event }) => ({
      code: { ...context.code, nextAllowedAt: output<Extract<OwnerCodeSend, { sent: false }>>(event).nextAllowedAt },
      problem: 'codeTooSoon' as const,
      codeSent: undefined,
    })),
    keepSendRefused: assign(({ event }) => {
      const refused = output<Extract<OwnerCodeSend, { sent: false }>>(event);
      return refused.reason === 'dailyLimit'
        ? { dailyLimitUntil: refused.nextAllowedAt, lockedUntil: undefined, problem: undefined, codeSent: undefined }
        : { lockedUntil: refused.nextAllowedAt, dailyLimitUntil: undefined, problem: undefined, codeSent: undefined };
    }),
    keepWrongCode: assign({ attemptsLeft: ({ event }) => output<Extract<OwnerCodeCheck, { result: 'wrong' }>>(event).attemptsLeft, problem: 'wrongCode' as const, codeSent: undefined }),
    keepCheckLock: assign({
      lockedUntil: ({ event }) => lockedUntilOf(event),
      dailyLimitUntil: undefined,
      problem: undefined,
      codeSent: undefined,
    }),
    provedByCode: assign({ via: 'emailCode' as const }),
    keepPerson: assign(({ context, event }) => {
      const found = output<Extract<PersonLookup, { found: true }>>(event);
      const at = context.earlier && context.earlier.address === context.address ? context.earlier.at : found.at;
      return { person: found.person, identity: { address: context.address!, via: context.via!, at }, problem: undefined };
    }),
    forgetAddress: assign({ address: undefined, via: undefined, earlier: undefined, code: undefined }),
  },
  guards: {
    hasEarlier: ({ context }) => context.earlier !== undefined,
    signedInToTeams: ({ context }) => teamsAddress(context.session) !== undefined,
    gaveAddress: answered('ownerAddress'),
    gaveCode: answered('ownerCode'),
    ...CODE_ENTRY_GUARDS,
    personFound: ({ event }) => output<PersonLookup>(event).found,
    viaTeams: ({ context }) => context.via === 'teamsSignIn',
  },
}).createMachine({
  id: 'ownerVerification',
  context: ({ input }) => ({ session: input.session, ...(input.earlier ? { earlier: input.earlier } : {}) }),
  initial: 'start',
  output: ({ context }) =>
    context.identity && context.person ? { outcome: 'verified', identity: context.identity, person: context.person } : { outcome: 'left' },
  states: {
    start: {
      always: [
        { guard: 'hasEarlier', target: 'identifying', actions: 'useEarlier' },
        { guard: 'signedInToTeams', target: 'identifying', actions: 'useTeams' },
        { target: 'address' },
      ],
    },
    address: {
      tags: ['question'],
      on: {
        ANSWER: { guard: 'gaveAddress', target: 'sendingCode', actions: 'recordAddress' },
        BACK: { target: 'left' },
      },
    },
    sendingCode: {
      tags: ['busy'],
      invoke: {
        src: 'sendOwnerCode',
        input: ({ context }) => ({ address: context.address! }),
        onDone: [
          { guard: 'codeWasSent', target: 'code', actions: 'keepCodeSent' },
          { guard: 'sendingTooSoon', target: 'code', actions: 'keepTooSoon' },
          { target: 'locked', actions: 'keepSendRefused' },
        ],
        onError: { target: 'address', actions: problem('serviceUnavailable') },
      },
    },
    code: {
      tags: ['question'],
      on: {
        ANSWER: [
          { guard: 'gaveCode', target: 'checkingCode', actions: 'clearProblem' },
          // Another address typed here: a code for that one instead.
          { guard: 'gaveAddress', target: 'sendingCode', actions: 'recordAddress' },
        ],
        RESEND: { target: 'sendingCode', actions: 'clearProblem' },
        BACK: { target: 'address', actions: 'clearProblem' },
      },
    },
    checkingCode: {
      tags: ['busy'],
      invoke: {
        src: 'verifyOwnerCode',
        input: ({ context, event }) => ({ address: context.address!, code: String((event as { answer?: { value?: unknown } }).answer?.value ?? '') }),
        onDone: [
          { guard: 'codeIsRight', target: 'identifying', actions: 'provedByCode' },
          { guard: 'codeIsWrongWithAttemptsLeft', target: 'code', actions: 'keepWrongCode' },
          { guard: 'codeEntryIsLocked', target: 'locked', actions: 'keepCheckLock' },
          { guard: 'codeHasExpired', target: 'code', actions: problem('codeExpired') },
          { target: 'code', actions: problem('noCode') },
        ],
        onError: { target: 'code', actions: problem('serviceUnavailable') },
      },
    },
    identifying: {
      tags: ['busy'],
      invoke: {
        src: 'identifyPerson',
        input: ({ context }) => ({ address: context.address! }),
        onDone: [
          { guard: 'personFound', target: 'verified', actions: 'keepPerson' },
          { guard: 'viaTeams', target: 'address', actions: ['forgetAddress', problem('teamsNotKnown')] },
          { target: 'address', actions: ['forgetAddress', problem('notAnAccount')] },
        ],
        onError: { target: 'unavailable' },
      },
    },
    /** The directory did not answer: trying again needs no new code. */
    unavailable: {
      tags: ['stop'],
      on: { TRY_AGAIN: { target: 'identifying' }, BACK: { target: 'left' } },
    },
    /** Too many wrong codes, or the day's codes used up, for this address. */
    locked: {
      tags: ['stop'],
      on: {
        ANSWER: { guard: 'gaveAddress', target: 'sendingCode', actions: 'recordAddress' },
        BACK: { target: 'address', actions: 'clearProblem' },
      },
    },
    verified: { type: 'final' },
    left: { type: 'final' },
  },
});

export type OwnerVerificationMachine = typeof ownerVerificationMachine;
