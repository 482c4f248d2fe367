import type { RedisClient } from '../../adapters/redis';
import { useRedisSentinel } from '../helpers/redisSentinel';
import { describeContractsOn } from './topologyContracts';

/** The adapters' contract suites on a master + replica watched by three Sentinels, two clients. */
describe('on Redis Sentinel', () => {
  const sentinel = useRedisSentinel();
  let second: RedisClient;
  beforeAll(async () => {
    second = await sentinel.newClient();
  });
  describeContractsOn('Redis Sentinel', () => [sentinel.client, second], { cluster: false });
});
