import type { RedisClient } from '../../adapters/redis';
import { useRedisCluster } from '../helpers/redisCluster';
import { describeContractsOn } from './topologyContracts';

/** The adapters' contract suites on a 3-master Redis Cluster (with replicas), two clients. */
describe('on a Redis Cluster', () => {
  const cluster = useRedisCluster();
  let second: RedisClient;
  beforeAll(async () => {
    second = await cluster.newClient();
  });
  describeContractsOn('a Redis Cluster', () => [cluster.client, second], { cluster: true });
});
