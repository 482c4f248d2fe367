import { randomBytes } from 'node:crypto';
import {
  DirectLineConversation,
  DirectLineState,
  DirectLineStateLimits,
  DirectLineStateOptions,
  OpenResult,
  ReadResult,
  resolveLimits,
  TokenAllowance,
} from './directLineState';
import { withId } from './memoryDirectLineState';
import { callRedis, RedisClient, runScript } from './redisCalls';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

/**
 * The Direct Line channel's state in Redis, shared by every bot instance.
 *
 * Per conversation C (both keys carry the hash tag `{dl:C}`: one Cluster slot, one script):
 *   `${prefix}{dl:C}:conversation`  hash: userId, locale, started, next, bytes, createdAt, lastSeen,
 *                                   ended ("1": ended on purpose, kept until it expires)
 *   `${prefix}{dl:C}:activities`    sorted set, score = watermark, member = "<watermark> <JSON>"
 * Both expire `ttlMs` after the conversation was last used; the scripts also compare `lastSeen`
 * with the caller's clock, so expiry does not depend on Redis's own timers alone.
 *
 * Across conversations, each in a slot of its own:
 *   `${prefix}dl:conversations`     sorted set of conversation ids by when they were last used
 *                                   (refreshed at most every `touchEveryMs`): the count, and the
 *                                   least recently used one to make room with
 *   `${prefix}dl:tokens:{H}`        hash { tokens, at }: the token bucket of client H
 *   `${prefix}dl:signing-key`       the key that signs tokens (made by whichever instance is first)
 *
 * Making room spans two slots, so it is two steps: the index script admits the new conversation
 * and names the one that goes, then that one's keys are deleted. A crash in between leaves an id in
 * the index with no conversation (it ages out, or is chosen to go, harmlessly).
 */

export interface RedisDirectLineStateOptions extends DirectLineStateOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
  /** How often, at most, using a conversation moves it up the index. Default 15 s. */
  touchEveryMs?: number;
}

/** Loads a conversation hash; drops it when expired by the caller's clock. Defines `load`. */
const LUA_LOAD = `
local function load(h, acts, now, ttl)
  local f = redis.call('HMGET', h, 'userId', 'locale', 'started', 'next', 'createdAt', 'lastSeen', 'ended')
  if not f[1] then return nil end
  if tonumber(f[6]) + ttl <= now then
    redis.call('DEL', h, acts)
    return nil
  end
  return f
end
local function reply(state, f, touched)
  return {state, f[1], f[2] or '', f[3] or '0', f[4] or '0', f[5], f[6], touched}
end
`;

/**
 * KEYS: conversation, activities. ARGV: now, ttl, userId, locale, touchEveryMs, create (0/1).
 * {'ended'} | {'absent'} | {'existing'|'created', userId, locale, started, next, createdAt, lastSeen, touched}
 */
const LUA_OPEN = `${LUA_LOAD}
local h, acts = KEYS[1], KEYS[2]
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local f = load(h, acts, now, ttl)
if f and f[7] == '1' then return {'ended'} end
if f then
  local touched = 0
  if ARGV[4] ~= '' and (not f[2] or f[2] == '') then
    redis.call('HSET', h, 'locale', ARGV[4])
    f[2] = ARGV[4]
  end
  if now - tonumber(f[6]) >= tonumber(ARGV[5]) then touched = 1 end
  redis.call('HSET', h, 'lastSeen', now)
  redis.call('PEXPIRE', h, ttl)
  redis.call('PEXPIRE', acts, ttl)
  f[6] = tostring(now)
  return reply('existing', f, touched)
end
if ARGV[6] ~= '1' then return {'absent'} end
redis.call('HSET', h, 'userId', ARGV[3], 'started', '0', 'next', 0, 'bytes', 0, 'createdAt', now, 'lastSeen', now)
if ARGV[4] ~= '' then redis.call('HSET', h, 'locale', ARGV[4]) end
redis.call('PEXPIRE', h, ttl)
return reply('created', {ARGV[3], ARGV[4], '0', '0', tostring(now), tostring(now)}, 1)
`;

/**
 * KEYS: index. ARGV: now, ttl, max, evictableAfterMs, id.
 * {'ok'} | {'full'} | {'evicted', victim id}. Expired ids are dropped first.
 */
const LUA_ADMIT = `
local idx = KEYS[1]
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', idx, '-inf', now - ttl)
if redis.call('ZSCORE', idx, ARGV[5]) or redis.call('ZCARD', idx) < tonumber(ARGV[3]) then
  redis.call('ZADD', idx, now, ARGV[5])
  return {'ok'}
end
local victim = redis.call('ZRANGEBYSCORE', idx, '-inf', now - tonumber(ARGV[4]), 'LIMIT', 0, 1)[1]
if not victim then return {'full'} end
redis.call('ZREM', idx, victim)
redis.call('ZADD', idx, now, ARGV[5])
return {'evicted', victim}
`;

/** KEYS: conversation, activities. ARGV: now, ttl. 1 the first time, else 0. */
const LUA_MARK_STARTED = `${LUA_LOAD}
local f = load(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]))
if not f or f[7] == '1' or f[3] == '1' then return 0 end
redis.call('HSET', KEYS[1], 'started', '1')
return 1
`;

/**
 * KEYS: conversation, activities. ARGV: now, ttl, JSON, maxCount, maxBytes.
 * The watermark, or -1 when there is no such conversation.
 */
const LUA_APPEND = `${LUA_LOAD}
local h, acts = KEYS[1], KEYS[2]
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local f = load(h, acts, now, ttl)
if not f or f[7] == '1' then return -1 end
local w = redis.call('HINCRBY', h, 'next', 1) - 1
redis.call('ZADD', acts, w, w .. ' ' .. ARGV[3])
local bytes = redis.call('HINCRBY', h, 'bytes', #ARGV[3])
local count = redis.call('ZCARD', acts)
local maxCount, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])
while count > 1 and (count > maxCount or bytes > maxBytes) do
  local oldest = redis.call('ZPOPMIN', acts, 1)[1]
  bytes = bytes - (#oldest - #string.match(oldest, '^%d+ '))
  count = count - 1
end
redis.call('HSET', h, 'bytes', bytes, 'lastSeen', now)
redis.call('PEXPIRE', h, ttl)
redis.call('PEXPIRE', acts, ttl)
return w
`;

/**
 * KEYS: conversation, activities. ARGV: now, ttl, watermark, touchEveryMs.
 * {'absent'} | {'ended'} | {'ahead', next} | {'read', next, touched, member…}
 */
const LUA_READ = `${LUA_LOAD}
local h, acts = KEYS[1], KEYS[2]
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local f = load(h, acts, now, ttl)
if not f then return {'absent'} end
if f[7] == '1' then return {'ended'} end
local nxt = tonumber(f[4] or '0')
if tonumber(ARGV[3]) > nxt then return {'ahead', nxt} end
local touched = 0
if now - tonumber(f[6]) >= tonumber(ARGV[4]) then
  touched = 1
  redis.call('HSET', h, 'lastSeen', now)
  redis.call('PEXPIRE', h, ttl)
  redis.call('PEXPIRE', acts, ttl)
end
local out = {'read', nxt, touched}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', acts, ARGV[3], '+inf')) do out[#out + 1] = m end
return out
`;

/** KEYS: conversation, activities. ARGV: now, ttl. Ends it: activities gone, marked until it expires. */
const LUA_END = `
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'ended', '1', 'lastSeen', ARGV[1], 'userId', redis.call('HGET', KEYS[1], 'userId') or '-')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS: bucket. ARGV: now, burst, tokens per ms. {1, 0} allowed | {0, retry after ms}. */
const LUA_TAKE_TOKEN = `
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local now, burst, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens = burst
if b[1] then tokens = math.min(burst, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * rate) end
if tokens < 1 then return {0, math.ceil((1 - tokens) / rate)} end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate) + 1000)
return {1, 0}
`;

/** KEYS: key. ARGV: a new random key. The key, made by the first caller. */
const LUA_SIGNING_KEY = `
local k = redis.call('GET', KEYS[1])
if k then return k end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`;

/** KEYS: index. ARGV: now, ttl. Conversations held. */
const LUA_COUNT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])
`;

const SCRIPTS = {
  nhscaDlOpenV1: { lua: LUA_OPEN, numberOfKeys: 2 },
  nhscaDlAdmitV1: { lua: LUA_ADMIT, numberOfKeys: 1 },
  nhscaDlMarkStartedV1: { lua: LUA_MARK_STARTED, numberOfKeys: 2 },
  nhscaDlAppendV1: { lua: LUA_APPEND, numberOfKeys: 2 },
  nhscaDlReadV1: { lua: LUA_READ, numberOfKeys: 2 },
  nhscaDlEndV1: { lua: LUA_END, numberOfKeys: 2 },
  nhscaDlTakeTokenV1: { lua: LUA_TAKE_TOKEN, numberOfKeys: 1 },
  nhscaDlSigningKeyV1: { lua: LUA_SIGNING_KEY, numberOfKeys: 1 },
  nhscaDlCountV1: { lua: LUA_COUNT, numberOfKeys: 1 },
} as const;

type Script = keyof typeof SCRIPTS;

export class RedisDirectLineState implements DirectLineState {
  readonly limits: DirectLineStateLimits;
  private readonly now: () => number;
  private readonly prefix: string;
  private readonly touchEveryMs: number;
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly redis: RedisClient,
    options: RedisDirectLineStateOptions = {},
  ) {
    this.limits = resolveLimits(options.limits);
    this.now = options.now ?? Date.now;
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.touchEveryMs = options.touchEveryMs ?? 15_000;
    for (const [name, script] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { lua: script.lua, numberOfKeys: script.numberOfKeys });
    }
  }

  /** The keys of one conversation (one slot). */
  keysOf(id: string): [string, string] {
    return [`${this.prefix}{dl:${id}}:conversation`, `${this.prefix}{dl:${id}}:activities`];
  }

  private get index(): string {
    return `${this.prefix}dl:conversations`;
  }

  private run(operation: string, script: Script, args: (string | number)[]): Promise<unknown> {
    return runScript(this.redis, `direct line ${operation}`, script, args);
  }

  async open(input: { id: string; userId: string; locale?: string }): Promise<OpenResult> {
    const keys = this.keysOf(input.id);
    const now = this.now();
    const { ttlMs } = this.limits;
    const args = (create: 0 | 1) => [...keys, now, ttlMs, input.userId, input.locale ?? '', this.touchEveryMs, create];
    let found = (await this.run('open', 'nhscaDlOpenV1', args(0))) as string[];
    if (found[0] === 'ended') return { outcome: 'ended' };
    if (found[0] === 'absent') {
      const admitted = (await this.run('admit', 'nhscaDlAdmitV1', [
        this.index,
        now,
        ttlMs,
        this.limits.maxConversations,
        this.limits.evictableAfterMs,
        input.id,
      ])) as string[];
      if (admitted[0] === 'full') return { outcome: 'full' };
      if (admitted[0] === 'evicted') await callRedis('direct line evict', () => this.redis.del(...this.keysOf(admitted[1]!)));
      found = (await this.run('open', 'nhscaDlOpenV1', args(1))) as string[];
      if (found[0] === 'ended') return { outcome: 'ended' };
    } else if (found[7] === '1' || String(found[7]) === '1') {
      // Used again after a while: move it up the index (a slot of its own, so a second step).
      await callRedis('direct line touch', () => this.redis.zadd(this.index, 'XX', now, input.id));
    }
    return { outcome: 'opened', conversation: toConversation(input.id, found), created: found[0] === 'created' };
  }

  async get(id: string): Promise<DirectLineConversation | undefined> {
    const [h] = this.keysOf(id);
    const f = await callRedis('direct line get', () =>
      this.redis.hmget(h, 'userId', 'locale', 'started', 'next', 'createdAt', 'lastSeen', 'ended'),
    );
    if (!f[0] || f[6] === '1' || Number(f[5]) + this.limits.ttlMs <= this.now()) return undefined;
    return toConversation(id, ['existing', ...f.slice(0, 6)] as string[]);
  }

  async markStarted(id: string): Promise<boolean> {
    return (await this.run('mark started', 'nhscaDlMarkStartedV1', [...this.keysOf(id), this.now(), this.limits.ttlMs])) === 1;
  }

  async append(id: string, activity: Record<string, unknown>): Promise<number | undefined> {
    const watermark = (await this.run('append', 'nhscaDlAppendV1', [
      ...this.keysOf(id),
      this.now(),
      this.limits.ttlMs,
      JSON.stringify(activity),
      this.limits.maxActivitiesPerConversation,
      this.limits.maxBytesPerConversation,
    ])) as number;
    return watermark < 0 ? undefined : watermark;
  }

  async read(id: string, watermark: number): Promise<ReadResult> {
    const now = this.now();
    const result = (await this.run('read', 'nhscaDlReadV1', [...this.keysOf(id), now, this.limits.ttlMs, watermark, this.touchEveryMs])) as (
      | string
      | number
    )[];
    const outcome = String(result[0]);
    if (outcome === 'absent' || outcome === 'ended') return { outcome };
    if (outcome === 'ahead') return { outcome, next: Number(result[1]) };
    if (Number(result[2]) === 1) await callRedis('direct line touch', () => this.redis.zadd(this.index, 'XX', now, id));
    const activities = (result.slice(3) as string[]).map((member) => {
      const space = member.indexOf(' ');
      const mark = Number(member.slice(0, space));
      return { watermark: mark, activity: withId(id, mark, member.slice(space + 1)) };
    });
    return { outcome: 'read', activities, next: Number(result[1]) };
  }

  async end(id: string): Promise<void> {
    await this.run('end', 'nhscaDlEndV1', [...this.keysOf(id), this.now(), this.limits.ttlMs]);
    await callRedis('direct line end', () => this.redis.zrem(this.index, id));
  }

  async takeToken(client: string): Promise<TokenAllowance> {
    const [allowed, retryAfterMs] = (await this.run('take token', 'nhscaDlTakeTokenV1', [
      `${this.prefix}dl:tokens:{${client}}`,
      this.now(),
      this.limits.tokenBurst,
      this.limits.tokensPerHour / 3_600_000,
    ])) as number[];
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs: retryAfterMs! };
  }

  signingKey(): Promise<Buffer> {
    this.key ??= this.run('signing key', 'nhscaDlSigningKeyV1', [`${this.prefix}dl:signing-key`, randomBytes(32).toString('base64')]).then(
      (value) => Buffer.from(String(value), 'base64'),
      (error: unknown) => {
        this.key = undefined;
        throw error;
      },
    );
    return this.key;
  }

  async count(): Promise<number> {
    return Number(await this.run('count', 'nhscaDlCountV1', [this.index, this.now(), this.limits.ttlMs]));
  }
}

/** A script's reply as a conversation: [state, userId, locale, started, next, createdAt, lastSeen]. */
function toConversation(id: string, f: (string | number | null)[]): DirectLineConversation {
  const locale = f[2] ? String(f[2]) : undefined;
  return {
    id,
    userId: String(f[1]),
    ...(locale ? { locale } : {}),
    started: String(f[3]) === '1',
    next: Number(f[4] ?? 0),
    createdAt: Number(f[5]),
    lastSeen: Number(f[6]),
  };
}
