import { createRedis, RedisClient, waitUntilReady } from '../../adapters/redis';
import { scaled } from './timeouts';
import { RedisSentinelTopology, SentinelOptions, startRedisSentinel } from '../../bench/redisSentinel';

export type { RedisSentinelTopology };

export interface UsedSentinel {
  topology: RedisSentinelTopology;
  /** A client of the test's own (as a bot process has), ready; quit in afterAll. */
  client: RedisClient;
  /** The environment a bot needs to use this master through its Sentinels. */
  env: Record<string, string>;
  newClient(): Promise<RedisClient>;
}

/**
 * In a describe block: a master, a replica and three Sentinels of the file's own (see
 * bench/redisSentinel.ts), up in beforeAll, gone in afterAll.
 */
export function useRedisSentinel(options: SentinelOptions = {}): UsedSentinel {
  const used = {} as UsedSentinel;
  const clients: RedisClient[] = [];
  used.newClient = async () => {
    const client = createRedis({
      kind: 'sentinel',
      sentinels: used.topology.sentinels,
      name: used.topology.name,
      password: options.password,
    });
    clients.push(client);
    await waitUntilReady(client, scaled(10_000));
    return client;
  };
  beforeAll(async () => {
    used.topology = await startRedisSentinel(options);
    used.env = {
      REDIS_SENTINELS: used.topology.sentinelsSetting,
      REDIS_SENTINEL_NAME: used.topology.name,
      ...(options.password ? { REDIS_PASSWORD: options.password } : {}),
    };
    used.client = await used.newClient();
  }, scaled(120_000));
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await used.topology?.stop();
  }, scaled(30_000));
  return used;
}
