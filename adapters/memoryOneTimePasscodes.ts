import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import {
  CurrentPasscode,
  FAILURE_WINDOW_MS,
  IssueResult,
  MAX_FAILED_VERIFICATIONS,
  OneTimePasscodes,
  OTP_ALPHABET,
  OTP_LENGTH,
  PasscodeChannel,
  VerifyResult,
} from './oneTimePasscodes';
import { afterIssue, currentPasscode, kept, PasscodeRecord, sendingDecision, verdict } from './passcodeRules';

/**
 * Rules shared by both passcode stores (this one and `RedisOneTimePasscodes`); the sending
 * limits and which passcodes are accepted are in `passcodeRules.ts`.
 *
 * - A passcode is 8 characters drawn with `crypto.randomInt` from `OTP_ALPHABET`, and is stored
 *   only as an scrypt hash with a random 16-byte salt of its own (the code space is only 2^40, so
 *   a fast hash would not survive a leaked dump; scrypt makes every guess cost ~50 ms and 16 MB).
 * - `issue` keeps the earlier passcodes: the last 3 are checked, each until it expires.
 * - `verify` normalises nothing: callers pass the code upper-cased without spaces or dashes. A
 *   lower-case code is simply wrong.
 * - Failures: at most `MAX_FAILED_VERIFICATIONS` per ODS code in any sliding `FAILURE_WINDOW_MS`.
 *   A failure at time t counts while now < t + window. With the limit reached, verification is
 *   locked (verify answers `locked` without looking at the code, even a right one) until enough
 *   failures have left the window. These count as failures: a wrong code, a code when none was
 *   issued (`none-issued`), and `recordFailure` (e.g. a wrong CQC contact ID). These do not: an
 *   expired passcode (answered `expired`: there is nothing left to guess), an attempt while
 *   locked (so the lock is never extended by hammering), a success.
 * - The attempt that uses up the last try answers `wrong` with `failuresLeft: 0`; `lockedUntil()`
 *   says until when.
 * - A success clears nothing: neither the failure history nor the passcode, which stays valid
 *   until it expires (a retried turn may verify again; the NAS request, submitted once, is what
 *   stops a second registration).
 * - An expired passcode is remembered for `keepExpiredMs` (default 30 days) after its expiry so
 *   that the user can be told when it expired; after that it is forgotten.
 * - ODS codes are trimmed and upper-cased for storage.
 */

export interface OneTimePasscodesOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
  /** scrypt cost N (a power of two, at most 16384 with r = 8). Default 16384. Tests may lower it. */
  hashCost?: number;
  /** How long an expired passcode is remembered after its expiry. Default 30 days. */
  keepExpiredMs?: number;
}

export const DEFAULT_HASH_COST = 16_384;
export const DEFAULT_KEEP_EXPIRED_MS = 30 * 24 * 60 * 60 * 1000;

/** How a passcode is stored: never the code itself. Binary values are base64. */
export interface PasscodeHash {
  alg: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  hash: string;
}

const SCRYPT_R = 8;
const SCRYPT_P = 1;
const HASH_BYTES = 32;

/** `length` characters drawn uniformly from `alphabet` with `crypto.randomInt`. */
export function randomString(length: number, alphabet: string = OTP_ALPHABET): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function scryptAsync(code: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(code, salt, HASH_BYTES, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

export async function hashPasscode(code: string, cost: number = DEFAULT_HASH_COST): Promise<PasscodeHash> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(code, salt, cost, SCRYPT_R, SCRYPT_P);
  return { alg: 'scrypt', N: cost, r: SCRYPT_R, p: SCRYPT_P, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

/** Whether `code` is the passcode behind `stored`; the comparison takes constant time. */
export async function passcodeMatches(code: string, stored: PasscodeHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = await scryptAsync(code, Buffer.from(stored.salt, 'base64'), stored.N, stored.r, stored.p);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function normaliseOdsCode(odsCode: string): string {
  return odsCode.trim().toUpperCase();
}

/**
 * Lock state from the failure times still in the window (ascending): locked until the failure
 * that keeps the count at the limit leaves the window.
 */
export function lockState(failureTimes: readonly number[]): { lockedUntil?: number; failuresLeft: number } {
  const n = failureTimes.length;
  if (n < MAX_FAILED_VERIFICATIONS) return { failuresLeft: MAX_FAILED_VERIFICATIONS - n };
  return { lockedUntil: failureTimes[n - MAX_FAILED_VERIFICATIONS] + FAILURE_WINDOW_MS, failuresLeft: 0 };
}

/** How many times verify starts again when the passcodes change while it is hashing. */
export const MAX_VERIFY_ATTEMPTS = 5;

/** The salt of the first record `code` matches (each hashed off the event loop), if any. */
export async function matchingSalt(records: readonly PasscodeRecord[], code: string, now: number): Promise<string | undefined> {
  for (const record of kept(records, now).reverse()) {
    if (await passcodeMatches(code, record.hash)) return record.hash.salt;
  }
  return undefined;
}

/** Passcodes in this process's memory (single instance; lost on restart). */
export class MemoryOneTimePasscodes implements OneTimePasscodes {
  private readonly records = new Map<string, PasscodeRecord[]>();
  /** Failure times per ODS code, ascending. */
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly hashCost: number;
  private readonly keepExpiredMs: number;

  constructor(options: OneTimePasscodesOptions = {}) {
    this.now = options.now ?? Date.now;
    this.hashCost = options.hashCost ?? DEFAULT_HASH_COST;
    this.keepExpiredMs = options.keepExpiredMs ?? DEFAULT_KEEP_EXPIRED_MS;
  }

  async issue(odsCode: string, options: { validForMs: number; channel: PasscodeChannel }): Promise<IssueResult> {
    const ods = normaliseOdsCode(odsCode);
    const before = sendingDecision(this.recordsOf(ods), options.channel, this.now());
    if (!before.ok) return before;
    const code = randomString(OTP_LENGTH);
    const hash = await hashPasscode(code, this.hashCost);
    // Decided again after hashing: another request may have been sent meanwhile.
    const issuedAt = this.now();
    const decision = sendingDecision(this.recordsOf(ods), options.channel, issuedAt);
    if (!decision.ok) return decision;
    const expiresAt = issuedAt + options.validForMs;
    const record = { hash, issuedAt, expiresAt, keepUntil: expiresAt + this.keepExpiredMs, channel: options.channel };
    this.records.set(ods, afterIssue(this.recordsOf(ods), record, issuedAt));
    return { ok: true, code, issuedAt, expiresAt };
  }

  async verify(odsCode: string, code: string): Promise<VerifyResult> {
    const ods = normaliseOdsCode(odsCode);
    for (let attempt = 1; ; attempt++) {
      const start = this.now();
      const early = lockState(this.failuresInWindow(ods, start));
      if (early.lockedUntil !== undefined) return { ok: false, reason: 'locked', lockedUntil: early.lockedUntil };
      const checked = this.records.get(ods);
      const salt = await matchingSalt(checked ?? [], code, start);

      // From here on nothing awaits, so the decision and the failure count are atomic: the lock
      // may have engaged, or a passcode been issued, while we were hashing.
      const now = this.now();
      const state = lockState(this.failuresInWindow(ods, now));
      if (state.lockedUntil !== undefined) return { ok: false, reason: 'locked', lockedUntil: state.lockedUntil };
      if (this.records.get(ods) !== checked && attempt < MAX_VERIFY_ATTEMPTS) continue;
      const result = verdict(this.recordsOf(ods), salt, now);
      if (result.outcome === 'ok') return { ok: true };
      if (result.outcome === 'expired') return { ok: false, reason: 'expired', expiredAt: result.expiredAt };
      return { ok: false, reason: result.outcome, failuresLeft: this.addFailure(ods, now) };
    }
  }
  async recordFailure(odsCode: string): Promise<{ locked: boolean; lockedUntil?: number; failuresLeft: number }> {
    const ods = normaliseOdsCode(odsCode);
    const now = this.now();
    const before = lockState(this.failuresInWindow(ods, now));
    if (before.lockedUntil !== undefined) return { locked: true, lockedUntil: before.lockedUntil, failuresLeft: 0 };
    this.addFailure(ods, now);
    const after = lockState(this.failuresInWindow(ods, now));
    return after.lockedUntil !== undefined
      ? { locked: true, lockedUntil: after.lockedUntil, failuresLeft: 0 }
      : { locked: false, failuresLeft: after.failuresLeft };
  }

  async lockedUntil(odsCode: string): Promise<number | undefined> {
    return lockState(this.failuresInWindow(normaliseOdsCode(odsCode), this.now())).lockedUntil;
  }

  async current(odsCode: string): Promise<CurrentPasscode | undefined> {
    return currentPasscode(this.recordsOf(normaliseOdsCode(odsCode)), this.now());
  }

  /** The kept records, forgetting those past their keeping time. */
  private recordsOf(ods: string): PasscodeRecord[] {
    const live = kept(this.records.get(ods) ?? [], this.now());
    if (live.length === 0) this.records.delete(ods);
    return live;
  }

  /** Drops failures that have left the window and returns the rest. */
  private failuresInWindow(ods: string, now: number): number[] {
    const times = (this.failures.get(ods) ?? []).filter((t) => t > now - FAILURE_WINDOW_MS);
    if (times.length) this.failures.set(ods, times);
    else this.failures.delete(ods);
    return times;
  }

  /** Counts a failure now; returns the failures left. */
  private addFailure(ods: string, now: number): number {
    const times = this.failuresInWindow(ods, now);
    times.push(now);
    times.sort((a, b) => a - b);
    this.failures.set(ods, times);
    return lockState(times).failuresLeft;
  }
}
