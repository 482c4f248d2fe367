import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../adapters/conversationStore';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { RedisResetVouches } from '../../adapters/redisResetVouches';
import {
  MemoryResetVouches,
  NewVouch,
  ResetVouches,
  VOUCH_KEPT_AFTER_MS,
  VOUCH_VALID_MS,
  formatVouchCode,
  hashVouchCode,
  normaliseVouchCode,
} from '../../adapters/resetVouches';
import { FakeClock, fakeClock } from '../helpers/clock';
import { TestRedis, useTwoRedisClients } from '../helpers/redis';

const HOUR = 3_600_000;
const newAddress = () => `joseph.achebe.${randomBytes(3).toString('hex')}@nhs.net`;
const PRIYA = { address: 'priya.raman@nhs.net', name: 'Priya Raman', via: 'teams' as const };
const GARETH = { address: 'gareth.lloyd@nhs.net', name: 'Gareth Lloyd', via: 'email' as const };

function vouchFor(address: string, owners = [PRIYA, GARETH]): NewVouch {
  return {
    address,
    account: { address, name: 'Joseph Achebe', odsCode: 'VLH01', organisationName: 'Larkspur House Care Home', queue: 'care' },
    mobile: '+447400123456',
    requester: { conversationKey: 'conv-j', conversationReference: { conversation: { id: 'j' } }, channelId: 'webchat' },
    attemptId: `attempt-${address}`,
    owners,
  };
}

describe('owners’ codes', () => {
  it('are typed in groups of 4, with spaces, dashes or small letters', () => {
    expect(formatVouchCode('7kd9qx2pm4tn')).toBe('7KD9-QX2P-M4TN');
    expect(normaliseVouchCode(' 7kd9 qx2p-m4tn ')).toBe('7KD9QX2PM4TN');
    expect(hashVouchCode('7kd9 qx2p m4tn')).toBe(hashVouchCode('7KD9-QX2P-M4TN'));
  });
});

/** What every ResetVouches must do; `open` gives two instances over the same storage (two processes, for Redis). */
export function describeResetVouchesContract(name: string, open: (clock: FakeClock) => [ResetVouches, ResetVouches]): void {
  describe(`${name} (ResetVouches contract)`, () => {
    let clock: FakeClock;
    let a: ResetVouches;
    let b: ResetVouches;
    let address: string;

    beforeEach(() => {
      clock = fakeClock();
      [a, b] = open(clock);
      address = newAddress();
    });

    it('stores a request with a code per owner, open 72 hours, readable from any instance', async () => {
      const made = await a.create(vouchFor(address.toUpperCase()));
      if (!made.created) throw new Error('not created');
      expect(made.vouch).toMatchObject({ address, mobile: '+447400123456', createdAt: clock.t, expiresAt: clock.t + VOUCH_VALID_MS });
      expect(made.vouch.id).toMatch(/^[A-Z2-9]{16}$/);
      expect(Object.keys(made.codes).sort()).toEqual([GARETH.address, PRIYA.address]);
      for (const code of Object.values(made.codes)) expect(code).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
      expect(made.codes[PRIYA.address]).not.toBe(made.codes[GARETH.address]);
      await expect(b.get(made.vouch.id)).resolves.toEqual(made.vouch);
      await expect(b.findByCode(formatVouchCode(made.codes[GARETH.address]!).toLowerCase())).resolves.toEqual({ vouch: made.vouch, owner: GARETH });
      await expect(b.findByCode('AAAA-BBBB-CCCC')).resolves.toBeUndefined();
      await expect(b.get('NOSUCHVOUCH23456')).resolves.toBeUndefined();
    });

    it('one open request per address: a second ask gets the first, and nobody is asked again', async () => {
      const first = await a.create(vouchFor(address));
      const second = await b.create({ ...vouchFor(address), mobile: '+447400654321' });
      expect(second).toEqual({ created: false, vouch: first.vouch });
    });

    it('only the first answer counts, from whichever owner and instance', async () => {
      const made = await a.create(vouchFor(address));
      const yes = await b.answer(made.vouch.id, { answer: 'yes', by: PRIYA.address, at: clock.t });
      expect(yes).toEqual({ outcome: 'recorded', vouch: { ...made.vouch, answer: { answer: 'yes', by: PRIYA.address, at: clock.t } } });
      const no = await a.answer(made.vouch.id, { answer: 'no', by: GARETH.address, at: clock.t + 1 });
      expect(no).toEqual({ outcome: 'alreadyAnswered', vouch: { ...made.vouch, answer: { answer: 'yes', by: PRIYA.address, at: clock.t } } });
      await expect(a.get(made.vouch.id)).resolves.toMatchObject({ answer: { answer: 'yes', by: PRIYA.address } });
    });

    it('two owners answering at once: exactly one answer is kept', async () => {
      const made = await a.create(vouchFor(address));
      const results = await Promise.all([
        a.answer(made.vouch.id, { answer: 'yes', by: PRIYA.address, at: clock.t }),
        b.answer(made.vouch.id, { answer: 'no', by: GARETH.address, at: clock.t }),
      ]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['alreadyAnswered', 'recorded']);
      const kept = await a.get(made.vouch.id);
      expect(results.every((r) => r.outcome !== 'notFound' && r.vouch.answer?.answer === kept!.answer!.answer)).toBe(true);
    });

    it('someone who was not asked cannot answer; an unknown request is not found', async () => {
      const made = await a.create(vouchFor(address));
      await expect(a.answer(made.vouch.id, { answer: 'yes', by: 'someone.else@nhs.net', at: clock.t })).resolves.toEqual({ outcome: 'notFound' });
      await expect(a.answer('NOSUCHVOUCH23456', { answer: 'yes', by: PRIYA.address, at: clock.t })).resolves.toEqual({ outcome: 'notFound' });
    });

    it('once answered, the address is free for a new request', async () => {
      const made = await a.create(vouchFor(address));
      await a.answer(made.vouch.id, { answer: 'no', by: PRIYA.address, at: clock.t });
      const again = await b.create(vouchFor(address));
      expect(again.created).toBe(true);
      expect(again.vouch.id).not.toBe(made.vouch.id);
    });

    it('after 72 hours it lapses: no answer is taken, a new request may be made, and it is still read for a week', async () => {
      const made = await a.create(vouchFor(address));
      clock.advance(VOUCH_VALID_MS);
      await expect(b.answer(made.vouch.id, { answer: 'yes', by: PRIYA.address, at: clock.t })).resolves.toEqual({ outcome: 'expired', vouch: made.vouch });
      const again = await b.create(vouchFor(address));
      expect(again.created).toBe(true);
      clock.advance(VOUCH_KEPT_AFTER_MS - HOUR);
      await expect(a.get(made.vouch.id)).resolves.toEqual(made.vouch);
    });

    it('a request with nobody to ask is kept the same way (the requester is told the same)', async () => {
      const made = await a.create({ ...vouchFor(address), account: null, owners: [] });
      expect(made).toMatchObject({ created: true, codes: {} });
      await expect(b.create({ ...vouchFor(address), account: null, owners: [] })).resolves.toEqual({ created: false, vouch: made.vouch });
    });

    it('keeps what the yes came to, for the requester', async () => {
      const made = await a.create(vouchFor(address));
      await a.answer(made.vouch.id, { answer: 'yes', by: PRIYA.address, at: clock.t });
      await b.setOutcome(made.vouch.id, { outcome: 'raised', reference: 'PWD-7KD9QX2P' });
      await expect(a.get(made.vouch.id)).resolves.toMatchObject({ outcome: { outcome: 'raised', reference: 'PWD-7KD9QX2P' } });
      await a.setOutcome('NOSUCHVOUCH23456', { outcome: 'raised' });
      await expect(a.get('NOSUCHVOUCH23456')).resolves.toBeUndefined();
    });
  });
}

describeResetVouchesContract('MemoryResetVouches', (clock) => {
  const store = new MemoryResetVouches({ now: clock.now });
  return [store, store];
});

describe('with a throwaway Redis', () => {
  const shared = useTwoRedisClients('vouches');
  let redis: TestRedis;
  let clientA: Redis;
  let clientB: Redis;
  beforeAll(() => {
    ({ redis, clientA, clientB } = shared);
  });

  describeResetVouchesContract('RedisResetVouches', (clock) => {
    const keyPrefix = shared.newPrefix();
    return [new RedisResetVouches(clientA, { keyPrefix, now: clock.now }), new RedisResetVouches(clientB, { keyPrefix, now: clock.now })];
  });

  describe('RedisResetVouches storage', () => {
    it('keeps codes only hashed, each key under its own hash tag, all expiring', async () => {
      const clock = fakeClock();
      const keyPrefix = shared.newPrefix();
      const store = new RedisResetVouches(clientA, { keyPrefix, now: clock.now });
      const address = newAddress();
      const made = await store.create(vouchFor(address));
      if (!made.created) throw new Error('not created');
      const keys = (await clientA.keys(`${keyPrefix}*`)).sort();
      expect(keys).toEqual(
        [
          `${keyPrefix}vouch:{${made.vouch.id}}`,
          `${keyPrefix}vouch-code:{${hashVouchCode(made.codes[PRIYA.address]!)}}`,
          `${keyPrefix}vouch-code:{${hashVouchCode(made.codes[GARETH.address]!)}}`,
          `${keyPrefix}vouch-open:{${encodeURIComponent(address)}}`,
        ].sort(),
      );
      for (const key of keys) {
        const dump = key.includes('vouch:{') ? JSON.stringify(await clientA.hgetall(key)) : String(await clientA.get(key));
        for (const code of Object.values(made.codes)) expect(dump).not.toContain(code);
        const ttl = await clientA.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(VOUCH_VALID_MS + VOUCH_KEPT_AFTER_MS);
      }
    });

    it('a request claimed but never written (a process stopped) is taken over', async () => {
      const clock = fakeClock();
      const keyPrefix = shared.newPrefix();
      const store = new RedisResetVouches(clientA, { keyPrefix, now: clock.now });
      const address = newAddress();
      await clientA.set(`${keyPrefix}vouch-open:{${encodeURIComponent(address)}}`, 'GHOSTGHOSTGHOST2', 'PX', VOUCH_VALID_MS);
      const made = await store.create(vouchFor(address));
      expect(made.created).toBe(true);
    });

    it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
      const client = createRedisClient(redis.url);
      await waitUntilReady(client);
      await client.quit();
      const store = new RedisResetVouches(client, { keyPrefix: shared.newPrefix() });
      await expect(store.create(vouchFor(newAddress()))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.findByCode('AAAABBBBCCCC')).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
});
