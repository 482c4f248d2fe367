import { randomUUID } from 'node:crypto';
import { callRedis, RedisClient, runScript } from './redisCalls';
import {
  DEFAULT_HASH_COST,
  DEFAULT_KEEP_EXPIRED_MS,
  hashPasscode,
  lockState,
  matchingSalt,
  MAX_VERIFY_ATTEMPTS,
  normaliseOdsCode,
  OneTimePasscodesOptions,
  PasscodeHash,
  randomString,
} from './memoryOneTimePasscodes';
import {
  CurrentPasscode,
  FAILURE_WINDOW_MS,
  IssueResult,
  MAX_FAILED_VERIFICATIONS,
  OneTimePasscodes,
  OTP_LENGTH,
  PasscodeChannel,
  VerifyResult,
} from './oneTimePasscodes';
import { afterIssue, currentPasscode, PasscodeRecord, sendingDecision, verdict } from './passcodeRules';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

/**
 * Passcodes in Redis, shared by every bot process. Same rules as `MemoryOneTimePasscodes` (see
 * there and `passcodeRules.ts`). Per ODS code O (both keys carry the hash tag `{O}`, so one
 * script may touch both):
 *
 *   `${prefix}otp:{O}`           hash { records: JSON list of the last 3 passcodes (scrypt hash,
 *                                salt, issuedAt, expiresAt, keepUntil, channel), version: changes
 *                                on every issue }; expires when the last record is forgotten.
 *                                The first version's single passcode (fields alg, N, r, p, salt,
 *                                hash, issuedAt, expiresAt, keepUntil) is read as one record.
 *   `${prefix}otp-failures:{O}`  sorted set of failures scored by time; TTL = the window.
 *
 * Times come from the injected clock (passed to the scripts), not from Redis, so every instance
 * must have a synchronised clock (NTP), and the tests can use a fake one. Key TTLs are relative
 * (PEXPIRE, computed from that clock), and the scripts also compare times themselves.
 *
 * Both `issue` and `verify` read, decide here (hashing off the event loop; the sending limits
 * and the verdict are `passcodeRules.ts`), then write with one script that checks the records'
 * version is still the one read — atomically, so concurrent requests on any number of instances
 * never pass the sending limits or the failure limit — and go round again if it changed.
 */

export interface RedisOneTimePasscodesOptions extends OneTimePasscodesOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
}

/** The version of the records a key holds: the first version's hash is named by its salt. */
const LUA_VERSION = `
local function version(otp)
  local v = redis.call('HGET', otp, 'version')
  if v then return v end
  local salt = redis.call('HGET', otp, 'salt')
  if salt then return 'legacy:' .. salt end
  return ''
end
`;

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
 * KEYS: otp, failures. ARGV: now, cutoff, max, windowMs, failure token, version read, count (1|0).
 * Returns {'locked', score} | {'retry'} (the passcodes changed) | {'done', n}, n being the
 * failures now in the window (after counting this one when `count` is 1).
 */
const LUA_VERIFY = `${LUA_WINDOW}${LUA_VERSION}
local otp, failures = KEYS[1], KEYS[2]
local n, held = window(failures, ARGV[2], tonumber(ARGV[3]))
if held then return {'locked', held} end
if version(otp) ~= ARGV[6] then return {'retry'} end
if ARGV[7] == '1' then
  fail(failures, ARGV[1], ARGV[5], ARGV[4])
  n = n + 1
end
return {'done', tostring(n)}
`;

/**
 * KEYS: otp. ARGV: version read, new version, records JSON, ttlMs.
 * Replaces the records if they are still the ones read. Returns 1, or 0 to go round again.
 */
const LUA_ISSUE = `${LUA_VERSION}
if version(KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'records', ARGV[3], 'version', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
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
  nhscaOtpVerifyV2: { lua: LUA_VERIFY, numberOfKeys: 2 },
  nhscaOtpIssueV2: { lua: LUA_ISSUE, numberOfKeys: 1 },
  nhscaOtpRecordFailureV1: { lua: LUA_RECORD_FAILURE, numberOfKeys: 1 },
} as const;

type ScriptName = keyof typeof SCRIPTS;

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

  async issue(odsCode: string, options: { validForMs: number; channel: PasscodeChannel }): Promise<IssueResult> {
    const { passcode } = this.keysFor(odsCode);
    let hash: PasscodeHash | undefined;
    let code = '';
    for (let attempt = 1; attempt <= MAX_VERIFY_ATTEMPTS; attempt++) {
      const stored = await this.read(passcode);
      const decision = sendingDecision(stored.records, options.channel, this.now());
      if (!decision.ok) return decision;
      if (!hash) {
        code = randomString(OTP_LENGTH);
        hash = await hashPasscode(code, this.hashCost);
      }
      const issuedAt = this.now();
      const expiresAt = issuedAt + options.validForMs;
      const record: PasscodeRecord = { hash, issuedAt, expiresAt, keepUntil: expiresAt + this.keepExpiredMs, channel: options.channel };
      const records = afterIssue(stored.records, record, issuedAt);
      const ttl = Math.max(1, Math.max(...records.map((r) => r.keepUntil)) - issuedAt);
      const written = await this.script('nhscaOtpIssueV2', passcode, stored.version, randomUUID(), JSON.stringify(records), ttl);
      if (Number(written) === 1) return { ok: true, code, issuedAt, expiresAt };
    }
    throw new Error(`passcodes for ${normaliseOdsCode(odsCode)} kept changing while one was being issued`);
  }

  async verify(odsCode: string, code: string): Promise<VerifyResult> {
    const keys = this.keysFor(odsCode);
    for (let attempt = 1; attempt <= MAX_VERIFY_ATTEMPTS; attempt++) {
      const start = this.now();
      const [stored, failureCount] = await Promise.all([
        this.read(keys.passcode),
        this.call('verify', () => this.redis.zcount(keys.failures, `(${start - FAILURE_WINDOW_MS}`, '+inf')),
      ]);
      // Locked: answer without hashing (the script confirms the lock).
      const salt = failureCount >= MAX_FAILED_VERIFICATIONS ? undefined : await matchingSalt(stored.records, code, start);
      const now = this.now();
      const result = verdict(stored.records, salt, now);
      const counted = result.outcome === 'wrong' || result.outcome === 'none-issued';
      const reply = (await this.script(
        'nhscaOtpVerifyV2',
        keys.passcode,
        keys.failures,
        now,
        now - FAILURE_WINDOW_MS,
        MAX_FAILED_VERIFICATIONS,
        FAILURE_WINDOW_MS,
        `${now}:${randomUUID()}`,
        stored.version,
        counted ? 1 : 0,
      )) as string[];
      if (reply[0] === 'retry') continue; // a passcode was issued between our read and the check
      if (reply[0] === 'locked') return { ok: false, reason: 'locked', lockedUntil: Number(reply[1]) + FAILURE_WINDOW_MS };
      if (reply[0] !== 'done') throw new Error(`unexpected reply from the passcode script: ${String(reply[0])}`);
      if (failureCount >= MAX_FAILED_VERIFICATIONS) continue; // the lock lifted while we read: check the code
      if (result.outcome === 'ok') return { ok: true };
      if (result.outcome === 'expired') return { ok: false, reason: 'expired', expiredAt: result.expiredAt };
      return { ok: false, reason: result.outcome, failuresLeft: Math.max(0, MAX_FAILED_VERIFICATIONS - Number(reply[1])) };
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

  async current(odsCode: string): Promise<CurrentPasscode | undefined> {
    const { records } = await this.read(this.keysFor(odsCode).passcode);
    return currentPasscode(records, this.now());
  }

  /** The kept records and their version ('' when there are none). */
  private async read(key: string): Promise<{ records: PasscodeRecord[]; version: string }> {
    const fields = await this.call('read', () => this.redis.hgetall(key));
    return storedRecords(fields);
  }

  private script(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return runScript(this.redis, `otp ${name}`, name, args);
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callRedis(`otp ${operation}`, run);
  }
}

/**
 * The records of a passcode hash, in the current form or the first version's (one passcode in
 * flat fields, version `legacy:<salt>`). Unreadable records are an error naming the key.
 */
export function storedRecords(fields: Record<string, string>): { records: PasscodeRecord[]; version: string } {
  if (fields.records !== undefined) {
    let records: PasscodeRecord[];
    try {
      records = JSON.parse(fields.records) as PasscodeRecord[];
    } catch {
      throw new Error('stored passcodes cannot be read: records is not JSON');
    }
    if (!Array.isArray(records) || records.some((r) => !r?.hash?.salt || !Number.isFinite(r.issuedAt) || !Number.isFinite(r.expiresAt))) {
      throw new Error('stored passcodes cannot be read: records are not passcode records');
    }
    return { records, version: fields.version ?? '' };
  }
  if (fields.salt === undefined) return { records: [], version: '' };
  const hash: PasscodeHash = { alg: 'scrypt', N: Number(fields.N), r: Number(fields.r), p: Number(fields.p), salt: fields.salt, hash: fields.hash ?? '' };
  const record: PasscodeRecord = {
    hash,
    issuedAt: Number(fields.issuedAt),
    expiresAt: Number(fields.expiresAt),
    keepUntil: Number(fields.keepUntil ?? fields.expiresAt),
  };
  return { records: [record], version: `legacy:${fields.salt}` };
}
