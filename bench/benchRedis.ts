import { Redis } from 'ioredis';
import { startRedisCluster } from './redisCluster';
import { adminCall, EPHEMERAL, RedisProcess, startRedisProcess } from './redisProcess';
import { startRedisSentinel } from './redisSentinel';
import { cpuMs } from './processes';

/**
 * The Redis topologies the benchmark runs the assistant on, each started by the benchmark on
 * loopback (bench/redisProcess.ts and friends), with what is needed to measure them: the
 * environment a bot needs, the masters (where the bot's commands run and are counted), and every
 * data server (for Redis CPU).
 */

export type TopologyName = 'node' | 'cluster' | 'sentinel';
export const TOPOLOGY_NAMES: readonly TopologyName[] = ['node', 'cluster', 'sentinel'];

export interface BenchTopology {
  name: TopologyName;
  describe: string;
  env: Record<string, string>;
  /** Ports of the masters, now. */
  masters(): Promise<number[]>;
  /** Every data server (masters and replicas), for their CPU time. */
  servers(): RedisProcess[];
  stop(): Promise<void>;
}

export async function startTopology(name: TopologyName): Promise<BenchTopology> {
  switch (name) {
    case 'node': {
      const server = await startRedisProcess(EPHEMERAL, { label: 'benchmark redis-server' });
      return {
        name,
        describe: `one redis-server on 127.0.0.1:${server.port}, no replica (REDIS_URL)`,
        env: { REDIS_URL: `redis://127.0.0.1:${server.port}` },
        masters: async () => [server.port],
        servers: () => [server],
        stop: () => server.stop(),
      };
    }
    case 'cluster': {
      const cluster = await startRedisCluster();
      return {
        name,
        describe: `Redis Cluster, 3 masters with a replica each (REDIS_CLUSTER_NODES; WAIT for 1 replica)`,
        env: { REDIS_CLUSTER_NODES: cluster.nodesSetting },
        masters: async () => (await cluster.nodes()).filter((n) => n.role === 'master' && n.slots > 0).map((n) => n.port),
        servers: () => cluster.processes,
        stop: () => cluster.stop(),
      };
    }
    case 'sentinel': {
      const sentinel = await startRedisSentinel();
      return {
        name,
        describe: `master + replica + 3 Sentinels (REDIS_SENTINELS; WAIT for 1 replica)`,
        env: { REDIS_SENTINELS: sentinel.sentinelsSetting, REDIS_SENTINEL_NAME: sentinel.name },
        masters: async () => [await sentinel.masterPort()],
        servers: () => sentinel.servers,
        stop: () => sentinel.stop(),
      };
    }
  }
}

export type CommandStats = Map<string, { calls: number; rejected: number; usec: number }>;

function parseCommandStats(info: string, into: CommandStats = new Map()): CommandStats {
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):(.*)$/.exec(line);
    if (!match) continue;
    const fields = Object.fromEntries(match[2]!.split(',').map((pair) => pair.split('=') as [string, string]));
    const sum = into.get(match[1]!) ?? { calls: 0, rejected: 0, usec: 0 };
    into.set(match[1]!, {
      calls: sum.calls + Number(fields.calls ?? 0),
      rejected: sum.rejected + Number(fields.rejected_calls ?? 0),
      usec: sum.usec + Number(fields.usec ?? 0),
    });
  }
  return into;
}

/** INFO commandstats summed over the topology's masters. */
export async function commandStats(topology: BenchTopology): Promise<CommandStats> {
  const stats: CommandStats = new Map();
  for (const port of await topology.masters()) parseCommandStats(String(await adminCall(port, 'INFO', 'commandstats')), stats);
  return stats;
}

/** after − before; with `into`, adds the difference to it (to pool rounds). */
export function diffStats(before: CommandStats, after: CommandStats, into: CommandStats = new Map()): CommandStats {
  for (const [name, a] of after) {
    const b = before.get(name) ?? { calls: 0, rejected: 0, usec: 0 };
    const sum = into.get(name) ?? { calls: 0, rejected: 0, usec: 0 };
    const d = { calls: sum.calls + a.calls - b.calls, rejected: sum.rejected + a.rejected - b.rejected, usec: sum.usec + a.usec - b.usec };
    if (d.calls || d.rejected) into.set(name, d);
  }
  return into;
}

/** CPU time of every data server of the topology, summed (ms). */
export function redisCpuMs(topology: BenchTopology): number {
  return topology.servers().reduce((sum, server) => sum + (server.alive() ? cpuMs(server.pid) : 0), 0);
}

/** What the measured conversations left in Redis. Sums, so that rounds can be pooled. */
export interface KeyFigures {
  conversations: number;
  keys: number;
  keysByKind: Record<string, number>;
  memoryBytes: number;
  ttlSeconds?: number;
}

/** The keys (on every master) whose hash tag is one of `tags`, and their MEMORY USAGE. */
export async function measureKeys(topology: BenchTopology, prefix: string, tags: Set<string>, conversations: number): Promise<KeyFigures> {
  const figures: KeyFigures = { conversations, keys: 0, keysByKind: {}, memoryBytes: 0 };
  for (const port of await topology.masters()) {
    const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, protocol: 2 });
    client.on('error', () => undefined);
    try {
      const mine: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        mine.push(...batch.filter((key) => tags.has(/\{([^}]+)\}/.exec(key)?.[1] ?? '')));
      } while (cursor !== '0');
      figures.keys += mine.length;
      for (const key of mine) {
        const kind = key.slice(key.lastIndexOf(':') + 1);
        figures.keysByKind[kind] = (figures.keysByKind[kind] ?? 0) + 1;
      }
      for (let i = 0; i < mine.length; i += 200) {
        const pipeline = client.pipeline();
        for (const key of mine.slice(i, i + 200)) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
        for (const [error, value] of (await pipeline.exec()) ?? []) if (!error && value !== null) figures.memoryBytes += Number(value);
      }
      const state = mine.find((key) => key.endsWith(':state'));
      if (state && figures.ttlSeconds === undefined) figures.ttlSeconds = await client.ttl(state);
    } finally {
      client.disconnect();
    }
  }
  return figures;
}
