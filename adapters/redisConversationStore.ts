import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { createRedis, CreateRedisOptions, durableScript, RedisClient, waitUntilReady } from './redis';
import {
  BeginOptions,
  CommitOutcome,
  ConflictError,
  ConversationBusyError,
  ConversationStore,
  ConversationStoreOptions,
  DEFAULT_LEASE_MS,
  DEFAULT_OUTCOME_CHECK_MS,
  DEFAULT_QUEUE_MAX,
  DEFAULT_RATE,
  DEFAULT_WAIT_MS,
  QueueFullError,
  RateLimitedError,
  StoredConversation,
  StoreUnavailableError,
  TurnLease,
} from './conversationStore';
import { ScriptName, SCRIPTS } from './redisConversationScripts';
import { ScriptFn, unavailable } from './redisCalls';

/**
 * Conversation state in Redis, shared by every bot process.
 *
 * Per conversation key K (every key carries the hash tag `{K}`, so they share one Cluster slot
 * and one Lua script may touch them together):
 *
 *   `${prefix}{K}:state`  string: header `etag \t tokens \t at`, newline, the engine's data; PX
 *                         `ttlMs`, refreshed on every commit. tokens/at: the rate-limit bucket.
 *   `${prefix}{K}:lease`  string: the holder's token (+ `+` once others wait), PX `leaseMs`. A
 *                         holder whose process died is passed over once its lease runs out.
 *   `${prefix}{K}:queue`  list of waiting turns' tokens, in arrival order (at most `queueMax`).
 *   `${prefix}{K}:wake`   pub/sub channel: the token of the turn just handed the conversation.
 *
 * Every transition is one Lua script (adapters/redisConversationScripts.ts). An uncontended turn
 * is two round trips and 8 commands counted by Redis: begin (EVALSHA, EXISTS, SET NX, GET) and
 * commit (EVALSHA, GET, SET, DEL). A turn that has to wait subscribes to the wake channel and
 * is told when it is its turn; it checks by itself only when the holder's lease runs out (the
 * holder died) or, as a safety net for a lost message, every `pollMs`.
 */

export interface RedisConversationStoreOptions extends ConversationStoreOptions {
  /** Prefix of every key this store touches. Default `nhsca:`. */
  keyPrefix?: string;
  /**
   * A waiting turn is told on the wake channel when it is its turn; it also asks by itself this
   * often, in case a message was lost (a reconnect). Default 1 000 ms.
   */
  pollMs?: number;
  /** The clock for rate limits (ms since the epoch). Default Date.now. */
  now?: () => number;
  /** Quit the client on `close()`. Default false: whoever created the client quits it. */
  ownsClient?: boolean;
}

export const DEFAULT_KEY_PREFIX = 'nhsca:';

/**
 * Scripts whose result the user is told: the commit, the check of a commit that timed out (it
 * must not say "saved" of a write a failover may still lose), and "delete my data".
 */
const DURABLE = new Set<ScriptName>(['nhscaConvCommitV2', 'nhscaConvOutcomeV2', 'nhscaConvEraseV2']);
export const DEFAULT_POLL_MS = 1_000;

/**
 * A client for one Redis node at `url`, with the behaviour every topology shares (fail fast while
 * Redis is away, never replay a script, reconnect for ever): see adapters/redis.ts, which also
 * makes Cluster and Sentinel clients.
 */
export function createRedisClient(url: string, options: CreateRedisOptions = {}): Redis {
  return createRedis(url, options) as Redis;
}

export { waitUntilReady };

export interface ConversationKeys {
  state: string;
  queue: string;
  lease: string;
  wake: string;
}

/** How often `commitOutcome` asks again while Redis cannot be reached. */
const OUTCOME_RETRY_MS = 200;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

type Reply = (string | number)[];

/** A stored string as the engine's data and its etag ('' data and no header: nothing stored). */
function parseState(raw: string): StoredConversation | null {
  if (raw === '') return null;
  const newline = raw.indexOf('\n');
  const header = raw.slice(0, newline);
  return { etag: header.split('\t')[0]!, data: raw.slice(newline + 1) };
}

interface WakeChannel {
  listeners: Set<(token: string) => void>;
  subscribed: Promise<unknown>;
}

export class RedisConversationStore implements ConversationStore {
  /** Commands this store sent to Redis (one round trip each), for benchmarks and tests. */
  roundTrips = 0;

  private readonly ttlMs: number;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly outcomeCheckMs: number;
  private readonly pollMs: number;
  private readonly queueTtlMs: number;
  private readonly queueMax: number;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly keyPrefix: string;
  private readonly ownsClient: boolean;
  private readonly now: () => number;
  /** Each open lease's rate-limit bucket after its turn, written back by commit. */
  private readonly buckets = new WeakMap<TurnLease, { tokens: string; at: number }>();
  private subscriber?: Promise<RedisClient>;
  private readonly channels = new Map<string, WakeChannel>();

  constructor(
    private readonly redis: RedisClient,
    options: RedisConversationStoreOptions,
  ) {
    this.ttlMs = Math.max(1, Math.ceil(options.ttlMs));
    this.leaseMs = Math.max(1, Math.ceil(options.leaseMs ?? DEFAULT_LEASE_MS));
    this.waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    this.outcomeCheckMs = options.outcomeCheckMs ?? DEFAULT_OUTCOME_CHECK_MS;
    this.pollMs = Math.max(1, options.pollMs ?? DEFAULT_POLL_MS);
    this.queueMax = Math.max(0, Math.floor(options.queueMax ?? DEFAULT_QUEUE_MAX));
    const rate = options.rate ?? DEFAULT_RATE;
    this.burst = rate.perMinute > 0 ? Math.max(1, rate.burst) : 0;
    this.perMs = rate.perMinute > 0 ? rate.perMinute / 60_000 : 0;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.ownsClient = options.ownsClient ?? false;
    this.now = options.now ?? Date.now;
    // Long enough that no live turn (holding, or waiting up to waitMs) ever loses the queue;
    // short enough that a queue abandoned by dead processes disappears soon after.
    this.queueTtlMs = Math.ceil(this.waitMs + 2 * this.leaseMs + 1_000);
    for (const [name, definition] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, definition);
    }
  }

  /** The Redis keys (and wake channel) of one conversation. */
  keysFor(key: string): ConversationKeys {
    const base = `${this.keyPrefix}{${key}}`;
    return { state: `${base}:state`, queue: `${base}:queue`, lease: `${base}:lease`, wake: `${base}:wake` };
  }

  /** What is stored for a conversation, without taking part in its turns (for tests and tools). */
  async read(key: string): Promise<StoredConversation | null> {
    const { state } = this.keysFor(key);
    const type = await this.call('read', () => this.redis.type(state));
    if (type === 'hash') {
      const { data, etag } = await this.call('read', () => this.redis.hgetall(state));
      return data !== undefined && etag !== undefined ? { data, etag } : null;
    }
    const raw = await this.call('read', () => this.redis.get(state));
    return raw === null ? null : parseState(raw);
  }

  async begin(key: string, options: BeginOptions = {}): Promise<TurnLease> {
    const token = randomUUID();
    const keys = this.keysFor(key);
    const started = Date.now();
    const consume = options.limited === false ? 0 : 1;
    try {
      let reply = await this.script('nhscaConvBeginV2', keys, token, this.queueMax, ...this.turnArgs(consume));
      if (Number(reply[0]) === 0) reply = await this.waitForTurn(key, keys, token, started, Number(reply[1]), consume);
      return this.leaseFrom(key, token, reply);
    } catch (err) {
      if (err instanceof ConversationBusyError || err instanceof RateLimitedError) throw err;
      // Leave the queue if we got into it, so we do not hold up later turns (best effort: while
      // Redis is away this fails too, and the lease bounds the damage).
      void this.release({ key, token, stored: null });
      throw err;
    }
  }

  async commit(lease: TurnLease, data: string): Promise<string> {
    const keys = this.keysFor(lease.key);
    const bucket = this.buckets.get(lease);
    // The etag is the committing turn's token: random, so unique even across state expiry.
    const header = `${lease.token}\t${bucket?.tokens ?? ''}\t${bucket?.at ?? ''}`;
    const written = await this.script('nhscaConvCommitV2', keys, lease.token, header, data, this.ttlMs, this.leaseMs, this.queueTtlMs);
    if (Number(written) !== 1) throw new ConflictError();
    return lease.token;
  }

  async commitOutcome(lease: TurnLease): Promise<CommitOutcome> {
    const keys = this.keysFor(lease.key);
    const deadline = Date.now() + this.outcomeCheckMs;
    for (;;) {
      try {
        const saved = await this.script('nhscaConvOutcomeV2', keys, lease.token, this.leaseMs, this.queueTtlMs, this.ttlMs);
        return Number(saved) === 1 ? 'saved' : 'notSaved';
      } catch {
        // Redis away (reconnecting) or still busy: ask again until the deadline.
        if (Date.now() + OUTCOME_RETRY_MS > deadline) return 'unknown';
        await sleep(OUTCOME_RETRY_MS);
      }
    }
  }

  async erase(lease: TurnLease): Promise<void> {
    const erased = await this.script('nhscaConvEraseV2', this.keysFor(lease.key), lease.token, this.leaseMs, this.queueTtlMs);
    if (Number(erased) !== 1) throw new ConflictError();
  }

  async release(lease: TurnLease): Promise<void> {
    try {
      await this.script('nhscaConvReleaseV2', this.keysFor(lease.key), lease.token, this.leaseMs, this.queueTtlMs);
    } catch {
      // Never throws: a turn that cannot be released is passed over once its lease runs out.
    }
  }

  async ping(): Promise<void> {
    this.roundTrips++;
    await this.call('ping', () => this.redis.ping());
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) {
      const client = await subscriber.catch(() => undefined);
      if (client?.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client?.disconnect();
    }
    if (!this.ownsClient) return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  /** leaseMs, queueTtlMs, ttlMs, now, tokens per ms, burst, consume: what begin and tryAcquire need. */
  private turnArgs(consume: number): (string | number)[] {
    return [this.leaseMs, this.queueTtlMs, this.ttlMs, this.now(), this.perMs, this.burst, consume];
  }

  private leaseFrom(key: string, token: string, reply: Reply): TurnLease {
    const code = Number(reply[0]);
    if (code === 2) throw new QueueFullError();
    if (code === 3) throw new RateLimitedError(Math.max(1, Number(reply[1])));
    const lease: TurnLease = { key, token, stored: parseState(String(reply[1])) };
    if (this.burst > 0) this.buckets.set(lease, { tokens: String(reply[2]), at: this.now() });
    return lease;
  }

  /**
   * Waits to be told (on the wake channel) that this turn holds the conversation, asking by
   * itself when the holder's lease runs out or every `pollMs`; gives up after `waitMs`.
   */
  private async waitForTurn(key: string, keys: ConversationKeys, token: string, started: number, leaseLeftMs: number, consume: number): Promise<Reply> {
    let told = false;
    let wake: (() => void) | undefined;
    const stop = await this.listen(keys.wake, (holder) => {
      if (holder !== token) return;
      told = true;
      wake?.();
    });
    try {
      let left = leaseLeftMs;
      for (;;) {
        // Asked at once after subscribing too: the hand-over may have come before the subscription.
        told = false;
        const reply = await this.script('nhscaConvTryAcquireV2', keys, token, ...this.turnArgs(consume));
        if (Number(reply[0]) !== 0) return reply;
        left = Number(reply[1]);
        const remaining = this.waitMs - (Date.now() - started);
        if (remaining <= 0) {
          await this.release({ key, token, stored: null });
          throw new ConversationBusyError();
        }
        if (told) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, Math.min(left + 5, this.pollMs, remaining)));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      stop();
    }
  }

  /** Listens on a wake channel (one subscription per channel per process); returns how to stop. */
  private async listen(channel: string, listener: (token: string) => void): Promise<() => void> {
    const subscriber = await this.subscriberClient();
    let entry = this.channels.get(channel);
    if (!entry) {
      const created: WakeChannel = { listeners: new Set(), subscribed: subscriber.subscribe(channel) };
      entry = created;
      this.channels.set(channel, created);
      created.subscribed.catch(() => {
        if (this.channels.get(channel) === created) this.channels.delete(channel);
      });
    }
    entry.listeners.add(listener);
    const current = entry;
    const stop = () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || this.channels.get(channel) !== current) return;
      this.channels.delete(channel);
      void subscriber.unsubscribe(channel).catch(() => undefined);
    };
    try {
      await this.call('subscribe', () => current.subscribed);
    } catch (err) {
      stop();
      throw err;
    }
    return stop;
  }

  /** The connection waiting turns listen on (a subscribed connection can do nothing else). */
  private subscriberClient(): Promise<RedisClient> {
    if (!this.subscriber) {
      // Cluster or not, a connection of its own with the same options.
      const client: RedisClient = this.redis instanceof Cluster ? this.redis.duplicate() : this.redis.duplicate();
      client.on('error', () => undefined);
      client.on('message', (channel: string, token: string) => {
        for (const listener of this.channels.get(channel)?.listeners ?? []) listener(token);
      });
      const ready = waitUntilReady(client).then(() => client);
      ready.catch(() => {
        if (this.subscriber === ready) this.subscriber = undefined;
        client.disconnect();
      });
      this.subscriber = ready;
    }
    return this.call('subscriber', () => this.subscriber!);
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return run().catch((err: unknown) => {
      throw err instanceof StoreUnavailableError ? err : unavailable(operation, err);
    });
  }

  private async script(name: ScriptName, keys: ConversationKeys, ...args: (string | number)[]): Promise<Reply> {
    this.roundTrips++;
    const fn = (this.redis as unknown as Record<ScriptName, ScriptFn>)[name];
    try {
      // What the user is told is saved (or erased): with replicas, only once they have it.
      if (DURABLE.has(name)) return (await durableScript(this.redis, name, [keys.state, keys.queue, keys.lease, keys.wake, ...args])) as Reply;
      return (await fn.call(this.redis, keys.state, keys.queue, keys.lease, keys.wake, ...args)) as Reply;
    } catch (err) {
      throw unavailable(name, err);
    }
  }
}
