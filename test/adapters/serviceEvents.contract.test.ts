import { MemoryServiceEvents } from '../../adapters/memoryServiceEvents';
import { createRedisClient } from '../../adapters/redisConversationStore';
import { RedisServiceEvents } from '../../adapters/redisServiceEvents';
import { addDays, daysBetween, londonDay, ServiceEventCounts, ServiceEvents } from '../../adapters/serviceEvents';
import { FakeClock, fakeClock } from '../helpers/clock';
import { freePort, useTwoRedisClients } from '../helpers/redis';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The count of counters matching `match` (every given dimension equal). */
function total(counts: ServiceEventCounts, match: Partial<ServiceEventCounts['counters'][number]>): number {
  return counts.counters
    .filter((c) => Object.entries(match).every(([k, v]) => (c as unknown as Record<string, unknown>)[k] === v))
    .reduce((n, c) => n + c.count, 0);
}

/**
 * What every ServiceEvents must do. `open` returns two instances over the same storage (for
 * Redis, two on two clients: two bot processes; in memory, the one store twice).
 */
export function describeServiceEventsContract(name: string, open: (clock: FakeClock) => [ServiceEvents, ServiceEvents]): void {
  describe(`${name} (ServiceEvents contract)`, () => {
    let clock: FakeClock;
    let a: ServiceEvents;
    let b: ServiceEvents;
    let today: string;

    beforeEach(() => {
      // A Monday in summer time, 10:00 in London.
      clock = fakeClock(Date.UTC(2025, 5, 2, 9, 0, 0));
      [a, b] = open(clock);
      today = londonDay(clock.t);
    });

    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it('counts each event in its London day with where it happened; days without events are listed too', async () => {
      a.record({ name: 'conversationStarted', channel: 'msteams' });
      a.record({ name: 'conversationStarted', channel: 'msteams' });
      a.record({ name: 'conversationStarted', channel: 'webchat' });
      a.record({ name: 'stepEntered', channel: 'webchat', flow: 'registration', step: 'members' });
      a.record({ name: 'passcodeRequested', detail: 'post' });
      await a.flush();
      const counts = await b.counts({ from: addDays(today, -2), to: today });
      expect(counts.days).toEqual([addDays(today, -2), addDays(today, -1), today]);
      expect(total(counts, { name: 'conversationStarted' })).toBe(3);
      expect(total(counts, { name: 'conversationStarted', channel: 'msteams', day: today })).toBe(2);
      expect(counts.counters).toContainEqual({
        day: today,
        name: 'stepEntered',
        channel: 'webchat',
        flow: 'registration',
        step: 'members',
        kind: '',
        detail: '',
        count: 1,
      });
      expect(total(counts, { name: 'passcodeRequested', detail: 'post' })).toBe(1);
      expect(total(counts, { day: addDays(today, -1) })).toBe(0);
    });

    it("buckets by London's date, not UTC's: 23:30 UTC in summer is the next day", async () => {
      const lateUtc = Date.UTC(2025, 5, 2, 23, 30);
      a.record({ name: 'conversationStarted', channel: 'webchat', at: lateUtc });
      a.record({ name: 'conversationStarted', channel: 'webchat', at: Date.UTC(2025, 0, 6, 23, 30) });
      await a.flush();
      const summer = await a.counts({ from: '2025-06-02', to: '2025-06-03' });
      expect(total(summer, { day: '2025-06-03' })).toBe(1);
      expect(total(summer, { day: '2025-06-02' })).toBe(0);
      const winter = await a.counts({ from: '2025-01-06', to: '2025-01-07' });
      expect(total(winter, { day: '2025-01-06' })).toBe(1);
    });

    it('counts an event with a `once` key once a day, from any instance', async () => {
      for (let i = 0; i < 3; i++) {
        a.record({ name: 'stepEntered', flow: 'registration', step: 'town', once: 'attempt-1:town' });
        b.record({ name: 'stepEntered', flow: 'registration', step: 'town', once: 'attempt-1:town' });
      }
      b.record({ name: 'stepEntered', flow: 'registration', step: 'town', once: 'attempt-2:town' });
      await Promise.all([a.flush(), b.flush()]);
      a.record({ name: 'stepEntered', flow: 'registration', step: 'town', once: 'attempt-1:town' });
      await a.flush();
      expect(total(await a.counts({ from: today, to: today }), { step: 'town' })).toBe(2);
      clock.advance(DAY);
      a.record({ name: 'stepEntered', flow: 'registration', step: 'town', once: 'attempt-1:town' });
      await a.flush();
      const both = await b.counts({ from: today, to: addDays(today, 1) });
      expect(total(both, { step: 'town', day: addDays(today, 1) })).toBe(1);
    });

    it('keeps how long requests took to be done, in whole minutes rounded up, by kind', async () => {
      a.record({ name: 'requestDone', kind: 'registration', durationMs: 20_000 });
      a.record({ name: 'requestDone', kind: 'registration', durationMs: 90 * MINUTE });
      b.record({ name: 'requestDone', kind: 'registration', durationMs: 90 * MINUTE - 1 });
      b.record({ name: 'requestDone', kind: 'passwordReset', durationMs: 2 * DAY });
      a.record({ name: 'requestDone', kind: 'leaver', durationMs: -5 });
      await Promise.all([a.flush(), b.flush()]);
      const counts = await a.counts({ from: today, to: today });
      expect(total(counts, { name: 'requestDone' })).toBe(5);
      expect([...counts.durations].sort((x, y) => x.minutes - y.minutes)).toEqual([
        { day: today, kind: 'registration', minutes: 1, count: 1 },
        { day: today, kind: 'registration', minutes: 90, count: 2 },
        { day: today, kind: 'passwordReset', minutes: 2 * 24 * 60, count: 1 },
      ]);
    });

    it('adds up what several instances count, exactly, however many', async () => {
      for (let i = 0; i < 1200; i++) (i % 2 ? a : b).record({ name: 'notUnderstood', channel: `channel-${i % 7}`, step: `s${i % 90}` });
      await Promise.all([a.flush(), b.flush()]);
      const counts = await a.counts({ from: today, to: today });
      expect(total(counts, { name: 'notUnderstood' })).toBe(1200);
      expect(total(counts, { name: 'notUnderstood', channel: 'channel-3' })).toBe(Math.floor(1200 / 7) + (1200 % 7 > 3 ? 1 : 0));
    });

    it('ignores what is not an event it knows, and keeps odd characters in a dimension apart', async () => {
      const junk: unknown[] = [null, undefined, 'conversationStarted', { name: 'dropTables' }, { name: 42 }];
      for (const event of junk) expect(() => a.record(event as never)).not.toThrow();
      a.record({ name: 'requestCreated', kind: 'registration', channel: 'we|bch%at{x}' });
      a.record({ name: 'requestCreated', kind: 'registration', channel: 'x'.repeat(500) });
      await a.flush();
      const counts = await a.counts({ from: today, to: today });
      expect(counts.counters.map((c) => c.channel).sort()).toEqual(['we|bch%at{x}', 'x'.repeat(64)]);
      expect(total(counts, {})).toBe(2);
    });

    it('refuses a range that is not one', async () => {
      await expect(a.counts({ from: today, to: addDays(today, -1) })).rejects.toThrow(/ends .* before it starts/);
      await expect(a.counts({ from: '2025-02-30', to: today })).rejects.toThrow(/not a date/);
      await expect(a.counts({ from: addDays(today, -400), to: today })).rejects.toThrow(/at most 400 days/);
      expect((await a.counts({ from: addDays(today, -399), to: today })).days).toHaveLength(400);
    });
  });
}

describe('London days', () => {
  it('lists the days of a range, across month ends and leap days', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(londonDay(Date.UTC(2025, 2, 30, 0, 30))).toBe('2025-03-30'); // the spring change, 00:30 GMT
    expect(londonDay(Date.UTC(2025, 9, 25, 23, 30))).toBe('2025-10-26'); // BST still, so after midnight
  });
});

describeServiceEventsContract('MemoryServiceEvents', (clock) => {
  const events = new MemoryServiceEvents({ now: clock.now });
  return [events, events];
});

describe('RedisServiceEvents', () => {
  const redis = useTwoRedisClients('stats');
  let prefix = '';

  describeServiceEventsContract('RedisServiceEvents', (clock) => {
    prefix = redis.newPrefix();
    return [
      new RedisServiceEvents(redis.clientA, { now: clock.now, keyPrefix: prefix, flushMs: 0 }),
      new RedisServiceEvents(redis.clientB, { now: clock.now, keyPrefix: prefix, flushMs: 0 }),
    ];
  });

  it("keeps a day's keys in one Cluster slot, expiring after the retention period", async () => {
    const clock = fakeClock(Date.UTC(2025, 5, 2, 9));
    prefix = redis.newPrefix();
    const events = new RedisServiceEvents(redis.clientA, { now: clock.now, keyPrefix: prefix, flushMs: 0, retentionDays: 30 });
    events.record({ name: 'stepEntered', flow: 'registration', step: 'review', once: 'a:review' });
    events.record({ name: 'requestDone', kind: 'registration', durationMs: 5 * MINUTE });
    await events.close();
    const keys = (await redis.clientA.keys(`${prefix}*`)).sort();
    const base = `${prefix}{stats:2025-06-02}`;
    expect(keys.filter((k) => !k.includes(':batch:'))).toEqual([base, `${base}:durations`, `${base}:once`]);
    expect(keys.filter((k) => k.includes(':batch:'))).toHaveLength(1);
    // Redis Cluster hashes only what is between the first `{` and the next `}`.
    expect(new Set(keys.map((k) => /\{([^}]+)\}/.exec(k)?.[1])) ).toEqual(new Set(['stats:2025-06-02']));
    for (const key of [base, `${base}:durations`]) {
      const ttl = await redis.clientA.pttl(key);
      expect(ttl).toBeGreaterThan(29 * DAY);
      expect(ttl).toBeLessThanOrEqual(30 * DAY);
    }
    expect(await redis.clientA.pttl(`${base}:once`)).toBeLessThanOrEqual(3 * DAY);
  });

  it('counts a batch once when its write is retried after a timeout that had in fact landed', async () => {
    const clock = fakeClock(Date.UTC(2025, 5, 2, 9));
    prefix = redis.newPrefix();
    let calls = 0;
    // A client whose first script call runs but answers as if it had timed out.
    const flaky = new Proxy(redis.clientA, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property !== 'nhscaStatsAddBatchV1') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (++calls === 1) throw new Error('Command timed out');
          return result;
        };
      },
    });
    const events = new RedisServiceEvents(flaky, { now: clock.now, keyPrefix: prefix, flushMs: 0 });
    events.record({ name: 'requestCreated', kind: 'registration' });
    events.record({ name: 'requestCreated', kind: 'registration' });
    await events.flush();
    expect(events.health()).toMatchObject({ pending: 1, dropped: 0, lastFailureAt: clock.t });
    await events.flush();
    expect(events.health()).toMatchObject({ pending: 0, dropped: 0 });
    expect(calls).toBe(2);
    expect(total(await events.counts({ from: '2025-06-02', to: '2025-06-02' }), { name: 'requestCreated' })).toBe(2);
  });

  it('while Redis cannot be reached, recording neither throws nor waits; the queue stays bounded and says what it dropped', async () => {
    const port = await freePort();
    const nowhere = createRedisClient(`redis://127.0.0.1:${port}`);
    const errors: unknown[] = [];
    const events = new RedisServiceEvents(nowhere, { flushMs: 0, maxPending: 50, maxAttempts: 2, onError: (e) => errors.push(e) });
    try {
      for (let i = 0; i < 80; i++) expect(events.record({ name: 'notUnderstood', step: `s${i}` })).toBeUndefined();
      expect(events.health()).toEqual({ pending: 50, dropped: 30 });
      await events.flush();
      expect(events.health()).toMatchObject({ pending: 50, dropped: 30, lastFailureAt: expect.any(Number) });
      expect(errors).toHaveLength(1);
      await events.flush();
      expect(events.health()).toMatchObject({ pending: 0, dropped: 80 });
      await expect(events.counts({ from: '2025-06-02', to: '2025-06-02' })).rejects.toThrow(/Redis unavailable/);
    } finally {
      await events.close();
      nowhere.disconnect();
    }
  });
});
