import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { freePort } from './redis';

/**
 * What a Redis Cluster would refuse: a script (or a command) whose keys are in more than one
 * slot. `watchCommands` records, with MONITOR, every command a Redis runs — the client's and
 * those a Lua script runs inside (listed right after the EVALSHA that ran them); `slotProblems`
 * asks a cluster-enabled redis-server for CLUSTER KEYSLOT and COMMAND GETKEYS and reports every
 * script whose declared and touched keys span slots, and every key a script touched that it was
 * not given in KEYS.
 */

export interface WatchedCommand {
  args: string[];
  /** Commands run inside this one (when it is EVAL/EVALSHA). */
  inner: string[][];
}

export async function watchCommands(redisUrl: string): Promise<{ commands: WatchedCommand[]; stop(): Promise<void> }> {
  const client = createRedisClient(redisUrl);
  await waitUntilReady(client);
  const monitor = await client.monitor();
  const commands: WatchedCommand[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source === 'lua') commands.at(-1)?.inner.push(args);
    else if (args[0]?.toLowerCase() !== 'monitor') commands.push({ args, inner: [] });
  });
  // MONITOR starts a moment after its reply: a PING through it marks when it listens.
  await new Promise((resolve) => setTimeout(resolve, 50));
  let stopped: Promise<void> | undefined;
  return {
    commands,
    // Once: a test stops watching to read what was seen, its afterAll makes sure.
    stop: () =>
      (stopped ??= (async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        monitor.disconnect();
        client.disconnect();
      })()),
  };
}

/** A redis-server with cluster support (no slots assigned): it answers CLUSTER KEYSLOT and COMMAND GETKEYS. */
export async function startSlotOracle(): Promise<{ redis: Redis; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'nhsca-slots-'));
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, 'nodes.conf'), '--dir', dir],
    { stdio: 'ignore' },
  );
  const redis = createRedisClient(`redis://127.0.0.1:${port}`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await waitUntilReady(redis);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    redis,
    stop: async () => {
      redis.disconnect();
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function keysOf(oracle: Redis, args: string[]): Promise<string[]> {
  try {
    return (await oracle.call('COMMAND', 'GETKEYS', ...args)) as string[];
  } catch {
    return []; // a command without keys (XGROUP CREATE's cousins, PING…)
  }
}

export interface SlotReport {
  /** Scripts run, by how many keys they declared. */
  scripts: number;
  problems: string[];
}

export async function slotProblems(oracle: Redis, commands: WatchedCommand[]): Promise<SlotReport> {
  const slot = (key: string) => oracle.call('CLUSTER', 'KEYSLOT', key) as Promise<number>;
  const problems: string[] = [];
  let scripts = 0;
  for (const command of commands) {
    const name = command.args[0]!.toLowerCase();
    if (name === 'evalsha' || name === 'eval') {
      scripts += 1;
      const declared = command.args.slice(3, 3 + Number(command.args[2]));
      const touched = (await Promise.all(command.inner.map((inner) => keysOf(oracle, inner)))).flat();
      const slots = new Set(await Promise.all([...declared, ...touched].map(slot)));
      if (slots.size > 1) problems.push(`script with keys ${declared.join(', ')} touches ${slots.size} slots: ${[...new Set(touched)].join(', ')}`);
      const undeclared = [...new Set(touched)].filter((k) => !declared.includes(k));
      if (undeclared.length) problems.push(`script with keys ${declared.join(', ')} touches keys not in KEYS: ${undeclared.join(', ')}`);
      continue;
    }
    const keys = await keysOf(oracle, command.args);
    const slots = new Set(await Promise.all(keys.map(slot)));
    if (slots.size > 1) problems.push(`${command.args[0]} touches ${slots.size} slots: ${keys.join(', ')}`);
  }
  return { scripts, problems };
}

/** Lua scripts by the name they were defined under. */
export type ScriptRegistry = Map<string, string>;

/** Records every script the client is given with `defineCommand` (as the adapters do in their constructors). */
export function recordScripts(client: Redis, into: ScriptRegistry): void {
  const define = client.defineCommand.bind(client);
  client.defineCommand = (name, definition) => {
    into.set(name, definition.lua);
    define(name, definition);
  };
}

/** The names of the scripts no watched command ran. */
export function scriptsNotRun(scripts: ScriptRegistry, commands: WatchedCommand[]): string[] {
  const ran = new Set(commands.filter((c) => ['evalsha', 'eval'].includes(c.args[0]?.toLowerCase() ?? '')).map((c) => c.args[1]));
  return [...scripts].filter(([, lua]) => {
    // EVALSHA names it by its SHA-1; an EVAL (the first time on a connection) shows it as MONITOR escapes it.
    const shown = lua.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
    return !ran.has(createHash('sha1').update(lua).digest('hex')) && !ran.has(shown);
  }).map(([name]) => name);
}
