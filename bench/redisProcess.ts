import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { Redis } from 'ioredis';
import { freePort } from './ports';

/**
 * `redis-server` processes on loopback for the test topologies and the benchmark (Debian's
 * redis-server only: nothing is downloaded). Each process is a child of this one, killed by its
 * own pid when stopped, and also when this process exits.
 */

const HOST = '127.0.0.1';
const running = new Set<ChildProcess>();
let exitHook = false;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * How much longer than on a quiet machine waits for processes may take (a bot starting, Redis
 * answering, a failover): `TEST_TIMEOUT_SCALE` when set, otherwise from how loaded the machine
 * is now (1-minute load average per core × 1.5), between 1 and 6. The tests' `scaled()`
 * (test/helpers/timeouts.ts) is this one.
 */
export function timeScale(): number {
  const fromEnv = Number(process.env.TEST_TIMEOUT_SCALE);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  const perCore = loadavg()[0]! / Math.max(1, cpus().length);
  return Math.min(6, Math.max(1, perCore * 1.5));
}

/** A timeout for a wait that takes `ms` on a quiet machine, scaled by `timeScale()`. */
export function scaled(ms: number): number {
  return Math.ceil(ms * timeScale());
}

/** Polls `condition` every `everyMs` until it holds; throws after `timeoutMs` naming what it waited for. */
export async function waitUntil(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs: number,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = ` (last error: ${error instanceof Error ? error.message : String(error)})`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError}`);
    await sleep(everyMs);
  }
}

export function redisServerAvailable(): boolean {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

export function requireRedisServer(): void {
  if (!redisServerAvailable()) {
    throw new Error('redis-server is not on PATH: install it (apt-get install -y redis-server)');
  }
}

/**
 * Sends one command to one server on a connection of its own (closed after), so an admin call
 * never waits behind a topology's traffic, and a dead server fails fast.
 */
export async function adminCall(target: number | { port: number; password?: string }, command: string, ...args: (string | number)[]): Promise<unknown> {
  const { port, password } = typeof target === 'number' ? { port: target, password: undefined } : target;
  const client = new Redis({
    host: HOST,
    port,
    password,
    lazyConnect: true,
    connectTimeout: 2_000,
    commandTimeout: scaled(5_000),
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableReadyCheck: false,
    protocol: 2,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/** `INFO <section>` as a record of its fields. */
export async function info(target: number | { port: number; password?: string }, section: string): Promise<Record<string, string>> {
  const text = String(await adminCall(target, 'INFO', section));
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

export interface RedisProcess {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly args: string[];
  alive(): boolean;
  /** What it wrote (its log), for failure messages. */
  output(): string;
  /** SIGKILL (a crash): resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after a few seconds. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** A port chosen beforehand (taken by someone else meanwhile: start fails). Default: a free one. */
  port?: number;
  /** A name for messages. */
  label?: string;
  /** Working directory (where the server may write its cluster or sentinel config). */
  cwd?: string;
  /** Arguments placed before `--port` (a config file must come first). */
  leading?: string[];
}

/**
 * Starts `redis-server [leading] --port P --bind 127.0.0.1 [args]` and resolves once it answers
 * PING. `args` may contain `{port}`, replaced by the port.
 */
export async function startRedisProcess(args: string[], options: StartOptions = {}): Promise<RedisProcess> {
  requireRedisServer();
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }
  const port = options.port ?? (await freePort());
  const label = options.label ?? `redis-server on ${port}`;
  const fullArgs = [...(options.leading ?? []), '--port', String(port), '--bind', HOST, ...args.map((a) => a.replace('{port}', String(port)))];
  const child = spawn('redis-server', fullArgs, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let log = '';
  const keep = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > 20_000) log = log.slice(-10_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      running.delete(child);
      resolve();
    };
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', done);
  });
  const alive = () => child.exitCode === null && child.signalCode === null && !spawnError;
  const proc: RedisProcess = {
    host: HOST,
    port,
    pid: child.pid ?? -1,
    args: fullArgs,
    alive,
    output: () => log,
    kill: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (!alive()) return exited;
      child.kill('SIGTERM');
      const fallback = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(fallback);
    },
  };
  try {
    await waitUntil(
      async () => {
        if (spawnError) throw new Error(`could not start redis-server: ${spawnError.message}`);
        if (!alive()) throw new Error(`${label} exited (${child.exitCode ?? child.signalCode}):\n${log}`);
        return (await adminCall(port, 'PING')) === 'PONG';
      },
      `${label} to answer PING`,
      scaled(10_000),
      50,
    );
  } catch (error) {
    await proc.kill();
    if (!alive() && /Address already in use/.test(log) && options.port === undefined) {
      // Someone took the free port between our check and the server's bind: try another.
      return startRedisProcess(args, options);
    }
    throw error;
  }
  return proc;
}

/**
 * Server arguments for a throwaway data server: nothing written to disk, no protected-mode
 * surprises, and a replica's full sync starts at once (not after the default 5 s wait for more
 * replicas).
 */
export const EPHEMERAL = ['--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--repl-diskless-sync-delay', '0'];
