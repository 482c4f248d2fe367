import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RedisEndpoint } from '../adapters/redis';
import { freePort } from './ports';
import { adminCall, EPHEMERAL, RedisProcess, scaled, startRedisProcess, waitUntil } from './redisProcess';

/**
 * A master, its replica and three Sentinels (quorum 2) on loopback, as Redis's Sentinel guide
 * sets them up. The Sentinels rewrite their config files: those live in a temporary directory
 * of the topology's own, removed by `stop()`.
 */

export interface RedisSentinelTopology {
  name: string;
  sentinels: RedisEndpoint[];
  /** "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3" for REDIS_SENTINELS. */
  sentinelsSetting: string;
  /** The data servers (the first started as master) and the Sentinels. */
  servers: RedisProcess[];
  sentinelProcesses: RedisProcess[];
  /** The master's port, as the Sentinels say. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`: the replica is promoted, the old master demoted. Resolves with the new master's port once done. */
  failover(): Promise<number>;
  /** Kills (SIGKILL) the master; resolves with the new master's port once the Sentinels have promoted the replica. */
  killMasterAndAwaitFailover(): Promise<number>;
  /** Starts the killed server again (empty: it comes back as a replica and resyncs). */
  restartKilled(): Promise<void>;
  stop(): Promise<void>;
}

export interface SentinelOptions {
  name?: string;
  /** down-after-milliseconds: how long a silent master takes to be declared down. */
  downAfterMs?: number;
  /** A password for the data servers (requirepass and masterauth) and the Sentinels' auth-pass. */
  password?: string;
}

export async function startRedisSentinel(options: SentinelOptions = {}): Promise<RedisSentinelTopology> {
  const name = options.name ?? 'nhsca';
  const downAfter = options.downAfterMs ?? 2_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhsca-redis-sentinel-'));
  const servers: RedisProcess[] = [];
  const sentinelProcesses: RedisProcess[] = [];
  const auth = options.password ? ['--requirepass', options.password, '--masterauth', options.password] : [];
  /** A data server (which may need the password); Sentinels are asked with adminCall. */
  const call = (port: number, command: string, ...args: (string | number)[]) => adminCall({ port, password: options.password }, command, ...args);

  const stop = async () => {
    await Promise.all([...sentinelProcesses, ...servers].map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };

  const sentinelView = async (port: number): Promise<Record<string, string>> => {
    const flat = (await adminCall(port, 'SENTINEL', 'MASTER', name)) as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return fields;
  };

  /**
   * Every live Sentinel names `port` as the master, sees it up, knows the other Sentinels and a
   * replica; the server answers ROLE as master. (Whether the replica is in sync is read from
   * the replica itself: a Sentinel refreshes what it knows of a replica only every 10 s.)
   */
  const settledOn = async (port: number): Promise<boolean> => {
    for (const sentinel of sentinelProcesses.filter((p) => p.alive())) {
      const view = await sentinelView(sentinel.port);
      if (Number(view.port) !== port || view.flags !== 'master') return false;
      if (Number(view['num-other-sentinels']) < sentinelProcesses.length - 1) return false;
      if (Number(view['num-slaves']) < 1) return false;
    }
    const role = (await call(port, 'ROLE')) as unknown[];
    return role[0] === 'master';
  };

  const masterPort = async (): Promise<number> => {
    for (const sentinel of sentinelProcesses.filter((p) => p.alive())) {
      try {
        const [, port] = (await adminCall(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
        return Number(port);
      } catch {
        // Ask the next one.
      }
    }
    throw new Error('no Sentinel answers');
  };

  /** Replication in sync between the master and its replica (same offset, link up). */
  const inSync = async (master: number): Promise<boolean> => {
    const replica = servers.find((s) => s.alive() && s.port !== master);
    if (!replica) return false;
    const text = String(await call(replica.port, 'INFO', 'replication'));
    return /master_link_status:up/.test(text) && new RegExp(`master_port:${master}\\b`).test(text);
  };

  const awaitNewMaster = async (old: number, what: string): Promise<number> => {
    let now = old;
    await waitUntil(
      async () => {
        now = await masterPort();
        return now !== old && (await settledOnOrNoReplica(now));
      },
      what,
      scaled(45_000),
      200,
    );
    return now;
  };

  /** After a kill there is no replica until the old master is back: all Sentinels agree on the master and it answers as one. */
  const settledOnOrNoReplica = async (port: number): Promise<boolean> => {
    const replicaAlive = servers.some((s) => s.alive() && s.port !== port);
    if (replicaAlive) return (await settledOn(port)) && (await inSync(port));
    for (const sentinel of sentinelProcesses.filter((p) => p.alive())) {
      const view = await sentinelView(sentinel.port);
      if (Number(view.port) !== port || view.flags !== 'master') return false;
    }
    const role = (await call(port, 'ROLE')) as unknown[];
    return role[0] === 'master';
  };

  /** Before a failover: the Sentinels agree on the master and its replica is in sync. */
  const ready = (master: number) =>
    waitUntil(async () => (await settledOn(master)) && (await inSync(master)), 'the master and its replica to be in sync before a failover', scaled(30_000), 200);

  let killed: RedisProcess | undefined;

  try {
    const master = await startRedisProcess([...EPHEMERAL, ...auth, '--dir', dir], { label: 'sentinel topology master', cwd: dir });
    servers.push(master);
    const replica = await startRedisProcess([...EPHEMERAL, ...auth, '--dir', dir, '--replicaof', master.host, String(master.port)], {
      label: 'sentinel topology replica',
      cwd: dir,
    });
    servers.push(replica);
    // The replica first, so that each Sentinel sees it in the master's first INFO.
    await waitUntil(() => inSync(master.port), 'the replica to sync with the master', scaled(20_000), 100);

    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = path.join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `sentinel monitor ${name} ${master.host} ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} ${downAfter}`,
          `sentinel failover-timeout ${name} ${Math.max(10_000, downAfter * 5)}`,
          `sentinel parallel-syncs ${name} 1`,
          ...(options.password ? [`sentinel auth-pass ${name} ${options.password}`] : []),
          `dir ${dir}`,
          '',
        ].join('\n'),
      );
      sentinelProcesses.push(await startRedisProcess(['--sentinel'], { port, leading: [file], label: `sentinel ${i + 1}`, cwd: dir }));
    }
    await waitUntil(() => settledOn(master.port), 'the Sentinels to find each other and the replica', scaled(30_000), 200);
  } catch (error) {
    await stop();
    throw error;
  }

  const sentinels = sentinelProcesses.map((p) => ({ host: p.host, port: p.port }));
  return {
    name,
    sentinels,
    sentinelsSetting: sentinels.map((s) => `${s.host}:${s.port}`).join(','),
    servers,
    sentinelProcesses,
    masterPort,
    failover: async () => {
      const old = await masterPort();
      await ready(old);
      await adminCall(sentinelProcesses[0]!.port, 'SENTINEL', 'FAILOVER', name);
      return awaitNewMaster(old, 'SENTINEL FAILOVER to complete');
    },
    killMasterAndAwaitFailover: async () => {
      const old = await masterPort();
      await ready(old);
      killed = servers.find((s) => s.port === old)!;
      await killed.kill();
      return awaitNewMaster(old, `the Sentinels to promote the replica after the master (${old}) was killed`);
    },
    restartKilled: async () => {
      if (!killed) throw new Error('no server was killed');
      const current = await masterPort();
      const again = await startRedisProcess([...EPHEMERAL, ...auth, '--dir', dir, '--replicaof', '127.0.0.1', String(current)], {
        port: killed.port,
        label: 'the killed server, restarted as a replica',
        cwd: dir,
      });
      servers[servers.indexOf(killed)] = again;
      killed = undefined;
      await waitUntil(async () => (await settledOn(current)) && (await inSync(current)), 'the restarted server to rejoin as a replica', scaled(45_000), 200);
    },
    stop,
  };
}
