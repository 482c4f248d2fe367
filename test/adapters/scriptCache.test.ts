import type { Redis } from 'ioredis';
import { info, scaled, startRedisProcess, waitUntil, type RedisProcess } from '../../bench/redisProcess';
import { createRedis, setDurability, type RedisClient } from '../../adapters/redis';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { RedisVerificationCodes } from '../../adapters/redisVerificationCodes';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { deleteKeysWithPrefix, startRedis, uniquePrefix, type TestRedis } from '../helpers/redis';

/**
 * A Redis that has lost its script cache (a restart, a replica promoted by a failover, someone's
 * SCRIPT FLUSH) answers EVALSHA with NOSCRIPT: the adapters' scripts still run, once each, alone
 * and auto-pipelined with other turns' — this test's server is its own, so flushing its cache
 * touches nothing of anyone else's.
 */
describe('scripts after the server forgets them (NOSCRIPT)', () => {
  let redis: TestRedis;
  let client: RedisClient;
  let direct: Redis;
  const prefix = uniquePrefix('script-cache');

  beforeAll(async () => {
    redis = await startRedis();
    client = createRedis(redis.url);
    direct = createRedisClient(redis.url);
    await Promise.all([waitUntilReady(client), waitUntilReady(direct)]);
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(direct, prefix);
    client.disconnect();
    direct.disconnect();
    await redis.stop();
  });

  const flushScripts = async () => {
    expect(await direct.call('SCRIPT', 'FLUSH')).toBe('OK');
  };

  it('the outbox writes each message once, before and after the cache is flushed, also 20 at once', async () => {
    const outbox = new RedisOutbox(client, { keyPrefix: `${prefix}outbox:` });
    const send = (n: number) => outbox.send({ channel: 'email', recipient: `person${n}@nhs.net`, subject: 'A code', body: `message ${n}` }, { dedupeKey: `m${n}` });
    await send(0);
    await flushScripts();
    await send(1);
    await flushScripts();
    await Promise.all(Array.from({ length: 20 }, (_, i) => send(i + 2)));
    await send(1); // the same dedupe key: not written again
    const all = await outbox.latest(100);
    expect(all.map((m) => m.body).sort()).toEqual(Array.from({ length: 22 }, (_, i) => `message ${i}`).sort());
  });

  it('verification codes are issued and checked across a flush, the count of wrong codes kept', async () => {
    const codes = new RedisVerificationCodes(client, { keyPrefix: `${prefix}codes:`, hashCost: 1024 });
    const issued = await codes.issue('ownerVerification', 'sarah.hollis@nhs.net');
    if (!issued.ok) throw new Error('no code issued');
    await flushScripts();
    const wrong = await codes.verify('ownerVerification', 'sarah.hollis@nhs.net', issued.code === '000000' ? '111111' : '000000');
    expect(wrong).toMatchObject({ ok: false, reason: 'wrong', attemptsLeft: 4 });
    await flushScripts();
    expect(await codes.verify('ownerVerification', 'sarah.hollis@nhs.net', issued.code)).toMatchObject({ ok: true });
  });

  describe('durable writes (the writes and a WAIT in one pipeline)', () => {
    let master: RedisProcess;
    let replica: RedisProcess;
    let durable: RedisClient;
    let admin: Redis;

    beforeAll(async () => {
      master = await startRedisProcess(['--save', '', '--appendonly', 'no'], { label: 'script-cache master' });
      replica = await startRedisProcess(['--save', '', '--appendonly', 'no', '--replicaof', '127.0.0.1', String(master.port)], { label: 'script-cache replica' });
      await waitUntil(async () => (await info(replica.port, 'replication')).master_link_status === 'up', 'the replica to be in sync', scaled(20_000));
      durable = createRedis(`redis://127.0.0.1:${master.port}`);
      admin = createRedisClient(`redis://127.0.0.1:${master.port}`);
      await Promise.all([waitUntilReady(durable), waitUntilReady(admin)]);
      setDurability(durable, { replicas: 1 });
    });
    afterAll(async () => {
      durable?.disconnect();
      admin?.disconnect();
      await replica?.stop();
      await master?.stop();
    });

    it('a flushed script in the pipeline is run again, and vouched for by the replica', async () => {
      const outbox = new RedisOutbox(durable, { keyPrefix: `${prefix}durable:` });
      const send = (n: number) => outbox.send({ channel: 'email', recipient: `person${n}@nhs.net`, body: `durable ${n}` }, { dedupeKey: `d${n}` });
      await send(0);
      expect(await admin.call('SCRIPT', 'FLUSH')).toBe('OK');
      await Promise.all(Array.from({ length: 10 }, (_, i) => send(i + 1)));
      expect(await admin.call('SCRIPT', 'FLUSH')).toBe('OK');
      await send(3);
      const all = await outbox.latest(100);
      expect(all.map((m) => m.body).sort()).toEqual(Array.from({ length: 11 }, (_, i) => `durable ${i}`).sort());
    });
  });
});
