import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  CommitOutcome,
  ConflictError,
  ConversationBusyError,
  ConversationStore,
  ConversationStoreOptions,
  DEFAULT_LEASE_MS,
  DEFAULT_OUTCOME_CHECK_MS,
  DEFAULT_WAIT_MS,
  StoreUnavailableError,
  TurnLease,
} from './conversationStore';
import { ScriptFn, unavailable } from './redisCalls';

/**
 * Conversation state in Redis, shared by every bot process.
 *
 * Per conversation key K (all three keys carry the hash tag `{K}`, so they share one Cluster slot
 * and one Lua script may touch them together):
 *
 *   `${prefix}{K}:state`  hash { data, etag }; sliding TTL (`ttlMs`), refreshed on every commit.
 *   `${prefix}{K}:queue`  list of turn tokens in arrival order; the head is the turn that holds
 *                         the conversation (or is about to: it has been handed the lease).
 *   `${prefix}{K}:lease`  string = token of the head, PX `leaseMs`. A head without a lease is
 *                         stale (its process died, or it stalled past its lease) and is skipped.
 *
 * Every transition happens inside one Lua script, so an uncontended turn costs two round trips:
 * `begin` (join the queue, take the lease, read the state) and `commit` (compare-and-set the
 * state, leave the queue, hand the lease to the next turn). A waiting turn polls every `pollMs`.
 */

export interface RedisConversationStoreOptions extends ConversationStoreOptions {
  /** Prefix of every key this store touches. Default `nhsca:`. */
  keyPrefix?: string;
  /** How often a waiting turn asks whether it is its turn yet. Default 15 ms. */
  pollMs?: number;
  /** Quit the client on `close()`. Default false: whoever created the client quits it. */
  ownsClient?: boolean;
}

export const DEFAULT_KEY_PREFIX = 'nhsca:';
export const DEFAULT_POLL_MS = 15;

/**
 * An ioredis client that fails fast while Redis is away (so a turn gets `StoreUnavailableError`
 * in a second or two instead of hanging) and keeps reconnecting for ever, so the bot recovers by
 * itself when Redis comes back.
 */
export function createRedisClient(url: string, options: { onError?: (err: Error) => void } = {}): Redis {
  const client = new Redis(url, {
    // Commands issued while disconnected fail at once instead of queueing up.
    enableOfflineQueue: false,
    // Turns of many conversations running at once share socket writes.
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    // Our scripts are not idempotent (RPUSH of a token): never replay one after a reconnect,
    // it may already have run. The caller sees an error and the turn is retried as a whole.
    autoResendUnfulfilledCommands: false,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
    // A socket that stops answering while commands are pending is torn down and reconnected.
    socketTimeout: 5_000,
    // Reconnect for ever, at most one second apart.
    retryStrategy: (times: number) => Math.min(times * 100, 1_000),
  });
  // Without a listener an 'error' event (ECONNREFUSED during an outage…) would crash the process.
  // Failures reach callers through their rejected commands; `onError` is for logging only (it
  // fires on every failed reconnection attempt, about once a second during an outage).
  client.on('error', (err: Error) => options.onError?.(err));
  return client;
}

/**
 * Resolves once the client is connected. With the offline queue disabled, commands sent before
 * the first connection is up fail at once, so wait for this at start-up.
 */
export function waitUntilReady(client: Redis, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new StoreUnavailableError(`Redis not ready after ${timeoutMs} ms (status: ${client.status})`));
    }, timeoutMs);
    client.once('ready', onReady);
  });
}

/** Shared by the scripts: leave the queue; when we were its head, hand the lease to the next. */
const LUA_LEAVE = `
local function leave(q, lease, token, leaseMs, queueTtlMs)
  if redis.call('LINDEX', q, 0) == token then
    redis.call('LPOP', q)
    local nxt = redis.call('LINDEX', q, 0)
    if nxt then
      redis.call('SET', lease, nxt, 'PX', leaseMs)
      redis.call('PEXPIRE', q, queueTtlMs)
    elseif redis.call('GET', lease) == token then
      redis.call('DEL', lease)
    end
  else
    redis.call('LREM', q, 0, token)
  end
end
`;

/**
 * Shared by begin and tryAcquire. Returns {1, found, data, etag} when `token` now holds the
 * conversation, {0} when it must wait.
 */
const LUA_ACQUIRE = `
local function acquire(state, q, lease, token, leaseMs, queueTtlMs)
  local head = redis.call('LINDEX', q, 0)
  if head ~= token and redis.call('EXISTS', lease) == 0 then
    -- The head has no lease: its turn died (or stalled past its lease, or a waiter that was
    -- handed the lease went away). Skip it, and give the new head a lease of its own so that
    -- it is protected while it notices (unless the new head is us).
    redis.call('LPOP', q)
    head = redis.call('LINDEX', q, 0)
    if head and head ~= token then
      redis.call('SET', lease, head, 'PX', leaseMs)
    end
  end
  redis.call('PEXPIRE', q, queueTtlMs)
  if head ~= token then
    return {0}
  end
  redis.call('SET', lease, token, 'PX', leaseMs)
  local s = redis.call('HMGET', state, 'data', 'etag')
  if s[1] and s[2] then
    return {1, 1, s[1], s[2]}
  end
  return {1, 0, '', ''}
end
`;

/** KEYS: state, queue, lease. ARGV: token, leaseMs, queueTtlMs. Join the queue, try to hold. */
const LUA_BEGIN = `${LUA_ACQUIRE}
redis.call('RPUSH', KEYS[2], ARGV[1])
return acquire(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
`;

/** KEYS: state, queue, lease. ARGV: token, leaseMs, queueTtlMs. Is it our turn yet? */
const LUA_TRY_ACQUIRE = `${LUA_ACQUIRE}
if not redis.call('LPOS', KEYS[2], ARGV[1]) then
  -- Our place is gone (we stalled past a handed-over lease and were skipped, or the queue
  -- expired): join again at the end rather than wait for ever.
  redis.call('RPUSH', KEYS[2], ARGV[1])
end
return acquire(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
`;

/**
 * KEYS: state, queue, lease. ARGV: token, expected etag ('' = none), data, ttlMs, leaseMs,
 * queueTtlMs. Writes only while this turn still heads the queue and nobody wrote since it began;
 * ends the turn either way. Returns 1 when written, 0 on conflict. (A turn whose lease ran out
 * may still commit if no other turn came in meanwhile; a conversation that expired during the
 * turn counts as changed, like in the memory store.)
 */
const LUA_COMMIT = `${LUA_LEAVE}
local state, q, lease, token = KEYS[1], KEYS[2], KEYS[3], ARGV[1]
local current = redis.call('HGET', state, 'etag') or ''
local ok = 0
if redis.call('LINDEX', q, 0) == token and current == ARGV[2] then
  -- The etag is the committing turn's token: random, so unique even across state expiry.
  redis.call('HSET', state, 'data', ARGV[3], 'etag', token)
  redis.call('PEXPIRE', state, ARGV[4])
  ok = 1
end
leave(q, lease, token, ARGV[5], ARGV[6])
return ok
`;

/** KEYS: queue, lease. ARGV: token, leaseMs, queueTtlMs. Ends the turn without writing. */
const LUA_RELEASE = `${LUA_LEAVE}
leave(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return 1
`;

/**
 * KEYS: state, queue, lease. ARGV: token, leaseMs, queueTtlMs. After a commit whose answer never
 * came: 1 when it was written (the etag is this turn's token); otherwise 0, and this turn leaves
 * the queue, so that commit (if it is still on its way) finds it is no longer the head and
 * cannot write. Sent on the same connection as the commit, so it runs after it.
 */
const LUA_OUTCOME = `${LUA_LEAVE}
if redis.call('HGET', KEYS[1], 'etag') == ARGV[1] then
  return 1
end
leave(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
return 0
`;

const SCRIPTS = {
  nhscaConvBeginV1: { lua: LUA_BEGIN, numberOfKeys: 3 },
  nhscaConvTryAcquireV1: { lua: LUA_TRY_ACQUIRE, numberOfKeys: 3 },
  nhscaConvCommitV1: { lua: LUA_COMMIT, numberOfKeys: 3 },
  nhscaConvReleaseV1: { lua: LUA_RELEASE, numberOfKeys: 2 },
  nhscaConvOutcomeV1: { lua: LUA_OUTCOME, numberOfKeys: 3 },
} as const;

type ScriptName = keyof typeof SCRIPTS;

export interface ConversationKeys {
  state: string;
  queue: string;
  lease: string;
}

/** How often `commitOutcome` asks again while Redis cannot be reached. */
const OUTCOME_RETRY_MS = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RedisConversationStore implements ConversationStore {
  /** Commands this store sent to Redis (one round trip each), for benchmarks and tests. */
  roundTrips = 0;

  private readonly ttlMs: number;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly outcomeCheckMs: number;
  private readonly pollMs: number;
  private readonly queueTtlMs: number;
  private readonly keyPrefix: string;
  private readonly ownsClient: boolean;

  constructor(
    private readonly redis: Redis,
    options: RedisConversationStoreOptions,
  ) {
    this.ttlMs = Math.max(1, Math.ceil(options.ttlMs));
    this.leaseMs = Math.max(1, Math.ceil(options.leaseMs ?? DEFAULT_LEASE_MS));
    this.waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    this.outcomeCheckMs = options.outcomeCheckMs ?? DEFAULT_OUTCOME_CHECK_MS;
    this.pollMs = Math.max(1, options.pollMs ?? DEFAULT_POLL_MS);
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.ownsClient = options.ownsClient ?? false;
    // Long enough that no live turn (holding, or waiting up to waitMs) ever loses the queue;
    // short enough that a queue abandoned by dead processes disappears soon after.
    this.queueTtlMs = Math.ceil(this.waitMs + 2 * this.leaseMs + 1_000);
    for (const [name, definition] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, definition);
    }
  }

  /** The Redis keys of one conversation. */
  keysFor(key: string): ConversationKeys {
    const base = `${this.keyPrefix}{${key}}`;
    return { state: `${base}:state`, queue: `${base}:queue`, lease: `${base}:lease` };
  }

  async begin(key: string): Promise<TurnLease> {
    const token = randomUUID();
    const { state, queue, lease } = this.keysFor(key);
    const started = Date.now();
    try {
      let reply = await this.script('nhscaConvBeginV1', state, queue, lease, token, this.leaseMs, this.queueTtlMs);
      while (Number(reply[0]) !== 1) {
        const remaining = this.waitMs - (Date.now() - started);
        if (remaining <= 0) {
          await this.release({ key, token, stored: null });
          throw new ConversationBusyError();
        }
        await sleep(Math.min(this.pollMs, remaining));
        reply = await this.script('nhscaConvTryAcquireV1', state, queue, lease, token, this.leaseMs, this.queueTtlMs);
      }
      const found = Number(reply[1]) === 1;
      return {
        key,
        token,
        stored: found ? { data: String(reply[2]), etag: String(reply[3]) } : null,
      };
    } catch (err) {
      if (err instanceof ConversationBusyError) throw err;
      // Leave the queue if we got into it, so we do not hold up later turns (best effort: while
      // Redis is away this fails too, and the lease bounds the damage).
      void this.release({ key, token, stored: null });
      throw err;
    }
  }

  async commit(lease: TurnLease, data: string): Promise<string> {
    const keys = this.keysFor(lease.key);
    const written = await this.script(
      'nhscaConvCommitV1',
      keys.state,
      keys.queue,
      keys.lease,
      lease.token,
      lease.stored?.etag ?? '',
      data,
      this.ttlMs,
      this.leaseMs,
      this.queueTtlMs,
    );
    if (Number(written) !== 1) throw new ConflictError();
    // The commit script stores the committing turn's token as the new etag.
    return lease.token;
  }

  async commitOutcome(lease: TurnLease): Promise<CommitOutcome> {
    const keys = this.keysFor(lease.key);
    const deadline = Date.now() + this.outcomeCheckMs;
    for (;;) {
      try {
        const saved = await this.script('nhscaConvOutcomeV1', keys.state, keys.queue, keys.lease, lease.token, this.leaseMs, this.queueTtlMs);
        return Number(saved) === 1 ? 'saved' : 'notSaved';
      } catch {
        // Redis away (reconnecting) or still busy: ask again until the deadline.
        if (Date.now() + OUTCOME_RETRY_MS > deadline) return 'unknown';
        await sleep(OUTCOME_RETRY_MS);
      }
    }
  }

  async release(lease: TurnLease): Promise<void> {
    const keys = this.keysFor(lease.key);
    try {
      await this.script('nhscaConvReleaseV1', keys.queue, keys.lease, lease.token, this.leaseMs, this.queueTtlMs);
    } catch {
      // Never throws: a turn that cannot be released is skipped once its lease runs out.
    }
  }

  async ping(): Promise<void> {
    this.roundTrips++;
    try {
      await this.redis.ping();
    } catch (err) {
      throw unavailable('ping', err);
    }
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private async script(name: 'nhscaConvCommitV1' | 'nhscaConvReleaseV1' | 'nhscaConvOutcomeV1', ...args: (string | number)[]): Promise<number>;
  private async script(name: ScriptName, ...args: (string | number)[]): Promise<(string | number)[]>;
  private async script(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    this.roundTrips++;
    const fn = (this.redis as unknown as Record<ScriptName, ScriptFn>)[name];
    try {
      return await fn.apply(this.redis, args);
    } catch (err) {
      throw unavailable(name, err);
    }
  }
}

