import { fromPromise } from 'xstate';
import type { LeavingTo, NasRequestDetailsByKind, NasRequestStatus, OwnerRequestKind } from '../../adapters/nasRequests';
import type { FlowInput, FlowSession, VerifiedIdentity } from '../flow';
import type { MemberAnswer, MemberEntryEvent } from '../memberEntry';
import type { OwnerVerificationEvent, SiteRef, VerifiedPerson } from '../ownerVerification';
import type { Member } from '../registration/rules';

/**
 * What the shared mailbox owners' requests work with (SPEC §3): who is asking (proved by owner
 * verification), the site and its accounts as the directory has them, what each kind of request
 * gathers, the plan of NAS requests shown for confirming, and what submitting it came to. The
 * statechart is ./machine.ts; the rules are ./rules.ts and ./people.ts.
 */

/** The requests an owner can make here, and a person's own report of leaving or moving. */
export const REQUEST_KINDS = ['leaver', 'newStarter', 'joiner', 'ownerChange', 'nameChange', 'siteAudit', 'teamsTeam', 'ownLeaving'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const isRequestKind = (value: unknown): value is RequestKind => typeof value === 'string' && (REQUEST_KINDS as readonly string[]).includes(value);

/** Kinds that only a verified owner of the site's shared mailbox may raise. */
export const needsOwner = (kind: RequestKind | undefined) => kind !== 'ownLeaving';

/** What free text at the menu already said: "Jane and Tom have left" → a leaver report for them. */
export interface OwnerRequestsStart {
  kind?: RequestKind;
  /** Names or NHSmail addresses typed ("Jane", "tom.okafor@nhs.net"). */
  people?: string[];
}

/** One account at the site, as the requests need it. */
export interface SiteAccount {
  address: string;
  firstName: string;
  lastName: string;
  status: 'active' | 'inactive' | 'leaver';
  access: 'owner' | 'member' | 'none';
  /** Looked after by a local organisation (CCG / CSU), which deals with the account itself. */
  hostedLocally?: { name: string; helpdesk: { name: string; email: string; phone: string } };
}

/** The site a request is about: its accounts, and what is already with NAS for it. */
export interface SiteView {
  site: SiteRef;
  accounts: SiteAccount[];
  /** New starter requests still with NAS: they count towards the site's accounts. */
  pendingNewStarters: number;
  /** People already reported as leavers in a request still with NAS. */
  pendingLeavers: { address: string; reference: string }[];
}

/** An account elsewhere, found by its address (a joiner who already has NHSmail). */
export interface JoinerAccount {
  address: string;
  firstName: string;
  lastName: string;
  organisation: { odsCode: string; name: string };
  status: 'active' | 'inactive' | 'leaver';
  hostedLocally?: { name: string; helpdesk: { name: string; email: string; phone: string } };
}

/** A provider someone moves to, as the organisation directory names it. */
export interface Provider {
  name: string;
  odsCode?: string;
  kind?: 'care' | 'dental';
}

/** One leaver's answers. */
export interface LeaverAnswers {
  address: string;
  lastWorkingDay?: string;
  leaving?: LeavingTo;
  /** The organisation directory's kind of the provider they move to, when it knows it (which NAS team gets the joiner). */
  providerKind?: 'care' | 'dental';
}

/** The leaver report as it is gathered. */
export interface LeaverDraft {
  /** The people resolved so far (addresses), in the order they were named. */
  people: string[];
  /** Names that match more than one account: asked one at a time; the one picked goes at `slot` in `people`. */
  matching: { typed: string; options: string[]; slot: number }[];
  /** Some people were found by name, not address: the list is confirmed before going on. */
  byName: boolean;
  entries: LeaverAnswers[];
  /** Which entry the questions are about. */
  current: number;
  /** The new owner named because an owner leaves; null: none needed (another owner stays). */
  newOwner?: string | null;
  /** A person's own report: the person is the only leaver and no owner is needed. */
  self?: boolean;
}

/** One NAS request to submit: its kind's details exactly as they will be stored. */
export type PlannedRequest = {
  [K in OwnerRequestKind]: {
    kind: K;
    queue: 'care' | 'dental';
    odsCode?: string;
    /** Part of the idempotency key: several requests of one attempt differ by it. */
    key: string;
    /** At most one pending request of this kind for this subject (an ODS code, an address); none when absent. */
    exclusive?: string;
    details: NasRequestDetailsByKind[K];
  };
}[OwnerRequestKind];

export interface SubmittedRequest {
  kind: OwnerRequestKind;
  reference: string;
  outcome: 'created' | 'repeated' | 'conflict';
  /** For a conflict: the request already pending (reference, status, when). */
  existing?: { reference: string; status: NasRequestStatus; createdAt: number };
}

export interface SubmitOutcome {
  requests: SubmittedRequest[];
  /** An owner handover: how the new owner was told. */
  newOwnerTold?: 'teams' | 'email';
}

/** The effects of the requests (owner verification has its own: machines/ownerVerification). */
export interface OwnerRequestsServices {
  loadSite(input: { odsCode: string }): Promise<SiteView>;
  findAccount(input: { address: string }): Promise<JoinerAccount | undefined>;
  findProvider(input: { odsCode: string }): Promise<Provider | undefined>;
  /** For a new starter: whether the mobile is already on an NHSmail account. */
  isMobileOnNhsmail(input: { mobile: string }): Promise<boolean>;
  /** Every planned request, once per idempotency key (a retry or a second confirm gets the first back). */
  submitRequests(input: { plan: PlannedRequest[]; idempotencyKey: string; session: FlowSession }): Promise<SubmitOutcome>;
}

export type Problem =
  | 'serviceUnavailable'
  /** Names or addresses not among the site's accounts (`problemDetail`). */
  | 'notFound'
  | 'alreadyLeaver'
  | 'alreadyReported'
  | 'lastDayTooLongAgo'
  | 'lastDayTooFarAhead'
  | 'providerNotFound'
  | 'noSuchAccount'
  | 'alreadyAtSite'
  | 'newOwnerNeeded'
  | 'notAnOption';

export interface OwnerRequestsContext {
  session: FlowSession;
  attemptId: string;
  /** Each request made in this run of the flow has its own number (part of its idempotency key). */
  requestNumber: number;
  /** When the flow last looked at the clock (the provided `noteTime` action). */
  now: number;
  kind?: RequestKind;
  /** Names or addresses the user typed before the site was known. */
  typedPeople?: string[];
  identity?: VerifiedIdentity;
  person?: VerifiedPerson;
  /** The site chosen (its ODS code) before it is loaded. */
  siteCode?: string;
  site?: SiteView;
  leaver: LeaverDraft;
  starter?: Member;
  joiner?: { account?: JoinerAccount; sharedMailboxAccess?: boolean };
  handover?: { to?: string; keepsAccess?: boolean };
  rename?: { address?: string; firstName?: string; lastName?: string };
  audit?: { note?: string | null };
  team?: { name?: string; who?: 'everyone' | 'sharedMailbox' };
  plan?: PlannedRequest[];
  result?: SubmitOutcome;
  problem?: Problem;
  /** Just verified: said once, with the next question. */
  notice?: 'verified';
  /** What the problem is about (the names not found, the date typed…). */
  problemDetail?: string[];
}

export type OwnerRequestsEvent =
  /** An answer; "what is it about?" may carry the people the text named (`people`). */
  | { type: 'ANSWER'; answer: { question: string; value: unknown; people?: string[] } }
  | { type: 'BACK' }
  | { type: 'TRY_AGAIN' }
  | Exclude<OwnerVerificationEvent, { type: 'ANSWER' | 'BACK' | 'TRY_AGAIN' }>
  | Exclude<MemberEntryEvent, { type: 'ANSWER' | 'BACK' }>
  | { type: 'ANSWER'; answer: MemberAnswer };

export type OwnerRequestsInput = FlowInput;

export const emptyLeaver = (): LeaverDraft => ({ people: [], matching: [], byName: false, entries: [], current: 0 });

/** The start data as this flow reads it; anything else in it is ignored. */
export function readStart(start: Record<string, unknown> | undefined): OwnerRequestsStart {
  const kind = isRequestKind(start?.kind) ? start.kind : undefined;
  const people = Array.isArray(start?.people)
    ? start.people.filter((p): p is string => typeof p === 'string' && p.trim().length > 0 && p.length <= 100).slice(0, 10)
    : [];
  return { ...(kind ? { kind } : {}), ...(people.length ? { people: people.map((p) => p.trim()) } : {}) };
}

export function initialContext(input: OwnerRequestsInput): OwnerRequestsContext {
  const { start: given, attemptId, ...session } = input;
  const start = readStart(given);
  return {
    session,
    attemptId,
    requestNumber: 1,
    now: 0,
    leaver: emptyLeaver(),
    ...(start.kind ? { kind: start.kind } : {}),
    ...(start.people ? { typedPeople: start.people } : {}),
  };
}

export const notProvided = (name: string) =>
  fromPromise<never, unknown>(async () => {
    throw new Error(`owners' requests service "${name}" was not provided`);
  });
