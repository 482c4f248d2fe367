import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../adapters/conversationStore';
import { hashPasscode, MemoryOneTimePasscodes } from '../../adapters/memoryOneTimePasscodes';
import {
  FAILURE_WINDOW_MS,
  MAX_FAILED_VERIFICATIONS,
  OneTimePasscodes,
  MAX_PASSCODES_PER_DAY,
  MIN_LETTER_INTERVAL_MS,
  MIN_PASSCODE_INTERVAL_MS,
  OTP_ALPHABET,
  OTP_LENGTH,
  PasscodeChannel,
} from '../../adapters/oneTimePasscodes';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { RedisOneTimePasscodes } from '../../adapters/redisOneTimePasscodes';
import { TestRedis, useTwoRedisClients } from '../helpers/redis';
import { FakeClock, fakeClock } from '../helpers/clock';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const CARE_VALID_MS = 21 * DAY;
const DENTAL_VALID_MS = 14 * DAY;
/** Cheap scrypt for the tests (the default, 16384, costs ~50 ms a hash). */
const TEST_HASH_COST = 1024;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const CODE_PATTERN = new RegExp(`^[${OTP_ALPHABET}]{${OTP_LENGTH}}$`);


/** A made-up ODS code of its own for each test. */
const newOdsCode = () => `V${randomBytes(3).toString('hex').toUpperCase()}`;

/** Issues a passcode that the sending limits allow (failing the test otherwise). */
async function send(store: OneTimePasscodes, odsCode: string, validForMs: number, channel: PasscodeChannel = 'email') {
  const issued = await store.issue(odsCode, { validForMs, channel });
  if (!issued.ok) throw new Error(`passcode refused: ${issued.reason} until ${new Date(issued.nextAllowedAt).toISOString()}`);
  return issued;
}

/** A wrong passcode: well-formed, and different from `code`. */
const wrongFor = (code: string) => (code === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA');

/**
 * What every OneTimePasscodes must do. `open` returns two instances over the same storage (for
 * Redis, two stores on two clients: two bot processes; in memory, the one store twice).
 */
export function describeOneTimePasscodesContract(
  name: string,
  open: (clock: FakeClock, options?: { hashCost?: number }) => [OneTimePasscodes, OneTimePasscodes],
): void {
  describe(`${name} (OneTimePasscodes contract)`, () => {
    let clock: FakeClock;
    let a: OneTimePasscodes;
    let b: OneTimePasscodes;
    let ods: string;

    beforeEach(() => {
      clock = fakeClock();
      [a, b] = open(clock, { hashCost: TEST_HASH_COST });
      ods = newOdsCode();
    });

    it('issues 8 characters from the alphabet, at random, valid for what the caller asks', async () => {
      const issued = await Promise.all(range(200).map(() => send(a, newOdsCode(), CARE_VALID_MS)));
      for (const passcode of issued) {
        expect(passcode.code).toMatch(CODE_PATTERN);
        expect(passcode.issuedAt).toBe(clock.t);
        expect(passcode.expiresAt).toBe(clock.t + CARE_VALID_MS);
      }
      const codes = issued.map((p) => p.code);
      // 2^40 possible codes: 200 draws all differ (a clash has odds of about 2 in 10^8)…
      expect(new Set(codes).size).toBe(200);
      // …and 1,600 characters use every one of the 32 (a miss has odds of about 10^-20).
      expect(new Set(codes.join('')).size).toBe(OTP_ALPHABET.length);
    });

    it('verifies the right code, from any instance, as often as asked until it expires', async () => {
      const { code } = await send(a, ods, CARE_VALID_MS);
      await expect(a.verify(ods, code)).resolves.toEqual({ ok: true });
      await expect(b.verify(ods, code)).resolves.toEqual({ ok: true });
      const current = {
        issuedAt: clock.t,
        expiresAt: clock.t + CARE_VALID_MS,
        channel: 'email',
        nextAllowedAt: clock.t + MIN_PASSCODE_INTERVAL_MS,
        nextAllowedAtBy: { email: clock.t + MIN_PASSCODE_INTERVAL_MS, post: clock.t + MIN_PASSCODE_INTERVAL_MS },
      };
      await expect(a.current(ods)).resolves.toEqual(current);
      await expect(b.current(ods)).resolves.toEqual(current);
    });

    it('normalises nothing: a lower-case code is wrong (callers upper-case it)', async () => {
      const { code } = await send(a, ods, CARE_VALID_MS);
      await expect(a.verify(ods, code.toLowerCase())).resolves.toEqual({ ok: false, reason: 'wrong', failuresLeft: 4 });
      await expect(a.verify(ods, `${code.slice(0, 4)}-${code.slice(4)}`)).resolves.toEqual({
        ok: false,
        reason: 'wrong',
        failuresLeft: 3,
      });
      await expect(a.verify(ods, code)).resolves.toEqual({ ok: true });
    });

    it('keeps organisations apart, and treats the ODS code case-insensitively', async () => {
      const other = newOdsCode();
      const mine = await send(a, ods, CARE_VALID_MS);
      const theirs = await send(a, other, CARE_VALID_MS);
      await expect(a.verify(other, mine.code)).resolves.toMatchObject({ ok: false, reason: 'wrong' });
      await expect(a.verify(ods, theirs.code)).resolves.toMatchObject({ ok: false, reason: 'wrong', failuresLeft: 4 });
      await expect(b.verify(ods.toLowerCase(), mine.code)).resolves.toEqual({ ok: true });
      await expect(b.current(` ${ods.toLowerCase()} `)).resolves.toMatchObject({
        issuedAt: mine.issuedAt,
        expiresAt: mine.expiresAt,
      });
    });

    it.each([
      ['a care provider', CARE_VALID_MS],
      ['a dental practice', DENTAL_VALID_MS],
    ])('expires for %s after the validity the caller chose, saying when, without counting a failure', async (_, validForMs) => {
      const { code, expiresAt } = await send(a, ods, validForMs);
      clock.advance(validForMs - 1);
      await expect(a.verify(ods, code)).resolves.toEqual({ ok: true });
      clock.advance(1);
      await expect(b.verify(ods, code)).resolves.toEqual({ ok: false, reason: 'expired', expiredAt: expiresAt });
      await expect(a.verify(ods, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'expired', expiredAt: expiresAt });
      // None of that counted.
      await expect(a.recordFailure(ods)).resolves.toEqual({ locked: false, failuresLeft: 4 });
      // Still known, so the user can be told when it expired…
      await expect(a.current(ods)).resolves.toMatchObject({ issuedAt: expiresAt - validForMs, expiresAt });
      clock.advance(30 * DAY - 1);
      await expect(b.verify(ods, code)).resolves.toEqual({ ok: false, reason: 'expired', expiredAt: expiresAt });
      await expect(a.current(ods)).resolves.toMatchObject({ issuedAt: expiresAt - validForMs, expiresAt });
      // …until 30 days after expiry (by then the failure above has left the window).
      clock.advance(1);
      await expect(a.current(ods)).resolves.toBeUndefined();
      await expect(a.verify(ods, code)).resolves.toEqual({ ok: false, reason: 'none-issued', failuresLeft: 4 });
    });

    it('says what was sent last, how, and when another may be sent each way', async () => {
      const start = clock.t;
      await send(a, ods, CARE_VALID_MS, 'post');
      await expect(b.current(ods)).resolves.toEqual({
        issuedAt: start,
        expiresAt: start + CARE_VALID_MS,
        channel: 'post',
        nextAllowedAt: start + MIN_LETTER_INTERVAL_MS,
        nextAllowedAtBy: { email: start + MIN_PASSCODE_INTERVAL_MS, post: start + MIN_LETTER_INTERVAL_MS },
      });
      clock.advance(MIN_PASSCODE_INTERVAL_MS);
      await send(b, ods, CARE_VALID_MS, 'email');
      await expect(a.current(ods)).resolves.toEqual({
        issuedAt: clock.t,
        expiresAt: clock.t + CARE_VALID_MS,
        channel: 'email',
        nextAllowedAt: clock.t + MIN_PASSCODE_INTERVAL_MS,
        nextAllowedAtBy: { email: clock.t + MIN_PASSCODE_INTERVAL_MS, post: start + MIN_LETTER_INTERVAL_MS },
      });
      // Once allowed, "next" is now.
      clock.advance(DAY);
      await expect(a.current(ods)).resolves.toMatchObject({ nextAllowedAt: clock.t, nextAllowedAtBy: { email: clock.t, post: clock.t } });
    });

    it('sends a new passcode no sooner than 15 minutes after the last, whichever way', async () => {
      const first = await send(a, ods, CARE_VALID_MS);
      clock.advance(MIN_PASSCODE_INTERVAL_MS - 1);
      for (const channel of ['email', 'post'] as const) {
        await expect(b.issue(ods, { validForMs: CARE_VALID_MS, channel })).resolves.toEqual({
          ok: false,
          reason: 'tooSoon',
          nextAllowedAt: first.issuedAt + MIN_PASSCODE_INTERVAL_MS,
        });
      }
      clock.advance(1);
      await expect(b.issue(ods, { validForMs: CARE_VALID_MS, channel: 'post' })).resolves.toMatchObject({ ok: true });
      // A refusal is not a passcode: the first is still the one before the letter.
      await expect(a.current(ods)).resolves.toMatchObject({ channel: 'post', issuedAt: clock.t });
    });

    it('posts a letter at most once a day; an email may follow a letter', async () => {
      const letter = await send(a, ods, DENTAL_VALID_MS, 'post');
      clock.advance(HOUR);
      await expect(b.issue(ods, { validForMs: DENTAL_VALID_MS, channel: 'post' })).resolves.toEqual({
        ok: false,
        reason: 'tooSoon',
        nextAllowedAt: letter.issuedAt + MIN_LETTER_INTERVAL_MS,
      });
      await send(b, ods, DENTAL_VALID_MS, 'email');
      clock.t = letter.issuedAt + MIN_LETTER_INTERVAL_MS;
      await send(a, ods, DENTAL_VALID_MS, 'post');
    });

    it('sends at most 3 passcodes in any 24 hours per organisation, across instances', async () => {
      const start = clock.t;
      for (const i of range(MAX_PASSCODES_PER_DAY)) {
        clock.t = start + i * HOUR;
        await send(i % 2 ? a : b, ods, CARE_VALID_MS);
      }
      clock.t = start + 5 * HOUR;
      await expect(a.issue(ods, { validForMs: CARE_VALID_MS, channel: 'email' })).resolves.toEqual({
        ok: false,
        reason: 'dailyLimit',
        nextAllowedAt: start + DAY,
      });
      await expect(b.current(ods)).resolves.toMatchObject({ nextAllowedAt: start + DAY });
      // Rolling: when the first leaves the 24 hours, one more; then the second's turn.
      clock.t = start + DAY;
      await send(b, ods, CARE_VALID_MS);
      clock.advance(MIN_PASSCODE_INTERVAL_MS);
      await expect(a.issue(ods, { validForMs: CARE_VALID_MS, channel: 'email' })).resolves.toEqual({
        ok: false,
        reason: 'dailyLimit',
        nextAllowedAt: start + HOUR + DAY,
      });
      // Another organisation has its own allowance.
      await send(a, newOdsCode(), CARE_VALID_MS);
    });

    it('sends exactly one passcode when "send it again" is pressed 10 times at once on two instances', async () => {
      const results = await Promise.all(range(10).map((i) => (i % 2 ? a : b).issue(ods, { validForMs: CARE_VALID_MS, channel: 'post' })));
      const sent = results.filter((r) => r.ok);
      expect(sent).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'tooSoon')).toHaveLength(9);
      await expect(a.verify(ods, (sent[0] as { code: string }).code)).resolves.toEqual({ ok: true });
    });

    it('accepts any of the last 3 passcodes that has not expired, so a letter in the post is not wasted', async () => {
      const start = clock.t;
      const letter = await send(a, ods, DENTAL_VALID_MS, 'post');
      clock.advance(MIN_PASSCODE_INTERVAL_MS);
      const email = await send(b, ods, CARE_VALID_MS, 'email');
      clock.advance(MIN_PASSCODE_INTERVAL_MS);
      const third = await send(a, ods, CARE_VALID_MS, 'email');
      for (const code of [letter.code, email.code, third.code]) await expect(b.verify(ods, code)).resolves.toEqual({ ok: true });
      // A fourth (the next day) pushes the letter out: its code is now simply wrong.
      clock.t = start + DAY;
      const fourth = await send(b, ods, CARE_VALID_MS, 'email');
      await expect(a.verify(ods, fourth.code)).resolves.toEqual({ ok: true });
      if (![email.code, third.code, fourth.code].includes(letter.code)) {
        await expect(a.verify(ods, letter.code)).resolves.toEqual({ ok: false, reason: 'wrong', failuresLeft: 4 });
      }
      await expect(a.verify(ods, email.code)).resolves.toEqual({ ok: true });
    });

    it('names the expiry of an expired passcode while a newer one is valid, without counting it', async () => {
      const dental = await send(a, ods, DENTAL_VALID_MS, 'post');
      clock.advance(2 * DAY);
      const care = await send(a, ods, CARE_VALID_MS, 'email');
      clock.t = dental.expiresAt;
      await expect(b.verify(ods, dental.code)).resolves.toEqual({ ok: false, reason: 'expired', expiredAt: dental.expiresAt });
      await expect(b.verify(ods, care.code)).resolves.toEqual({ ok: true });
      await expect(a.recordFailure(ods)).resolves.toEqual({ locked: false, failuresLeft: 4 });
      // Once every kept passcode has expired, anything typed is told the newest's expiry.
      clock.t = care.expiresAt;
      await expect(b.verify(ods, wrongFor(care.code))).resolves.toEqual({ ok: false, reason: 'expired', expiredAt: care.expiresAt });
    });

    it('answers none-issued for an organisation without a passcode, and counts it', async () => {
      await expect(a.current(ods)).resolves.toBeUndefined();
      await expect(a.verify(ods, 'ABCDEFGH')).resolves.toEqual({ ok: false, reason: 'none-issued', failuresLeft: 4 });
      await expect(b.verify(ods, 'ABCDEFGH')).resolves.toEqual({ ok: false, reason: 'none-issued', failuresLeft: 3 });
    });

    it('locks after 5 failures across instances, for 24 hours, even for the right code', async () => {
      const { code } = await send(a, ods, CARE_VALID_MS);
      const wrong = wrongFor(code);
      const start = clock.t;
      await expect(a.lockedUntil(ods)).resolves.toBeUndefined();
      for (const i of range(MAX_FAILED_VERIFICATIONS)) {
        const store = i % 2 === 0 ? a : b;
        await expect(store.verify(ods, wrong)).resolves.toEqual({
          ok: false,
          reason: 'wrong',
          failuresLeft: MAX_FAILED_VERIFICATIONS - 1 - i,
        });
        clock.advance(1_000);
      }
      const lockedUntil = start + FAILURE_WINDOW_MS;
      await expect(a.lockedUntil(ods)).resolves.toBe(lockedUntil);
      await expect(b.lockedUntil(ods)).resolves.toBe(lockedUntil);
      await expect(a.verify(ods, code)).resolves.toEqual({ ok: false, reason: 'locked', lockedUntil });
      await expect(b.verify(ods, wrong)).resolves.toEqual({ ok: false, reason: 'locked', lockedUntil });
      await expect(b.recordFailure(ods)).resolves.toEqual({ locked: true, lockedUntil, failuresLeft: 0 });

      // Attempts while locked are not counted and do not extend the lock.
      clock.t = lockedUntil - 1;
      await expect(a.verify(ods, code)).resolves.toEqual({ ok: false, reason: 'locked', lockedUntil });
      // The lock lifts when the oldest failure leaves the window; one try is back.
      clock.t = lockedUntil;
      await expect(a.lockedUntil(ods)).resolves.toBeUndefined();
      await expect(b.verify(ods, wrong)).resolves.toEqual({ ok: false, reason: 'wrong', failuresLeft: 0 });
      await expect(a.lockedUntil(ods)).resolves.toBe(start + 1_000 + FAILURE_WINDOW_MS);
      clock.t = start + 4_000 + FAILURE_WINDOW_MS;
      // Four of the five have left the window by now.
      await expect(a.verify(ods, code)).resolves.toEqual({ ok: true });
    });

    it('lets exactly 5 of 10 concurrent wrong attempts on two instances count; the rest are locked', async () => {
      const { code } = await send(a, ods, CARE_VALID_MS);
      const results = await Promise.all(range(10).map((i) => (i % 2 ? a : b).verify(ods, wrongFor(code))));
      const wrong = results.filter((r) => !r.ok && r.reason === 'wrong');
      const locked = results.filter((r) => !r.ok && r.reason === 'locked');
      expect(wrong).toHaveLength(MAX_FAILED_VERIFICATIONS);
      expect(locked).toHaveLength(10 - MAX_FAILED_VERIFICATIONS);
      expect(wrong.map((r) => ('failuresLeft' in r ? r.failuresLeft : -1)).sort()).toEqual([0, 1, 2, 3, 4]);
      await expect(a.verify(ods, code)).resolves.toEqual({
        ok: false,
        reason: 'locked',
        lockedUntil: clock.t + FAILURE_WINDOW_MS,
      });
    });

    it('lets 5 wrong attempts and a right one race: the right one may win only before the lock', async () => {
      const { code } = await send(a, ods, CARE_VALID_MS);
      const results = await Promise.all([
        ...range(5).map((i) => (i % 2 ? a : b).verify(ods, wrongFor(code))),
        a.verify(ods, code),
      ]);
      const last = results[5];
      expect(last.ok || (!last.ok && last.reason === 'locked')).toBe(true);
      expect(results.slice(0, 5).every((r) => !r.ok && r.reason === 'wrong')).toBe(true);
      // Then the sixth attempt, right or not, is locked.
      await expect(b.verify(ods, code)).resolves.toMatchObject({ ok: false, reason: 'locked' });
    });

    it('slides the window: each failure counts for 24 hours from when it happened', async () => {
      const { code } = await send(a, ods, CARE_VALID_MS);
      const start = clock.t;
      for (const i of range(5)) {
        clock.t = start + i * HOUR;
        await a.verify(ods, wrongFor(code));
      }
      await expect(b.lockedUntil(ods)).resolves.toBe(start + FAILURE_WINDOW_MS);
      clock.t = start + FAILURE_WINDOW_MS; // the first failure leaves: one try
      await expect(b.verify(ods, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'wrong', failuresLeft: 0 });
      // Locked again until the second failure leaves.
      await expect(a.lockedUntil(ods)).resolves.toBe(start + HOUR + FAILURE_WINDOW_MS);
      clock.t = start + 2 * HOUR + FAILURE_WINDOW_MS; // two more have left: 3h, 4h and 24h remain
      await expect(a.verify(ods, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'wrong', failuresLeft: 1 });
    });

    it('counts other failures (a wrong CQC contact ID) with the same counter', async () => {
      const { code } = await send(a, ods, CARE_VALID_MS);
      await expect(a.recordFailure(ods)).resolves.toEqual({ locked: false, failuresLeft: 4 });
      await expect(b.recordFailure(ods)).resolves.toEqual({ locked: false, failuresLeft: 3 });
      await expect(a.verify(ods, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'wrong', failuresLeft: 2 });
      await expect(b.recordFailure(ods)).resolves.toEqual({ locked: false, failuresLeft: 1 });
      const lockedUntil = clock.t + FAILURE_WINDOW_MS;
      await expect(a.recordFailure(ods)).resolves.toEqual({ locked: true, lockedUntil, failuresLeft: 0 });
      await expect(b.verify(ods, code)).resolves.toEqual({ ok: false, reason: 'locked', lockedUntil });
    });

    it('clears nothing on success: earlier failures still count', async () => {
      const { code } = await send(a, ods, CARE_VALID_MS);
      for (const _ of range(4)) await b.verify(ods, wrongFor(code));
      await expect(a.verify(ods, code)).resolves.toEqual({ ok: true });
      await expect(a.verify(ods, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'wrong', failuresLeft: 0 });
      await expect(b.verify(ods, code)).resolves.toMatchObject({ ok: false, reason: 'locked' });
    });

    it('works with the default (production) hash cost', async () => {
      const [store] = open(clock);
      const { code } = await send(store, ods, CARE_VALID_MS);
      await expect(store.verify(ods, code)).resolves.toEqual({ ok: true });
      await expect(store.verify(ods, wrongFor(code))).resolves.toMatchObject({ ok: false, reason: 'wrong' });
    });
  });
}

describeOneTimePasscodesContract('MemoryOneTimePasscodes', (clock, options) => {
  const store = new MemoryOneTimePasscodes({ now: clock.now, ...options });
  return [store, store];
});

describe('with a throwaway Redis', () => {
  const shared = useTwoRedisClients('otp');
  const newPrefix = shared.newPrefix;
  let redis: TestRedis;
  let clientA: Redis;
  let clientB: Redis;
  beforeAll(() => {
    ({ redis, clientA, clientB } = shared);
  });

  describeOneTimePasscodesContract('RedisOneTimePasscodes', (clock, options) => {
    const keyPrefix = newPrefix();
    return [
      new RedisOneTimePasscodes(clientA, { keyPrefix, now: clock.now, ...options }),
      new RedisOneTimePasscodes(clientB, { keyPrefix, now: clock.now, ...options }),
    ];
  });

  describe('RedisOneTimePasscodes storage', () => {
    it('stores only salted hashes of the last 3, under the ODS code hash tag, kept 30 days past expiry', async () => {
      const clock = fakeClock();
      const keyPrefix = newPrefix();
      const store = new RedisOneTimePasscodes(clientA, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST });
      const ods = newOdsCode();
      const keys = store.keysFor(ods);
      expect(keys).toEqual({ passcode: `${keyPrefix}otp:{${ods}}`, failures: `${keyPrefix}otp-failures:{${ods}}` });

      const { code, issuedAt, expiresAt } = await send(store, ods.toLowerCase(), CARE_VALID_MS, 'post');
      const stored = await clientA.hgetall(keys.passcode);
      expect(Object.keys(stored).sort()).toEqual(['records', 'version']);
      const records = JSON.parse(stored.records!) as Record<string, unknown>[];
      expect(records).toEqual([
        {
          hash: { alg: 'scrypt', N: TEST_HASH_COST, r: 8, p: 1, salt: expect.any(String), hash: expect.any(String) },
          issuedAt,
          expiresAt,
          keepUntil: expiresAt + 30 * DAY,
          channel: 'post',
        },
      ]);
      const dump = JSON.stringify(stored);
      expect(dump).not.toContain(code);
      expect(dump.toLowerCase()).not.toContain(code.toLowerCase());
      const first = records[0]!.hash as { hash: string; salt: string };
      expect(Buffer.from(first.hash, 'base64')).toHaveLength(32);
      expect(Buffer.from(first.salt, 'base64')).toHaveLength(16);
      const ttl = await clientA.pttl(keys.passcode);
      expect(ttl).toBeGreaterThan(CARE_VALID_MS + 30 * DAY - 60_000);
      expect(ttl).toBeLessThanOrEqual(CARE_VALID_MS + 30 * DAY);

      // Each passcode has a salt of its own; only the last 3 are kept.
      for (const _ of range(3)) {
        clock.advance(DAY);
        await send(store, ods, CARE_VALID_MS);
      }
      const after = JSON.parse((await clientA.hget(keys.passcode, 'records'))!) as { hash: { salt: string }; issuedAt: number }[];
      expect(after.map((r) => r.issuedAt)).toEqual([1, 2, 3].map((d) => issuedAt + d * DAY));
      expect(new Set([first.salt, ...after.map((r) => r.hash.salt)]).size).toBe(4);
    });

    it('reads a passcode stored by the first version, and keeps it when a new one is sent', async () => {
      const clock = fakeClock();
      const keyPrefix = newPrefix();
      const store = new RedisOneTimePasscodes(clientA, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST });
      const ods = newOdsCode();
      const code = 'Q4QN29MM';
      const issuedAt = clock.t - HOUR;
      const expiresAt = issuedAt + CARE_VALID_MS;
      // Exactly as the first version wrote it: one flat hash.
      await clientA.hset(store.keysFor(ods).passcode, { ...(await hashPasscode(code, TEST_HASH_COST)), issuedAt, expiresAt, keepUntil: expiresAt + 30 * DAY });
      await expect(store.current(ods)).resolves.toEqual({
        issuedAt,
        expiresAt,
        nextAllowedAt: clock.t,
        nextAllowedAtBy: { email: clock.t, post: clock.t },
      });
      await expect(store.verify(ods, code)).resolves.toEqual({ ok: true });
      await expect(store.verify(ods, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'wrong', failuresLeft: 4 });
      const next = await send(store, ods, CARE_VALID_MS);
      await expect(store.verify(ods, code)).resolves.toEqual({ ok: true });
      await expect(store.verify(ods, next.code)).resolves.toEqual({ ok: true });
      expect(Object.keys(await clientA.hgetall(store.keysFor(ods).passcode)).sort()).toEqual(['records', 'version']);
    });

    it('counts exactly 5 failures in the sorted set when two clients race, with a 24-hour TTL', async () => {
      const clock = fakeClock();
      const keyPrefix = newPrefix();
      const a = new RedisOneTimePasscodes(clientA, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST });
      const b = new RedisOneTimePasscodes(clientB, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST });
      const ods = newOdsCode();
      const { code } = await send(a, ods, CARE_VALID_MS);
      const results = await Promise.all([
        ...range(5).map((i) => (i % 2 ? a : b).verify(ods, wrongFor(code))),
        ...range(5).map((i) => (i % 2 ? a : b).recordFailure(ods)),
      ]);
      expect(results).toHaveLength(10);
      const { failures } = a.keysFor(ods);
      expect(await clientA.zcard(failures)).toBe(MAX_FAILED_VERIFICATIONS);
      await expect(b.verify(ods, code)).resolves.toMatchObject({ ok: false, reason: 'locked' });
      expect(await clientA.zcard(failures)).toBe(MAX_FAILED_VERIFICATIONS);
      const ttl = await clientA.pttl(failures);
      expect(ttl).toBeGreaterThan(FAILURE_WINDOW_MS - 60_000);
      expect(ttl).toBeLessThanOrEqual(FAILURE_WINDOW_MS);
    });

    it('trims failures that left the window from Redis', async () => {
      const clock = fakeClock();
      const store = new RedisOneTimePasscodes(clientA, { keyPrefix: newPrefix(), now: clock.now, hashCost: TEST_HASH_COST });
      const ods = newOdsCode();
      await store.recordFailure(ods);
      await store.recordFailure(ods);
      clock.advance(FAILURE_WINDOW_MS);
      await expect(store.recordFailure(ods)).resolves.toEqual({ locked: false, failuresLeft: 4 });
      expect(await clientA.zcard(store.keysFor(ods).failures)).toBe(1);
    });

    it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
      const client = createRedisClient(redis.url);
      await waitUntilReady(client);
      await client.quit();
      const store = new RedisOneTimePasscodes(client, { keyPrefix: newPrefix(), hashCost: TEST_HASH_COST });
      const ods = newOdsCode();
      await expect(send(store, ods, CARE_VALID_MS)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.verify(ods, 'ABCDEFGH')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.recordFailure(ods)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.lockedUntil(ods)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.current(ods)).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
});
