import { Cluster, Redis } from 'ioredis';
import { createRedis, describeTopology, durabilityOf, parseEndpoint, redisTopology, WAIT_TIMEOUT_MS } from '../../adapters/redis';
import { ConfigError, loadConfig } from '../../bot/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('choosing the Redis topology from configuration', () => {
  it('reads one node, a Cluster, or a master behind Sentinels', () => {
    expect(redisTopology(loadConfig({}))).toBeUndefined();
    expect(redisTopology(loadConfig({ REDIS_URL: 'redis://10.0.0.5:6380/0' }))).toEqual({ kind: 'node', url: 'redis://10.0.0.5:6380/0' });
    expect(redisTopology(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001 redis-3.internal:7002' }))).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: 'redis-3.internal', port: 7002 },
      ],
    });
    expect(
      redisTopology(
        loadConfig({
          REDIS_SENTINELS: '[::1]:26379,127.0.0.1:26380',
          REDIS_SENTINEL_NAME: 'mymaster',
          REDIS_PASSWORD: 'data-secret',
          REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
        }),
      ),
    ).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '::1', port: 26379 },
        { host: '127.0.0.1', port: 26380 },
      ],
      name: 'mymaster',
      password: 'data-secret',
      sentinelPassword: 'sentinel-secret',
    });
    expect(redisTopology(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_USERNAME: 'bot', REDIS_PASSWORD: 's' }))).toMatchObject({
      username: 'bot',
      password: 's',
    });
  });

  it('asks one replica to acknowledge each saved write with Cluster or Sentinel, none with one node, or as configured', () => {
    const lazy = { lazyConnect: true };
    const clients = [
      createRedis(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' }), lazy),
      createRedis(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:1' }), lazy),
      createRedis(loadConfig({ REDIS_SENTINELS: '127.0.0.1:1', REDIS_SENTINEL_NAME: 'm' }), lazy),
      createRedis(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_WAIT_REPLICAS: '2' }), lazy),
      createRedis(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:1', REDIS_WAIT_REPLICAS: '0' }), lazy),
    ];
    try {
      expect(clients.map((c) => durabilityOf(c).replicas)).toEqual([0, 1, 1, 2, 0]);
      expect(durabilityOf(clients[0]!).timeoutMs).toBe(WAIT_TIMEOUT_MS);
    } finally {
      for (const client of clients) client.disconnect();
    }
  });

  it('names the topology for the logs without a password', () => {
    expect(describeTopology(undefined)).toBe('memory');
    expect(describeTopology({ kind: 'node', url: 'redis://user:secret@10.0.0.5:6380/0' })).toBe('redis redis://10.0.0.5:6380');
    expect(describeTopology({ kind: 'cluster', nodes: [{ host: '10.0.0.1', port: 7000 }], password: 'secret' })).toBe(
      'redis cluster (seed nodes 10.0.0.1:7000)',
    );
    expect(describeTopology({ kind: 'sentinel', sentinels: [{ host: '::1', port: 26379 }], name: 'mymaster', password: 'x' })).toBe(
      'redis sentinel master "mymaster" (sentinels [::1]:26379)',
    );
  });

  const endpoints: [string, { host: string; port: number } | undefined][] = [
    ['127.0.0.1:6379', { host: '127.0.0.1', port: 6379 }],
    ['redis-1.example.internal:7000', { host: 'redis-1.example.internal', port: 7000 }],
    ['[::1]:7000', { host: '::1', port: 7000 }],
    ['[2001:db8::5]:1', { host: '2001:db8::5', port: 1 }],
    [' 10.0.0.1:65535 ', { host: '10.0.0.1', port: 65535 }],
    ['10.0.0.1', undefined],
    ['10.0.0.1:', undefined],
    [':6379', undefined],
    ['10.0.0.1:0', undefined],
    ['10.0.0.1:65536', undefined],
    ['10.0.0.1:63a9', undefined],
    ['::1:7000', undefined],
    ['redis://10.0.0.1:6379', undefined],
    ['host_name:6379', undefined],
    ['-bad.host:6379', undefined],
    ['10.0.0.1:6379/0', undefined],
  ];
  it.each(endpoints)('reads %j as %j', (text, expected) => {
    expect(parseEndpoint(text)).toEqual(expected);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ REDIS_CLUSTER_NODES: '10.0.0.1' }, /^REDIS_CLUSTER_NODES must be a comma-separated list of host:port, e.g. 10\.0\.0\.1:6379,.*: "10\.0\.0\.1" is not host:port \(got "10\.0\.0\.1"\)$/],
    [{ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:99999,nope' }, /^REDIS_CLUSTER_NODES must be .*: "10\.0\.0\.2:99999", "nope" are not host:port/],
    [{ REDIS_CLUSTER_NODES: ' , ,' }, /^REDIS_CLUSTER_NODES must be a comma-separated list of host:port/],
    [{ REDIS_SENTINELS: 'redis://10.0.0.1:26379', REDIS_SENTINEL_NAME: 'mymaster' }, /^REDIS_SENTINELS must be a comma-separated list of host:port, e.g. 10\.0\.0\.1:26379/],
    [{ REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'my master' }, /^REDIS_SENTINEL_NAME must be the name of the master the Sentinels monitor/],
    [{ REDIS_SENTINELS: '10.0.0.1:26379' }, /^REDIS_SENTINEL_NAME must be set when REDIS_SENTINELS is set/],
    [{ REDIS_SENTINEL_NAME: 'mymaster' }, /^REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not/],
    [
      { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '10.0.0.1:7000' },
      /^Set only one of REDIS_URL \(one Redis\), REDIS_CLUSTER_NODES \(Redis Cluster\) and REDIS_SENTINELS \(Redis Sentinel\); found REDIS_URL and REDIS_CLUSTER_NODES$/,
    ],
    [
      { REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'm' },
      /^Set only one of .*; found REDIS_CLUSTER_NODES and REDIS_SENTINELS$/,
    ],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PASSWORD: 'secret' }, /^REDIS_PASSWORD is for REDIS_CLUSTER_NODES and REDIS_SENTINELS: with REDIS_URL put the user and password in the URL/],
    [{ REDIS_PASSWORD: 'secret' }, /^REDIS_PASSWORD is set but no Redis is/],
    [{ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_USERNAME: 'bot' }, /^REDIS_PASSWORD must be set when REDIS_USERNAME is set$/],
    [{ REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_SENTINEL_PASSWORD: 's' }, /^REDIS_SENTINEL_PASSWORD is set but REDIS_SENTINELS is not$/],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_WAIT_REPLICAS: 'one' }, /^REDIS_WAIT_REPLICAS must be a whole number of replicas from 0 to 10 \(got "one"\)$/],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_WAIT_REPLICAS: '-1' }, /^REDIS_WAIT_REPLICAS must be a whole number of replicas/],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_WAIT_REPLICAS: '1.5' }, /^REDIS_WAIT_REPLICAS must be a whole number of replicas/],
    [{ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_WAIT_REPLICAS: '11' }, /^REDIS_WAIT_REPLICAS must be a whole number of replicas/],
    [{ REDIS_WAIT_REPLICAS: '1' }, /^REDIS_WAIT_REPLICAS is set but no Redis is/],
  ];
  it.each(bad)('%j is refused with a message naming the variable', (env, message) => {
    const found = problems(env);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('never prints a Redis password', () => {
    const found = problems({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PASSWORD: 'hunter2', REDIS_SENTINEL_PASSWORD: 'hunter3' });
    expect(found.join('\n')).not.toMatch(/hunter/);
  });
});

describe('createRedis', () => {
  it('makes an ioredis client for one node, a Cluster client, or a Sentinel-managed client, with the same fail-fast behaviour', () => {
    // Not connected: only the clients' options are looked at.
    const lazy = { lazyConnect: true };
    const node = createRedis(loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' }), lazy) as Redis;
    const cluster = createRedis(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:1,127.0.0.1:2', REDIS_PASSWORD: 'p' }), lazy) as Cluster;
    const sentinel = createRedis(loadConfig({ REDIS_SENTINELS: '127.0.0.1:3', REDIS_SENTINEL_NAME: 'mymaster' }), lazy) as Redis;
    try {
      expect(node).toBeInstanceOf(Redis);
      expect(cluster).toBeInstanceOf(Cluster);
      expect(sentinel).toBeInstanceOf(Redis);
      expect(sentinel.options).toMatchObject({ sentinels: [{ host: '127.0.0.1', port: 3 }], name: 'mymaster' });
      expect(sentinel.options.failoverDetector).toBe(false);
      const failFast = { enableOfflineQueue: false, autoResendUnfulfilledCommands: false, commandTimeout: 2_000, maxRetriesPerRequest: 1, enableAutoPipelining: true };
      expect(node.options).toMatchObject(failFast);
      expect(sentinel.options).toMatchObject(failFast);
      expect(cluster.options).toMatchObject({ enableOfflineQueue: false, enableAutoPipelining: true, retryDelayOnFailover: 0, scaleReads: 'master' });
      expect(cluster.options.redisOptions).toMatchObject({ autoResendUnfulfilledCommands: false, commandTimeout: 2_000, password: 'p' });
      // Reconnects for ever, at most a second apart.
      for (const strategy of [node.options.retryStrategy!, sentinel.options.sentinelRetryStrategy!, cluster.options.clusterRetryStrategy!]) {
        expect(strategy(1, new Error('x'))).toBe(100);
        expect(strategy(10_000, new Error('x'))).toBe(1_000);
      }
      // A write refused by a demoted master reconnects (to find the new one); the command fails.
      expect(node.options.reconnectOnError!(new Error("READONLY You can't write against a read only replica."))).toBe(1);
      expect(node.options.reconnectOnError!(new Error('ERR wrong number of arguments'))).toBe(false);
    } finally {
      for (const client of [node, cluster, sentinel]) client.disconnect();
    }
  });

  it('refuses settings that choose no Redis', () => {
    expect(() => createRedis({})).toThrow(/no Redis is configured/);
  });
});
