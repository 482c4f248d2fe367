import { callRedis, RedisClient, runScript } from './redisCalls';
import { NasRequestsOptions } from './memoryNasRequests';
import {
  DEFAULT_RETENTION_DAYS,
  ExistingRequestSummary,
  InvalidSubmissionError,
  isPendingStatus,
  NAS_REQUEST_KINDS,
  NasQueue,
  NasRequest,
  NasRequestKind,
  NasPaging,
  NasRequestFilter,
  NasRequestOf,
  NasRequestPage,
  NasRequests,
  NasStatusUpdate,
  NasSubmission,
  RECLAIM_AFTER_MS,
  SubmitResult,
  SubmittableKind,
  UpdateResult,
} from './nasRequests';
import {
  changedRequest,
  checkedSubmission,
  fromStoredFields,
  newReference,
  newRequest,
  normaliseReference,
  summaryOf,
  toStoredFields,
} from './nasRequestRecords';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';
import { RedisNasQueues } from './redisNasQueues';
import { isWorkable, newestFirst, retentionMsFor } from './nasRequestQueries';
import { ScriptName, SCRIPTS } from './redisNasScripts';

/**
 * NAS requests in Redis, shared by every instance; nothing here expires by itself. Every key
 * carries the hash tag of what it belongs to, and every script touches keys of one tag only, so
 * the same code runs on one node, Sentinel or Cluster (docs/architecture.md, "NAS requests"):
 *
 *   `${prefix}nas:request:{REF}`          hash: the request (`toStoredFields`); the first version's
 *                                         requests (fields `type`, `document`) are read too
 *   `${prefix}nas:idempotency:{KEY}`      → REF: the request made for that idempotency key
 *   `${prefix}nas:exclusive:{KEY}`        hash { reference, kind, createdAt, channel, windowMs,
 *                                         pending 1|0 }: who holds an exclusive key; kept while
 *                                         pending and until its window ends
 *   `${prefix}nas:queue:{Q}`              stream per queue (care, dental): `reference REF` per
 *                                         request to work; consumer group `nas`
 *   `${prefix}nas:queue:{Q}:entries`      hash REF → stream entry id (a request enters once)
 *   `${prefix}nas:queue:{Q}:index`        sorted set of every REF of the queue by createdAt
 *   `${prefix}nas:pending-ods:{ODS}`      the first version's pending registration (read only)
 *
 * KEY parts are URI-encoded, so braces in a key cannot move its hash tag.
 *
 * A submission spans four owners (the idempotency key, the exclusive key, the request, the
 * queue), so it is four steps, each idempotent and each finishing what an interrupted submission
 * of the same idempotency key left: claim the idempotency key for a new reference (SET NX GET);
 * claim the exclusive key for that reference (or find its holder); write the request hash if it
 * is not there; put it in the queue's index and stream if it is not there. A crash between steps
 * leaves nothing visible (`get` finds no request), and a retry with the same key completes it.
 */

export interface RedisNasRequestsOptions extends NasRequestsOptions {
  /** Prefix of every key. Default `nhsca:`. No braces (they would break the hash tags). */
  keyPrefix?: string;
}

export { NAS_CONSUMER_GROUP } from './redisNasQueues';

/**
 * A holder of an exclusive key without a request after this long crashed between claiming it
 * and writing its request: the key is taken over (its own retry will then find a conflict).
 */
export const ABANDONED_CLAIM_MS = 60_000;



/** How many times a submission goes round when what it found changed under it. */
const MAX_ROUNDS = 8;

/** A hash tag part: URI-encoded, so `{` and `}` inside it cannot end the tag early. */
const tag = (part: string) => `{${encodeURIComponent(part)}}`;

export class RedisNasRequests implements NasRequests {
  private readonly now: () => number;
  private readonly keyPrefix: string;
  private readonly queues: RedisNasQueues;
  private migration?: Promise<void>;

  constructor(
    private readonly redis: RedisClient,
    options: RedisNasRequestsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (/[{}]/.test(this.keyPrefix)) throw new Error('keyPrefix must not contain braces (they would change the hash tags)');
    for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
    this.queues = new RedisNasQueues({
      redis,
      now: this.now,
      reclaimAfterMs: options.reclaimAfterMs ?? RECLAIM_AFTER_MS,
      retentionMs: retentionMsFor(options.retentionDays ?? DEFAULT_RETENTION_DAYS),
      logger: options.logger,
      queueKeys: (queue) => this.queueKeys(queue),
      readWithVersion: (reference) => this.readWithVersion(reference),
      replace: (request, version) => this.replace(request, version),
      deleteRequest: (request) => this.deleteRequest(request),
      script: (name, ...args) => this.script(name, ...args),
      call: (operation, run) => this.call(operation, run),
    });
  }

  requestKey(reference: string): string {
    return `${this.keyPrefix}nas:request:{${reference}}`;
  }

  idempotencyKeyFor(idempotencyKey: string): string {
    return `${this.keyPrefix}nas:idempotency:${tag(idempotencyKey)}`;
  }

  exclusiveKeyFor(exclusiveKey: string): string {
    return `${this.keyPrefix}nas:exclusive:${tag(exclusiveKey)}`;
  }

  /** The keys of a queue: its stream (read with `NAS_CONSUMER_GROUP`), entries and index. */
  queueKeys(queue: NasQueue): { stream: string; entries: string; index: string } {
    const base = `${this.keyPrefix}nas:queue:{${queue}}`;
    return { stream: base, entries: `${base}:entries`, index: `${base}:index` };
  }

  /** The first version's index of the pending registration for an ODS code. */
  /** The requests raised from a conversation: a sorted set of REF by createdAt. */
  conversationIndexFor(conversationKey: string): string {
    return `${this.keyPrefix}nas:conversation:${tag(conversationKey)}`;
  }

  legacyPendingKeyFor(odsCode: string): string {
    return `${this.keyPrefix}nas:pending-ods:{${odsCode}}`;
  }

  async submit<K extends SubmittableKind>(input: NasSubmission<K>): Promise<SubmitResult<NasRequestOf<K>>> {
    const submission = checkedSubmission(input as NasSubmission);
    const now = this.now();
    const idempotency = this.idempotencyKeyFor(submission.idempotencyKey);
    let reference = newReference(submission.kind);
    const claimed = await this.call('submit', () => this.redis.set(idempotency, reference, 'NX', 'GET'));
    const first = claimed === null;
    if (claimed !== null) reference = claimed;

    for (let round = 1; round <= MAX_ROUNDS; round++) {
      if (!first) {
        const stored = await this.read(reference);
        if (stored) {
          await this.indexed(stored);
          return (await this.outcome(stored, submission, 'repeated')) as SubmitResult<NasRequestOf<K>>;
        }
      }
      const exclusive = submission.exclusive ? await this.holdExclusive(submission, reference, now) : { held: false as const, claimed: false };
      if (exclusive.held === 'retry') continue;
      const request = newRequest(submission, reference, now, exclusive.held ? exclusive.existing.reference : undefined);
      const fields = flat(toStoredFields(request));
      const reply = (await this.script('nhscaNasWriteV2', this.requestKey(reference), submission.idempotencyKey, ...fields)) as [
        string,
        string[]?,
      ];
      if (reply[0] === 'taken') {
        // The reference was drawn twice (odds about 1 in 10^12): let go and draw another.
        if (exclusive.held === false && exclusive.claimed) await this.release(submission.exclusive!.key, reference, 'abandoned');
        reference = String(await this.script('nhscaNasRepointV2', idempotency, reference, newReference(submission.kind)));
        continue;
      }
      const written = fromStoredFields(record(reply[1] ?? []));
      await this.indexed(written);
      // The one call that wrote the request reports `created` (however many raced), the rest `repeated`.
      const existing = exclusive.held === true && reply[0] === 'written' ? exclusive.existing : undefined;
      return (await this.outcome(written, submission, reply[0] === 'written' ? 'created' : 'repeated', existing)) as SubmitResult<
        NasRequestOf<K>
      >;
    }
    throw new Error(`NAS request ${reference} could not be submitted: what it depends on kept changing`);
  }

  async get(reference: string): Promise<NasRequest | undefined> {
    const normalised = normaliseReference(reference);
    return normalised ? this.read(normalised) : undefined;
  }

  async update(reference: string, change: NasStatusUpdate, expectedVersion?: number): Promise<UpdateResult> {
    const normalised = normaliseReference(reference);
    if (!normalised) return { outcome: 'notFound' };
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      const fields = await this.call('update', () => this.redis.hgetall(this.requestKey(normalised)));
      if (!fields.reference) return { outcome: 'notFound' };
      const request = fromStoredFields(fields);
      if (expectedVersion !== undefined && request.version !== expectedVersion) return { outcome: 'stale', request };
      const changed = changedRequest(request, change, this.now());
      if (!('ok' in changed)) return changed;
      const next = changed.request;
      if (!(await this.replace(next, fields.version ?? ''))) continue; // changed since we read it: decide again (or find it stale)
      // Further steps, each on its own slot: the queue (nothing to do until answered, or finished;
      // back in the queue once answered), then a finished request lets go of its exclusive key.
      if (!isWorkable(next)) await this.queues.acknowledge(next);
      else if (request.status === 'waitingForRequester') await this.queues.enqueue(next);
      if (!isPendingStatus(next.status)) await this.letGo(next);
      return { outcome: 'updated', request: next, previous: request.status };
    }
    throw new Error(`NAS request ${normalised} kept changing while being updated`);
  }

  async take(queue: NasQueue, worker: string): Promise<NasRequest | undefined> {
    await this.migrated();
    return this.queues.take(queue, worker);
  }

  async reclaim(queue: NasQueue, worker: string): Promise<NasRequest | undefined> {
    await this.migrated();
    return this.queues.reclaim(queue, worker);
  }

  async list(filter?: NasRequestFilter, paging?: NasPaging): Promise<NasRequestPage> {
    await this.migrated();
    return this.queues.list(filter, paging);
  }

  async purgeExpired(): Promise<{ deleted: string[] }> {
    await this.migrated();
    return this.queues.purgeExpired();
  }

  /**
   * The first version's requests join the queues (index, and stream if there is work to do):
   * read from its stream `nas:requests` once per instance; idempotent.
   */
  private migrated(): Promise<void> {
    this.migration ??= (async () => {
      const entries = await this.call('migrate', () => this.redis.xrange(`${this.keyPrefix}nas:requests`, '-', '+'));
      for (const [, fields] of entries) {
        const reference = fields[fields.indexOf('reference') + 1];
        const request = reference ? await this.read(reference) : undefined;
        if (request) await this.queues.enqueue(request);
      }
    })().catch((err) => {
      this.migration = undefined;
      throw err;
    });
    return this.migration;
  }

  async pendingFor(exclusiveKey: string): Promise<NasRequest | undefined> {
    const key = exclusiveKey.trim();
    const now = this.now();
    const holder = await this.call('pendingFor', () => this.redis.hmget(this.exclusiveKeyFor(key), 'reference', 'windowMs'));
    if (holder[0]) {
      const request = await this.read(holder[0]);
      if (request && (isPendingStatus(request.status) || now < request.createdAt + Number(holder[1] ?? 0))) return request;
    }
    return this.legacyPending(key);
  }

  /**
   * Takes the exclusive key for `reference`, or finds who holds it. A holder whose request is
   * finished (a release that did not happen) or never written (an abandoned claim) is let go of,
   * and the caller goes round again.
   */
  private async holdExclusive(
    submission: NasSubmission,
    reference: string,
    now: number,
  ): Promise<{ held: false; claimed: boolean } | { held: true; existing: ExistingRequestSummary } | { held: 'retry' }> {
    const { key, windowMs = 0 } = submission.exclusive!;
    const legacy = await this.legacyPending(key);
    if (legacy) return { held: true, existing: summaryOf(legacy) };
    const reply = (await this.script(
      'nhscaNasClaimV2',
      this.exclusiveKeyFor(key),
      reference,
      submission.kind,
      now,
      submission.requester.channelId,
      windowMs,
      now,
    )) as string[];
    if (reply[0] !== 'held') return { held: false, claimed: reply[0] === 'claimed' };
    const [, holderReference, kind, createdAt, channel] = reply as [string, string, string, string, string];
    const holder = await this.read(holderReference);
    if (!holder) {
      if (now - Number(createdAt) < ABANDONED_CLAIM_MS) {
        // Being submitted this very moment: it is `received` once written.
        const known = (NAS_REQUEST_KINDS as string[]).includes(kind) ? (kind as NasRequestKind) : submission.kind;
        return { held: true, existing: { reference: holderReference, kind: known, status: 'received', createdAt: Number(createdAt), channel } };
      }
      await this.release(key, holderReference, 'abandoned');
      return { held: 'retry' };
    }
    if (!isPendingStatus(holder.status) && now >= holder.createdAt + Math.max(windowMs, Number(reply[6]))) {
      await this.release(key, holderReference, 'finished');
      return { held: 'retry' };
    }
    return { held: true, existing: summaryOf(holder) };
  }

  /** The first version's pending registration for a `registration:<ODS>` key, if any. */
  private async legacyPending(key: string): Promise<NasRequest | undefined> {
    if (!key.startsWith('registration:')) return undefined;
    const reference = await this.call('legacy', () => this.redis.get(this.legacyPendingKeyFor(key.slice('registration:'.length))));
    if (!reference) return undefined;
    // The request may have been rewritten in the current form since (by an update).
    const request = await this.read(reference);
    return request && request.exclusiveKey === key && isPendingStatus(request.status) ? request : undefined;
  }

  /**
   * What a submission answers for its request: a kept duplicate is a conflict (with the holder
   * as it is now); otherwise `fresh`.
   */
  private async outcome(
    request: NasRequest,
    submission: NasSubmission,
    fresh: 'created' | 'repeated',
    existing?: ExistingRequestSummary,
  ): Promise<SubmitResult> {
    if (request.kind !== submission.kind) {
      throw new InvalidSubmissionError(`idempotency key already used for a ${request.kind} request (${request.reference})`);
    }
    if (request.duplicateOf) {
      const holder = existing ?? (await this.read(request.duplicateOf).then((r) => r && summaryOf(r)));
      if (holder) return { outcome: 'conflict', existing: holder, kept: request };
      return { outcome: 'repeated', request };
    }
    return { outcome: fresh, request };
  }

  /** A finished request's exclusive key (and the first version's pending index) let go of. */
  private async letGo(request: NasRequest): Promise<void> {
    if (request.exclusiveKey) await this.release(request.exclusiveKey, request.reference, 'finished');
    if (request.kind === 'registration' && request.odsCode) {
      await this.script('nhscaNasDeleteIfV2', this.legacyPendingKeyFor(request.odsCode), request.reference);
    }
  }

  private async release(key: string, reference: string, mode: 'finished' | 'abandoned'): Promise<void> {
    await this.script('nhscaNasReleaseV2', this.exclusiveKeyFor(key), reference, this.now(), mode);
  }

  private async readWithVersion(reference: string): Promise<{ request: NasRequest; version: string } | undefined> {
    const fields = await this.call('get', () => this.redis.hgetall(this.requestKey(reference)));
    return fields.reference ? { request: fromStoredFields(fields), version: fields.version ?? '' } : undefined;
  }

  /** Rewrites the whole hash if it is still at `version` ('' for a first-version record). */
  private async replace(request: NasRequest, version: string): Promise<boolean> {
    return Number(await this.script('nhscaNasReplaceV2', this.requestKey(request.reference), version, ...flat(toStoredFields(request)))) === 1;
  }

  /** Deletes a request: its idempotency key, exclusive key (if it holds it) and hash, each a step. */
  /** The last steps of a submission, each on its own slot: the conversation's index, the queue. */
  private async indexed(request: NasRequest): Promise<void> {
    const index = this.conversationIndexFor(request.requester.conversationKey);
    await this.call('submit', () => this.redis.zadd(index, request.createdAt, request.reference));
    await this.queues.enqueue(request);
  }

  async forConversation(conversationKey: string, limit = 20): Promise<NasRequest[]> {
    const [references, legacy] = await Promise.all([
      this.call('forConversation', () => this.redis.zrevrange(this.conversationIndexFor(conversationKey), 0, limit - 1)),
      // The first version kept one registration per conversation.
      this.call('forConversation', () => this.redis.get(`${this.keyPrefix}nas:by-conversation:{${conversationKey}}`)),
    ]);
    const all = [...new Set([...references, ...(legacy ? [legacy] : [])])];
    const requests = await Promise.all(all.map((reference) => this.read(reference)));
    return requests
      .filter((r): r is NasRequest => r !== undefined && r.requester.conversationKey === conversationKey)
      .sort(newestFirst)
      .slice(0, limit);
  }

  private async deleteRequest(request: NasRequest): Promise<void> {
    await this.script('nhscaNasDeleteIfV2', this.idempotencyKeyFor(request.idempotencyKey), request.reference);
    if (request.exclusiveKey) await this.release(request.exclusiveKey, request.reference, 'abandoned');
    await this.call('purge', () => this.redis.del(this.requestKey(request.reference)));
    await this.call('purge', () => this.redis.zrem(this.conversationIndexFor(request.requester.conversationKey), request.reference));
  }

  private async read(reference: string): Promise<NasRequest | undefined> {
    const fields = await this.call('get', () => this.redis.hgetall(this.requestKey(reference)));
    return fields.reference ? fromStoredFields(fields) : undefined;
  }

  private script(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return runScript(this.redis, `nas ${name}`, name, args);
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callRedis(`nas ${operation}`, run);
  }
}

function flat(fields: Record<string, string>): string[] {
  return Object.entries(fields).flat();
}

function record(flatHash: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flatHash.length; i += 2) out[flatHash[i]!] = flatHash[i + 1]!;
  return out;
}
