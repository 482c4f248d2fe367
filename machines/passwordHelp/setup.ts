import { assign, fromPromise, setup } from 'xstate';
import { CODE_ENTRY_GUARDS, lockedUntilOf } from '../codeEntry';
import { outputOf as output, type StepMeta } from '../flow';
import {
  MAX_VOUCH_CODE_FAILURES,
  notProvided,
  type Administrator,
  type CodeCheck,
  type CodeSend,
  type PasswordHelpContext,
  type PasswordHelpEvent,
  type PasswordHelpInput,
  type PasswordHelpServices,
  type Problem,
  type ResetOutcome,
  type Topic,
  type VouchAnswerOutcome,
  type VouchAsked,
  type VouchLookup,
  type VouchStatus,
} from './model';

/** A part of the flow, with its title (the flow contract's `StepMeta`). */
export type PasswordHelpMeta = StepMeta;

/** Whether the event answers `question` (with `value`, when given). */
const answerTo =
  (question: string, value?: unknown) =>
  ({ event }: { event: PasswordHelpEvent }) =>
    event.type === 'ANSWER' && event.answer.question === question && (value === undefined || event.answer.value === value);

const answerValue = (event: PasswordHelpEvent): unknown => (event.type === 'ANSWER' ? event.answer.value : undefined);

/** The output of the invoked service an event reports (a `xstate.done.actor.*` event). */

type In<K extends keyof PasswordHelpServices> = Parameters<PasswordHelpServices[K]>[0];
type Out<K extends keyof PasswordHelpServices> = Awaited<ReturnType<PasswordHelpServices[K]>>;
const service = <K extends keyof PasswordHelpServices>(name: K) => notProvided(name) as ReturnType<typeof fromPromise<Out<K>, In<K>>>;

const choseTopic = (topic: Topic) => answerTo('topic', topic);

/**
 * The password help's guards, actions and actors, declared once so that the statechart
 * (./machine.ts) is checked against them. Guards are named after the rule they apply.
 */
export const passwordHelp = setup({
  types: {
    context: {} as PasswordHelpContext,
    events: {} as PasswordHelpEvent,
    input: {} as PasswordHelpInput,
    meta: {} as PasswordHelpMeta,
  },
  actors: {
    whoAdministers: service('whoAdministers'),
    sendResetCode: service('sendResetCode'),
    verifyResetCode: service('verifyResetCode'),
    submitReset: service('submitReset'),
    askOwner: service('askOwner'),
    vouchStatus: service('vouchStatus'),
    findVouch: service('findVouch'),
    answerVouch: service('answerVouch'),
  },
  actions: {
    /** Machines read no clock: the caller provides this (`providePasswordHelpServices`). */
    noteTime: () => {
      throw new Error('the password help\'s "noteTime" action was not provided');
    },
    clearProblem: assign({ problem: undefined, notice: undefined }),
    problem: assign({ problem: (_, params: { problem: Problem }) => params.problem, notice: undefined }),
    recordTopic: assign({ topic: ({ event }) => answerValue(event) as Topic, problem: undefined }),
    recordAddress: assign(({ context, event }) => {
      const address = String(answerValue(event));
      // A different account starts afresh: nothing about the last one carries over.
      const changed = address !== context.address;
      return {
        address,
        problem: undefined,
        notice: undefined,
        ...(changed ? { administrator: undefined, code: undefined, attemptsLeft: undefined, lockedUntil: undefined, dailyLimitUntil: undefined } : {}),
      };
    }),
    keepAdministrator: assign({ administrator: ({ event }) => output<Administrator>(event), problem: undefined }),
    keepCodeSent: assign(({ context, event }) => {
      const sent = output<Extract<CodeSend, { sent: true }>>(event);
      return {
        code: { ending: sent.ending, expiresAt: sent.expiresAt },
        notice: context.code?.expiresAt ? ('codeSentAgain' as const) : ('codeSent' as const),
        problem: undefined,
        attemptsLeft: undefined,
      };
    }),
    keepCodeTooSoon: assign(({ context, event }) => {
      const refused = output<Extract<CodeSend, { sent: false }>>(event);
      return { code: { ...context.code, ending: refused.ending, nextAllowedAt: refused.nextAllowedAt }, problem: 'codeTooSoon' as const, notice: undefined };
    }),
    keepDailyLimit: assign(({ context, event }) => {
      const refused = output<Extract<CodeSend, { sent: false }>>(event);
      return { code: { ...context.code, ending: refused.ending }, dailyLimitUntil: refused.nextAllowedAt, problem: undefined, notice: undefined };
    }),
    keepSendLock: assign({ lockedUntil: ({ event }) => output<Extract<CodeSend, { sent: false }>>(event).nextAllowedAt, problem: undefined, notice: undefined }),
    keepWrongCode: assign({
      attemptsLeft: ({ event }) => output<Extract<CodeCheck, { result: 'wrong' }>>(event).attemptsLeft,
      problem: 'wrongCode' as const,
      notice: undefined,
    }),
    keepCheckLock: assign({
      lockedUntil: ({ event }) => lockedUntilOf(event),
      problem: undefined,
      notice: undefined,
    }),
    keepResult: assign({ result: ({ event }) => output<ResetOutcome>(event), problem: undefined, notice: undefined }),
    recordMobile: assign({ newMobile: ({ event }) => String(answerValue(event)), problem: undefined }),
    keepVouch: assign({ vouch: ({ event }) => output<VouchAsked>(event), vouchEnd: undefined, result: undefined, problem: undefined, notice: undefined }),
    keepVouchStatus: assign(({ event }) => {
      const status = event.type === 'OWNER_ANSWERED' ? event.status : output<VouchStatus>(event);
      if (status.status === 'vouched') return { result: status.result, vouchEnd: undefined, problem: undefined, notice: undefined };
      if (status.status === 'refused' || status.status === 'expired') return { vouchEnd: status.status, problem: undefined, notice: undefined };
      return { problem: 'stillWaiting' as const, notice: undefined };
    }),
    recordVouchCode: assign({
      owner: ({ context, event }) => ({ failures: context.owner?.failures ?? 0, code: String(answerValue(event)) }),
      problem: undefined,
    }),
    keepVouchLookup: assign(({ context, event }) => {
      const lookup = output<VouchLookup>(event);
      const failures = context.owner?.failures ?? 0;
      if (lookup.found) return { owner: { ...context.owner, failures, question: lookup.question, lookup }, problem: undefined };
      if (lookup.reason === 'notFound') return { owner: { failures: failures + 1, lookup }, problem: 'vouchCodeNotFound' as const };
      if (lookup.reason === 'notAnOwner') return { owner: { failures, lookup }, problem: 'notAnOwner' as const };
      return { owner: { ...context.owner, failures, lookup }, problem: undefined };
    }),
    keepVouchAnswer: assign({ owner: ({ context, event }) => ({ failures: 0, ...context.owner, outcome: output<VouchAnswerOutcome>(event) }), problem: undefined }),
  },
  guards: {
    isVouching: ({ context }) => context.owner?.code !== undefined,
    startsAt: ({ context }, params: { topic: Topic }) => context.topic === params.topic,
    choseForgotten: choseTopic('forgotten'),
    choseLocked: choseTopic('locked'),
    choseNotActivated: choseTopic('notActivated'),
    choseTemporaryPasswordMissing: choseTopic('temporaryPasswordMissing'),
    choseInactive: choseTopic('inactive'),
    chosePasswordRules: choseTopic('passwordRules'),
    choseMobileInDirectory: choseTopic('mobileInDirectory'),
    choseReset: choseTopic('reset'),
    choseVouch: choseTopic('vouch'),
    cannotAnswerSecurityQuestions: answerTo('selfService', 'cannotAnswer'),
    selfServiceWorked: answerTo('selfService', 'worked'),
    wantsResetRequest: answerTo('next', 'reset'),
    temporaryPasswordNeverCame: answerTo('next', 'temporaryPasswordMissing'),
    isFinishedHere: answerTo('next', 'done'),
    gaveAddress: answerTo('address'),
    knowsAddress: ({ context }) => context.address !== undefined,
    /** A locked account can be reset through a request only when NAS (not a CCG or CSU) looks after it, as far as is known. */
    nasMayResetIt: ({ context }) => context.administrator?.kind !== 'local',
    canReceiveTexts: answerTo('canReceiveTexts', true),
    cannotReceiveTexts: answerTo('canReceiveTexts', false),
    gaveCode: answerTo('code'),
    ...CODE_ENTRY_GUARDS,
    wasRaised: ({ event }) => output<ResetOutcome>(event).outcome === 'raised',
    wasAlreadyRequested: ({ event }) => output<ResetOutcome>(event).outcome === 'alreadyRequested',
    isHostedLocally: ({ event }) => output<ResetOutcome>(event).outcome === 'hostedLocally',
    gaveMobile: answerTo('mobile'),
    resultIs: ({ context }, params: { outcome: ResetOutcome['outcome'] }) => context.result?.outcome === params.outcome,
    ownerSaidNo: ({ context }) => context.vouchEnd === 'refused',
    isThisVouch: ({ context, event }) => event.type === 'OWNER_ANSWERED' && event.vouchId === context.vouch?.vouchId,
    ownerVouched: ({ event }) => (event.type === 'OWNER_ANSWERED' ? event.status : output<VouchStatus>(event)).status === 'vouched',
    ownerRefused: ({ event }) => (event.type === 'OWNER_ANSWERED' ? event.status : output<VouchStatus>(event)).status === 'refused',
    vouchLapsed: ({ event }) => (event.type === 'OWNER_ANSWERED' ? event.status : output<VouchStatus>(event)).status === 'expired',
    gaveVouchCode: answerTo('vouchCode'),
    vouchFound: ({ event }) => output<VouchLookup>(event).found,
    vouchCodeUnknown: ({ event }) => {
      const lookup = output<VouchLookup>(event);
      return !lookup.found && (lookup.reason === 'notFound' || lookup.reason === 'notAnOwner');
    },
    tooManyVouchCodes: ({ context }) => (context.owner?.failures ?? 0) >= MAX_VOUCH_CODE_FAILURES,
    ownerSaysYes: answerTo('vouch', true),
    ownerSaysNo: answerTo('vouch', false),
  },
});

export type PasswordHelpSetup = typeof passwordHelp;
