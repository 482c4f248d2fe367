import { callRedis, RedisClient, runScript } from './redisCalls';
import { NasRequestsOptions } from './memoryNasRequests';
import {
  ExistingRequestSummary,
  InvalidSubmissionError,
  isPendingStatus,
  NAS_REQUEST_KINDS,
  NasQueue,
  NasRequest,
  NasRequestKind,
  NasRequestOf,
  NasRequests,
  NasSubmission,
  SubmitResult,
  SubmittableKind,
} from './nasRequests';
import {
  checkedSubmission,
  fromStoredFields,
  isLegacyRecord,
  newReference,
  newRequest,
  normaliseReference,
  summaryOf,
  toStoredFields,
} from './nasRequestRecords';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

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

/** The consumer group NAS workers read a queue's stream with. */
export const NAS_CONSUMER_GROUP = 'nas';

/**
 * A holder of an exclusive key without a request after this long crashed between claiming it
 * and writing its request: the key is taken over (its own retry will then find a conflict).
 */
export const ABANDONED_CLAIM_MS = 60_000;

/**
 * KEYS: exclusive. ARGV: reference, kind, createdAt, channel, windowMs, now.
 * Returns {'claimed'}, {'mine'} (already held by this reference) or
 * {'held', reference, kind, createdAt, channel, pending, windowMs}.
 */
const LUA_CLAIM = `
local h = redis.call('HMGET', KEYS[1], 'reference', 'kind', 'createdAt', 'channel', 'pending', 'windowMs')
if h[1] then
  if h[1] == ARGV[1] then return {'mine'} end
  local window = math.max(tonumber(h[6]) or 0, tonumber(ARGV[5]))
  if h[5] == '1' or tonumber(ARGV[6]) < (tonumber(h[3]) or 0) + window then
    return {'held', h[1], h[2] or '', h[3] or '0', h[4] or '', h[5] or '0', h[6] or '0'}
  end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 'reference', ARGV[1], 'kind', ARGV[2], 'createdAt', ARGV[3], 'channel', ARGV[4],
  'windowMs', ARGV[5], 'pending', '1')
redis.call('PERSIST', KEYS[1])
return {'claimed'}
`;

/**
 * KEYS: exclusive. ARGV: reference, now, mode ('finished' | 'abandoned').
 * Lets go of the key if this reference holds it: a finished request keeps it until its window
 * ends (pending 0, expiring then); an abandoned claim is deleted. Returns 1 if it held the key.
 */
const LUA_RELEASE = `
if redis.call('HGET', KEYS[1], 'reference') ~= ARGV[1] then return 0 end
local endsAt = (tonumber(redis.call('HGET', KEYS[1], 'createdAt')) or 0) + (tonumber(redis.call('HGET', KEYS[1], 'windowMs')) or 0)
local now = tonumber(ARGV[2])
if ARGV[3] == 'abandoned' or now >= endsAt then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'pending', '0')
  redis.call('PEXPIRE', KEYS[1], endsAt - now)
end
return 1
`;

/**
 * KEYS: request. ARGV: idempotency key, then the request's fields and values.
 * Returns {'written', hash} | {'exists', hash} (already written for this idempotency key) |
 * {'taken'} (the reference belongs to another request: draw another).
 */
const LUA_WRITE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'idempotencyKey') == ARGV[1] then return {'exists', redis.call('HGETALL', KEYS[1])} end
  return {'taken'}
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return {'written', redis.call('HGETALL', KEYS[1])}
`;

/**
 * KEYS: stream, entries, index. ARGV: reference, createdAt, workable (1|0), consumer group.
 * Indexes the request and, if it is to be worked, adds it to the stream once.
 */
const LUA_ENQUEUE = `
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
if ARGV[3] == '1' and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  local made = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[4], '0', 'MKSTREAM')
  if type(made) == 'table' and made.err and not string.find(made.err, 'BUSYGROUP', 1, true) then return made end
  local id = redis.call('XADD', KEYS[1], '*', 'reference', ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], id)
end
return 1
`;

/** KEYS: idempotency. ARGV: old reference, new reference. Re-points the key; returns what it holds. */
const LUA_REPOINT = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return ARGV[2] end
return current
`;

const SCRIPTS = {
  nhscaNasClaimV2: { lua: LUA_CLAIM, numberOfKeys: 1 },
  nhscaNasReleaseV2: { lua: LUA_RELEASE, numberOfKeys: 1 },
  nhscaNasWriteV2: { lua: LUA_WRITE, numberOfKeys: 1 },
  nhscaNasEnqueueV2: { lua: LUA_ENQUEUE, numberOfKeys: 3 },
  nhscaNasRepointV2: { lua: LUA_REPOINT, numberOfKeys: 1 },
} as const;

type ScriptName = keyof typeof SCRIPTS;

/** How many times a submission goes round when what it found changed under it. */
const MAX_ROUNDS = 8;

/** A hash tag part: URI-encoded, so `{` and `}` inside it cannot end the tag early. */
const tag = (part: string) => `{${encodeURIComponent(part)}}`;

export class RedisNasRequests implements NasRequests {
  private readonly now: () => number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisNasRequestsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (/[{}]/.test(this.keyPrefix)) throw new Error('keyPrefix must not contain braces (they would change the hash tags)');
    for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
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
          await this.enqueue(stored);
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
      await this.enqueue(written);
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
    const fields = await this.call('legacy', () => this.redis.hgetall(this.requestKey(reference)));
    if (!isLegacyRecord(fields)) return undefined;
    const request = fromStoredFields(fields);
    return isPendingStatus(request.status) ? request : undefined;
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

  private async enqueue(request: NasRequest): Promise<void> {
    const keys = this.queueKeys(request.queue);
    const workable = isPendingStatus(request.status) ? 1 : 0;
    await this.script('nhscaNasEnqueueV2', keys.stream, keys.entries, keys.index, request.reference, request.createdAt, workable, NAS_CONSUMER_GROUP);
  }

  private async release(key: string, reference: string, mode: 'finished' | 'abandoned'): Promise<void> {
    await this.script('nhscaNasReleaseV2', this.exclusiveKeyFor(key), reference, this.now(), mode);
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
