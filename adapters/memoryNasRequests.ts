import { normaliseOdsCode, randomString } from './memoryOneTimePasscodes';
import { NasRequest, NasRequestStatus, NasRequests, RegistrationRequestDetails } from './nasRequests';

export interface NasRequestsOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
}

/** Statuses in which a request is pending: a new registration for its ODS code returns it. */
export const PENDING_NAS_STATUSES: readonly NasRequestStatus[] = ['submitted', 'in-progress'];

export function isPendingStatus(status: string): boolean {
  return (PENDING_NAS_STATUSES as readonly string[]).includes(status);
}

/** `REG-` and 8 characters from the passcode alphabet (no 0/O/1/I), drawn with crypto.randomInt. */
export function newNasReference(): string {
  return `REG-${randomString(8)}`;
}

export interface SubmitRegistrationInput {
  details: RegistrationRequestDetails;
  conversationKey: string;
  conversationReference: unknown;
}

/** A copy as it would come back from storage (JSON: undefined fields dropped). */
function storedCopy(request: NasRequest): NasRequest {
  return JSON.parse(JSON.stringify(request)) as NasRequest;
}

/**
 * NAS requests in this process's memory (lost on restart; nothing reads them but this process).
 * Submitting again from the same conversation returns that conversation's first request, whatever
 * its status; submitting for an ODS code with a pending (submitted or in-progress) request returns
 * that request. ODS codes are compared trimmed and upper-cased.
 */
export class MemoryNasRequests implements NasRequests {
  private readonly requests = new Map<string, NasRequest>();
  private readonly byConversation = new Map<string, string>();
  private readonly pendingByOdsCode = new Map<string, string>();
  private readonly now: () => number;

  constructor(options: NasRequestsOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async submitRegistration(input: SubmitRegistrationInput): Promise<{ request: NasRequest; created: boolean }> {
    const first = this.requests.get(this.byConversation.get(input.conversationKey) ?? '');
    if (first) return { request: storedCopy(first), created: false };
    const ods = normaliseOdsCode(input.details.organisation.odsCode);
    const pending = this.pendingRequest(ods);
    if (pending) return { request: storedCopy(pending), created: false };

    let reference = newNasReference();
    while (this.requests.has(reference)) reference = newNasReference();
    const now = this.now();
    const request = storedCopy({
      reference,
      type: 'registration',
      status: 'submitted',
      details: input.details,
      conversationReference: input.conversationReference,
      conversationKey: input.conversationKey,
      createdAt: now,
      updatedAt: now,
    });
    this.requests.set(reference, request);
    this.byConversation.set(input.conversationKey, reference);
    this.pendingByOdsCode.set(ods, reference);
    return { request: storedCopy(request), created: true };
  }

  async get(reference: string): Promise<NasRequest | undefined> {
    const request = this.requests.get(reference);
    return request && storedCopy(request);
  }

  async pendingForOdsCode(odsCode: string): Promise<NasRequest | undefined> {
    const request = this.pendingRequest(normaliseOdsCode(odsCode));
    return request && storedCopy(request);
  }

  /**
   * Not part of `NasRequests` (NAS workers own the status): sets the status and `updatedAt`; a
   * request that is no longer pending stops blocking new registrations for its ODS code.
   */
  async updateStatus(reference: string, status: NasRequestStatus): Promise<NasRequest | undefined> {
    const request = this.requests.get(reference);
    if (!request) return undefined;
    request.status = status;
    request.updatedAt = this.now();
    const ods = normaliseOdsCode(request.details.organisation.odsCode);
    if (!isPendingStatus(status) && this.pendingByOdsCode.get(ods) === reference) this.pendingByOdsCode.delete(ods);
    return storedCopy(request);
  }

  private pendingRequest(ods: string): NasRequest | undefined {
    const request = this.requests.get(this.pendingByOdsCode.get(ods) ?? '');
    return request && isPendingStatus(request.status) ? request : undefined;
  }
}
