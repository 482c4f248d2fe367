import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis';
import { callRedis, runScript } from './redisCalls';
import {
  DEFAULT_HASH_COST,
  DEFAULT_KEEP_EXPIRED_MS,
  hashPasscode,
  lockState,
  normaliseOdsCode,
  OneTimePasscodesOptions,
  PasscodeHash,
  passcodeMatches,
  randomString,
} from './memoryOneTimePasscodes';
import {
  FAILURE_WINDOW_MS,
  IssuedPasscode,
  MAX_FAILED_VERIFICATIONS,
  OneTimePasscodes,
  OTP_LENGTH,
  VerifyResult,
} from './oneTimePasscodes';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

/**
 * Passcodes in Redis, shared by every bot process. Same rules as `MemoryOneTimePasscodes` (see
 * there). Per ODS code O (both keys carry the hash tag `{O}`, so one script may touch both):
 *
 *   `${prefix}otp:{O}`           hash { alg, N, r, p, salt, hash, issuedAt, expiresAt, keepUntil };
 *                                expires `keepExpiredMs` after the passcode does.
 *   `${prefix}otp-failures:{O}`  sorted set of failures scored by time; TTL = the window.
 *
 * Times come from the injected clock (passed to the scripts), not from Redis, so every instance
 * must have a synchronised clock (NTP), and the tests can use a fake one. Key TTLs are relative
 * (PEXPIRE, computed from that clock), and the scripts also compare times themselves.
 *
 * `verify` takes two round trips: read the salt (and whether locked), hash the code here
 * (scrypt runs off the event loop; the hashes are compared here in constant time), then one
 * script trims the window, re-checks the lock and that the passcode is still the one hashed, and
 * counts a failure — atomically, so concurrent attempts on any number of instances never get past
 * the limit.
 */

export interface RedisOneTimePasscodesOptions extends OneTimePasscodesOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
}

/** Trims the window; returns the count left and, when at the limit, the score that holds the lock. */
const LUA_WINDOW = `
local function window(failures, cutoff, max)
  redis.call('ZREMRANGEBYSCORE', failures, '-inf', cutoff)
  local n = redis.call('ZCARD', failures)
  if n >= max then
    local held = redis.call('ZRANGE', failures, n - max, n - max, 'WITHSCORES')
    return n, held[2]
  end
  return n, false
end
local function fail(failures, now, token, windowMs)
  redis.call('ZADD', failures, now, token)
  redis.call('PEXPIRE', failures, windowMs)
end
`;

/**
 * KEYS: otp, failures. ARGV: now, cutoff, max, windowMs, failure token, salt read ('' = none),
 * verdict ('match' | 'nomatch' | 'unchecked').
 * Returns {'locked', score} | {'none-issued', n} | {'expired', expiresAt} | {'retry'} | {'ok'} |
 * {'wrong', n}, n being the failures now in the window.
 */
const LUA_VERIFY = `${LUA_WINDOW}
local otp, failures = KEYS[1], KEYS[2]
local now, cutoff, max = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local n, held = window(failures, cutoff, max)
if held then return {'locked', held} end
local rec = redis.call('HMGET', otp, 'salt', 'expiresAt', 'keepUntil')
if not rec[1] or not rec[3] or now >= tonumber(rec[3]) then
  fail(failures, ARGV[1], ARGV[5], ARGV[4])
  return {'none-issued', tostring(n + 1)}
end
if now >= tonumber(rec[2]) then return {'expired', rec[2]} end
if rec[1] ~= ARGV[6] or ARGV[7] == 'unchecked' then return {'retry'} end
if ARGV[7] == 'match' then return {'ok'} end
fail(failures, ARGV[1], ARGV[5], ARGV[4])
return {'wrong', tostring(n + 1)}
`;

/**
 * KEYS: failures. ARGV: now, cutoff, max, windowMs, failure token.
 * Returns {counted (0|1), n, score holding the lock or ''}.
 */
const LUA_RECORD_FAILURE = `${LUA_WINDOW}
local failures = KEYS[1]
local max = tonumber(ARGV[3])
local n, held = window(failures, ARGV[2], max)
if held then return {0, n, held} end
fail(failures, ARGV[1], ARGV[5], ARGV[4])
n, held = window(failures, ARGV[2], max)
return {1, n, held or ''}
`;

const SCRIPTS = {
  nhscaOtpVerifyV1: { lua: LUA_VERIFY, numberOfKeys: 2 },
  nhscaOtpRecordFailureV1: { lua: LUA_RECORD_FAILURE, numberOfKeys: 1 },
} as const;

type ScriptName = keyof typeof SCRIPTS;

const MAX_VERIFY_ATTEMPTS = 5;

export class RedisOneTimePasscodes implements OneTimePasscodes {
  private readonly now: () => number;
  private readonly hashCost: number;
  private readonly keepExpiredMs: number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisOneTimePasscodesOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.hashCost = options.hashCost ?? DEFAULT_HASH_COST;
    this.keepExpiredMs = options.keepExpiredMs ?? DEFAULT_KEEP_EXPIRED_MS;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
  }

  /** The Redis keys of one ODS code. */
  keysFor(odsCode: string): { passcode: string; failures: string } {
    const ods = normaliseOdsCode(odsCode);
    return { passcode: `${this.keyPrefix}otp:{${ods}}`, failures: `${this.keyPrefix}otp-failures:{${ods}}` };
  }

  async issue(odsCode: string, validForMs: number): Promise<IssuedPasscode> {
    const code = randomString(OTP_LENGTH);
    const hash = await hashPasscode(code, this.hashCost);
    const issuedAt = this.now();
    const expiresAt = issuedAt + validForMs;
    const keepUntil = expiresAt + this.keepExpiredMs;
    const { passcode } = this.keysFor(odsCode);
    await this.call('issue', () =>
      this.redis
        .multi()
        .del(passcode)
        .hset(passcode, { ...hash, issuedAt, expiresAt, keepUntil })
        .pexpire(passcode, Math.max(1, keepUntil - issuedAt))
        .exec()
        .then(execResult),
    );
    return { code, issuedAt, expiresAt };
  }

  async verify(odsCode: string, code: string): Promise<VerifyResult> {
    const keys = this.keysFor(odsCode);
    for (let attempt = 1; attempt <= MAX_VERIFY_ATTEMPTS; attempt++) {
      const start = this.now();
      const [stored, failureCount] = await this.call('verify', () =>
        this.redis
          .pipeline()
          .hgetall(keys.passcode)
          .zcount(keys.failures, `(${start - FAILURE_WINDOW_MS}`, '+inf')
          .exec()
          .then(execResult),
      );
      const record = stored as Record<string, string>;
      let verdict: 'match' | 'nomatch' | 'unchecked' = 'nomatch';
      if (Number(failureCount) >= MAX_FAILED_VERIFICATIONS) {
        verdict = 'unchecked';
      } else if (record.salt && start < Number(record.expiresAt) && start < Number(record.keepUntil)) {
        verdict = (await passcodeMatches(code, storedHash(record))) ? 'match' : 'nomatch';
      }
      const now = this.now();
      const reply = (await this.script(
        'nhscaOtpVerifyV1',
        keys.passcode,
        keys.failures,
        now,
        now - FAILURE_WINDOW_MS,
        MAX_FAILED_VERIFICATIONS,
        FAILURE_WINDOW_MS,
        `${now}:${randomUUID()}`,
        record.salt ?? '',
        verdict,
      )) as string[];
      switch (reply[0]) {
        case 'ok':
          return { ok: true };
        case 'locked':
          return { ok: false, reason: 'locked', lockedUntil: Number(reply[1]) + FAILURE_WINDOW_MS };
        case 'expired':
          return { ok: false, reason: 'expired', expiredAt: Number(reply[1]) };
        case 'none-issued':
        case 'wrong':
          return { ok: false, reason: reply[0], failuresLeft: Math.max(0, MAX_FAILED_VERIFICATIONS - Number(reply[1])) };
        case 'retry':
          continue; // the lock lifted, or the passcode was replaced, between our read and the check
        default:
          throw new Error(`unexpected reply from the passcode script: ${String(reply[0])}`);
      }
    }
    throw new Error(`passcode for ${normaliseOdsCode(odsCode)} kept changing while being verified`);
  }

  async recordFailure(odsCode: string): Promise<{ locked: boolean; lockedUntil?: number; failuresLeft: number }> {
    const { failures } = this.keysFor(odsCode);
    const now = this.now();
    const reply = (await this.script(
      'nhscaOtpRecordFailureV1',
      failures,
      now,
      now - FAILURE_WINDOW_MS,
      MAX_FAILED_VERIFICATIONS,
      FAILURE_WINDOW_MS,
      `${now}:${randomUUID()}`,
    )) as (string | number)[];
    const held = String(reply[2] ?? '');
    if (held) return { locked: true, lockedUntil: Number(held) + FAILURE_WINDOW_MS, failuresLeft: 0 };
    return { locked: false, failuresLeft: Math.max(0, MAX_FAILED_VERIFICATIONS - Number(reply[1])) };
  }

  async lockedUntil(odsCode: string): Promise<number | undefined> {
    const { failures } = this.keysFor(odsCode);
    const now = this.now();
    const scored = await this.call('lockedUntil', () =>
      this.redis.zrangebyscore(failures, `(${now - FAILURE_WINDOW_MS}`, '+inf', 'WITHSCORES'),
    );
    const times = scored.filter((_, i) => i % 2 === 1).map(Number);
    return lockState(times).lockedUntil;
  }

  async current(odsCode: string): Promise<{ issuedAt: number; expiresAt: number } | undefined> {
    const { passcode } = this.keysFor(odsCode);
    const [issuedAt, expiresAt, keepUntil] = await this.call('current', () =>
      this.redis.hmget(passcode, 'issuedAt', 'expiresAt', 'keepUntil'),
    );
    if (issuedAt === null || expiresAt === null || keepUntil === null) return undefined;
    if (this.now() >= Number(keepUntil)) return undefined;
    return { issuedAt: Number(issuedAt), expiresAt: Number(expiresAt) };
  }

  private script(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return runScript(this.redis, `otp ${name}`, name, args);
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callRedis(`otp ${operation}`, run);
  }
}

function storedHash(record: Record<string, string>): PasscodeHash {
  return {
    alg: 'scrypt',
    N: Number(record.N),
    r: Number(record.r),
    p: Number(record.p),
    salt: record.salt,
    hash: record.hash,
  };
}

/** The replies of a MULTI or pipeline, throwing the first command error. */
function execResult(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('transaction aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
