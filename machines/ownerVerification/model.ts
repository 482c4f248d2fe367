import { fromPromise } from 'xstate';
import type { FlowSession, VerifiedIdentity } from '../flow';
import type { CodeCheckResult, CodeSendResult } from '../codeEntry';

/**
 * Who is asking (SPEC §3): the NHSmail account holder behind a conversation, proved by their Teams
 * sign-in or by a 6-digit code emailed to the NHSmail address they give and typed back. What the
 * directory then says of them (the shared mailboxes they own, who looks after their account) is
 * looked up afresh every time, so a change NAS made since is never missed.
 */

/** Who looks after an account: NAS, or a local organisation (CCG / CSU) with its own helpdesk. */
export type HostView = { kind: 'nas' } | { kind: 'local'; name: string; helpdesk: { name: string; email: string; phone: string } };

/** A site (an organisation with its shared mailbox) a request can be about. */
export interface SiteRef {
  odsCode: string;
  name: string;
  kind: 'care' | 'dental';
  sharedMailboxAddress?: string;
}

/** The account holder, as the directory has them, once they have proved the address is theirs. */
export interface VerifiedPerson {
  address: string;
  firstName: string;
  lastName: string;
  organisation: { odsCode: string; name: string; kind: 'care' | 'dental' | 'hospice' };
  status: 'active' | 'inactive' | 'leaver';
  host: HostView;
  /** The shared mailboxes this person owns (usually one). */
  ownerOf: SiteRef[];
  /** The owners of their own organisation's shared mailbox, by name only: what a non-owner is told. */
  organisationOwners: string[];
}

export type PersonLookup = { found: true; person: VerifiedPerson; at: number } | { found: false; at: number };

/** The same answer whether or not the address is an account (so the chat cannot be used to find out). */
export type OwnerCodeSend = CodeSendResult;

export type OwnerCodeCheck = CodeCheckResult;

/** The effects of owner verification; bot/flows/ownerRequestsServices.ts does them with the adapters. */
export interface OwnerVerificationServices {
  /** The account at this address, with what it owns; `at` is when it was looked up. */
  identifyPerson(input: { address: string }): Promise<PersonLookup>;
  /** Emails a 6-digit code to the address (only if it is an account; the answer is the same either way). */
  sendOwnerCode(input: { address: string }): Promise<OwnerCodeSend>;
  verifyOwnerCode(input: { address: string; code: string }): Promise<OwnerCodeCheck>;
}

export interface OwnerVerificationInput {
  session: FlowSession;
  /** Proved earlier in this conversation and still within its time: only looked up again. */
  earlier?: VerifiedIdentity;
}

export type OwnerVerificationProblem =
  | 'serviceUnavailable'
  | 'wrongCode'
  | 'codeExpired'
  | 'noCode'
  | 'codeTooSoon'
  /** Teams said who the user is, but the directory has no NHSmail account at that address. */
  | 'teamsNotKnown'
  /** The address was proved earlier (or just now) but the directory no longer has it. */
  | 'notAnAccount';

export interface OwnerVerificationContext {
  session: FlowSession;
  earlier?: VerifiedIdentity;
  /** The address being proved, lower case. */
  address?: string;
  via?: VerifiedIdentity['via'];
  code?: { expiresAt?: number; nextAllowedAt?: number };
  /** Set when a code was just sent (the dialog says so once). */
  codeSent?: 'first' | 'again';
  attemptsLeft?: number;
  lockedUntil?: number;
  /** Codes for this address cannot be sent again before this (the day's allowance is used). */
  dailyLimitUntil?: number;
  problem?: OwnerVerificationProblem;
  identity?: VerifiedIdentity;
  person?: VerifiedPerson;
}

export type OwnerVerificationEvent =
  | { type: 'ANSWER'; answer: { question: 'ownerAddress' | 'ownerCode'; value: string } }
  | { type: 'RESEND' }
  | { type: 'TRY_AGAIN' }
  | { type: 'BACK' };

export type OwnerVerificationOutput =
  | { outcome: 'verified'; identity: VerifiedIdentity; person: VerifiedPerson }
  /** The user went back from the first question. */
  | { outcome: 'left' };

/** The NHSmail address Teams says the signed-in user has, when it is one (Teams only). */
export function teamsAddress(session: FlowSession): string | undefined {
  if (session.channelId !== 'msteams' || session.user?.source !== 'teams') return undefined;
  return [session.user.email, session.user.userPrincipalName]
    .filter((a): a is string => typeof a === 'string')
    .map((a) => a.trim().toLowerCase())
    .find((a) => /^[^@\s]+@nhs\.net$/.test(a));
}

export const notProvided = (name: string) =>
  fromPromise<never, unknown>(async () => {
    throw new Error(`owner verification service "${name}" was not provided`);
  });
