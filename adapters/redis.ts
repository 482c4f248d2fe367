import calculateSlot from 'cluster-key-slot';
import { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';
import { StoreUnavailableError } from './conversationStore';

/**
 * One way to reach Redis for every adapter, whatever the topology: one node (`REDIS_URL`), Redis
 * Cluster (`REDIS_CLUSTER_NODES`) or a master watched by Redis Sentinel (`REDIS_SENTINELS` +
 * `REDIS_SENTINEL_NAME`). Cluster and Sentinel are ioredis's own clients; this file only gives
 * them the same behaviour as the single-node client:
 *
 * - fail fast while Redis is away: no offline queue, a 2 s command timeout, so a turn hears
 *   "unavailable" in a second or two instead of hanging;
 * - never replay a command that may have run: our scripts are not idempotent (a turn token is
 *   pushed onto a queue), so a command whose connection dropped before its reply fails, and the
 *   turn is retried as a whole by the user. Commands Redis refused without running them (MOVED,
 *   ASK, TRYAGAIN, CLUSTERDOWN, NOSCRIPT) are still retried: that is safe;
 * - reconnect for ever, at most about a second apart;
 * - auto-pipelining: the commands of many turns issued in one tick share a socket write (in a
 *   Cluster, one pipeline per node, each script routed by its first key).
 *
 * Scripts survive a failover: ioredis sends a script as EVAL the first time on each new socket
 * and EVALSHA after, and answers NOSCRIPT by sending it again as EVAL (it did not run).
 *
 * Writes that a user is told are saved (a turn's state, a NAS request, a passcode, an outbox
 * message) go through `durableScript` / `durableCall`: with replicas (Sentinel, Cluster) the
 * write is followed on the same connection by `WAIT <replicas> <timeout>` (one WAIT for all the
 * writes that go to a node in one turn of the event loop), and it counts as done only once that
 * many replicas have it. Redis replicates asynchronously: without this, a write
 * acknowledged by a master in the second before a failover is lost with it (the failover tests
 * saw acknowledged turns vanish both with SENTINEL FAILOVER and with the master killed).
 */

export type RedisClient = Redis | Cluster;

/** How many replicas must have a write before it counts as saved, and how long to wait for them. */
export interface Durability {
  replicas: number;
  timeoutMs: number;
}

/** Well below the 2 s command timeout; a healthy replica acknowledges within milliseconds. */
export const WAIT_TIMEOUT_MS = 1_000;
const NOT_REPLICATED: Durability = { replicas: 0, timeoutMs: WAIT_TIMEOUT_MS };
const durabilities = new WeakMap<RedisClient, Durability>();

export interface RedisEndpoint {
  host: string;
  port: number;
}

/** The settings (as bot/config.ts reads them) that choose and reach the topology. */
export interface RedisSettings {
  REDIS_URL?: string;
  REDIS_CLUSTER_NODES?: RedisEndpoint[];
  REDIS_SENTINELS?: RedisEndpoint[];
  REDIS_SENTINEL_NAME?: string;
  /** For Cluster and Sentinel (a URL carries its own): the data nodes' ACL user and password. */
  REDIS_USERNAME?: string;
  REDIS_PASSWORD?: string;
  /** The Sentinels' own password, when they have one. */
  REDIS_SENTINEL_PASSWORD?: string;
  /** Replicas that must have a write before it counts as saved. Default 1 with Cluster or Sentinel, 0 with one node. */
  REDIS_WAIT_REPLICAS?: number;
}

export type RedisTopology = (
  | { kind: 'node'; url: string }
  | { kind: 'cluster'; nodes: RedisEndpoint[]; username?: string; password?: string }
  | { kind: 'sentinel'; sentinels: RedisEndpoint[]; name: string; username?: string; password?: string; sentinelPassword?: string }
) & {
  /** Replicas that must acknowledge a durable write (default: 1 for Cluster and Sentinel, 0 for one node). */
  waitReplicas?: number;
};

/** The topology the settings choose; undefined when none is set (the embedded default, memory). */
export function redisTopology(settings: RedisSettings): RedisTopology | undefined {
  const topology = chosenTopology(settings);
  if (topology && settings.REDIS_WAIT_REPLICAS !== undefined) topology.waitReplicas = settings.REDIS_WAIT_REPLICAS;
  return topology;
}

function chosenTopology(settings: RedisSettings): RedisTopology | undefined {
  if (settings.REDIS_CLUSTER_NODES?.length) {
    return { kind: 'cluster', nodes: settings.REDIS_CLUSTER_NODES, username: settings.REDIS_USERNAME, password: settings.REDIS_PASSWORD };
  }
  if (settings.REDIS_SENTINELS?.length && settings.REDIS_SENTINEL_NAME) {
    return {
      kind: 'sentinel',
      sentinels: settings.REDIS_SENTINELS,
      name: settings.REDIS_SENTINEL_NAME,
      username: settings.REDIS_USERNAME,
      password: settings.REDIS_PASSWORD,
      sentinelPassword: settings.REDIS_SENTINEL_PASSWORD,
    };
  }
  if (settings.REDIS_URL) return { kind: 'node', url: settings.REDIS_URL };
  return undefined;
}

/** For logs and start-up lines: which topology, never a password. */
export function describeTopology(topology: RedisTopology | undefined): string {
  if (!topology) return 'memory';
  const list = (endpoints: RedisEndpoint[]) => endpoints.map(formatEndpoint).join(',');
  switch (topology.kind) {
    case 'node': {
      try {
        const url = new URL(topology.url);
        return `redis ${url.protocol}//${url.host}`;
      } catch {
        return 'redis';
      }
    }
    case 'cluster':
      return `redis cluster (seed nodes ${list(topology.nodes)})`;
    case 'sentinel':
      return `redis sentinel master "${topology.name}" (sentinels ${list(topology.sentinels)})`;
  }
}

export function formatEndpoint({ host, port }: RedisEndpoint): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Reads "host:port" ("[::1]:7000" for IPv6); undefined when it is not one. Host names are
 * letters, digits, dots and hyphens; ports 1–65535.
 */
export function parseEndpoint(text: string): RedisEndpoint | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  if (!(port >= 1 && port <= 65535)) return undefined;
  if (match[2] !== undefined && (host.startsWith('-') || host.startsWith('.') || host.endsWith('-'))) return undefined;
  return { host, port };
}

/** Client behaviour shared by every topology (see the top of this file). */
const COMMON: RedisOptions = {
  enableOfflineQueue: false,
  enableAutoPipelining: true,
  maxRetriesPerRequest: 1,
  autoResendUnfulfilledCommands: false,
  commandTimeout: 2_000,
  connectTimeout: 2_000,
  // A socket that stops answering while commands are pending is torn down and reconnected.
  socketTimeout: 5_000,
};

/**
 * A write refused with READONLY reached a master that has since been demoted (Sentinel, or a
 * managed Redis that failed over behind one address): it did not run. Reconnect, so that the
 * next command finds the new master; this one fails (with no offline queue it cannot wait).
 */
const readOnlyMeansReconnect = (err: Error) => (/^READONLY\b/.test(err.message) ? 1 : false);

/** Reconnect for ever, at most one second apart. */
const reconnectForEver = (times: number) => Math.min(times * 100, 1_000);

export interface CreateRedisOptions {
  /** For logging only: fires on every failed connection attempt (about once a second during an outage). */
  onError?: (err: Error) => void;
  /** Connect on the first command (or `connect()`) instead of at once. */
  lazyConnect?: boolean;
}

/** The client every adapter uses, for the topology the settings (or a URL) choose. */
export function createRedis(target: RedisTopology | RedisSettings | string, options: CreateRedisOptions = {}): RedisClient {
  const topology: RedisTopology | undefined = typeof target === 'string' ? { kind: 'node', url: target } : 'kind' in target ? target : redisTopology(target);
  if (!topology) throw new Error('no Redis is configured (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)');
  let client: RedisClient;
  const lazyConnect = options.lazyConnect ?? false;
  switch (topology.kind) {
    case 'node':
      client = new Redis(topology.url, { ...COMMON, lazyConnect, retryStrategy: reconnectForEver, reconnectOnError: readOnlyMeansReconnect });
      break;
    case 'sentinel':
      client = new Redis({
        ...COMMON,
        lazyConnect,
        sentinels: topology.sentinels,
        name: topology.name,
        username: topology.username,
        password: topology.password,
        sentinelPassword: topology.sentinelPassword,
        retryStrategy: reconnectForEver,
        // While no Sentinel answers, ask them again every second (and for ever).
        sentinelRetryStrategy: reconnectForEver,
        // No failoverDetector: Sentinel already disconnects the clients of a master it demotes,
        // and in ioredis 6 a detector that fires while the client is reconnecting ends the
        // client for good ("Connection is closed." on every command after a master was killed).
        reconnectOnError: readOnlyMeansReconnect,
      });
      break;
    case 'cluster': {
      const clusterOptions: ClusterOptions = {
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        lazyConnect,
        scaleReads: 'master',
        clusterRetryStrategy: reconnectForEver,
        // Zero: a command whose node connection closed is not sent again elsewhere (it may have
        // run). MOVED, ASK, TRYAGAIN and CLUSTERDOWN are still followed: those never ran.
        retryDelayOnFailover: 0,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        slotsRefreshTimeout: 2_000,
        // Notice a promoted replica within a few seconds even when no command is refused.
        slotsRefreshInterval: 2_000,
        redisOptions: { ...COMMON, username: topology.username, password: topology.password },
      };
      client = new Cluster(topology.nodes, clusterOptions);
      break;
    }
  }
  durabilities.set(client, { replicas: topology.waitReplicas ?? (topology.kind === 'node' ? 0 : 1), timeoutMs: WAIT_TIMEOUT_MS });
  // Without a listener an 'error' event (ECONNREFUSED during an outage…) would crash the process.
  // Failures reach callers through their rejected commands; `onError` is for logging only.
  client.on('error', (err: Error) => options.onError?.(err));
  return client;
}

/**
 * Resolves once the client is connected (for a Cluster: once it knows which node has which
 * slots). With the offline queue disabled, commands sent before that fail at once, so wait for
 * this at start-up.
 */
export function waitUntilReady(client: RedisClient, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new StoreUnavailableError(`Redis not ready after ${timeoutMs} ms (status: ${client.status})`));
    }, timeoutMs);
    client.once('ready', onReady);
  });
}

/** How durable writes through this client are (clients not made by createRedis: not replicated). */
export function durabilityOf(client: RedisClient): Durability {
  return durabilities.get(client) ?? NOT_REPLICATED;
}

/** Changes how many replicas must acknowledge this client's durable writes (tests, tools). */
export function setDurability(client: RedisClient, durability: Partial<Durability>): void {
  durabilities.set(client, { ...durabilityOf(client), ...durability });
}

/**
 * A write that reached the master but not enough replicas in time: it may be lost in a failover,
 * or it may survive. The caller treats it as not saved (the user sends the turn again); whoever
 * needs to know can look whether it landed.
 */
export class NotReplicatedError extends StoreUnavailableError {
  constructor(
    readonly acknowledgedBy: number,
    readonly wanted: number,
  ) {
    super(`Redis write not acknowledged by ${wanted} replica(s) within ${WAIT_TIMEOUT_MS} ms (${acknowledgedBy} did)`);
    this.name = 'NotReplicatedError';
  }
}

type Pipeline = ReturnType<RedisClient['pipeline']>;

interface PendingWrite {
  add(pipeline: Pipeline): void;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Durable writes waiting for the next flush, per client, by the node that serves them. */
const pendingWrites = new WeakMap<RedisClient, Map<string, PendingWrite[]>>();

/** Which connection a write goes out on: one for a single node or Sentinel, the slot's node group in a Cluster. */
function groupOf(client: RedisClient, key: string | number | undefined): string {
  if (!(client instanceof Cluster) || typeof key !== 'string') return 'main';
  return client.slots[calculateSlot(key)]?.join(',') ?? `slot ${calculateSlot(key)}`;
}

/**
 * Group commit: the durable writes issued in one turn of the event loop for one node go out as
 * one pipeline — the writes, then one WAIT — so that however many turns end at once, each node
 * gets one WAIT, and it comes after every write it vouches for on the same connection. (A
 * script that comes back NOSCRIPT is sent again outside the pipeline, after the WAIT; ioredis
 * sends every script as EVAL first on a new connection, so that only happens if someone flushes
 * the script cache of a live server.)
 */
function queueDurable(client: RedisClient, key: string | number | undefined, add: (pipeline: Pipeline) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let groups = pendingWrites.get(client);
    if (!groups) {
      groups = new Map();
      pendingWrites.set(client, groups);
    }
    const group = groupOf(client, key);
    const queued = groups.get(group);
    if (queued) {
      queued.push({ add, resolve, reject });
      return;
    }
    const writes: PendingWrite[] = [{ add, resolve, reject }];
    groups.set(group, writes);
    setImmediate(() => {
      groups!.delete(group);
      void flushDurable(client, writes);
    });
  });
}

async function flushDurable(client: RedisClient, writes: PendingWrite[]): Promise<void> {
  const { replicas, timeoutMs } = durabilityOf(client);
  try {
    const pipeline = client.pipeline();
    for (const write of writes) write.add(pipeline);
    pipeline.wait(replicas, timeoutMs);
    const results = (await pipeline.exec()) ?? [];
    const waited = results[writes.length];
    if (!waited) throw new Error('Redis pipeline returned no result');
    const acknowledged = waited[0] ? undefined : Number(waited[1]);
    writes.forEach((write, i) => {
      const [error, value] = results[i] ?? [new Error('Redis pipeline returned no result')];
      if (error) write.reject(error);
      else if (waited[0]) write.reject(waited[0]);
      else if (acknowledged! < replicas) write.reject(new NotReplicatedError(acknowledged!, replicas));
      else write.resolve(value);
    });
  } catch (error) {
    for (const write of writes) write.reject(error);
  }
}

/**
 * Runs the script `name` (registered with defineCommand; its first argument is its first key)
 * and, when the client's durability asks for replicas, resolves only once they have what it
 * wrote. Without replicas: a plain call (auto-pipelined with other turns').
 */
export function durableScript(client: RedisClient, name: string, args: (string | number)[]): Promise<unknown> {
  if (durabilityOf(client).replicas === 0) {
    return (client as unknown as Record<string, (...a: (string | number)[]) => Promise<unknown>>)[name]!.apply(client, args);
  }
  return queueDurable(client, args[0], (pipeline) => {
    (pipeline as unknown as Record<string, (...a: (string | number)[]) => unknown>)[name]!.apply(pipeline, args);
  });
}

/** `durableScript` for a plain command whose first argument is its key (XADD, HSET…). */
export function durableCall(client: RedisClient, command: string, args: (string | number)[]): Promise<unknown> {
  if (durabilityOf(client).replicas === 0) return client.call(command, ...args);
  return queueDurable(client, args[0], (pipeline) => {
    pipeline.call(command, ...args);
  });
}
