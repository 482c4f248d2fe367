import {
  DEFAULT_RETENTION_DAYS,
  ExistingRequestSummary,
  InvalidSubmissionError,
  isPendingStatus,
  NAS_QUEUES,
  NasPaging,
  NasQueue,
  NasRequest,
  NasRequestFilter,
  NasRequestOf,
  NasRequestPage,
  NasRequests,
  NasStatusUpdate,
  NasSubmission,
  RECLAIM_AFTER_MS,
  RetentionLogger,
  SubmitResult,
  SubmittableKind,
  UpdateResult,
} from './nasRequests';
import {
  checkedFilter,
  checkedPaging,
  checkedWorker,
  encodeCursor,
  isAfter,
  isExpired,
  isWorkable,
  matchesFilter,
  newestFirst,
  retentionMsFor,
  takenBy,
} from './nasRequestQueries';
import { changedRequest, checkedSubmission, copy, newReference, newRequest, normaliseReference, summaryOf } from './nasRequestRecords';

export interface NasRequestsOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
  /** A request taken and not finished after this long is offered again. Default `RECLAIM_AFTER_MS`. */
  reclaimAfterMs?: number;
  /** How long finished requests are kept. Default `DEFAULT_RETENTION_DAYS` (730). */
  retentionDays?: number;
  /** Where `purgeExpired` logs what it deleted. */
  logger?: RetentionLogger;
}

/** Who holds an exclusive key, and the window it was submitted with. */
interface Holder {
  reference: string;
  windowMs: number;
}

/** A queue as a Redis stream with one consumer group: entries, a read pointer, and who holds what. */
interface Queue {
  entries: { id: number; reference: string }[];
  /** Index of the first entry not yet delivered. */
  next: number;
  /** Delivered, not yet acknowledged: entry id → worker and when. */
  pending: Map<number, { reference: string; worker: string; deliveredAt: number }>;
  /** Each request's current entry (a request enters once at a time). */
  live: Map<string, number>;
}

/**
 * NAS requests in this process's memory (the embedded default: lost on restart, seen by this
 * process only). Same rules as `RedisNasRequests`; every method decides without awaiting, so each
 * is atomic against the others. Queues behave as the Redis streams do, timed by the clock.
 */
export class MemoryNasRequests implements NasRequests {
  private readonly requests = new Map<string, NasRequest>();
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly holders = new Map<string, Holder>();
  private readonly queues = new Map<NasQueue, Queue>(NAS_QUEUES.map((q) => [q, { entries: [], next: 0, pending: new Map(), live: new Map() }]));
  private entryIds = 0;
  private readonly now: () => number;
  private readonly reclaimAfterMs: number;
  private readonly retentionMs: number;
  private readonly logger?: RetentionLogger;

  constructor(options: NasRequestsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.reclaimAfterMs = options.reclaimAfterMs ?? RECLAIM_AFTER_MS;
    this.retentionMs = retentionMsFor(options.retentionDays ?? DEFAULT_RETENTION_DAYS);
    this.logger = options.logger;
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
    this.enqueue(request);
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

  async forConversation(conversationKey: string, limit = 20): Promise<NasRequest[]> {
    return [...this.requests.values()]
      .filter((r) => r.requester.conversationKey === conversationKey)
      .sort(newestFirst)
      .slice(0, limit)
      .map(copy);
  }

  async update(reference: string, change: NasStatusUpdate, expectedVersion?: number): Promise<UpdateResult> {
    const request = this.requests.get(normaliseReference(reference) ?? '');
    if (!request) return { outcome: 'notFound' };
    if (expectedVersion !== undefined && request.version !== expectedVersion) return { outcome: 'stale', request: copy(request) };
    const changed = changedRequest(request, change, this.now());
    if (!('ok' in changed)) return { ...changed, request: copy(request) };
    const next = changed.request;
    this.requests.set(request.reference, next);
    // Waiting for the requester, or finished: nothing for a worker until it is answered.
    if (!isWorkable(next)) this.acknowledge(next);
    else if (request.status === 'waitingForRequester') this.enqueue(next);
    return { outcome: 'updated', request: copy(next), previous: request.status };
  }

  async take(queue: NasQueue, worker: string): Promise<NasRequest | undefined> {
    return (await this.reclaim(queue, worker)) ?? this.takeNew(queue, checkedWorker(worker));
  }

  async reclaim(queue: NasQueue, worker: string): Promise<NasRequest | undefined> {
    const name = checkedWorker(worker);
    const q = this.queue(queue);
    for (;;) {
      const now = this.now();
      const stale = [...q.pending.entries()].filter(([, p]) => now - p.deliveredAt >= this.reclaimAfterMs).sort(([a], [b]) => a - b)[0];
      if (!stale) return undefined;
      stale[1].worker = name;
      stale[1].deliveredAt = now;
      const taken = this.assign(q, stale[0], stale[1].reference, name, now);
      if (taken) return taken;
    }
  }

  async list(filter?: NasRequestFilter, paging?: NasPaging): Promise<NasRequestPage> {
    const checked = checkedFilter(filter);
    const { limit, cursor } = checkedPaging(paging);
    const matching = [...this.requests.values()].filter((r) => matchesFilter(r, checked) && isAfter(r, cursor)).sort(newestFirst);
    const requests = matching.slice(0, limit).map(copy);
    const last = requests.at(-1);
    return requests.length === limit && last ? { requests, nextCursor: encodeCursor(last) } : { requests };
  }

  async purgeExpired(): Promise<{ deleted: string[] }> {
    const now = this.now();
    const deleted: string[] = [];
    for (const request of [...this.requests.values()].sort(newestFirst).reverse()) {
      if (!isExpired(request, now - this.retentionMs)) continue;
      this.requests.delete(request.reference);
      if (this.byIdempotencyKey.get(request.idempotencyKey) === request.reference) this.byIdempotencyKey.delete(request.idempotencyKey);
      if (request.exclusiveKey && this.holders.get(request.exclusiveKey)?.reference === request.reference) this.holders.delete(request.exclusiveKey);
      this.acknowledge(request);
      deleted.push(request.reference);
      this.logger?.info({ reference: request.reference, kind: request.kind, status: request.status, updatedAt: request.updatedAt }, 'NAS request deleted: retention period over');
    }
    return { deleted };
  }

  private takeNew(queue: NasQueue, worker: string): NasRequest | undefined {
    const q = this.queue(queue);
    while (q.next < q.entries.length) {
      const entry = q.entries[q.next++]!;
      const now = this.now();
      q.pending.set(entry.id, { reference: entry.reference, worker, deliveredAt: now });
      const taken = this.assign(q, entry.id, entry.reference, worker, now);
      if (taken) return taken;
    }
    return undefined;
  }

  /** The request of a delivered entry, taken by `worker`; a request with nothing to do is acknowledged. */
  private assign(q: Queue, id: number, reference: string, worker: string, now: number): NasRequest | undefined {
    // An entry left behind when its request came back to the queue under a new one is skipped.
    const request = q.live.get(reference) === id ? this.requests.get(reference) : undefined;
    const taken = request && takenBy(request, worker, now);
    if (!taken) {
      q.pending.delete(id);
      if (q.live.get(reference) === id) q.live.delete(reference);
      return undefined;
    }
    this.requests.set(reference, taken);
    return copy(taken);
  }

  private enqueue(request: NasRequest): void {
    const q = this.queue(request.queue);
    if (q.live.has(request.reference)) return;
    const id = ++this.entryIds;
    q.entries.push({ id, reference: request.reference });
    q.live.set(request.reference, id);
  }

  private acknowledge(request: NasRequest): void {
    const q = this.queue(request.queue);
    const id = q.live.get(request.reference);
    if (id === undefined) return;
    q.pending.delete(id);
    q.live.delete(request.reference);
  }

  private queue(queue: NasQueue): Queue {
    const q = this.queues.get(queue);
    if (!q) throw new InvalidSubmissionError(`unknown NAS queue "${String(queue)}"`);
    return q;
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
