import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreUnavailableError, TurnLease } from '../../adapters/conversationStore';
import {
  createRedisClient,
  RedisConversationStore,
  RedisConversationStoreOptions,
  waitUntilReady,
} from '../../adapters/redisConversationStore';
import { deleteKeysWithPrefix, startRedis, TestRedis, uniquePrefix } from '../helpers/redis';
import { startTcpProxy, TcpProxy } from '../helpers/tcpProxy';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('RedisConversationStore', () => {
  let redis: TestRedis;
  /** A plain client for looking at Redis behind the stores' backs. */
  let direct: Redis;
  const clients: Redis[] = [];
  const filePrefix = uniquePrefix('redis-store');
  let stores = 0;

  const connect = async (url = redis.url): Promise<Redis> => {
    const client = createRedisClient(url);
    clients.push(client);
    await waitUntilReady(client);
    return client;
  };
  const newPrefix = () => `${filePrefix}${++stores}:`;
  const newKey = () => `conv-${randomUUID()}`;
  const storeOn = (client: Redis, options: Partial<RedisConversationStoreOptions> = {}) =>
    new RedisConversationStore(client, {
      ttlMs: 60_000,
      leaseMs: 2_000,
      waitMs: 10_000,
      keyPrefix: newPrefix(),
      // Floods are the contract suite's: here, no queue cap or rate limit.
      queueMax: 1_000,
      rate: { perMinute: 0, burst: 0 },
      ...options,
    });

  beforeAll(async () => {
    redis = await startRedis();
    direct = await connect();
  });

  afterAll(async () => {
    if (direct) await deleteKeysWithPrefix(direct, filePrefix);
    // quit() while connected: disconnect() on a client whose socket is already gone leaves a
    // 2 s timer behind in ioredis.
    await Promise.all(
      clients.filter((c) => c.status === 'ready').map((c) => c.quit().catch(() => c.disconnect())),
    );
    await redis?.stop();
  });

  it('serves two clients (two processes) on one conversation in FIFO order with no lost update', async () => {
    const keyPrefix = newPrefix();
    const storeA = storeOn(await connect(), { keyPrefix });
    const storeB = storeOn(await connect(), { keyPrefix });
    const key = newKey();
    const queueKey = storeA.keysFor(key).queue;
    expect(storeB.keysFor(key)).toEqual(storeA.keysFor(key));

    // Strict order: a blocker holds the conversation while turns join alternately through A and
    // B, each one only once the previous has reached Redis.
    const blocker = await storeA.begin(key);
    const admitted: number[] = [];
    let active = 0;
    let maxActive = 0;
    const turn = async (store: RedisConversationStore, i: number) => {
      const lease = await store.begin(key);
      active++;
      maxActive = Math.max(maxActive, active);
      admitted.push(i);
      const count = lease.stored ? (JSON.parse(lease.stored.data) as { count: number }).count : 0;
      await sleep(2);
      active--;
      await store.commit(lease, JSON.stringify({ count: count + 1 }));
    };
    const turns: Promise<void>[] = [];
    for (const i of range(12)) {
      turns.push(turn(i % 2 === 0 ? storeA : storeB, i));
      await waitFor(async () => (await direct.llen(queueKey)) === i + 1, 2_000, `turn ${i} to queue`);
    }
    await storeA.release(blocker);
    await Promise.all(turns);
    expect(admitted).toEqual(range(12));
    expect(maxActive).toBe(1);

    // Free-for-all: 40 turns at once through both clients; none may overlap or lose its update.
    admitted.length = 0;
    await Promise.all(range(40).map((i) => turn(i % 2 === 0 ? storeA : storeB, i)));
    expect(maxActive).toBe(1);
    expect(admitted).toHaveLength(40);
    const last = await storeB.begin(key);
    expect(JSON.parse(last.stored!.data)).toEqual({ count: 52 });
    await storeB.release(last);
  });

  it.each([
    ['without', { perMinute: 0, burst: 0 }],
    ['with', { perMinute: 600, burst: 50 }],
  ])('needs two round trips and 8 Redis commands (those inside its scripts too) for an uncontended turn, %s a rate limit', async (_label, rate) => {
    const store = storeOn(await connect(), { rate });
    const key = newKey();
    const commands = async () => {
      const stats = await direct.info('commandstats');
      return Object.fromEntries([...stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].filter(([, name]) => name !== 'info').map(([, name, calls]) => [name, Number(calls)]));
    };
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    for (const i of range(3)) {
      const before = store.roundTrips;
      const lease = await store.begin(key);
      await store.commit(lease, `turn ${i}`);
      expect(store.roundTrips - before).toBe(2);
    }
    // Counted by Redis: this client sends nothing else meanwhile; INFO itself is left out.
    const before = await commands();
    for (const i of range(5)) await store.commit(await store.begin(key), `counted ${i}`);
    const after = await commands();
    const used = Object.fromEntries(Object.entries(after).map(([name, calls]) => [name, calls - (before[name] ?? 0)]).filter(([, n]) => n));
    expect({ total: total(used), used }).toEqual({ total: 5 * 8, used: { evalsha: 10, exists: 5, set: 10, get: 10, del: 5 } });
  });

  it('tells a waiting turn when it is its turn instead of polling', async () => {
    // pollMs of a minute: only the wake-up can let the waiter in quickly.
    const keyPrefix = newPrefix();
    const holderStore = storeOn(await connect(), { keyPrefix, pollMs: 60_000 });
    const waiterStore = storeOn(await connect(), { keyPrefix, pollMs: 60_000 });
    const key = newKey();
    const holder = await holderStore.begin(key);
    const tripsBefore = waiterStore.roundTrips;
    const waiting = waiterStore.begin(key);
    await sleep(500);
    // Joined, subscribed, asked once: no polling while it waits.
    expect(waiterStore.roundTrips - tripsBefore).toBe(2);
    const committed = Date.now();
    await holderStore.commit(holder, 'from the holder');
    const lease = await waiting;
    expect(Date.now() - committed).toBeLessThan(300);
    expect(lease.stored?.data).toBe('from the holder');
    expect(waiterStore.roundTrips - tripsBefore).toBe(3);
    await waiterStore.commit(lease, 'from the waiter');
    await Promise.all([holderStore.close(), waiterStore.close()]);
  });

  it('keeps its keys under one hash tag, all with a TTL, and leaves none behind but the state', async () => {
    const ttlMs = 30_000;
    const leaseMs = 2_000;
    const keyPrefix = newPrefix();
    const store = storeOn(await connect(), { ttlMs, leaseMs, keyPrefix });
    const key = newKey();
    const keys = store.keysFor(key);
    expect(keys).toEqual({
      state: `${keyPrefix}{${key}}:state`,
      queue: `${keyPrefix}{${key}}:queue`,
      lease: `${keyPrefix}{${key}}:lease`,
      wake: `${keyPrefix}{${key}}:wake`,
    });

    const holder = await store.begin(key);
    const waiter = store.begin(key);
    await waitFor(async () => (await direct.llen(keys.queue)) === 1, 2_000, 'the waiter to queue');
    const queueTtl = await direct.pttl(keys.queue);
    const leaseTtl = await direct.pttl(keys.lease);
    expect(queueTtl).toBeGreaterThan(0);
    expect(leaseTtl).toBeGreaterThan(0);
    expect(leaseTtl).toBeLessThanOrEqual(leaseMs);
    // The lease is the holder's token, marked once someone waits behind it.
    expect(await direct.get(keys.lease)).toBe(`${holder.token}+`);

    await store.commit(holder, 'one');
    const next = await waiter;
    await store.commit(next, 'two');

    const stateTtl = await direct.pttl(keys.state);
    expect(stateTtl).toBeGreaterThan(ttlMs - 5_000);
    expect(stateTtl).toBeLessThanOrEqual(ttlMs);
    expect(await direct.exists(keys.queue, keys.lease)).toBe(0);
    const everything = await direct.keys(`${keyPrefix}*`);
    expect(everything).toEqual([keys.state]);
  });

  it('lets a new turn in once the lease of a dead process runs out', async () => {
    const leaseMs = 400;
    const store = storeOn(await connect(), { leaseMs });
    const key = newKey();
    await direct.set(store.keysFor(key).lease, 'token-of-a-dead-process', 'PX', leaseMs);

    const started = Date.now();
    const lease = await store.begin(key);
    expect(Date.now() - started).toBeLessThan(leaseMs + 700);
    await store.commit(lease, 'fine');
    expect(await direct.exists(store.keysFor(key).queue, store.keysFor(key).lease)).toBe(0);
  });

  it('reads a conversation stored by the earlier version (a hash) and keeps it', async () => {
    const store = storeOn(await connect());
    const key = newKey();
    const { state } = store.keysFor(key);
    await direct.hset(state, { data: '{"stored":"by v1"}', etag: 'old-etag' });
    await direct.pexpire(state, 50_000);
    expect(await store.read(key)).toEqual({ data: '{"stored":"by v1"}', etag: 'old-etag' });
    const lease = await store.begin(key);
    expect(lease.stored).toEqual({ data: '{"stored":"by v1"}', etag: 'old-etag' });
    expect(await direct.type(state)).toBe('string');
    expect(await direct.pttl(state)).toBeGreaterThan(40_000);
    await store.commit(lease, '{"stored":"by v2"}');
    expect(await store.read(key)).toEqual({ data: '{"stored":"by v2"}', etag: lease.token });
  });

  it('waits at most about leaseMs for a dead waiter that was handed the conversation', async () => {
    const leaseMs = 400;
    const store = storeOn(await connect(), { leaseMs, pollMs: 5 });
    const key = newKey();
    const holder = await store.begin(key);
    await direct.rpush(store.keysFor(key).queue, 'waiter-that-died');
    await direct.append(store.keysFor(key).lease, '+');
    const next = store.begin(key);
    await waitFor(async () => (await direct.llen(store.keysFor(key).queue)) === 2, 2_000, 'the live waiter to queue');

    const handedOver = Date.now();
    await store.commit(holder, 'one');
    const lease = await next;
    const waited = Date.now() - handedOver;
    expect(waited).toBeLessThan(leaseMs + 700);
    expect(lease.stored?.data).toBe('one');
    await store.release(lease);
  });

  it('does not skip a live waiter that is slow to notice it is its turn', async () => {
    // The holder dies; waiter B (slow poller) is ahead of waiter C (fast poller). C notices the
    // dead holder first: it must hand the conversation to B, not skip B as well.
    const keyPrefix = newPrefix();
    const leaseMs = 300;
    const client = await connect();
    const slow = storeOn(client, { keyPrefix, leaseMs, pollMs: 150 });
    const fast = storeOn(client, { keyPrefix, leaseMs, pollMs: 5 });
    const key = newKey();
    await fast.begin(key); // dies holding it

    const admitted: string[] = [];
    const take = async (store: RedisConversationStore, name: string) => {
      const lease = await store.begin(key);
      admitted.push(name);
      await sleep(5);
      await store.commit(lease, name);
    };
    const b = take(slow, 'B');
    await waitFor(async () => (await direct.llen(fast.keysFor(key).queue)) === 1, 2_000, 'B to queue');
    const c = take(fast, 'C');
    await Promise.all([b, c]);
    expect(admitted).toEqual(['B', 'C']);
  });

  describe('during a Redis outage', () => {
    let proxy: TcpProxy;

    beforeAll(async () => {
      const target = new URL(redis.url);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('fails fast with StoreUnavailableError, keeps the data, and recovers by itself', async () => {
      const proxied = new URL(redis.url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      const client = createRedisClient(proxied.toString());
      await waitUntilReady(client);
      try {
        await outageScenario(client);
      } finally {
        // Before the proxy goes away, while the client is connected (see afterAll).
        await client.quit().catch(() => client.disconnect());
      }
    });

    async function outageScenario(client: Redis): Promise<void> {
      const store = storeOn(client, { leaseMs: 1_000, waitMs: 3_000 });
      const key = newKey();
      const stateKey = store.keysFor(key).state;

      const seed = await store.begin(key);
      await store.commit(seed, 'before');
      const stored = await store.read(key);
      expect(stored?.data).toBe('before');
      await expect(store.ping()).resolves.toBeUndefined();

      const inFlight = await store.begin(key); // a turn is running when Redis goes away
      await proxy.cut();

      let started = Date.now();
      const commitError = await store.commit(inFlight, 'lost').catch((err: unknown) => err);
      expect(commitError).toBeInstanceOf(StoreUnavailableError);
      expect((commitError as Error).cause).toBeInstanceOf(Error);
      expect(Date.now() - started).toBeLessThan(3_000);

      started = Date.now();
      const beginError = await store.begin(key).catch((err: unknown) => err);
      expect(beginError).toBeInstanceOf(StoreUnavailableError);
      expect((beginError as Error).cause).toBeInstanceOf(Error);
      expect(Date.now() - started).toBeLessThan(3_000);

      started = Date.now();
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(3_000);
      await expect(store.release(inFlight)).resolves.toBeUndefined();

      // Nothing was written while the store could not reach Redis.
      expect(await direct.get(stateKey)).toContain('\nbefore');
      expect(await storeOn(direct, { keyPrefix: store.keysFor('x').state.split('{')[0] }).read(key)).toEqual(stored);

      await proxy.restore();
      // The same store, on the same client, works again without anyone's help.
      const deadline = Date.now() + 10_000;
      let lease: TurnLease | undefined;
      while (!lease) {
        try {
          lease = await store.begin(key);
        } catch (err) {
          expect(err).toBeInstanceOf(StoreUnavailableError);
          if (Date.now() > deadline) throw err;
          await sleep(100);
        }
      }
      expect(lease.stored?.data).toBe('before');
      await store.commit(lease, 'after');
      await expect(store.ping()).resolves.toBeUndefined();
      expect((await direct.get(stateKey))?.endsWith('\nafter')).toBe(true);
    }
  });
});
