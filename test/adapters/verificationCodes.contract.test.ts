import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../adapters/conversationStore';
import { MemoryVerificationCodes } from '../../adapters/memoryVerificationCodes';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { RedisVerificationCodes } from '../../adapters/redisVerificationCodes';
import { CODE_LIMIT_WINDOW_MS, VERIFICATION_POLICIES, VerificationCodes, VerificationPurpose } from '../../adapters/verificationCodes';
import { FakeClock, fakeClock } from '../helpers/clock';
import { TestRedis, useTwoRedisClients } from '../helpers/redis';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Cheap scrypt for the tests (the default costs ~50 ms a hash). */
const TEST_HASH_COST = 1024;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** A made-up NHSmail address of its own for each test. */
const newAddress = () => `jane.smith.${randomBytes(3).toString('hex')}@nhs.net`;
const wrongFor = (code: string) => (code === '000000' ? '111111' : '000000');

async function send(store: VerificationCodes, purpose: VerificationPurpose, subject: string) {
  const issued = await store.issue(purpose, subject);
  if (!issued.ok) throw new Error(`code refused: ${issued.reason}`);
  return issued;
}

describe('verification code policies (CONTRACTS §3, SPEC §2 and §3)', () => {
  it.each<[VerificationPurpose]>([['passwordReset'], ['ownerVerification']])('%s: 6 digits, 10 minutes, 2 minutes apart, 5 a day, 5 tries then 24 hours locked', (purpose) => {
    expect(VERIFICATION_POLICIES[purpose]).toEqual({
      length: 6,
      validForMs: 10 * MINUTE,
      minIntervalMs: 2 * MINUTE,
      maxPerDay: 5,
      maxFailures: 5,
      lockForMs: DAY,
    });
  });
});

/**
 * What every VerificationCodes must do. `open` returns two instances over the same storage (for
 * Redis, two stores on two clients: two bot processes; in memory, the one store twice).
 */
export function describeVerificationCodesContract(name: string, open: (clock: FakeClock) => [VerificationCodes, VerificationCodes]): void {
  describe(`${name} (VerificationCodes contract)`, () => {
    let clock: FakeClock;
    let a: VerificationCodes;
    let b: VerificationCodes;
    let address: string;
    const purpose: VerificationPurpose = 'passwordReset';

    beforeEach(() => {
      clock = fakeClock();
      [a, b] = open(clock);
      address = newAddress();
    });

    it('issues 6 digits at random, valid for 10 minutes', async () => {
      const issued = await Promise.all(range(200).map(() => send(a, purpose, newAddress())));
      for (const code of issued) {
        expect(code).toEqual({ ok: true, code: expect.stringMatching(/^\d{6}$/), issuedAt: clock.t, expiresAt: clock.t + 10 * MINUTE });
      }
      expect(new Set(issued.map((c) => c.code).join('')).size).toBe(10);
      expect(new Set(issued.map((c) => c.code)).size).toBeGreaterThan(190);
    });

    it('accepts the right code once, from any instance, with spaces or dashes, whatever the address case', async () => {
      const { code } = await send(a, purpose, address);
      await expect(b.verify(purpose, ` ${address.toUpperCase()} `, `${code.slice(0, 3)} ${code.slice(3)}`)).resolves.toEqual({ ok: true });
      // Used up.
      await expect(a.verify(purpose, address, code)).resolves.toEqual({ ok: false, reason: 'noCode' });
    });

    it('answers noCode when none was sent, without counting it', async () => {
      await expect(a.verify(purpose, address, '123456')).resolves.toEqual({ ok: false, reason: 'noCode' });
      const { code } = await send(b, purpose, address);
      await expect(a.verify(purpose, address, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    });

    it('expires a code after 10 minutes, saying when, without counting a failure', async () => {
      const { code, expiresAt } = await send(a, purpose, address);
      clock.advance(10 * MINUTE);
      await expect(b.verify(purpose, address, code)).resolves.toEqual({ ok: false, reason: 'expired', expiredAt: expiresAt });
      await expect(b.verify(purpose, address, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'expired', expiredAt: expiresAt });
      const next = await send(b, purpose, address);
      await expect(a.verify(purpose, address, wrongFor(next.code))).resolves.toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
      await expect(a.verify(purpose, address, next.code)).resolves.toEqual({ ok: true });
    });

    it('sends a new code no sooner than 2 minutes after the last; the new one replaces it', async () => {
      const first = await send(a, purpose, address);
      clock.advance(2 * MINUTE - 1);
      await expect(b.issue(purpose, address)).resolves.toEqual({ ok: false, reason: 'tooSoon', nextAllowedAt: first.issuedAt + 2 * MINUTE });
      clock.advance(1);
      const second = await send(b, purpose, address);
      if (first.code !== second.code) {
        await expect(a.verify(purpose, address, first.code)).resolves.toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
      }
      await expect(a.verify(purpose, address, second.code)).resolves.toEqual({ ok: true });
    });

    it('sends at most 5 codes in any 24 hours per account, across instances', async () => {
      const start = clock.t;
      for (const i of range(5)) {
        clock.t = start + i * 2 * MINUTE;
        await send(i % 2 ? a : b, purpose, address);
      }
      clock.t = start + HOUR;
      await expect(a.issue(purpose, address)).resolves.toEqual({ ok: false, reason: 'dailyLimit', nextAllowedAt: start + CODE_LIMIT_WINDOW_MS });
      await send(a, purpose, newAddress());
      await send(a, 'ownerVerification', address);
      clock.t = start + DAY;
      await send(b, purpose, address);
    });

    it('sends exactly one code when asked 10 times at once on two instances', async () => {
      const results = await Promise.all(range(10).map((i) => (i % 2 ? a : b).issue(purpose, address)));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.reason === 'tooSoon')).toHaveLength(9);
    });

    it('locks code entry for 24 hours after 5 wrong codes, across instances, even for the right code', async () => {
      const { code } = await send(a, purpose, address);
      for (const left of [4, 3, 2, 1]) {
        await expect((left % 2 ? a : b).verify(purpose, address, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'wrong', attemptsLeft: left });
        clock.advance(1_000);
      }
      const lockedUntil = clock.t + DAY;
      await expect(b.verify(purpose, address, wrongFor(code))).resolves.toEqual({ ok: false, reason: 'wrong', attemptsLeft: 0, lockedUntil });
      await expect(a.verify(purpose, address, code)).resolves.toEqual({ ok: false, reason: 'locked', lockedUntil });
      clock.advance(3 * MINUTE);
      await expect(b.issue(purpose, address)).resolves.toEqual({ ok: false, reason: 'locked', nextAllowedAt: lockedUntil });
      // Attempts while locked do not extend it.
      clock.t = lockedUntil - 1;
      await expect(a.verify(purpose, address, code)).resolves.toEqual({ ok: false, reason: 'locked', lockedUntil });
      clock.t = lockedUntil;
      await expect(a.verify(purpose, address, code)).resolves.toEqual({ ok: false, reason: 'noCode' });
      const fresh = await send(b, purpose, address);
      await expect(a.verify(purpose, address, wrongFor(fresh.code))).resolves.toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
      await expect(a.verify(purpose, address, fresh.code)).resolves.toEqual({ ok: true });
    });

    it('counts exactly 5 of 10 wrong codes tried at once on two instances; the rest find it locked', async () => {
      const { code } = await send(a, purpose, address);
      const results = await Promise.all(range(10).map((i) => (i % 2 ? a : b).verify(purpose, address, wrongFor(code))));
      const wrong = results.filter((r) => !r.ok && r.reason === 'wrong');
      expect(wrong.map((r) => (r.ok || r.reason !== 'wrong' ? -1 : r.attemptsLeft)).sort()).toEqual([0, 1, 2, 3, 4]);
      expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(5);
      await expect(b.verify(purpose, address, code)).resolves.toMatchObject({ ok: false, reason: 'locked' });
    });

    it('forgets wrong codes once the right one is given', async () => {
      const { code } = await send(a, purpose, address);
      for (const _ of range(3)) await b.verify(purpose, address, wrongFor(code));
      await expect(a.verify(purpose, address, code)).resolves.toEqual({ ok: true });
      clock.advance(2 * MINUTE);
      const next = await send(a, purpose, address);
      await expect(b.verify(purpose, address, wrongFor(next.code))).resolves.toEqual({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    });

    it('keeps purposes and accounts apart', async () => {
      const reset = await send(a, 'passwordReset', address);
      const owner = await send(b, 'ownerVerification', address);
      const other = await send(a, 'passwordReset', newAddress());
      if (owner.code !== reset.code) {
        await expect(a.verify('passwordReset', address, owner.code)).resolves.toMatchObject({ ok: false, reason: 'wrong' });
      }
      if (other.code !== reset.code) {
        await expect(a.verify('passwordReset', address, other.code)).resolves.toMatchObject({ ok: false, reason: 'wrong' });
      }
      await expect(b.verify('ownerVerification', address, owner.code)).resolves.toEqual({ ok: true });
      await expect(b.verify('passwordReset', address, reset.code)).resolves.toEqual({ ok: true });
    });
  });
}

describeVerificationCodesContract('MemoryVerificationCodes', (clock) => {
  const store = new MemoryVerificationCodes({ now: clock.now, hashCost: TEST_HASH_COST });
  return [store, store];
});

describe('with a throwaway Redis', () => {
  const shared = useTwoRedisClients('codes');
  let redis: TestRedis;
  let clientA: Redis;
  let clientB: Redis;
  beforeAll(() => {
    ({ redis, clientA, clientB } = shared);
  });

  describeVerificationCodesContract('RedisVerificationCodes', (clock) => {
    const keyPrefix = shared.newPrefix();
    return [
      new RedisVerificationCodes(clientA, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST }),
      new RedisVerificationCodes(clientB, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST }),
    ];
  });

  describe('RedisVerificationCodes storage', () => {
    it('keeps one key per purpose and account, under its own hash tag, with only a salted hash, expiring', async () => {
      const clock = fakeClock();
      const keyPrefix = shared.newPrefix();
      const store = new RedisVerificationCodes(clientA, { keyPrefix, now: clock.now, hashCost: TEST_HASH_COST });
      const address = newAddress();
      const key = store.keyFor('passwordReset', address.toUpperCase());
      expect(key).toBe(`${keyPrefix}vcode:{passwordReset%3A${encodeURIComponent(address)}}`);
      const { code } = await send(store, 'passwordReset', address);
      const stored = await clientA.hgetall(key);
      expect(Object.keys(stored).sort()).toEqual(['state', 'version']);
      expect(stored.state).not.toContain(code);
      expect(JSON.parse(stored.state!)).toEqual({
        issues: [clock.t],
        failures: [],
        code: { hash: expect.objectContaining({ alg: 'scrypt', salt: expect.any(String) }), issuedAt: clock.t, expiresAt: clock.t + 10 * MINUTE },
      });
      // Kept while the send counts towards the day's 5 (and the expired code can be named).
      const ttl = await clientA.pttl(key);
      expect(ttl).toBeGreaterThan(DAY + 10 * MINUTE - 60_000);
      expect(ttl).toBeLessThanOrEqual(DAY + 10 * MINUTE);
      expect(await clientA.keys(`${keyPrefix}*`)).toEqual([key]);
    });

    it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
      const client = createRedisClient(redis.url);
      await waitUntilReady(client);
      await client.quit();
      const store = new RedisVerificationCodes(client, { keyPrefix: shared.newPrefix(), hashCost: TEST_HASH_COST });
      await expect(store.issue('passwordReset', newAddress())).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.verify('passwordReset', newAddress(), '123456')).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
});
