import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { freePort } from '../../bench/ports';

export { freePort };

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}


/** Resolves true when something at host:port answers PING with PONG. */
function answersPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let buffer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('\r\n')) done(buffer.startsWith('+PONG'));
    });
  });
}

function redisServerOnPath(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

/**
 * A Redis for one test file: `REDIS_URL` when set (stop does nothing), otherwise a throwaway
 * `redis-server` on a free loopback port, without persistence, stopped by `stop()`.
 */
export async function startRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => undefined };

  if (!redisServerOnPath()) {
    throw new Error(
      'redis-server is not on PATH: install it (apt-get install -y redis-server) or set REDIS_URL to a Redis the tests may use',
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (spawnError) throw new Error(`could not start redis-server: ${spawnError.message}`);
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr}`);
    if (await answersPing('127.0.0.1', port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}

/** A key prefix no other test (or person) uses: `test:${label}:${random}:`. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes the keys under `prefix` (SCAN + DEL), and nothing else. Returns how many were deleted. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete keys without a prefix');
  const pattern = `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    const own = keys.filter((k) => k.startsWith(prefix));
    if (own.length) deleted += await redis.del(...own);
  } while (cursor !== '0');
  return deleted;
}

export interface TwoRedisClients {
  redis: TestRedis;
  /** Two clients on one Redis, as two bot processes would have. */
  clientA: Redis;
  clientB: Redis;
  /** A key prefix of this test file's own, new on every call. */
  newPrefix(): string;
}

/**
 * In a describe block: a throwaway Redis (or REDIS_URL) and two clients, ready in beforeAll; in
 * afterAll only this file's keys are deleted, the clients quit and the Redis stops.
 */
export function useTwoRedisClients(label: string): TwoRedisClients {
  const filePrefix = uniquePrefix(label);
  let prefixes = 0;
  const shared = { newPrefix: () => `${filePrefix}${++prefixes}:` } as TwoRedisClients;
  beforeAll(async () => {
    shared.redis = await startRedis();
    shared.clientA = createRedisClient(shared.redis.url);
    shared.clientB = createRedisClient(shared.redis.url);
    await Promise.all([waitUntilReady(shared.clientA), waitUntilReady(shared.clientB)]);
  });
  afterAll(async () => {
    if (shared.clientA) await deleteKeysWithPrefix(shared.clientA, filePrefix);
    await Promise.all([shared.clientA, shared.clientB].filter(Boolean).map((c) => c.quit().catch(() => c.disconnect())));
    await shared.redis?.stop();
  });
  return shared;
}
