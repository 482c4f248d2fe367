import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/redis';
import { scaled } from '../../helpers/timeouts';

/**
 * A redis-server of a fault test's own, on a loopback port that survives restarts: DEBUG allowed
 * (for DEBUG SLEEP, from loopback only), and with `durable` an append-only file synced on every
 * write, so that a SIGKILL loses nothing that was acknowledged (as a production Redis should be
 * configured). Never REDIS_URL: these tests kill the server.
 */
export interface FaultRedis {
  url: string;
  port: number;
  /** SIGKILL, as a crash or an OOM kill would. Resolves when it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function redisServerMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return !probe.error && probe.status === 0 ? undefined : 'redis-server is not installed: apt-get install -y redis-server';
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buffer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('\r\n')) done(buffer.startsWith('+PONG'));
    });
  });
}

export async function startFaultRedis(options: { durable?: boolean } = {}): Promise<FaultRedis> {
  const missing = redisServerMissing();
  if (missing) throw new Error(missing);
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhsca-fault-redis-'));
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--enable-debug-command', 'local'];
    args.push(...(options.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
    let stderr = '';
    const started = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child = started;
    exited = new Promise((resolve) => started.once('exit', () => resolve()));
    const deadline = Date.now() + scaled(10_000);
    while (!(await answersPing(port))) {
      if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: async () => {
      if (alive()) child!.kill('SIGKILL');
      await exited;
    },
    restart: async () => {
      if (alive()) return;
      // The port was ours a moment ago: retry briefly in case the OS has not let go of it.
      for (let attempt = 0; ; attempt++) {
        try {
          await launch();
          return;
        } catch (error) {
          if (attempt >= 10) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    stop: async () => {
      if (alive()) child!.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
