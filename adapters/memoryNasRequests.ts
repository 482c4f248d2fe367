import {
  ExistingRequestSummary,
  InvalidSubmissionError,
  isPendingStatus,
  NasRequest,
  NasRequestOf,
  NasRequests,
  NasSubmission,
  SubmitResult,
  SubmittableKind,
} from './nasRequests';
import { checkedSubmission, copy, newReference, newRequest, normaliseReference, summaryOf } from './nasRequestRecords';

export interface NasRequestsOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
}

/** Who holds an exclusive key, and the window it was submitted with. */
interface Holder {
  reference: string;
  windowMs: number;
}

/**
 * NAS requests in this process's memory (the embedded default: lost on restart, seen by this
 * process only). Same rules as `RedisNasRequests`; every method runs without awaiting, so each is
 * atomic against the others.
 */
export class MemoryNasRequests implements NasRequests {
  private readonly requests = new Map<string, NasRequest>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly holders = new Map<string, Holder>();
  private readonly now: () => number;

  constructor(options: NasRequestsOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async submit<K extends SubmittableKind>(input: NasSubmission<K>): Promise<SubmitResult<NasRequestOf<K>>> {
    const submission = checkedSubmission(input as NasSubmission);
    const now = this.now();
    const first = this.requests.get(this.byIdempotencyKey.get(submission.idempotencyKey) ?? '');
    if (first) return this.again(first, submission) as SubmitResult<NasRequestOf<K>>;

    const blocking = submission.exclusive && this.blocking(submission.exclusive.key, submission.exclusive.windowMs ?? 0, now);
    let reference = newReference(submission.kind);
    while (this.requests.has(reference)) reference = newReference(submission.kind);
    const request = newRequest(submission, reference, now, blocking ? blocking.reference : undefined);
    this.requests.set(reference, request);
    this.byIdempotencyKey.set(submission.idempotencyKey, reference);
    if (blocking) return { outcome: 'conflict', existing: summaryOf(blocking), kept: copy(request) } as SubmitResult<NasRequestOf<K>>;
    if (submission.exclusive) this.holders.set(submission.exclusive.key, { reference, windowMs: submission.exclusive.windowMs ?? 0 });
    return { outcome: 'created', request: copy(request) } as SubmitResult<NasRequestOf<K>>;
  }

  async get(reference: string): Promise<NasRequest | undefined> {
    const request = this.requests.get(normaliseReference(reference) ?? '');
    return request && copy(request);
  }

  async pendingFor(exclusiveKey: string): Promise<NasRequest | undefined> {
    const request = this.blocking(exclusiveKey.trim(), 0, this.now());
    return request && copy(request);
  }

  /** The same idempotency key again: the first outcome, as things are now. */
  private again(first: NasRequest, submission: NasSubmission): SubmitResult {
    if (first.kind !== submission.kind) {
      throw new InvalidSubmissionError(`idempotency key already used for a ${first.kind} request (${first.reference})`);
    }
    const holder = first.duplicateOf ? this.requests.get(first.duplicateOf) : undefined;
    if (holder) return { outcome: 'conflict', existing: summaryOf(holder) as ExistingRequestSummary, kept: copy(first) };
    return { outcome: 'repeated', request: copy(first) };
  }

  /** The request holding `key` that a submission with `windowMs` must not pass, if any. */
  private blocking(key: string, windowMs: number, now: number): NasRequest | undefined {
    const holder = this.holders.get(key);
    const request = holder && this.requests.get(holder.reference);
    if (!holder || !request) return undefined;
    if (isPendingStatus(request.status) || now < request.createdAt + Math.max(holder.windowMs, windowMs)) return request;
    this.holders.delete(key);
    return undefined;
  }
}
