import type { NasRequestStatus, StatusChangeRequest } from '../machines/nasRequestStatus';
import type { Member } from '../machines/registration';
import { OTP_ALPHABET } from './oneTimePasscodes';

/**
 * Requests for the National Administration Service (NAS): every request the assistant raises
 * (a registration, a password reset, a leaver…) is one `NasRequest`, stored durably, worked by
 * NAS in a queue and told back to the requester's conversation when its status changes.
 *
 * Two implementations pass one contract suite (test/adapters/nasRequests.contract.test.ts):
 * `MemoryNasRequests` (the embedded default) and `RedisNasRequests` (shared by every instance).
 */

/** Every kind of request, with the prefix of its reference (e.g. `REG-7KD9QX2P`). */
export const NAS_REFERENCE_PREFIXES = {
  registration: 'REG',
  passwordReset: 'PWD',
  leaver: 'LVR',
  joiner: 'JNR',
  newStarter: 'NST',
  ownerChange: 'OWN',
  nameChange: 'NAM',
  siteAudit: 'AUD',
  teamsTeam: 'TMS',
  question: 'QST',
} as const;

export type NasRequestKind = keyof typeof NAS_REFERENCE_PREFIXES;
export const NAS_REQUEST_KINDS = Object.keys(NAS_REFERENCE_PREFIXES) as NasRequestKind[];

/** A reference: the kind's prefix, a dash and 8 characters of the passcode alphabet (no 0/O/1/I). */
export const NAS_REFERENCE_PATTERN = new RegExp(`^(${Object.values(NAS_REFERENCE_PREFIXES).join('|')})-[${OTP_ALPHABET}]{8}$`);

/**
 * SPEC §3.1. `received → inProgress → done`; `→ waitingForRequester` and back; `→ rejected`.
 * Every change goes through the status machine (machines/nasRequestStatus).
 */
export { NAS_REQUEST_STATUSES, statusName } from '../machines/nasRequestStatus';
export type { NasRequestStatus } from '../machines/nasRequestStatus';

/** Statuses in which NAS still has work to do: such a request holds its exclusive key. */
export const PENDING_NAS_STATUSES: readonly NasRequestStatus[] = ['received', 'inProgress', 'waitingForRequester'];
export const isPendingStatus = (status: NasRequestStatus): boolean => PENDING_NAS_STATUSES.includes(status);

/** The NAS team that works a request: careadmin (care providers) or dentistadmin (dental practices). */
export type NasQueue = 'care' | 'dental';
export const NAS_QUEUES: readonly NasQueue[] = ['care', 'dental'];

/** One entry of a request's history: what its status became, when, who changed it and why. */
export interface NasStatusChange {
  status: NasRequestStatus;
  /** Milliseconds since the epoch. */
  at: number;
  /** Who made the change: `requester` (the submission), `assistant`, or the NAS worker's name. */
  by: string;
  /** Why: the reason of a rejection, a note from NAS. */
  reason?: string;
  /** The question NAS asks when it waits for the requester. */
  question?: string;
  /** The requester's answer, when it moves the request back to in progress. */
  answer?: string;
}

/** Who raised a request, and how to tell them when it moves. */
export interface NasRequester {
  /** The conversation that raised it (the engine's hashed key). */
  conversationKey: string;
  /** Opaque to this adapter: how the notifier reaches that conversation (a Bot Framework reference). */
  conversationReference: unknown;
  /** `msteams`, `webchat`, `directline`, `emulator`… */
  channelId: string;
  /** Where to email the requester when the conversation can no longer be reached, when known. */
  email?: string;
}

// ---------------------------------------------------------------------------------------------
// Details, one type per kind. A flow adds its kind here (one line in `NasRequestDetailsByKind`),
// or from its own file by module augmentation:
//   declare module '../adapters/nasRequests' { interface NasRequestDetailsByKind { leaver: LeaverDetails } }
// Only kinds listed here can be submitted; `NasRequest` is the union over them.
// ---------------------------------------------------------------------------------------------

/** A person the registration asks an account for (the registration machine's `Member`). */
export type RegistrationMember = Member;

export interface RegistrationRequestDetails {
  organisation: { kind: 'care' | 'dental'; name: string; odsCode: string; cqcLocationId: string };
  town: string;
  sharedMailboxAddress: string;
  members: RegistrationMember[];
  verifiedBy: 'otp' | 'cqc-contact-id';
}

/**
 * A password reset (SPEC §2), stored only once the requester is verified: by the right code texted
 * to the mobile on record, or by a shared mailbox owner's yes. NAS texts a temporary password to
 * `mobile`; the assistant never sets or sends one.
 */
export interface PasswordResetRequestDetails {
  account: { address: string; name: string; odsCode: string };
  /** Where NAS texts the temporary password (E.164): the mobile on record, or the one the owner confirmed. */
  mobile: string;
  verification: PasswordResetVerification;
}

export type PasswordResetVerification =
  /** The requester typed the code texted to the mobile on record. */
  | { verifiedBy: 'mobile'; at: number }
  /**
   * A shared mailbox owner of the account's organisation answered yes (only a yes verifies): it is
   * the requester asking, and `mobile` is theirs. `via`: the owner's Teams chat, or the code emailed.
   */
  | {
      verifiedBy: 'owner';
      at: number;
      owner: { address: string; name: string };
      answer: 'yes';
      askedAt: number;
      via: 'teams' | 'email';
    };

// --- Shared mailbox owners' requests (SPEC §3) -----------------------------------------------

/** The site (organisation) an owner's request is about. */
export interface OwnerRequestSite {
  odsCode: string;
  name: string;
  kind: 'care' | 'dental';
  /** Its shared mailbox, when it has one. */
  sharedMailboxAddress?: string;
}

/** A person as a request names them: their NHSmail address and their name as the directory has it. */
export interface OwnerRequestPerson {
  address: string;
  name: string;
}

/**
 * Who raised an owner's request. An owner was verified (by their Teams sign-in, or a 6-digit code
 * emailed to their NHSmail address) as an owner of the site's shared mailbox. A person reporting
 * their own leaving or move needs no owner: NAS checks it with the site's owners, named here.
 */
export type OwnerRequestRaisedBy =
  | (OwnerRequestPerson & { by: 'owner'; verifiedBy: 'teamsSignIn' | 'emailCode'; verifiedAt: number })
  | (OwnerRequestPerson & { by: 'self'; identity: 'teamsSignIn' | 'emailCode'; checkWithOwners: OwnerRequestPerson[] });

/**
 * A change to the NHSmail directory that NAS makes when it works the request. The assistant only
 * records these; it never changes the directory itself. Dates are `YYYY-MM-DD`.
 */
export type AccountChange =
  | { change: 'markLeaver'; address: string; lastWorkingDay: string }
  | { change: 'removeFromSharedMailbox'; address: string; odsCode: string }
  /** Leaving social care: the account is deleted this many days after it is marked a leaver. */
  | { change: 'deleteAfterMarked'; address: string; days: number }
  | { change: 'moveToOrganisation'; address: string; from?: string; to: { name: string; odsCode?: string } }
  | { change: 'addToSharedMailbox'; address: string; odsCode: string }
  | { change: 'makeOwner'; address: string; odsCode: string }
  | { change: 'removeOwner'; address: string; odsCode: string; keepsAccess: boolean }
  | { change: 'createAccount'; odsCode: string; email: string; name: string }
  | { change: 'rename'; address: string; firstName: string; lastName: string }
  | { change: 'confirmAccessList'; odsCode: string }
  | { change: 'createTeamsTeam'; odsCode: string; teamName: string };

/** What every owner's request carries: a line for NAS's lists, the site, who asked, the changes. */
interface OwnerRequestCommon {
  /** One line: what it is about ("Leaver: Tom Okafor (tom.okafor@nhs.net), Hollybank (VHB01)"). */
  summary: string;
  organisationName: string;
  site: OwnerRequestSite;
  raisedBy: OwnerRequestRaisedBy;
  changes: AccountChange[];
}

export type LeavingTo =
  /** Leaves this organisation only (stays in social care). */
  | { leaving: 'organisation' }
  /** Leaves social care altogether: the account is deleted 30 days after being marked. */
  | { leaving: 'socialCare' }
  /** Moves to a named provider: a joiner request for that provider is raised beside it. */
  | { leaving: 'provider'; provider: { name: string; odsCode?: string } };

export type LeaverEntry = OwnerRequestPerson &
  LeavingTo & {
    lastWorkingDay: string;
    wasOwner: boolean;
    hadSharedMailboxAccess: boolean;
    /** Hosted by a local organisation (CCG / CSU): its administrator deals with the account itself. */
    hostedLocally?: { organisation: string; helpdeskEmail: string };
    /** The joiner request raised for the provider they move to. */
    joinerReference?: string;
  };

export interface LeaverRequestDetails extends OwnerRequestCommon {
  leavers: LeaverEntry[];
  /** Named because an owner leaves (required when no owner would remain). */
  newOwner?: OwnerRequestPerson;
  warnings: {
    ownerLeaving: boolean;
    /** How many would keep access to the shared mailbox, when fewer than 2. */
    fewerThanTwoWithAccess?: number;
    /** Leavers whose accounts are deleted 30 days after being marked. */
    deletedAfter30Days: string[];
  };
}

export interface JoinerRequestDetails extends OwnerRequestCommon {
  /** The organisation they join (for a leaver moving on, the provider named: maybe not in the directory). */
  joining: { name: string; odsCode?: string; kind?: 'care' | 'dental' };
  joiner: OwnerRequestPerson & { from?: { odsCode: string; name: string } };
  sharedMailboxAccess: boolean;
  /** Raised with a leaver report for the organisation they leave (whose request names this one). */
  withLeaverReport: boolean;
}

export interface NewStarterRequestDetails extends OwnerRequestCommon {
  member: RegistrationMember;
  /** The site's accounts, with new starters already asked for, before this one. */
  accountsAtSite: number;
}

export interface OwnerChangeRequestDetails extends OwnerRequestCommon {
  from: OwnerRequestPerson;
  to: OwnerRequestPerson;
  /** The outgoing owner stays in the shared mailbox as a member. */
  outgoingKeepsAccess: boolean;
  /** How the new owner was told. */
  newOwnerTold: 'teams' | 'email' | 'notYet';
}

export interface NameChangeRequestDetails extends OwnerRequestCommon {
  account: OwnerRequestPerson;
  newName: { firstName: string; lastName: string };
}

export interface SiteAuditRequestDetails extends OwnerRequestCommon {
  /** The directory's list as shown to the owner, for NAS to confirm. */
  listed: (OwnerRequestPerson & { access: 'owner' | 'member' | 'none'; status: 'active' | 'inactive' | 'leaver' })[];
  /** What the owner says is wrong with it, if anything. */
  ownerNote?: string;
}

export interface TeamsTeamRequestDetails extends OwnerRequestCommon {
  teamName: string;
  owners: OwnerRequestPerson[];
  members: OwnerRequestPerson[];
}

// --- A question handed to a person (SPEC §4) -----------------------------------------------

/** One turn of the conversation as NAS sees it with a question: personal data already removed. */
export interface QuestionTurn {
  from: 'user' | 'assistant';
  text: string;
}

/**
 * A question the assistant could not answer, or that the user wanted a person for. Every text in
 * it has had emails, phone numbers, names typed, codes and anything like a password removed
 * before it was stored (dialogs/questions/redact.ts); the requester is reached in the chat.
 */
export interface QuestionRequestDetails {
  /** One line for NAS's lists: `Question: "…"`. */
  summary: string;
  /** The user's question, as typed, personal data removed. */
  question: string;
  /** Why it came to a person. */
  reason: 'asked' | 'notUnderstood' | 'notHelpful';
  /** The conversation's recent turns, oldest first, personal data removed. */
  recentTurns: QuestionTurn[];
  /** Where the conversation was: the flow in progress and its step, if any. */
  where?: string;
  /** The organisation kind, when the conversation knows it. */
  organisationKind?: 'care' | 'dental';
}

/** The kinds a shared mailbox owner raises (and a person about their own leaving or move). */
export const OWNER_REQUEST_KINDS = ['leaver', 'joiner', 'newStarter', 'ownerChange', 'nameChange', 'siteAudit', 'teamsTeam'] as const;
export type OwnerRequestKind = (typeof OWNER_REQUEST_KINDS)[number];

export interface NasRequestDetailsByKind {
  registration: RegistrationRequestDetails;
  passwordReset: PasswordResetRequestDetails;
  leaver: LeaverRequestDetails;
  joiner: JoinerRequestDetails;
  newStarter: NewStarterRequestDetails;
  ownerChange: OwnerChangeRequestDetails;
  nameChange: NameChangeRequestDetails;
  siteAudit: SiteAuditRequestDetails;
  teamsTeam: TeamsTeamRequestDetails;
  question: QuestionRequestDetails;
}

/** The kinds that have a details type, so can be submitted. */
export type SubmittableKind = keyof NasRequestDetailsByKind & NasRequestKind;

/** What every request has, whatever its kind. */
export interface NasRequestOf<K extends SubmittableKind> {
  /** e.g. `REG-7KD9QX2P`: the kind's prefix and 8 random characters. */
  reference: string;
  kind: K;
  queue: NasQueue;
  /** The organisation it is about, trimmed and upper-cased, when there is one. */
  odsCode?: string;
  /** The current status: always the last entry of `history`. */
  status: NasRequestStatus;
  /** Every status the request has had, oldest first; never empty. */
  history: NasStatusChange[];
  details: NasRequestDetailsByKind[K];
  requester: NasRequester;
  /** What the request was submitted with; the same key never makes a second request. */
  idempotencyKey: string;
  /** The exclusive key it was submitted with (see `NasSubmission.exclusive`), if any. */
  exclusiveKey?: string;
  /** Set on a request kept as a duplicate: the reference of the request that was already pending. */
  duplicateOf?: string;
  /** The NAS worker who last took it from the queue (`take`). */
  assignee?: string;
  createdAt: number;
  updatedAt: number;
  /** Starts at 1 and changes on every update: the back office's ETag. */
  version: number;
}

/** A request of any kind: switch on `kind` to reach its `details`. */
export type NasRequest = { [K in SubmittableKind]: NasRequestOf<K> }[SubmittableKind];

/** What a flow submits. */
export type NasSubmission<K extends SubmittableKind = SubmittableKind> = {
  [P in K]: {
    kind: P;
    details: NasRequestDetailsByKind[P];
    queue: NasQueue;
    odsCode?: string;
    /**
     * Makes the submission idempotent: a repeated confirm or a retried turn with the same key gets
     * the first request back and never makes a second. One key per attempt (a registration's
     * attempt id), never per conversation: a second registration in the same chat is a new request.
     */
    idempotencyKey: string;
    requester: NasRequester;
    /**
     * At most one pending request per key: `registration:<ODS code>`, `passwordReset:<address>`
     * (build it with `exclusiveKey(kind, subject)`). A submission finds a conflict while another
     * request holding the key is pending, or was made less than `windowMs` ago (e.g. one password
     * reset per account per 24 hours, even once done).
     */
    exclusive?: { key: string; windowMs?: number };
  };
}[K];

/** What is safe to tell another person about a request that blocks theirs: no names, no addresses. */
export interface ExistingRequestSummary {
  reference: string;
  kind: NasRequestKind;
  status: NasRequestStatus;
  createdAt: number;
  /** The channel the other requester used (e.g. `msteams`). */
  channel: string;
}

export type SubmitResult<R extends NasRequestOf<SubmittableKind> = NasRequest> =
  /** A new request, status `received`, in its queue. */
  | { outcome: 'created'; request: R }
  /** The same idempotency key was submitted before: that first request, as it is now. */
  | { outcome: 'repeated'; request: R }
  /**
   * Another request (another idempotency key) holds the exclusive key. `kept` is this attempt,
   * stored as its own request with status `rejected` and `duplicateOf` set, so NAS sees it and
   * nothing the user typed is lost. Submitting the same idempotency key again answers the same
   * conflict (with `existing` as it is then), never a new request.
   */
  | { outcome: 'conflict'; existing: ExistingRequestSummary; kept: R };

export interface NasRequests {
  /**
   * Stores a request (status `received`, one history entry by `requester`) and puts it in its
   * queue — once per idempotency key, however many times or instances submit it at once.
   * Details of a repeated submission are ignored (the first request stands). Throws
   * `StoreUnavailableError` when storage cannot be reached (nothing half-made is visible: a retry
   * with the same key finishes the job), and `InvalidSubmissionError` for a malformed submission.
   */
  submit<K extends SubmittableKind>(input: NasSubmission<K>): Promise<SubmitResult<NasRequestOf<K>>>;

  /**
   * The request with this reference (case and spaces ignored), or undefined. Requests stored by
   * an earlier version (status `submitted`, no history) read as `received` with one history entry.
   */
  get(reference: string): Promise<NasRequest | undefined>;

  /**
   * The request that makes a submission with this exclusive key a conflict now: one that is
   * pending, or still within the window it was submitted with. Undefined when the key is free.
   */
  pendingFor(exclusiveKey: string): Promise<NasRequest | undefined>;

  /**
   * The requests raised from a conversation (`requester.conversationKey`), newest first, kept
   * duplicates too, at most `limit` (default 20): "what is the status of my request?" without
   * the reference.
   */
  forConversation(conversationKey: string, limit?: number): Promise<NasRequest[]>;

  /**
   * Moves a request to `change.status` through the status machine, appending to its history who
   * (`change.by`), when and why. With `expectedVersion` (the back office's If-Match) the change
   * is refused as `stale` unless the request is still at that version. A request that stops being
   * pending lets go of its exclusive key. Throws `InvalidSubmissionError` without `change.by`.
   */
  update(reference: string, change: NasStatusUpdate, expectedVersion?: number): Promise<UpdateResult>;

  /**
   * The next request of a queue for a NAS worker, or undefined when there is none: first one that
   * another worker took more than `RECLAIM_AFTER_MS` ago and has not finished (offered again, as
   * after a crash), else the oldest not yet taken. A `received` request becomes `inProgress` by
   * the worker; `assignee` is set. Two workers, on any instances, never get the same request at
   * once. A request waiting for its requester leaves the queue and comes back when answered.
   */
  take(queue: NasQueue, worker: string): Promise<NasRequest | undefined>;

  /** Only the first part of `take`: a request taken more than `RECLAIM_AFTER_MS` ago and not finished. */
  reclaim(queue: NasQueue, worker: string): Promise<NasRequest | undefined>;

  /**
   * Requests newest first (by createdAt, then reference), filtered; `limit` default 50, at most
   * 200. Pass `nextCursor` back for the next page (present while the page came back full). Kept
   * duplicates are listed too. Throws `InvalidSubmissionError` for a cursor this list did not give.
   */
  list(filter?: NasRequestFilter, paging?: NasPaging): Promise<NasRequestPage>;

  /**
   * Deletes the requests finished (done or rejected) more than the retention period ago (NHS
   * records practice: `NAS_RETENTION_DAYS`, default 730), logging a line for each. Pending
   * requests are never deleted, however old. Returns their references.
   */
  purgeExpired(): Promise<{ deleted: string[] }>;
}

/** After this long a request taken and not finished is offered to the next worker. */
export const RECLAIM_AFTER_MS = 10 * 60 * 1000;
export const DEFAULT_RETENTION_DAYS = 730;
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface NasRequestFilter {
  status?: NasRequestStatus | readonly NasRequestStatus[];
  kind?: NasRequestKind | readonly NasRequestKind[];
  /** Case and spaces ignored. */
  odsCode?: string;
  queue?: NasQueue;
}

export interface NasPaging {
  limit?: number;
  cursor?: string;
}

export interface NasRequestPage {
  requests: NasRequest[];
  nextCursor?: string;
}

/** Where a store says what it deleted (pino's logger fits). */
export interface RetentionLogger {
  info(fields: Record<string, unknown>, message: string): void;
}

/** A status change, by who makes it: a NAS worker's name, or `requester` for an answer in chat. */
export interface NasStatusUpdate extends StatusChangeRequest {
  by: string;
}

export type UpdateResult =
  | { outcome: 'updated'; request: NasRequest; previous: NasRequestStatus }
  | { outcome: 'notFound' }
  /** It changed since it was read (`expectedVersion` is not its version): the request as it is now. */
  | { outcome: 'stale'; request: NasRequest }
  /** The status machine refuses the move: why, and where the request may go instead. */
  | {
      outcome: 'invalid';
      request: NasRequest;
      problem: 'notAllowed' | 'questionRequired' | 'answerRequired' | 'reasonRequired';
      message: string;
      allowed: NasRequestStatus[];
    };

/** A submission or change that cannot be stored as given (a programming error in the caller). */
export class InvalidSubmissionError extends Error {
  override readonly name = 'InvalidSubmissionError';
}

/** A stored request that cannot be read (corrupt, or written by a newer version). */
export class StoredRequestError extends Error {
  override readonly name = 'StoredRequestError';
}

/**
 * The exclusive key of a kind and what it is exclusive for (an ODS code, an NHSmail address):
 * `registration:VABC1`. The subject is trimmed and upper-cased, so `vabc1 ` and `VABC1` agree.
 */
export function exclusiveKey(kind: NasRequestKind, subject: string): string {
  return `${kind}:${subject.trim().toUpperCase()}`;
}

/** The reason a kept duplicate is rejected with, naming the request that was already pending. */
export function duplicateReason(kind: NasRequestKind, reference: string): string {
  const subject = kind === 'passwordReset' ? 'account' : kind === 'registration' ? 'organisation' : 'organisation and kind of request';
  return `another request for this ${subject} is already being processed (${reference})`;
}
