import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  ConflictError,
  ConversationBusyError,
  QueueFullError,
  RateLimitedError,
  ConversationStore,
  ConversationStoreOptions,
  TurnLease,
} from '../../adapters/conversationStore';
import { MemoryConversationStore } from '../../adapters/memoryConversationStore';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../../adapters/redisConversationStore';
import { deleteKeysWithPrefix, startRedis, TestRedis, uniquePrefix } from '../helpers/redis';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Resolves with the promise's value, or 'timeout' when it takes longer than ms. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The behaviour every ConversationStore must have. `makeStore` is called inside the tests, once
 * per store a test needs, with small timings so the suite stays fast.
 */
export function describeConversationStoreContract(
  name: string,
  makeStore: (options: ConversationStoreOptions) => ConversationStore,
): void {
  describe(`${name} (ConversationStore contract)`, () => {
    const opened: ConversationStore[] = [];
    const open = (options: Partial<ConversationStoreOptions> = {}): ConversationStore => {
      // Floods have tests of their own: the others run without a queue cap or rate limit.
      const store = makeStore({ ttlMs: 60_000, leaseMs: 2_000, waitMs: 5_000, queueMax: 1_000, rate: { perMinute: 0, burst: 0 }, ...options });
      opened.push(store);
      return store;
    };
    const newKey = () => `conv-${randomUUID()}`;

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('hands back null for a conversation it has never seen', async () => {
      const store = open();
      const lease = await store.begin(newKey());
      expect(lease.stored).toBeNull();
      expect(typeof lease.token).toBe('string');
      expect(lease.token.length).toBeGreaterThan(0);
      await store.release(lease);
    });

    it('hands back what the previous turn committed', async () => {
      const store = open();
      const key = newKey();
      const first = await store.begin(key);
      await store.commit(first, '{"step":"consent","n":1}');
      const second = await store.begin(key);
      expect(second.key).toBe(key);
      expect(second.stored?.data).toBe('{"step":"consent","n":1}');
      expect(second.stored?.etag).toEqual(expect.any(String));
      await store.release(second);
    });

    it('changes the etag on every commit', async () => {
      const store = open();
      const key = newKey();
      const etags: string[] = [];
      for (const i of range(5)) {
        const lease = await store.begin(key);
        if (i > 0) expect(lease.stored?.data).toBe('same data');
        await store.commit(lease, 'same data');
        const after = await store.begin(key);
        etags.push(after.stored!.etag);
        await store.release(after);
      }
      expect(new Set(etags).size).toBe(5);
    });

    it('runs the turns of one conversation one at a time, in the order they began', async () => {
      const store = open();
      const key = newKey();
      const admitted: number[] = [];
      let active = 0;
      let maxActive = 0;
      await Promise.all(
        range(20).map(async (i) => {
          const lease = await store.begin(key);
          active++;
          maxActive = Math.max(maxActive, active);
          admitted.push(i);
          await sleep(3);
          active--;
          if (i % 2 === 0) await store.commit(lease, JSON.stringify({ last: i }));
          else await store.release(lease);
        }),
      );
      expect(maxActive).toBe(1);
      expect(admitted).toEqual(range(20));
      const last = await store.begin(key);
      expect(JSON.parse(last.stored!.data)).toEqual({ last: 18 });
      await store.release(last);
    });

    it('does not make one conversation wait for another', async () => {
      const store = open();
      const held = await store.begin(newKey());
      const started = Date.now();
      const other = await within(store.begin(newKey()), 1_000);
      expect(other).not.toBe('timeout');
      expect(Date.now() - started).toBeLessThan(500);
      await store.release(other as TurnLease);
      await store.release(held);
    });

    it('lets the next turn in on release, without writing anything', async () => {
      const store = open();
      const key = newKey();
      const first = await store.begin(key);
      await store.commit(first, 'v1');
      const holder = await store.begin(key);
      const etag = holder.stored!.etag;

      let admitted = false;
      const next = store.begin(key).then((lease) => {
        admitted = true;
        return lease;
      });
      await sleep(100);
      expect(admitted).toBe(false);

      await store.release(holder);
      const lease = await next;
      expect(lease.stored).toEqual({ data: 'v1', etag });
      await store.release(lease);
      // Releasing a turn that is already over is harmless.
      await expect(store.release(holder)).resolves.toBeUndefined();
      await expect(store.release(lease)).resolves.toBeUndefined();
    });

    it('refuses the commit of a turn whose lease ran out after another turn got in', async () => {
      const store = open({ leaseMs: 200, waitMs: 3_000 });
      const key = newKey();
      const seed = await store.begin(key);
      await store.commit(seed, 'v0');

      const slow = await store.begin(key);
      // The next turn gets in once the slow turn's lease has run out.
      const fast = await store.begin(key);
      expect(fast.stored?.data).toBe('v0');
      // The slow turn wakes up while the other one still holds the conversation…
      await expect(store.commit(slow, 'slow')).rejects.toBeInstanceOf(ConflictError);
      await store.commit(fast, 'fast');

      // …or after it has written.
      const slow2 = await store.begin(key);
      const fast2 = await store.begin(key);
      await store.commit(fast2, 'fast2');
      await expect(store.commit(slow2, 'slow2')).rejects.toBeInstanceOf(ConflictError);

      const check = await store.begin(key);
      expect(check.stored?.data).toBe('fast2');
      await store.release(check);
    });

    it('lets others in at most about leaseMs after a turn died without ending', async () => {
      const leaseMs = 300;
      const store = open({ leaseMs, waitMs: 3_000 });
      const key = newKey();
      const seed = await store.begin(key);
      await store.commit(seed, 'kept');
      await store.begin(key); // never committed nor released: its process "crashed"

      const started = Date.now();
      const next = await store.begin(key);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(leaseMs - 100);
      expect(waited).toBeLessThan(leaseMs + 600);
      expect(next.stored?.data).toBe('kept');
      await store.commit(next, 'after the crash');
      const check = await store.begin(key);
      expect(check.stored?.data).toBe('after the crash');
      await store.release(check);
    });

    it('gives up with ConversationBusyError after waitMs, and the quitter does not hold anyone up', async () => {
      const waitMs = 200;
      const store = open({ leaseMs: 3_000, waitMs });
      const key = newKey();
      const holder = await store.begin(key);

      const started = Date.now();
      await expect(store.begin(key)).rejects.toBeInstanceOf(ConversationBusyError);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(waitMs - 20);
      expect(waited).toBeLessThan(waitMs + 1_000);

      await store.release(holder);
      const restarted = Date.now();
      const next = await store.begin(key);
      expect(Date.now() - restarted).toBeLessThan(500);
      await store.release(next);
    });

    it('forgets a conversation not touched for ttlMs, and keeps one that is touched', async () => {
      const ttlMs = 400;
      const store = open({ ttlMs });
      const key = newKey();
      const seed = await store.begin(key);
      await store.commit(seed, 'v0');
      // Touched every 200 ms for 1 s (well past ttlMs): still there.
      for (const i of range(5)) {
        await sleep(200);
        const lease = await store.begin(key);
        expect(lease.stored?.data).toBe(`v${i}`);
        await store.commit(lease, `v${i + 1}`);
      }
      // Left alone for longer than ttlMs: gone.
      await sleep(ttlMs + 250);
      const lease = await store.begin(key);
      expect(lease.stored).toBeNull();
      await store.release(lease);
    });

    it('loses no update when many turns read, increment and commit at once', async () => {
      const store = open();
      const key = newKey();
      const n = 25;
      await Promise.all(
        range(n).map(async () => {
          const lease = await store.begin(key);
          const count = lease.stored ? (JSON.parse(lease.stored.data) as { count: number }).count : 0;
          await sleep(1);
          await store.commit(lease, JSON.stringify({ count: count + 1 }));
        }),
      );
      const lease = await store.begin(key);
      expect(JSON.parse(lease.stored!.data)).toEqual({ count: n });
      await store.release(lease);
    });

    it('tells whether a commit landed: saved, or not saved and then it can no longer land', async () => {
      const store = open();
      const key = newKey();
      const first = await store.begin(key);
      await store.commit(first, 'v1');
      await expect(store.commitOutcome!(first)).resolves.toBe('saved');

      const lost = await store.begin(key);
      const waiting = store.begin(key);
      await expect(store.commitOutcome!(lost)).resolves.toBe('notSaved');
      // The turn left the conversation: the next one is let in, and the old commit is refused.
      const next = await within(waiting, 1_000);
      expect(next).not.toBe('timeout');
      await expect(store.commit(lost, 'late')).rejects.toBeInstanceOf(ConflictError);
      expect((next as TurnLease).stored?.data).toBe('v1');
      await store.commit(next as TurnLease, 'v2');
      const check = await store.begin(key);
      expect(check.stored?.data).toBe('v2');
      await store.release(check);
    });

    it('lets at most queueMax turns wait behind the one in progress; more get QueueFullError at once', async () => {
      const store = open({ queueMax: 3 });
      const key = newKey();
      const holder = await store.begin(key);
      const waiting = range(3).map(() => store.begin(key));
      await sleep(50);
      const started = Date.now();
      await expect(store.begin(key)).rejects.toBeInstanceOf(QueueFullError);
      await expect(store.begin(key)).rejects.toBeInstanceOf(ConversationBusyError);
      expect(Date.now() - started).toBeLessThan(500);
      // Another conversation is not affected.
      await store.release(await store.begin(newKey()));
      await store.release(holder);
      for (const next of waiting) await store.release(await next);
      // Once the queue has drained, turns are let in again.
      await store.release(await store.begin(key));
    });

    it('limits a conversation to its rate: a burst, then one turn per interval; refused turns change nothing', async () => {
      const clock = { now: Date.parse('2026-12-01T09:00:00Z') };
      const store = open({ rate: { perMinute: 30, burst: 3 }, now: () => clock.now } as Partial<ConversationStoreOptions>);
      const key = newKey();
      for (const i of range(3)) {
        const lease = await store.begin(key);
        await store.commit(lease, `turn ${i}`);
      }
      const refused = await store.begin(key).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(RateLimitedError);
      // 30 a minute: the next turn is allowed 2 s later.
      expect((refused as RateLimitedError).retryAfterMs).toBeGreaterThan(1_900);
      expect((refused as RateLimitedError).retryAfterMs).toBeLessThanOrEqual(2_000);
      // Refused turns neither wrote nor held the conversation.
      clock.now += 2_000;
      const lease = await store.begin(key);
      expect(lease.stored?.data).toBe('turn 2');
      await store.commit(lease, 'turn 3');
      await expect(store.begin(key)).rejects.toBeInstanceOf(RateLimitedError);
      // Turns that end without writing (a redelivery) do not count.
      clock.now += 2_000;
      for (const _ of range(3)) await store.release(await store.begin(key));
      // A quiet minute fills the bucket again, up to the burst.
      clock.now += 60_000;
      for (const i of range(3)) await store.commit(await store.begin(key), `later ${i}`);
      await expect(store.begin(key)).rejects.toBeInstanceOf(RateLimitedError);
      // Another conversation has its own bucket.
      await store.release(await store.begin(newKey()));
      // A begin that is not the user's (a notification) neither meets nor spends the limit.
      const notification = await store.begin(key, { limited: false });
      await store.commit(notification, 'notified');
      await expect(store.begin(key)).rejects.toBeInstanceOf(RateLimitedError);
      clock.now += 2_000;
      const next = await store.begin(key);
      expect(next.stored?.data).toBe('notified');
      await store.commit(next, 'one more');
      await expect(store.begin(key)).rejects.toBeInstanceOf(RateLimitedError);
    });

    it('erases a conversation while a turn holds it ("delete my data") and lets the next turn in', async () => {
      const store = open();
      const key = newKey();
      await store.commit(await store.begin(key), 'personal data');
      const lease = await store.begin(key);
      const next = store.begin(key);
      await store.erase!(lease);
      const after = await within(next, 1_000);
      expect(after).not.toBe('timeout');
      expect((after as TurnLease).stored).toBeNull();
      await store.release(after as TurnLease);
      await expect(store.erase!(lease)).rejects.toBeInstanceOf(ConflictError);
    });

    it('answers ping while it is usable', async () => {
      await expect(open().ping()).resolves.toBeUndefined();
    });
  });
}

describeConversationStoreContract(
  'MemoryConversationStore',
  (options) => new MemoryConversationStore(options, (options as { now?: () => number }).now),
);

describe('with a throwaway Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  const filePrefix = uniquePrefix('contract');
  let stores = 0;

  beforeAll(async () => {
    redis = await startRedis();
    client = createRedisClient(redis.url);
    await waitUntilReady(client);
  });

  afterAll(async () => {
    if (client) {
      await deleteKeysWithPrefix(client, filePrefix);
      await client.quit();
    }
    await redis?.stop();
  });

  describeConversationStoreContract(
    'RedisConversationStore',
    (options) =>
      new RedisConversationStore(client, { ...options, keyPrefix: `${filePrefix}${++stores}:` }),
  );
});
