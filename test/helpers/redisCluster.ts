import { createRedis, RedisClient, waitUntilReady } from '../../adapters/redis';
import { ClusterOptions, RedisClusterTopology, startRedisCluster } from '../../bench/redisCluster';
import { scaled } from './timeouts';

export type { RedisClusterTopology };

export interface UsedCluster {
  topology: RedisClusterTopology;
  /** A client of the test's own (as a bot process has), ready; quit in afterAll. */
  client: RedisClient;
  /** The environment a bot needs to use this cluster. */
  env: Record<string, string>;
  /** Another client (ready), quit in afterAll. */
  newClient(): Promise<RedisClient>;
}

/**
 * In a describe block: a Redis Cluster of the file's own (3 masters with a replica each unless
 * told otherwise; see bench/redisCluster.ts), up in beforeAll, gone in afterAll.
 */
export function useRedisCluster(options: ClusterOptions = {}): UsedCluster {
  const used = {} as UsedCluster;
  const clients: RedisClient[] = [];
  used.newClient = async () => {
    const client = createRedis({ kind: 'cluster', nodes: used.topology.seedNodes });
    clients.push(client);
    await waitUntilReady(client, scaled(10_000));
    return client;
  };
  beforeAll(async () => {
    used.topology = await startRedisCluster(options);
    used.env = { REDIS_CLUSTER_NODES: used.topology.nodesSetting };
    used.client = await used.newClient();
  }, scaled(120_000));
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await used.topology?.stop();
  }, scaled(30_000));
  return used;
}
