import { fromPromise } from 'xstate';
import type { FlowInput, FlowSession } from '../flow';

/**
 * What the password help works with (SPEC §2): the user's situation, the NHSmail address a reset
 * request is for, the code texted to the mobile on record, the shared mailbox owner's vouching,
 * and what the services that do the work answer. Pure data and types: the statechart is in
 * ./machine.ts and every effect is a service provided from outside (bot/flows/passwordHelp.ts).
 */

/** Where the flow runs and how to reach it again (the flow contract's, machines/flow.ts). */
export type PasswordHelpSession = FlowSession;
export type PasswordHelpInput = FlowInput;

/** What free text already said: "I forgot my password" starts at `forgotten`. */
export interface PasswordHelpStart {
  topic?: Topic;
  /** An NHSmail address already typed. */
  address?: string;
  /** A shared mailbox owner answering a vouching request: the code from the email or the proactive message. */
  vouchCode?: string;
}

/** "What is happening?" — the likely cases, and the explanations asked for by name. */
export const TOPICS = [
  'forgotten',
  'locked',
  'notActivated',
  'temporaryPasswordMissing',
  'inactive',
  'passwordRules',
  'mobileInDirectory',
  'reset',
  'vouch',
] as const;
export type Topic = (typeof TOPICS)[number];
export const isTopic = (value: unknown): value is Topic => typeof value === 'string' && (TOPICS as readonly string[]).includes(value);

/** Who administers an account, as far as it is safe to say before anyone is verified. */
export type Administrator =
  | { kind: 'nas'; queue: 'care' | 'dental' }
  | { kind: 'local'; name: string; helpdesk: { name: string; email: string; phone: string } }
  /** Not in the directory: both routes are described. */
  | { kind: 'unknown' };

/**
 * A code sent (or not) for a reset. `ending` is what the user is shown: the last 3 digits of the
 * mobile on record — or, for an address with no mobile or no account, 3 digits made up from the
 * address the same way every time, so the answer never tells whether the account exists.
 */
export type CodeSend =
  | { sent: true; ending: string; issuedAt: number; expiresAt: number }
  | { sent: false; ending: string; reason: 'tooSoon' | 'dailyLimit' | 'locked'; nextAllowedAt: number };

export type CodeCheck =
  | { result: 'right' }
  | { result: 'wrong'; attemptsLeft: number; lockedUntil?: number }
  | { result: 'expired'; expiredAt: number }
  | { result: 'noCode' }
  | { result: 'locked'; lockedUntil: number };

/** A request the user may hear about: reference, status, when. */
export interface RequestSummary {
  reference: string;
  status: 'received' | 'inProgress' | 'waitingForRequester' | 'done' | 'rejected';
  createdAt: number;
}

/**
 * What raising the verified reset request came to. Said only after the user has proved who they
 * are (the right code, or an owner's yes), so it may say what the directory holds.
 */
export type ResetOutcome =
  | { outcome: 'raised'; request: RequestSummary; mobileEnding: string; queue: 'care' | 'dental' }
  /** At most one reset request per account per 24 hours: the first one. */
  | { outcome: 'alreadyRequested'; existing: RequestSummary; queue: 'care' | 'dental' }
  /** A CCG or CSU looks after the account: NAS cannot reset it. */
  | { outcome: 'hostedLocally'; administrator: Extract<Administrator, { kind: 'local' }> }
  /** The account is marked a leaver: NAS does not reset it. */
  | { outcome: 'leaver'; markedOn: string | null; queue: 'care' | 'dental' };

/** What the requester is told once a shared mailbox owner has been asked (the same whatever the address). */
export interface VouchAsked {
  vouchId: string;
  askedAt: number;
  /** After this, an unanswered request lapses and the user is told to contact NAS. */
  expiresAt: number;
}

/** Where a vouching request stands, as its requester may hear it. */
export type VouchStatus =
  | { status: 'waiting'; expiresAt: number }
  | { status: 'expired' }
  | { status: 'refused'; at: number }
  | { status: 'vouched'; at: number; result: ResetOutcome };

/** A vouching request, as the owner asked sees it. */
export interface VouchQuestion {
  requesterName: string;
  address: string;
  organisationName: string;
  /** The mobile the temporary password would go to (E.164): the owner confirms it is the requester's. */
  mobile: string;
  askedAt: number;
  expiresAt: number;
}

export type VouchLookup =
  | { found: true; question: VouchQuestion }
  | { found: false; reason: 'notFound' | 'expired' | 'notAnOwner' }
  | { found: false; reason: 'alreadyAnswered'; answer: 'yes' | 'no'; byYou: boolean };

export type VouchAnswerOutcome =
  | { outcome: 'recorded'; answer: 'yes'; result: ResetOutcome }
  | { outcome: 'recorded'; answer: 'no' }
  | { outcome: 'alreadyAnswered'; answer: 'yes' | 'no'; byYou: boolean }
  | { outcome: 'expired' }
  | { outcome: 'notFound' };

/** The effects the password help needs; bot/flows/passwordHelp.ts does them with the adapters. */
export interface PasswordHelpServices {
  /** Locked out: who unlocks this account. */
  whoAdministers(input: { address: string }): Promise<Administrator>;
  /** Texts a 6-digit code to the mobile on record, if the policy allows (the same answer for any address). */
  sendResetCode(input: { address: string }): Promise<CodeSend>;
  verifyResetCode(input: { address: string; code: string }): Promise<CodeCheck>;
  /** After the right code: the reset request, verified by mobile (idempotent by `attemptId`). */
  submitReset(input: { address: string; attemptId: string; session: PasswordHelpSession }): Promise<ResetOutcome>;
  /** No mobile, or lost it: asks the organisation's shared mailbox owners to vouch (the same answer for any address). */
  askOwner(input: { address: string; mobile: string; attemptId: string; session: PasswordHelpSession }): Promise<VouchAsked>;
  vouchStatus(input: { vouchId: string }): Promise<VouchStatus>;
  /** An owner with a code: the request they are asked about. */
  findVouch(input: { code: string; session: PasswordHelpSession }): Promise<VouchLookup>;
  answerVouch(input: { code: string; answer: 'yes' | 'no'; session: PasswordHelpSession }): Promise<VouchAnswerOutcome>;
}

/** Why the current step is asked again; the dialog words it. */
export type Problem =
  | 'serviceUnavailable'
  | 'wrongCode'
  | 'codeExpired'
  | 'noCode'
  | 'codeTooSoon'
  | 'vouchCodeNotFound'
  | 'notAnOwner'
  | 'stillWaiting';

/** Something just done, said once before the next prompt. */
export type Notice = 'codeSent' | 'codeSentAgain';

export interface PasswordHelpContext {
  session: PasswordHelpSession;
  attemptId: string;
  /** When the flow last looked at the clock (the `noteTime` action): "open now" is worked out from it. */
  now: number;
  topic?: Topic;
  /** The NHSmail address the help is about, lower case. */
  address?: string;
  administrator?: Administrator;
  code?: { ending: string; expiresAt?: number; nextAllowedAt?: number };
  attemptsLeft?: number;
  lockedUntil?: number;
  dailyLimitUntil?: number;
  /** The mobile the temporary password should go to, when the one on record cannot be used (E.164). */
  newMobile?: string;
  vouch?: VouchAsked;
  result?: ResetOutcome;
  /** How an owner-vouched request ended, for the requester. */
  vouchEnd?: 'refused' | 'expired';
  /** The owner's side: the code, what they are asked, how it ended. */
  owner?: { code?: string; question?: VouchQuestion; failures: number; outcome?: VouchAnswerOutcome; lookup?: VouchLookup };
  problem?: Problem;
  notice?: Notice;
}

/** How many wrong vouching codes one conversation may try. */
export const MAX_VOUCH_CODE_FAILURES = 5;

export type PasswordHelpEvent =
  | { type: 'ANSWER'; answer: { question: string; value: unknown } }
  | { type: 'BACK' }
  /** Send the code again. */
  | { type: 'RESEND' }
  /** Try the last effect again after a failure. */
  | { type: 'TRY_AGAIN' }
  /** The requester asks how the owner's answer is going (any message while waiting). */
  | { type: 'CHECK' }
  /** Delivered into the requester's conversation when an owner answers (never from user text). */
  | { type: 'OWNER_ANSWERED'; vouchId: string; status: VouchStatus };

export const notProvided = (name: string) =>
  fromPromise<never, unknown>(async () => {
    throw new Error(`password help service "${name}" was not provided`);
  });

/**
 * The start data as this flow reads it: what free text said (a topic, an address), or an owner's
 * code. Anything else in it — stored by another version, or sent by another flow — is ignored.
 */
export function readStart(start: Record<string, unknown> | undefined): PasswordHelpStart {
  const text = (value: unknown, max: number) => (typeof value === 'string' && value.trim() && value.length <= max ? value.trim() : undefined);
  const topic = isTopic(start?.topic) ? start.topic : undefined;
  const address = text(start?.address, 320);
  const vouchCode = text(start?.vouchCode, 40);
  return { ...(topic ? { topic } : {}), ...(address ? { address } : {}), ...(vouchCode ? { vouchCode } : {}) };
}

export function initialContext(input: PasswordHelpInput): PasswordHelpContext {
  const { start: given, attemptId, ...session } = input;
  const start = readStart(given);
  return {
    session,
    attemptId,
    now: 0,
    ...(start.topic ? { topic: start.topic } : {}),
    ...(start.address ? { address: start.address.toLowerCase() } : {}),
    ...(start.vouchCode ? { owner: { code: start.vouchCode, failures: 0 } } : {}),
  };
}

/** The NAS team for an account, when it is NAS's. */
export function queueOf(administrator: Administrator | undefined): 'care' | 'dental' | undefined {
  return administrator?.kind === 'nas' ? administrator.queue : undefined;
}
