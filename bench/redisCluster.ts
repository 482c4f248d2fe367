import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RedisEndpoint } from '../adapters/redis';
import { freePort } from './ports';
import { adminCall, EPHEMERAL, RedisProcess, scaled, startRedisProcess, waitUntil } from './redisProcess';

/**
 * A Redis Cluster on loopback, made as an operator makes one: `redis-server --cluster-enabled yes`
 * processes joined with `redis-cli --cluster create … --cluster-replicas N`. Its config files
 * live in a temporary directory of its own, removed by `stop()`.
 *
 * `cluster-require-full-coverage no`, as production clusters usually run: while one master is
 * down (before its replica takes over) the other masters keep serving their slots.
 */

export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** For a replica: the id of its master. */
  masterId?: string;
  failed: boolean;
  /** How many slots it serves, and which (inclusive ranges). */
  slots: number;
  ranges: [number, number][];
}

export interface RedisClusterTopology {
  /** What REDIS_CLUSTER_NODES lists: every node (ioredis discovers the rest from any one). */
  seedNodes: RedisEndpoint[];
  /** "127.0.0.1:p1,127.0.0.1:p2,…" for REDIS_CLUSTER_NODES. */
  nodesSetting: string;
  processes: RedisProcess[];
  /** CLUSTER NODES as seen by a live node. */
  nodes(): Promise<ClusterNodeInfo[]>;
  /** The port of the master serving `key`'s slot. */
  masterFor(key: string): Promise<number>;
  /**
   * Kills (SIGKILL) the master on `port` and resolves once one of its replicas has taken over
   * its slots and every live node says cluster_state:ok. Returns the new master's port.
   */
  killMasterAndAwaitPromotion(port: number): Promise<number>;
  /**
   * Starts the killed node again on its port with its cluster config: it rejoins as a replica of
   * the master that replaced it. Resolves once it is in sync.
   */
  restartKilled(): Promise<void>;
  /** Resolves once every live node says cluster_state:ok and agrees on who masters every slot. */
  waitUntilHealthy(): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a silent node takes to be declared failed. */
  nodeTimeoutMs?: number;
  /** Extra redis-server arguments for every node. */
  serverArgs?: string[];
}

function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [id, address, flags, master, , , , , ...slotRanges] = line.trim().split(' ');
      const port = Number(/:(\d+)@/.exec(address ?? '')?.[1] ?? /:(\d+)$/.exec(address ?? '')?.[1]);
      const flagList = (flags ?? '').split(',');
      const ranges: [number, number][] = slotRanges
        .filter((range) => !range.startsWith('[')) // a slot being migrated
        .map((range) => {
          const [from, to] = range.split('-').map(Number);
          return [from!, to ?? from!];
        });
      const slots = ranges.reduce((sum, [from, to]) => sum + to - from + 1, 0);
      return {
        id: id!,
        port,
        role: flagList.includes('master') ? 'master' : 'replica',
        masterId: master && master !== '-' ? master : undefined,
        failed: flagList.includes('fail') || flagList.includes('fail?') || flagList.includes('noaddr'),
        slots,
        ranges,
      } as ClusterNodeInfo;
    });
}

function runRedisCli(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') reject(new Error('redis-cli is not on PATH: install it (apt-get install -y redis-tools, which redis-server brings)'));
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-cli ${args.join(' ')} did not finish within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`redis-cli ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

export async function startRedisCluster(options: ClusterOptions = {}): Promise<RedisClusterTopology> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const nodeTimeout = options.nodeTimeoutMs ?? 3_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhsca-redis-cluster-'));
  const processes: RedisProcess[] = [];
  let killed: RedisProcess | undefined;

  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };

  const live = () => processes.filter((p) => p.alive());
  const nodes = async (): Promise<ClusterNodeInfo[]> => {
    let lastError: unknown;
    for (const p of live()) {
      try {
        return parseClusterNodes(String(await adminCall(p.port, 'CLUSTER', 'NODES')));
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no cluster node answers CLUSTER NODES: ${String(lastError)}`);
  };

  /** Every live node: cluster_state ok, and the same masters, together covering all 16384 slots. */
  const healthy = async (): Promise<boolean> => {
    const views: string[] = [];
    for (const p of live()) {
      const state = String(await adminCall(p.port, 'CLUSTER', 'INFO'));
      if (!/cluster_state:ok/.test(state)) return false;
      const seen = parseClusterNodes(String(await adminCall(p.port, 'CLUSTER', 'NODES')));
      const owners = seen.filter((n) => n.role === 'master' && n.slots > 0 && !n.failed);
      if (owners.reduce((sum, n) => sum + n.slots, 0) !== 16384) return false;
      views.push(owners.map((n) => `${n.port}:${n.slots}`).sort().join(','));
    }
    return views.length > 0 && views.every((v) => v === views[0]);
  };
  const waitUntilHealthy = () => waitUntil(healthy, 'the cluster to be healthy (cluster_state:ok everywhere, one view of the slots)', scaled(30_000), 200);

  try {
    const count = masters * (1 + replicas);
    for (let i = 0; i < count; i++) {
      const busPort = await freePort();
      processes.push(
        await startRedisProcess(
          [
            ...EPHEMERAL,
            '--cluster-enabled', 'yes',
            '--cluster-config-file', `nodes-{port}.conf`,
            '--cluster-node-timeout', String(nodeTimeout),
            '--cluster-port', String(busPort),
            '--cluster-require-full-coverage', 'no',
            '--dir', dir,
            ...(options.serverArgs ?? []),
          ],
          { label: `cluster node ${i + 1} of ${count}`, cwd: dir },
        ),
      );
    }
    const addresses = processes.map((p) => `${p.host}:${p.port}`);
    await runRedisCli(['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes'], scaled(60_000));
    await waitUntilHealthy();
    // Replicas in sync, so that a master may be killed and a replica take over with the data.
    await waitUntil(
      async () => {
        const all = await nodes();
        if (all.filter((n) => n.role === 'replica').length !== masters * replicas) return false;
        for (const replica of all.filter((n) => n.role === 'replica')) {
          const text = String(await adminCall(replica.port, 'INFO', 'replication'));
          if (!/master_link_status:up/.test(text)) return false;
        }
        return true;
      },
      'every cluster replica to be in sync with its master',
      scaled(30_000),
      200,
    );
  } catch (error) {
    await stop();
    throw error;
  }

  const seedNodes = processes.map((p) => ({ host: p.host, port: p.port }));
  return {
    seedNodes,
    nodesSetting: seedNodes.map((n) => `${n.host}:${n.port}`).join(','),
    processes,
    nodes,
    masterFor: async (key: string) => {
      const slot = Number(await adminCall(live()[0]!.port, 'CLUSTER', 'KEYSLOT', key));
      const owner = (await nodes()).find((n) => n.role === 'master' && !n.failed && n.ranges.some(([from, to]) => slot >= from && slot <= to));
      if (!owner) throw new Error(`no master serves slot ${slot}`);
      return owner.port;
    },
    killMasterAndAwaitPromotion: async (port: number) => {
      const before = await nodes();
      const victim = before.find((n) => n.port === port && n.role === 'master');
      if (!victim) throw new Error(`${port} is not a master`);
      const replicaIds = new Set(before.filter((n) => n.masterId === victim.id).map((n) => n.id));
      if (replicaIds.size === 0) throw new Error(`master ${port} has no replica to promote`);
      killed = processes.find((p) => p.port === port)!;
      await killed.kill();
      let promoted = 0;
      await waitUntil(
        async () => {
          const now = await nodes();
          const heir = now.find((n) => replicaIds.has(n.id) && n.role === 'master' && n.slots === victim.slots && !n.failed);
          if (!heir) return false;
          promoted = heir.port;
          return healthy();
        },
        `a replica of ${port} to take over its ${victim.slots} slots`,
        scaled(40_000),
        200,
      );
      return promoted;
    },
    restartKilled: async () => {
      if (!killed) throw new Error('no node was killed');
      const old = killed;
      // The same arguments (its nodes-<port>.conf is in the directory): it knows the cluster.
      const again = await startRedisProcess(old.args.slice(old.args.indexOf('--bind') + 2), { port: old.port, label: `cluster node ${old.port}, restarted`, cwd: dir });
      processes[processes.indexOf(old)] = again;
      killed = undefined;
      await waitUntil(
        async () => {
          const me = (await nodes()).find((n) => n.port === again.port);
          if (!me || me.role !== 'replica' || me.failed) return false;
          return /master_link_status:up/.test(String(await adminCall(again.port, 'INFO', 'replication'))) && (await healthy());
        },
        `node ${again.port} to rejoin as an in-sync replica`,
        scaled(45_000),
        200,
      );
    },
    waitUntilHealthy,
    stop,
  };
}
