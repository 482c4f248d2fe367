import { durabilityOf, durableCall, NotReplicatedError, RedisClient, setDurability, WAIT_TIMEOUT_MS } from '../../adapters/redis';
import { scaled } from '../helpers/timeouts';
import { useRedisSentinel } from '../helpers/redisSentinel';
import { describeContractsOn, readOutboxWithTheCommand } from './topologyContracts';

/**
 * On a master + replica watched by three Sentinels: the adapters' contract suites (two clients),
 * and durable writes (WAIT for the replica).
 */
describe('on Redis Sentinel', () => {
  const sentinel = useRedisSentinel();
  let second: RedisClient;
  beforeAll(async () => {
    second = await sentinel.newClient();
  });
  describeContractsOn('Redis Sentinel', () => [sentinel.client, second]);

  it('npm run outbox reads the outbox through REDIS_SENTINELS', async () => {
    await readOutboxWithTheCommand(sentinel.client, sentinel.env);
  });

  describe('durable writes', () => {
    const replica = async () => {
      const master = await sentinel.topology.masterPort();
      return sentinel.topology.servers.find((s) => s.alive() && s.port !== master)!;
    };

    it('count as done once the replica has them, and not while the replica cannot take them', async () => {
      const client = sentinel.client;
      expect(durabilityOf(client)).toEqual({ replicas: 1, timeoutMs: WAIT_TIMEOUT_MS });
      await expect(durableCall(client, 'SET', ['test:durable:a', '1'])).resolves.toBe('OK');

      const stopped = await replica();
      process.kill(stopped.pid, 'SIGSTOP');
      try {
        const started = Date.now();
        const refused = durableCall(client, 'SET', ['test:durable:b', '2']);
        await expect(refused).rejects.toBeInstanceOf(NotReplicatedError);
        await expect(refused).rejects.toThrow(/not acknowledged by 1 replica\(s\) within 1000 ms \(0 did\)/);
        expect(Date.now() - started).toBeGreaterThanOrEqual(WAIT_TIMEOUT_MS - 50);
        // It reached the master (it may survive): the caller says "not saved", and can look.
        expect(await client.get('test:durable:b')).toBe('2');
        // Without replicas asked for, the same write is a plain one.
        const plain = await sentinel.newClient();
        setDurability(plain, { replicas: 0 });
        await expect(durableCall(plain, 'SET', ['test:durable:c', '3'])).resolves.toBe('OK');
      } finally {
        process.kill(stopped.pid, 'SIGCONT');
      }
      await expect(durableCall(client, 'SET', ['test:durable:d', '4'])).resolves.toBe('OK');
    }, scaled(30_000));
  });
});
