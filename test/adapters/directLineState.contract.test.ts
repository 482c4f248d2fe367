import { randomBytes } from 'node:crypto';
import { DirectLineState, DirectLineStateLimits, TokenAllowance } from '../../adapters/directLineState';
import { MemoryDirectLineState } from '../../adapters/memoryDirectLineState';
import { RedisDirectLineState } from '../../adapters/redisDirectLineState';
import { FakeClock, fakeClock } from '../helpers/clock';
import { useTwoRedisClients } from '../helpers/redis';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const newId = () => randomBytes(16).toString('base64url');
const message = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'message', text, from: { id: 'u1', role: 'user' }, ...extra });

const LIMITS: DirectLineStateLimits = {
  maxConversations: 3,
  maxActivitiesPerConversation: 5,
  maxBytesPerConversation: 4 * 1024,
  ttlMs: 30 * DAY,
  evictableAfterMs: 2 * MINUTE,
  tokenBurst: 3,
  tokensPerHour: 6,
};

/**
 * What every DirectLineState must do. `open` gives two instances over the same (empty) storage,
 * as two bot processes on one Redis have; in memory, the one state twice.
 */
export function describeDirectLineStateContract(name: string, open: (clock: FakeClock, limits: DirectLineStateLimits) => [DirectLineState, DirectLineState]): void {
  describe(`${name} (DirectLineState contract)`, () => {
    let clock: FakeClock;
    let a: DirectLineState;
    let b: DirectLineState;

    beforeEach(() => {
      clock = fakeClock();
      [a, b] = open(clock, LIMITS);
    });

    it('creates a conversation once; the other instance opens the same one', async () => {
      const id = newId();
      const first = await a.open({ id, userId: 'dl_1' });
      expect(first).toEqual({
        outcome: 'opened',
        created: true,
        conversation: { id, userId: 'dl_1', started: false, next: 0, createdAt: clock.t, lastSeen: clock.t },
      });
      clock.advance(1_000);
      // The locale is kept from the first open that gives one; the user stays the first one's.
      const second = await b.open({ id, userId: 'dl_other', locale: 'en-GB' });
      expect(second).toEqual({
        outcome: 'opened',
        created: false,
        conversation: { id, userId: 'dl_1', locale: 'en-GB', started: false, next: 0, createdAt: clock.t - 1_000, lastSeen: clock.t },
      });
      await expect(a.get(id)).resolves.toEqual({ id, userId: 'dl_1', locale: 'en-GB', started: false, next: 0, createdAt: clock.t - 1_000, lastSeen: clock.t });
      await expect(b.get(newId())).resolves.toBeUndefined();
    });

    it('appends from any instance at consecutive watermarks and reads from a watermark on any instance', async () => {
      const id = newId();
      await a.open({ id, userId: 'dl_1' });
      expect(await a.append(id, message('hello'))).toBe(0);
      expect(await b.append(id, message('reply', { from: { id: 'bot', role: 'bot' } }))).toBe(1);
      expect(await a.append(id, message('again'))).toBe(2);
      const all = await b.read(id, 0);
      expect(all).toEqual({
        outcome: 'read',
        next: 3,
        activities: [
          { watermark: 0, activity: { id: `${id}|0000000`, ...message('hello') } },
          { watermark: 1, activity: { id: `${id}|0000001`, ...message('reply', { from: { id: 'bot', role: 'bot' } }) } },
          { watermark: 2, activity: { id: `${id}|0000002`, ...message('again') } },
        ],
      });
      const since = await a.read(id, 2);
      expect(since).toEqual({ outcome: 'read', next: 3, activities: [all.outcome === 'read' ? all.activities[2] : undefined] });
      await expect(a.read(id, 3)).resolves.toEqual({ outcome: 'read', next: 3, activities: [] });
      await expect(a.read(id, 4)).resolves.toEqual({ outcome: 'ahead', next: 3 });
      await expect(b.read(newId(), 0)).resolves.toEqual({ outcome: 'absent' });
      await expect(b.append(newId(), message('nobody'))).resolves.toBeUndefined();
      await expect(a.get(id)).resolves.toMatchObject({ next: 3 });
    });

    it('keeps an activity that has an id of its own under that id (an update in place)', async () => {
      const id = newId();
      await a.open({ id, userId: 'dl_1' });
      await a.append(id, message('status: received'));
      await b.append(id, { ...message('status: in progress'), id: `${id}|0000000`, timestamp: '2025-01-06T09:00:00.000Z' });
      const read = await a.read(id, 0);
      expect(read.outcome === 'read' && read.activities.map((k) => [k.watermark, k.activity.id, k.activity.text])).toEqual([
        [0, `${id}|0000000`, 'status: received'],
        [1, `${id}|0000000`, 'status: in progress'],
      ]);
    });

    it('never hands out one watermark twice, also when both instances append at once', async () => {
      const id = newId();
      await a.open({ id, userId: 'dl_1' });
      const marks = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).append(id, message(`m${i}`))));
      expect([...marks].sort((x, y) => x! - y!)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      await expect(b.get(id)).resolves.toMatchObject({ next: 20 });
    });

    it('keeps only the newest activities by count and by bytes; watermarks keep counting; one is always kept', async () => {
      const id = newId();
      await a.open({ id, userId: 'dl_1' });
      for (let i = 0; i < 8; i++) await (i % 2 ? a : b).append(id, message(`m${i}`));
      let read = await a.read(id, 0);
      expect(read.outcome === 'read' && read.activities.map((k) => k.watermark)).toEqual([3, 4, 5, 6, 7]);
      expect(read.outcome === 'read' && read.next).toBe(8);

      // 1.5 KiB each: only two fit in 4 KiB.
      for (let i = 0; i < 3; i++) await a.append(id, message('x'.repeat(1_500)));
      read = await b.read(id, 0);
      expect(read.outcome === 'read' && read.activities.map((k) => k.watermark)).toEqual([9, 10]);

      // One larger than the whole allowance is still kept, alone.
      await a.append(id, message('y'.repeat(5_000)));
      read = await b.read(id, 0);
      expect(read.outcome === 'read' && read.activities.map((k) => k.watermark)).toEqual([11]);
      // And the allowance is counted right afterwards: the next small ones push it out.
      await a.append(id, message('small'));
      read = await b.read(id, 0);
      expect(read.outcome === 'read' && read.activities.map((k) => k.watermark)).toEqual([12]);
      await a.append(id, message('small again'));
      read = await b.read(id, 0);
      expect(read.outcome === 'read' && read.activities.map((k) => k.watermark)).toEqual([12, 13]);
    });

    it('tells the bot the user joined once: markStarted is true for one caller only', async () => {
      const id = newId();
      await a.open({ id, userId: 'dl_1' });
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).markStarted(id)));
      expect(results.filter(Boolean)).toHaveLength(1);
      await expect(a.markStarted(id)).resolves.toBe(false);
      await expect(b.get(id)).resolves.toMatchObject({ started: true });
      await expect(a.markStarted(newId())).resolves.toBe(false);
    });

    it('expires a conversation ttlMs after it was last used (sliding), as the bot forgets its state', async () => {
      const id = newId();
      await a.open({ id, userId: 'dl_1' });
      await a.append(id, message('hello'));
      clock.advance(29 * DAY);
      expect((await b.read(id, 0)).outcome).toBe('read'); // used: another 30 days
      clock.advance(29 * DAY);
      expect((await b.open({ id, userId: 'dl_1' })).outcome).toBe('opened');
      clock.advance(30 * DAY);
      await expect(a.get(id)).resolves.toBeUndefined();
      await expect(a.read(id, 0)).resolves.toEqual({ outcome: 'absent' });
      await expect(b.append(id, message('late'))).resolves.toBeUndefined();
      // Opened again, it starts afresh.
      const again = await b.open({ id, userId: 'dl_1' });
      expect(again).toMatchObject({ outcome: 'opened', created: true, conversation: { next: 0, started: false } });
      await expect(a.read(id, 0)).resolves.toEqual({ outcome: 'read', next: 0, activities: [] });
    });

    it('holds at most maxConversations: makes room from the least recently used one left alone long enough, else full', async () => {
      const [c1, c2, c3, c4, c5] = [newId(), newId(), newId(), newId(), newId()];
      await a.open({ id: c1, userId: 'u' });
      clock.advance(1_000);
      await b.open({ id: c2, userId: 'u' });
      clock.advance(1_000);
      await a.open({ id: c3, userId: 'u' });
      await expect(a.count()).resolves.toBe(3);
      // All used within the last two minutes: no room.
      await expect(b.open({ id: c4, userId: 'u' })).resolves.toEqual({ outcome: 'full' });
      // Opening one that is held is always possible.
      expect((await b.open({ id: c3, userId: 'u' })).outcome).toBe('opened');

      clock.advance(3 * MINUTE);
      // c1 is used now (a poll), so c2 (then c3) is the least recently used.
      expect((await a.read(c1, 0)).outcome).toBe('read');
      const fourth = await b.open({ id: c4, userId: 'u' });
      expect(fourth).toMatchObject({ outcome: 'opened', created: true });
      await expect(a.count()).resolves.toBe(3);
      await expect(a.get(c2)).resolves.toBeUndefined();
      await expect(b.read(c3, 0)).resolves.toMatchObject({ outcome: 'read' });
      await expect(b.read(c1, 0)).resolves.toMatchObject({ outcome: 'read' });
      // c3 and c1 were just used, c4 was just made: full again.
      await expect(a.open({ id: c5, userId: 'u' })).resolves.toEqual({ outcome: 'full' });
    });

    it('ends a conversation for good: its activities go and it cannot be opened again until it would have expired', async () => {
      const id = newId();
      await a.open({ id, userId: 'dl_1' });
      await a.append(id, message('hello'));
      await expect(a.count()).resolves.toBe(1);
      await b.end(id);
      await expect(a.read(id, 0)).resolves.toEqual({ outcome: 'ended' });
      await expect(a.open({ id, userId: 'dl_1' })).resolves.toEqual({ outcome: 'ended' });
      await expect(b.append(id, message('after'))).resolves.toBeUndefined();
      await expect(a.get(id)).resolves.toBeUndefined();
      await expect(a.markStarted(id)).resolves.toBe(false);
      await expect(a.count()).resolves.toBe(0);
      clock.advance(31 * DAY);
      expect(await a.open({ id, userId: 'dl_1' })).toMatchObject({ outcome: 'opened', created: true });
    });

    it('gives each client address a burst of tokens, then one as each is earned; counted across instances', async () => {
      const client = newId();
      const other = newId();
      for (let i = 0; i < 3; i++) await expect((i % 2 ? a : b).takeToken(client)).resolves.toEqual({ allowed: true });
      const refused = await a.takeToken(client);
      // 6 an hour: one every 10 minutes (to the millisecond, give or take rounding).
      const retryAfter = (allowance: TokenAllowance) => (allowance.allowed ? 0 : allowance.retryAfterMs);
      expect(refused.allowed).toBe(false);
      expect(Math.abs(retryAfter(refused) - 10 * MINUTE)).toBeLessThanOrEqual(1);
      await expect(b.takeToken(other)).resolves.toEqual({ allowed: true });
      clock.advance(4 * MINUTE);
      const early = await b.takeToken(client);
      expect(early.allowed).toBe(false);
      expect(Math.abs(retryAfter(early) - 6 * MINUTE)).toBeLessThanOrEqual(1);
      clock.advance(6 * MINUTE + 1_000);
      await expect(b.takeToken(client)).resolves.toEqual({ allowed: true });
      await expect(a.takeToken(client)).resolves.toMatchObject({ allowed: false });
      // Left alone, the bucket fills to the burst and no further.
      clock.advance(5 * 60 * MINUTE);
      for (let i = 0; i < 3; i++) await expect(a.takeToken(client)).resolves.toEqual({ allowed: true });
      await expect(b.takeToken(client)).resolves.toMatchObject({ allowed: false });
    });

    it('signs with one key on every instance', async () => {
      const [keyA, keyB] = await Promise.all([a.signingKey(), b.signingKey()]);
      expect(keyA.length).toBeGreaterThanOrEqual(32);
      expect(keyA.equals(keyB)).toBe(true);
      await expect(a.signingKey()).resolves.toEqual(keyA);
    });
  });
}

describeDirectLineStateContract('MemoryDirectLineState', (clock, limits) => {
  const state = new MemoryDirectLineState({ now: clock.now, limits });
  return [state, state];
});

describe('RedisDirectLineState', () => {
  const redis = useTwoRedisClients('directline');
  let prefix = '';

  describeDirectLineStateContract('RedisDirectLineState', (clock, limits) => {
    prefix = redis.newPrefix();
    return [
      new RedisDirectLineState(redis.clientA, { now: clock.now, limits, keyPrefix: prefix, touchEveryMs: 0 }),
      new RedisDirectLineState(redis.clientB, { now: clock.now, limits, keyPrefix: prefix, touchEveryMs: 0 }),
    ];
  });

  it("keeps a conversation's keys in one Cluster slot, expiring with the conversation", async () => {
    const clock = fakeClock();
    prefix = redis.newPrefix();
    const state = new RedisDirectLineState(redis.clientA, { now: clock.now, limits: LIMITS, keyPrefix: prefix });
    const id = newId();
    await state.open({ id, userId: 'dl_1' });
    await state.append(id, message('hello'));
    const keys = await redis.clientA.keys(`${prefix}*`);
    const own = keys.filter((k) => k.includes(id));
    expect(own.sort()).toEqual([`${prefix}{dl:${id}}:activities`, `${prefix}{dl:${id}}:conversation`]);
    for (const key of own) {
      const ttl = await redis.clientA.pttl(key);
      expect(ttl).toBeGreaterThan(29 * DAY);
      expect(ttl).toBeLessThanOrEqual(30 * DAY);
    }
    // The rest are one key each: the index, a client's bucket, the signing key.
    await state.takeToken('client-1');
    await state.signingKey();
    const others = (await redis.clientA.keys(`${prefix}*`)).filter((k) => !k.includes(id)).map((k) => k.slice(prefix.length));
    expect(others.sort()).toEqual(['dl:conversations', 'dl:signing-key', 'dl:tokens:{client-1}']);
  });
});
