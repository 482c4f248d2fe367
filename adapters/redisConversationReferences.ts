import type { RedisClient } from './redis';
import {
  ConversationReferences,
  ConversationReferencesOptions,
  KeptReference,
  SentActivity,
  userIndexKey,
} from './conversationReferences';
import { callRedis, runScript } from './redisCalls';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

/**
 * Conversation references in Redis, beside the conversation's state. For conversation key K (the
 * same hash tag `{K}` as its state, so one Cluster slot and "delete my data" reaches all of it):
 *   `${prefix}{K}:reference`  JSON { value, savedAt }
 *   `${prefix}{K}:sent`       hash tag → JSON { id, timestamp, at }: activities to update in place
 *   `${prefix}{K}:claims`     hash idempotency key → when claimed
 * and per person (hashed address H, a slot of its own):
 *   `${prefix}user:{H}:conversations`  sorted set of conversation keys by when saved
 * Each expires `ttlMs` after its last write; times are also compared with the caller's clock.
 */

export interface RedisConversationReferencesOptions extends ConversationReferencesOptions {
  keyPrefix?: string;
}

/** KEYS: claims. ARGV: id, now, ttl. 1 when claimed now, 0 when claimed before and still valid. */
const LUA_CLAIM = `
local at = redis.call('HGET', KEYS[1], ARGV[1])
if at and tonumber(at) + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

export class RedisConversationReferences implements ConversationReferences {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly prefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisConversationReferencesOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    redis.defineCommand('nhscaRefClaimV1', { lua: LUA_CLAIM, numberOfKeys: 1 });
  }

  private key(key: string, part: 'reference' | 'sent' | 'claims'): string {
    return `${this.prefix}{${key}}:${part}`;
  }

  private userKey(address: string): string {
    return `${this.prefix}user:{${userIndexKey(address)}}:conversations`;
  }

  async save(key: string, reference: KeptReference, addresses: readonly string[] = []): Promise<void> {
    const now = this.now();
    await callRedis('save reference', () => this.redis.set(this.key(key, 'reference'), JSON.stringify({ value: reference, savedAt: now }), 'PX', this.ttlMs));
    for (const address of addresses) {
      const index = this.userKey(address);
      await callRedis('index reference', async () => {
        await this.redis.zadd(index, now, key);
        await this.redis.zremrangebyscore(index, '-inf', now - this.ttlMs);
        await this.redis.pexpire(index, this.ttlMs);
      });
    }
  }

  async get(key: string): Promise<KeptReference | undefined> {
    const raw = await callRedis('get reference', () => this.redis.get(this.key(key, 'reference')));
    return this.fresh(raw);
  }

  async findByUser(address: string, channelId?: string): Promise<{ key: string; reference: KeptReference }[]> {
    const now = this.now();
    const keys = await callRedis('find references', () => this.redis.zrevrangebyscore(this.userKey(address), '+inf', `(${now - this.ttlMs}`));
    const found: { key: string; reference: KeptReference }[] = [];
    for (const key of keys) {
      const reference = await this.get(key);
      if (reference && (!channelId || reference.channelId === channelId)) found.push({ key, reference });
    }
    return found;
  }

  async rememberSent(key: string, tag: string, sent: SentActivity): Promise<void> {
    const hash = this.key(key, 'sent');
    await callRedis('remember sent', async () => {
      await this.redis.hset(hash, tag, JSON.stringify({ ...sent, at: this.now() }));
      await this.redis.pexpire(hash, this.ttlMs);
    });
  }

  async sent(key: string, tag: string): Promise<SentActivity | undefined> {
    const raw = await callRedis('get sent', () => this.redis.hget(this.key(key, 'sent'), tag));
    if (!raw) return undefined;
    try {
      const { id, timestamp, at } = JSON.parse(raw) as SentActivity & { at: number };
      if (typeof id !== 'string' || !(at + this.ttlMs > this.now())) return undefined;
      return { id, ...(typeof timestamp === 'string' ? { timestamp } : {}) };
    } catch {
      return undefined;
    }
  }

  async claim(key: string, id: string): Promise<boolean> {
    return (await runScript(this.redis, 'claim delivery', 'nhscaRefClaimV1', [this.key(key, 'claims'), id, this.now(), this.ttlMs])) === 1;
  }

  async unclaim(key: string, id: string): Promise<void> {
    await callRedis('unclaim delivery', () => this.redis.hdel(this.key(key, 'claims'), id));
  }

  async forget(key: string): Promise<void> {
    await callRedis('forget references', () => this.redis.del(this.key(key, 'reference'), this.key(key, 'sent'), this.key(key, 'claims')));
  }

  /** A stored reference still within its lifetime by the caller's clock. */
  private fresh(raw: string | null): KeptReference | undefined {
    if (!raw) return undefined;
    try {
      const { value, savedAt } = JSON.parse(raw) as { value: KeptReference; savedAt: number };
      return savedAt + this.ttlMs > this.now() ? value : undefined;
    } catch {
      return undefined;
    }
  }
}
