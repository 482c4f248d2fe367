import type { NasPaging, NasQueue, NasRequest, NasRequestFilter, NasRequestPage, RetentionLogger } from './nasRequests';
import {
  checkedFilter,
  checkedPaging,
  checkedWorker,
  encodeCursor,
  isExpired,
  isWorkable,
  ListPosition,
  matchesFilter,
  newestFirst,
  takenBy,
} from './nasRequestQueries';
import type { RedisClient } from './redisCalls';
import type { ScriptName } from './redisNasScripts';

/**
 * The queue side of `RedisNasRequests`: per queue Q (`care`, `dental`), all under the hash tag
 * `{Q}` so each script is one slot:
 *
 *   `nas:queue:{Q}`           stream, `reference REF` per request to work; consumer group `nas`
 *   `nas:queue:{Q}:entries`   hash REF → its current stream entry (a request is in a queue once)
 *   `nas:queue:{Q}:index`     sorted set: every REF of the queue (kept duplicates too) by createdAt
 *
 * Taking spans a queue and a request: the stream hands an entry to one worker (XREADGROUP, or
 * XAUTOCLAIM for one held by another worker longer than `reclaimAfterMs`), then the request is
 * rewritten (version-checked) as taken by that worker. The stream decides who gets it, so two
 * workers never share one; an entry whose request has nothing to do is acknowledged and skipped.
 */

export const NAS_CONSUMER_GROUP = 'nas';

/** What the queue side needs of the request store. */
export interface NasQueueContext {
  redis: RedisClient;
  now(): number;
  reclaimAfterMs: number;
  retentionMs: number;
  logger?: RetentionLogger;
  queueKeys(queue: NasQueue): { stream: string; entries: string; index: string };
  /** The request and the version token its hash is at. */
  readWithVersion(reference: string): Promise<{ request: NasRequest; version: string } | undefined>;
  /** Rewrites the request if its hash is still at `version`. */
  replace(request: NasRequest, version: string): Promise<boolean>;
  /** Deletes the request's hash, idempotency and exclusive keys (three slots, three steps). */
  deleteRequest(request: NasRequest): Promise<void>;
  script(name: ScriptName, ...args: (string | number)[]): Promise<unknown>;
  call<T>(operation: string, run: () => Promise<T>): Promise<T>;
}

/** How many entries one take skips (requests with nothing to do) before it gives up for now. */
const MAX_SKIPS = 50;
/** Index entries read per round trip when listing or purging. */
const BATCH = 100;

export class RedisNasQueues {
  private readonly groups = new Set<NasQueue>();

  constructor(private readonly ctx: NasQueueContext) {}

  /** Indexes a request in its queue and, if a worker has something to do on it, adds it to the stream once. */
  async enqueue(request: NasRequest): Promise<void> {
    const keys = this.ctx.queueKeys(request.queue);
    const workable = isWorkable(request) ? 1 : 0;
    await this.ctx.script('nhscaNasEnqueueV2', keys.stream, keys.entries, keys.index, request.reference, request.createdAt, workable, NAS_CONSUMER_GROUP);
  }

  /** Takes a request off its queue's stream (waiting for its requester, or finished). */
  async acknowledge(request: NasRequest, entryId = ''): Promise<void> {
    const keys = this.ctx.queueKeys(request.queue);
    await this.ctx.script('nhscaNasAcknowledgeV2', keys.stream, keys.entries, request.reference, NAS_CONSUMER_GROUP, entryId);
  }

  async take(queue: NasQueue, worker: string): Promise<NasRequest | undefined> {
    const name = checkedWorker(worker);
    return (await this.reclaim(queue, name)) ?? this.takeNew(queue, name);
  }

  async reclaim(queue: NasQueue, worker: string): Promise<NasRequest | undefined> {
    const name = checkedWorker(worker);
    const { stream } = await this.ready(queue);
    for (let skipped = 0; skipped < MAX_SKIPS; skipped++) {
      const reply = (await this.ctx.call('reclaim', () =>
        this.ctx.redis.xautoclaim(stream, NAS_CONSUMER_GROUP, name, this.ctx.reclaimAfterMs, '0-0', 'COUNT', 1),
      )) as [string, [string, string[] | null][]];
      const entry = reply[1]?.[0];
      if (!entry) return undefined;
      const taken = await this.assign(queue, entry[0], referenceIn(entry[1]), name);
      if (taken) return taken;
    }
    return undefined;
  }

  private async takeNew(queue: NasQueue, worker: string): Promise<NasRequest | undefined> {
    const { stream } = await this.ready(queue);
    for (let skipped = 0; skipped < MAX_SKIPS; skipped++) {
      const reply = (await this.ctx.call('take', () =>
        this.ctx.redis.xreadgroup('GROUP', NAS_CONSUMER_GROUP, worker, 'COUNT', 1, 'STREAMS', stream, '>'),
      )) as [string, [string, string[]][]][] | null;
      const entry = reply?.[0]?.[1]?.[0];
      if (!entry) return undefined;
      const taken = await this.assign(queue, entry[0], referenceIn(entry[1]), worker);
      if (taken) return taken;
    }
    return undefined;
  }

  /** The entry is this worker's now: mark its request taken, or acknowledge it if there is nothing to do. */
  private async assign(queue: NasQueue, entryId: string, reference: string | undefined, worker: string): Promise<NasRequest | undefined> {
    const keys = this.ctx.queueKeys(queue);
    // An entry left behind when its request stopped waiting in the queue before anyone took it
    // (it went to waitingForRequester, then came back under a new entry): not the request's entry.
    const live = reference ? await this.ctx.call('take', () => this.ctx.redis.hget(keys.entries, reference)) : null;
    for (let round = 0; round < MAX_SKIPS; round++) {
      const stored = reference && live === entryId ? await this.ctx.readWithVersion(reference) : undefined;
      const taken = stored && stored.request.queue === queue ? takenBy(stored.request, worker, this.ctx.now()) : undefined;
      if (!stored || !taken) {
        await this.ctx.script('nhscaNasAcknowledgeV2', keys.stream, keys.entries, reference ?? '', NAS_CONSUMER_GROUP, entryId);
        return undefined;
      }
      if (await this.ctx.replace(taken, stored.version)) return taken;
    }
    throw new Error(`NAS request ${reference} kept changing while being taken`);
  }

  async list(filter?: NasRequestFilter, paging?: NasPaging): Promise<NasRequestPage> {
    const checked = checkedFilter(filter);
    const { limit, cursor } = checkedPaging(paging);
    const sources = checked.queues.map((q) => this.descending(this.ctx.queueKeys(q).index, cursor));
    const heads = await Promise.all(sources.map((s) => s.next()));
    const requests: NasRequest[] = [];
    while (requests.length < limit) {
      // The newest of the queues' next entries, one at a time, loaded in small parallel runs.
      const run: ListPosition[] = [];
      while (run.length < Math.min(limit - requests.length + 5, BATCH)) {
        let best = -1;
        heads.forEach((h, i) => {
          if (!h.done && (best < 0 || newestFirst(h.value, (heads[best] as IteratorYieldResult<ListPosition>).value) < 0)) best = i;
        });
        if (best < 0) break;
        run.push((heads[best] as IteratorYieldResult<ListPosition>).value);
        heads[best] = await sources[best]!.next();
      }
      if (!run.length) break;
      const loaded = await Promise.all(run.map((p) => this.ctx.readWithVersion(p.reference)));
      for (const stored of loaded) {
        if (stored && matchesFilter(stored.request, checked) && requests.length < limit) requests.push(stored.request);
      }
    }
    const last = requests.at(-1);
    return requests.length === limit && last ? { requests, nextCursor: encodeCursor(last) } : { requests };
  }

  /** A queue's index from `cursor` on, newest first (ties by reference, descending). */
  private async *descending(index: string, cursor: ListPosition | undefined): AsyncGenerator<ListPosition> {
    let max = cursor ? String(cursor.createdAt) : '+inf';
    let offset = 0; // entries already seen at score `max`
    for (;;) {
      const flat = await this.ctx.call('list', () => this.ctx.redis.zrange(index, max, '-inf', 'BYSCORE', 'REV', 'LIMIT', offset, BATCH, 'WITHSCORES'));
      const batch: ListPosition[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) batch.push({ reference: flat[i]!, createdAt: Number(flat[i + 1]) });
      for (const item of batch) {
        if (!cursor || newestFirst(cursor, item) < 0) yield item;
      }
      if (batch.length < BATCH) return;
      const lastScore = batch.at(-1)!.createdAt;
      const atLast = batch.filter((b) => b.createdAt === lastScore).length;
      offset = String(lastScore) === max ? offset + batch.length : atLast;
      max = String(lastScore);
    }
  }

  async purgeExpired(): Promise<{ deleted: string[] }> {
    const cutoff = this.ctx.now() - this.ctx.retentionMs;
    const deleted: string[] = [];
    for (const queue of ['care', 'dental'] as const) {
      const keys = this.ctx.queueKeys(queue);
      let offset = 0;
      for (;;) {
        const refs = await this.ctx.call('purge', () => this.ctx.redis.zrangebyscore(keys.index, '-inf', `(${cutoff}`, 'LIMIT', offset, BATCH));
        if (!refs.length) break;
        for (const reference of refs) {
          const stored = await this.ctx.readWithVersion(reference);
          if (stored && !isExpired(stored.request, cutoff)) {
            offset += 1; // still pending (or changed lately): kept
            continue;
          }
          if (stored) {
            await this.ctx.deleteRequest(stored.request);
            deleted.push(reference);
            const { request } = stored;
            this.ctx.logger?.info({ reference, kind: request.kind, status: request.status, updatedAt: request.updatedAt }, 'NAS request deleted: retention period over');
          }
          await this.ctx.script('nhscaNasForgetV2', keys.stream, keys.entries, keys.index, reference, NAS_CONSUMER_GROUP);
        }
      }
      // Stream entries older than the retention period go too (their requests are finished or gone).
      await this.ctx.call('purge', () => this.ctx.redis.xtrim(keys.stream, 'MINID', `${Math.max(0, cutoff)}-0`));
    }
    return { deleted };
  }

  /** The queue's stream and consumer group exist (created once per instance). */
  private async ready(queue: NasQueue): Promise<{ stream: string }> {
    const { stream } = this.ctx.queueKeys(queue);
    if (!this.groups.has(queue)) {
      await this.ctx.call('group', async () => {
        try {
          await this.ctx.redis.xgroup('CREATE', stream, NAS_CONSUMER_GROUP, '0', 'MKSTREAM');
        } catch (err) {
          if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
        }
      });
      this.groups.add(queue);
    }
    return { stream };
  }
}

function referenceIn(fields: string[] | null | undefined): string | undefined {
  if (!fields) return undefined;
  const at = fields.indexOf('reference');
  return at >= 0 ? fields[at + 1] : undefined;
}
