import { durableCall, NotReplicatedError, RedisClient } from '../../adapters/redis';
import { scaled } from '../../bench/redisProcess';
import { useRedisCluster } from '../helpers/redisCluster';
import { describeContractsOn } from './topologyContracts';

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
