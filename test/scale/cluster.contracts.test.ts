import { durableCall, NotReplicatedError, RedisClient } from '../../adapters/redis';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { scaled } from '../helpers/timeouts';
import { useRedisCluster } from '../helpers/redisCluster';
import { describeContractsOn, readOutboxWithTheCommand } from './topologyContracts';

/**
 * On a 3-master Redis Cluster with a replica each: the adapters' contract suites (two clients),
 * and durable writes (WAIT, sent to the node that took the write).
 */
describe('on a Redis Cluster', () => {
  const cluster = useRedisCluster();
  let second: RedisClient;
  beforeAll(async () => {
    second = await cluster.newClient();
  });
  describeContractsOn('a Redis Cluster', () => [cluster.client, second]);

  it('npm run outbox reads the outbox through REDIS_CLUSTER_NODES', async () => {
    await readOutboxWithTheCommand(cluster.client, cluster.env);
  });

  it("finds the first version's whole messages on every master, and removes them", async () => {
    const outbox = new RedisOutbox(cluster.client, { keyPrefix: 'test:first-version:' });
    const keys = Array.from({ length: 12 }, (_, i) => outbox.earlierKeys.dedupeKeyFor(`otp:V${i}`));
    const masters = new Set(await Promise.all(keys.map((key) => cluster.topology.masterFor(key))));
    expect(masters.size).toBe(3);
    for (const key of keys) await cluster.client.hset(key, { message: '{"body":"Your passcode is ABCD1FGH"}', until: '0' });
    expect(await outbox.forgetOldContent()).toBe(12);
    expect(await Promise.all(keys.map((key) => cluster.client.exists(key)))).toEqual(keys.map(() => 0));
  }, scaled(30_000));

  describe('durable writes', () => {
    it("wait for the replica of the master that took the write, not any other node's", async () => {
      const key = 'test:durable:{alpha}';
      const master = await cluster.topology.masterFor(key);
      const nodes = await cluster.topology.nodes();
      const masterId = nodes.find((n) => n.port === master)!.id;
      const replica = cluster.topology.processes.find((p) => p.port === nodes.find((n) => n.masterId === masterId)!.port)!;
      // A key on another master.
      let elsewhere = '';
      for (let i = 0; !elsewhere; i++) if ((await cluster.topology.masterFor(`test:durable:{k${i}}`)) !== master) elsewhere = `test:durable:{k${i}}`;

      await expect(durableCall(cluster.client, 'SET', [key, '1'])).resolves.toBe('OK');
      process.kill(replica.pid, 'SIGSTOP');
      try {
        await expect(durableCall(cluster.client, 'SET', [key, '2'])).rejects.toBeInstanceOf(NotReplicatedError);
        await expect(durableCall(cluster.client, 'SET', [elsewhere, '3'])).resolves.toBe('OK');
      } finally {
        process.kill(replica.pid, 'SIGCONT');
      }
      await expect(durableCall(cluster.client, 'SET', [key, '4'])).resolves.toBe('OK');
    }, scaled(30_000));
  });
});
