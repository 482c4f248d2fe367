import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { hashId } from '../bot/engine';
import { echoText } from './echoReplies';
import { ChannelActivity, LocalChannel, SendResult } from './localChannel';
import { freePort } from './ports';

/**
 * `npm run bench [-- --conversations 500]`: load test of the assistant as it runs in production
 * (the real `dist/bot/index.js` in a child process, state in Redis), followed by the same load on
 * a bare botbuilder echo bot (`bench/echoBot.ts`) as the baseline. Prints a report with a verdict
 * per target and writes it to bench/results/latest.txt. A benchmark, not a test: never run by jest.
 * See docs/performance.md.
 *
 * Options (argv wins over env):
 *   --conversations N      BENCH_CONVERSATIONS   concurrent conversations (default 500)
 *   --warmup N             BENCH_WARMUP          conversations run first, not measured (default 50)
 *   --rounds R             BENCH_ROUNDS          assistant then echo, R times, pooled (default 1)
 *   --timeout-seconds S    BENCH_TIMEOUT_SECONDS the whole run stops by itself after S (default 300)
 *   --skip-echo            BENCH_SKIP_ECHO=1     only the assistant (no ratios)
 *   --profile              BENCH_PROFILE=1       run the bots with --cpu-prof (bench/results/profiles,
 *                                                read them with dist/bench/profileSummary.js)
 *   REDIS_URL              use this Redis instead of a throwaway redis-server (nothing is flushed;
 *                          only the keys of the benchmark's own conversations are deleted)
 *
 * Everything runs on 127.0.0.1 and stops by itself. Do not import restify (or bench/echoBot.ts)
 * here: it patches node's http.ServerResponse, which breaks the local channel's server.
 */

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  conversations: number;
  warmup: number;
  rounds: number;
  timeoutSeconds: number;
  skipEcho: boolean;
  profile: boolean;
  redisUrl?: string;
}

function wholeNumber(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min} (got "${value}")`);
  return n;
}

function flag(value: boolean | undefined, env: string | undefined): boolean {
  return value === true || (env !== undefined && /^(1|true|yes)$/i.test(env.trim()));
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      conversations: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'skip-echo': { type: 'boolean' },
      profile: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    conversations: wholeNumber('--conversations', values.conversations ?? env.BENCH_CONVERSATIONS, 500),
    warmup: wholeNumber('--warmup', values.warmup ?? env.BENCH_WARMUP, 50, 0),
    rounds: wholeNumber('--rounds', values.rounds ?? env.BENCH_ROUNDS, 1),
    timeoutSeconds: wholeNumber('--timeout-seconds', values['timeout-seconds'] ?? env.BENCH_TIMEOUT_SECONDS, 300),
    skipEcho: flag(values['skip-echo'], env.BENCH_SKIP_ECHO),
    profile: flag(values.profile, env.BENCH_PROFILE),
    redisUrl: env.REDIS_URL?.trim() || undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// What a conversation says

const CHANNEL_ID = 'emulator';
/** The whole prerequisite questionnaire, typed. The last answer reaches the summary. */
const SCRIPT = ['register', 'care provider', 'no', 'yes', 'no', 'no', 'email'] as const;
const TURNS_PER_CONVERSATION = 1 + SCRIPT.length; // conversationStart + the messages
const ASSISTANT_FINAL = 'all checks done';
/** Per POST; a turn that takes longer counts as an error. */
const TURN_TIMEOUT_MS = 30_000;
/** The bot's Redis key prefix (the store's default; bot/app.ts does not change it). */
const KEY_PREFIX = 'nhsca:';

const TARGETS = {
  costRatio: 1.3,
  roundTrips: 3,
  bytesPerConversation: 8 * 1024,
};

// ---------------------------------------------------------------------------------------------
// Processes

const ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const children = new Set<ChildProcess>();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));


interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** Last lines of stdout+stderr, for diagnostics. */
  tail: string[];
  /** pino lines at warn (40) or above, by message. */
  warnings: Map<string, number>;
  stop(): Promise<void>;
}

function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  children.add(proc);
  if (proc.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const tail: string[] = [];
  const warnings = new Map<string, number>();
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    // Always drained: pino writes synchronously, a full pipe would stall the bot.
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        const level = /"level":(\d+)/.exec(line);
        if (level && Number(level[1]) >= 40) {
          const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 120);
          warnings.set(msg, (warnings.get(msg) ?? 0) + 1);
        }
      }
    });
  };
  collect(proc.stdout);
  collect(proc.stderr);
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      children.delete(proc);
      resolve();
    };
    proc.once('exit', done);
    proc.once('error', done);
  });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(8_000).then(() => false)]);
    if (!done) {
      proc.kill('SIGKILL');
      await exited;
    }
  };
  return { name, process: proc, pid: proc.pid, tail, warnings, stop };
}

/** Kills whatever is still running (each child by its own pid). */
function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function waitForStatus(url: string, deadline: number, child: Child): Promise<void> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${child.name} exited before ${url} answered:\n${child.tail.join('\n')}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.text();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 in time (last: ${last}):\n${child.tail.join('\n')}`);
}

const CLOCK_TICKS = (() => {
  const probe = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(probe.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** utime + stime of a process (all its threads), in milliseconds, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Busy time of the whole machine (all cores, all processes), in milliseconds, from /proc/stat. */
function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / CLOCK_TICKS;
}

/** Peak resident set size (VmHWM) in KiB, from /proc/<pid>/status. */
function peakRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : NaN;
}

// ---------------------------------------------------------------------------------------------
// Redis

interface RedisTarget {
  url: string;
  /** Set when the benchmark started this redis-server itself. */
  own?: Child;
}

async function startOwnRedis(deadline: number): Promise<RedisTarget> {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error('redis-server is not on PATH: install it (apt-get install -y redis-server) or set REDIS_URL');
  }
  const port = await freePort();
  const child = startChild(
    'redis-server',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    process.env,
  );
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    while (Date.now() < deadline) {
      if (child.process.exitCode !== null) throw new Error(`redis-server exited:\n${child.tail.join('\n')}`);
      try {
        if (client.status !== 'ready') await client.connect();
        if ((await client.ping()) === 'PONG') return { url, own: child };
      } catch {
        client.disconnect();
        await sleep(100);
      }
    }
  } finally {
    client.disconnect();
  }
  await child.stop();
  throw new Error('redis-server did not start in time');
}

type CommandStats = Map<string, { calls: number; rejected: number; usec: number }>;

function parseCommandStats(info: string): CommandStats {
  const stats: CommandStats = new Map();
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):(.*)$/.exec(line);
    if (!match) continue;
    const fields = Object.fromEntries(match[2]!.split(',').map((pair) => pair.split('=') as [string, string]));
    stats.set(match[1]!, {
      calls: Number(fields.calls ?? 0),
      rejected: Number(fields.rejected_calls ?? 0),
      usec: Number(fields.usec ?? 0),
    });
  }
  return stats;
}

/** after − before; with `into`, adds the difference to it (to pool rounds). */
function diffStats(before: CommandStats, after: CommandStats, into: CommandStats = new Map()): CommandStats {
  for (const [name, a] of after) {
    const b = before.get(name) ?? { calls: 0, rejected: 0, usec: 0 };
    const sum = into.get(name) ?? { calls: 0, rejected: 0, usec: 0 };
    const d = { calls: sum.calls + a.calls - b.calls, rejected: sum.rejected + a.rejected - b.rejected, usec: sum.usec + a.usec - b.usec };
    if (d.calls || d.rejected) into.set(name, d);
  }
  return into;
}

/** Commands that start a script: one round trip each, whatever the script does inside. */
const SCRIPT_COMMANDS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);
/** Issued by the benchmark itself inside the measured window (the INFO snapshots). */
const BENCH_COMMANDS = new Set(['info']);

/**
 * Commands the store's Lua scripts call (`redis.call('X', ...)` in the compiled store). Redis counts
 * them in commandstats as if they had been sent, so they are left out of the round-trip count.
 * (Were the bot to send one of them directly, it would be missed; today it sends only scripts, and
 * PING for /readyz.)
 */
function luaInternalCommands(): Set<string> {
  const names = new Set<string>();
  for (const name of ['redisConversationStore.js', 'redisConversationScripts.js']) {
    const file = path.join(ROOT, 'dist', 'adapters', name);
    if (!existsSync(file)) continue;
    for (const match of readFileSync(file, 'utf8').matchAll(/redis\.p?call\(\s*['"]([A-Za-z_|]+)['"]/g)) {
      names.add(match[1]!.toLowerCase());
    }
  }
  return names;
}

async function scanKeys(redis: Redis, pattern: string, deadline: number): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    if (Date.now() > deadline) throw new Error('SCAN did not finish before the deadline');
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** The conversation key (the `{K}` hash tag) the bot derives from channel + conversation id. */
function conversationKey(conversationId: string): string {
  return hashId(`${CHANNEL_ID}\u0000${conversationId}`, 22);
}

function tagOf(key: string): string | undefined {
  return /\{([^}]+)\}/.exec(key)?.[1];
}

/** What the measured conversations left in Redis. Sums, so that rounds can be pooled. */
interface KeyFigures {
  conversations: number;
  keys: number;
  keysByKind: Record<string, number>;
  memoryBytes: number;
  stateHashes: number;
  dataBytes: number;
  dataBytesMax: number;
  etagBytes: number;
  ttlSeconds?: number;
  allPrefixKeys: number;
}

async function measureKeys(redis: Redis, conversationIds: string[], deadline: number): Promise<KeyFigures> {
  const wanted = new Set(conversationIds.map(conversationKey));
  const all = await scanKeys(redis, `${KEY_PREFIX}*`, deadline);
  const mine = all.filter((key) => wanted.has(tagOf(key) ?? ''));
  const figures: KeyFigures = {
    conversations: conversationIds.length,
    keys: mine.length,
    keysByKind: {},
    memoryBytes: 0,
    stateHashes: 0,
    dataBytes: 0,
    dataBytesMax: 0,
    etagBytes: 0,
    allPrefixKeys: all.length,
  };
  for (const key of mine) {
    const kind = key.slice(key.lastIndexOf(':') + 1);
    figures.keysByKind[kind] = (figures.keysByKind[kind] ?? 0) + 1;
  }
  const chunk = 200;
  for (let i = 0; i < mine.length; i += chunk) {
    const pipeline = redis.pipeline();
    for (const key of mine.slice(i, i + chunk)) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
    for (const [error, value] of (await pipeline.exec()) ?? []) {
      if (!error && value !== null) figures.memoryBytes += Number(value);
    }
  }
  const stateKeys = mine.filter((key) => key.endsWith(':state'));
  for (let i = 0; i < stateKeys.length; i += chunk) {
    const pipeline = redis.pipeline();
    for (const key of stateKeys.slice(i, i + chunk)) {
      pipeline.call('TYPE', key);
      pipeline.call('HSTRLEN', key, 'data');
      pipeline.call('HSTRLEN', key, 'etag');
    }
    const replies = (await pipeline.exec()) ?? [];
    for (let j = 0; j + 2 < replies.length; j += 3) {
      if (replies[j]![1] !== 'hash') continue;
      const data = Number(replies[j + 1]![1] ?? 0);
      figures.stateHashes++;
      figures.dataBytes += data;
      figures.dataBytesMax = Math.max(figures.dataBytesMax, data);
      figures.etagBytes += Number(replies[j + 2]![1] ?? 0);
    }
  }
  if (stateKeys[0]) figures.ttlSeconds = await redis.ttl(stateKeys[0]);
  return figures;
}

function addKeyFigures(a: KeyFigures | undefined, b: KeyFigures): KeyFigures {
  if (!a) return { ...b, keysByKind: { ...b.keysByKind } };
  const keysByKind = { ...a.keysByKind };
  for (const [kind, n] of Object.entries(b.keysByKind)) keysByKind[kind] = (keysByKind[kind] ?? 0) + n;
  return {
    conversations: a.conversations + b.conversations,
    keys: a.keys + b.keys,
    keysByKind,
    memoryBytes: a.memoryBytes + b.memoryBytes,
    stateHashes: a.stateHashes + b.stateHashes,
    dataBytes: a.dataBytes + b.dataBytes,
    dataBytesMax: Math.max(a.dataBytesMax, b.dataBytesMax),
    etagBytes: a.etagBytes + b.etagBytes,
    ttlSeconds: b.ttlSeconds ?? a.ttlSeconds,
    allPrefixKeys: b.allPrefixKeys,
  };
}

/** Deletes exactly the keys of the benchmark's conversations (used when REDIS_URL was given). */
async function deleteBenchKeys(redis: Redis, conversationIds: string[], deadline: number): Promise<number> {
  const wanted = new Set(conversationIds.map(conversationKey));
  const keys = (await scanKeys(redis, `${KEY_PREFIX}*`, deadline)).filter((key) => wanted.has(tagOf(key) ?? ''));
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
  return keys.length;
}

// ---------------------------------------------------------------------------------------------
// Load

interface LoadResult {
  conversations: number;
  turns: number;
  /** Messages the bot sent to the channel (each one an HTTP POST from the bot to the serviceUrl). */
  replies: number;
  latenciesMs: number[];
  /** Latencies by position in the conversation (0 = conversationStart). */
  byTurn: number[][];
  wallMs: number;
  errors: { status: number; noReply: number; failed: number; wrongFinal: number; notRun: number };
  examples: string[];
}

function emptyLoad(): LoadResult {
  return {
    conversations: 0,
    turns: 0,
    replies: 0,
    latenciesMs: [],
    byTurn: Array.from({ length: TURNS_PER_CONVERSATION }, () => []),
    wallMs: 0,
    errors: { status: 0, noReply: 0, failed: 0, wrongFinal: 0, notRun: 0 },
    examples: [],
  };
}

function mergeLoads(results: LoadResult[]): LoadResult {
  const merged = emptyLoad();
  for (const r of results) {
    merged.conversations += r.conversations;
    merged.turns += r.turns;
    merged.replies += r.replies;
    merged.latenciesMs.push(...r.latenciesMs);
    r.byTurn.forEach((values, i) => merged.byTurn[i]?.push(...values));
    merged.wallMs += r.wallMs;
    for (const key of Object.keys(merged.errors) as (keyof LoadResult['errors'])[]) merged.errors[key] += r.errors[key];
    merged.examples.push(...r.examples.slice(0, Math.max(0, 5 - merged.examples.length)));
  }
  return merged;
}

function errorCount(result: LoadResult): number {
  const e = result.errors;
  return e.status + e.noReply + e.failed + e.wrongFinal + e.notRun;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * All conversations at once; inside each, the turns one after the other, each waiting for the
 * bot's HTTP answer (replies reach the channel's serviceUrl while that request is open).
 */
async function runLoad(
  channel: LocalChannel,
  botUrl: string,
  conversationIds: string[],
  isFinalOk: (text: string) => boolean,
  deadline: number,
): Promise<LoadResult> {
  const result = emptyLoad();
  result.conversations = conversationIds.length;
  const example = (text: string) => {
    if (result.examples.length < 5) result.examples.push(text);
  };

  const conversation = async (id: string) => {
    // One user per conversation, as real traffic is (users have a rate limit of their own).
    const user = { id: `user-${id}`, name: 'User' };
    const start = { ...channel.conversationStart(id), from: user, membersAdded: [user, { id: 'bot', name: 'Bot' }] };
    const activities: ChannelActivity[] = [start, ...SCRIPT.map((text) => channel.message(id, text, { from: user }))];
    let last: SendResult | undefined;
    for (let i = 0; i < activities.length; i++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        result.errors.notRun += activities.length - i;
        example(`${id}: overall timeout, ${activities.length - i} turns not run`);
        return;
      }
      const started = performance.now();
      try {
        last = await withTimeout(channel.send(botUrl, activities[i]!), Math.min(TURN_TIMEOUT_MS, remaining), 'turn');
        const ms = performance.now() - started;
        result.latenciesMs.push(ms);
        result.byTurn[i]?.push(ms);
        result.turns++;
        result.replies += last.replies.length;
        if (last.status !== 200) {
          result.errors.status++;
          example(`${id} turn ${i + 1}: HTTP ${last.status} ${last.body.slice(0, 120)}`);
        } else if (last.replies.length === 0) {
          result.errors.noReply++;
          example(`${id} turn ${i + 1}: no reply`);
        }
      } catch (error) {
        result.turns++;
        result.errors.failed++;
        last = undefined;
        example(`${id} turn ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const finalText = last?.replies.at(-1)?.text ?? '';
    if (last?.status === 200 && last.replies.length > 0 && !isFinalOk(finalText)) {
      result.errors.wrongFinal++;
      example(`${id}: final reply was "${finalText.slice(0, 120)}"`);
    }
  };

  const started = performance.now();
  await Promise.all(conversationIds.map((id) => conversation(id)));
  result.wallMs = performance.now() - started;
  return result;
}

// ---------------------------------------------------------------------------------------------
// One bot through the load (one round)

interface BotSpec {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  isFinalOk: (text: string) => boolean;
  redis?: { client: Redis; target: RedisTarget };
}

/** Raw measurements of one round; per-turn figures are derived after pooling the rounds. */
interface Round {
  warmup: LoadResult;
  load: LoadResult;
  botCpuMs: number;
  generatorCpuMs: number;
  /** CPU used by every other process on the machine during the measured window. */
  otherCpuMs: number;
  redisCpuMs?: number;
  peakRssKiB: number;
  warnings: Map<string, number>;
  commands?: CommandStats;
  keys?: KeyFigures;
}

function conversationIds(runId: string, bot: string, round: number, phase: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `bench-${runId}-${bot}-r${round}-${phase}-${String(i).padStart(5, '0')}`);
}

async function benchRound(
  spec: BotSpec,
  options: Options,
  channel: LocalChannel,
  runId: string,
  round: number,
  deadline: number,
): Promise<Round> {
  const port = await freePort();
  const nodeArgs: string[] = [];
  const profileName = `${spec.name}-${runId}-r${round}`;
  if (options.profile) {
    mkdirSync(path.join(RESULTS_DIR, 'profiles'), { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', path.join(RESULTS_DIR, 'profiles'), '--cpu-prof-name', `${profileName}.cpuprofile`);
  }
  const child = startChild(spec.name, process.execPath, [...nodeArgs, spec.script], {
    ...process.env,
    ...spec.env,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    // Emulator mode: the local channel sends no tokens, so the bot must not expect any.
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    MicrosoftAppTenantId: '',
    MicrosoftAppType: '',
  });
  try {
    const botUrl = `http://127.0.0.1:${port}`;
    const readyBy = Math.min(deadline, Date.now() + 30_000);
    await waitForStatus(`${botUrl}/healthz`, readyBy, child);
    await waitForStatus(`${botUrl}/readyz`, readyBy, child);

    // Warm-up: JIT, connection pools, and (assistant) the store's scripts loaded into Redis.
    const warmup = await runLoad(channel, botUrl, conversationIds(runId, spec.name, round, 'warmup', options.warmup), spec.isFinalOk, deadline);

    const measuredIds = conversationIds(runId, spec.name, round, 'load', options.conversations);
    const statsBefore = spec.redis ? parseCommandStats(await spec.redis.client.info('commandstats')) : undefined;
    const ownRedisPid = spec.redis?.target.own?.pid;
    const redisBefore = ownRedisPid ? cpuMs(ownRedisPid) : 0;
    const botBefore = cpuMs(child.pid);
    const generatorBefore = process.cpuUsage();
    const machineBefore = machineBusyMs();
    const windowStartUs = process.hrtime.bigint() / 1000n;

    const load = await runLoad(channel, botUrl, measuredIds, spec.isFinalOk, deadline);

    const windowEndUs = process.hrtime.bigint() / 1000n;
    const botCpuMs = cpuMs(child.pid) - botBefore;
    const generator = process.cpuUsage(generatorBefore);
    const generatorCpuMs = (generator.user + generator.system) / 1000;
    const machineMs = machineBusyMs() - machineBefore;
    const redisCpuMs = ownRedisPid ? cpuMs(ownRedisPid) - redisBefore : undefined;
    const statsAfter = spec.redis ? parseCommandStats(await spec.redis.client.info('commandstats')) : undefined;
    const peak = peakRssKiB(child.pid);
    if (options.profile) {
      // Same monotonic clock as the profile's timestamps: profileSummary keeps only these samples.
      writeFileSync(
        path.join(RESULTS_DIR, 'profiles', `${profileName}.window.json`),
        JSON.stringify({ startUs: Number(windowStartUs), endUs: Number(windowEndUs), turns: load.turns }),
      );
    }
    return {
      warmup,
      load,
      botCpuMs,
      generatorCpuMs,
      otherCpuMs: Math.max(0, machineMs - botCpuMs - generatorCpuMs - (redisCpuMs ?? 0)),
      redisCpuMs,
      peakRssKiB: peak,
      warnings: child.warnings,
      commands: statsBefore && statsAfter ? diffStats(statsBefore, statsAfter) : undefined,
      keys: spec.redis ? await measureKeys(spec.redis.client, measuredIds, deadline + 30_000) : undefined,
    };
  } finally {
    await child.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Figures (rounds pooled)

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

interface LatencyFigures {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function latencyFigures(values: number[]): LatencyFigures {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface RedisFigures {
  commandsPerTurn: number;
  roundTripsPerTurn: number;
  scriptCallsPerTurn: number;
  otherTopLevelPerTurn: number;
  breakdown: { name: string; perTurn: number; inScripts: boolean }[];
  /** commandstats usec of the top-level commands (a script's time includes what it runs). */
  redisMsPerTurn: number;
  redisCpuMsPerTurn?: number;
  keys: KeyFigures;
  bytesPerConversation: number;
}

interface BotFigures {
  name: string;
  rounds: Round[];
  warmup: LoadResult;
  load: LoadResult;
  latency: LatencyFigures;
  /** Turns 2-8: the conversation's connection to the bot is already open. */
  laterLatency: LatencyFigures;
  turnsPerSecond: number;
  cpuMsPerTurn: number;
  cpuMsPerTurnByRound: number[];
  cpuCores: number;
  peakRssKiB: number;
  generatorCpuMsPerTurn: number;
  otherCpuCores: number;
  warnings: Map<string, number>;
  redis?: RedisFigures;
}

function botFigures(name: string, rounds: Round[], luaInternal: Set<string>): BotFigures {
  const load = mergeLoads(rounds.map((r) => r.load));
  const turns = Math.max(1, load.turns);
  const sum = (pick: (r: Round) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const warnings = new Map<string, number>();
  for (const r of rounds) for (const [msg, n] of r.warnings) warnings.set(msg, (warnings.get(msg) ?? 0) + n);

  let redis: RedisFigures | undefined;
  const withRedis = rounds.filter((r) => r.commands && r.keys);
  if (withRedis.length > 0) {
    const commands: CommandStats = new Map();
    for (const r of withRedis) diffStats(new Map(), r.commands!, commands);
    let all = 0;
    let scripts = 0;
    let otherTopLevel = 0;
    let usec = 0;
    const breakdown: RedisFigures['breakdown'] = [];
    for (const [command, d] of commands) {
      if (BENCH_COMMANDS.has(command)) continue;
      const sent = d.calls + d.rejected;
      all += sent;
      const script = SCRIPT_COMMANDS.has(command);
      const inScripts = !script && luaInternal.has(command);
      if (script) scripts += sent;
      else if (!inScripts) otherTopLevel += sent;
      if (!inScripts) usec += d.usec;
      breakdown.push({ name: command, perTurn: sent / turns, inScripts });
    }
    breakdown.sort((a, b) => b.perTurn - a.perTurn);
    let keys: KeyFigures | undefined;
    for (const r of withRedis) keys = addKeyFigures(keys, r.keys!);
    const redisCpu = withRedis.every((r) => r.redisCpuMs !== undefined) ? sum((r) => r.redisCpuMs ?? 0) : undefined;
    redis = {
      commandsPerTurn: all / turns,
      roundTripsPerTurn: (scripts + otherTopLevel) / turns,
      scriptCallsPerTurn: scripts / turns,
      otherTopLevelPerTurn: otherTopLevel / turns,
      breakdown,
      redisMsPerTurn: usec / 1000 / turns,
      redisCpuMsPerTurn: redisCpu === undefined ? undefined : redisCpu / turns,
      keys: keys!,
      bytesPerConversation: keys!.memoryBytes / Math.max(1, keys!.conversations),
    };
  }

  return {
    name,
    rounds,
    warmup: mergeLoads(rounds.map((r) => r.warmup)),
    load,
    latency: latencyFigures(load.latenciesMs),
    laterLatency: latencyFigures(load.byTurn.slice(1).flat()),
    turnsPerSecond: load.turns / (load.wallMs / 1000),
    cpuMsPerTurn: sum((r) => r.botCpuMs) / turns,
    cpuMsPerTurnByRound: rounds.map((r) => r.botCpuMs / Math.max(1, r.load.turns)),
    cpuCores: sum((r) => r.botCpuMs) / load.wallMs,
    peakRssKiB: Math.max(...rounds.map((r) => r.peakRssKiB)),
    generatorCpuMsPerTurn: sum((r) => r.generatorCpuMs) / turns,
    otherCpuCores: sum((r) => r.otherCpuMs) / load.wallMs,
    warnings,
    redis,
  };
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function row(label: string, ...cells: string[]): string {
  return `  ${label.padEnd(36)}${cells.map((c) => c.padStart(15)).join('')}`;
}

function describeErrors(load: LoadResult): string {
  const e = load.errors;
  return `${errorCount(load)} (HTTP status ${e.status}, no reply ${e.noReply}, failed/timed out ${e.failed}, wrong final text ${e.wrongFinal}, not run ${e.notRun})`;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis URL';
  }
}

/** Commit and uncommitted changes of the code under test (bench/ itself left out). */
function provenance(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const changed = (git('status', '--porcelain', '--untracked-files=no').stdout ?? '')
    .split('\n')
    .map((line) => line.slice(3).trim())
    .filter((file) => file && !file.startsWith('bench/'));
  return `${head.stdout.trim()}${changed.length ? ` + uncommitted changes in ${changed.join(', ')}` : ' (clean)'}`;
}

function report(options: Options, redisTarget: RedisTarget, assistant: BotFigures, echo: BotFigures | undefined, startedAt: Date): string[] {
  const out: string[] = [];
  const runs = echo ? [assistant, echo] : [assistant];
  out.push('NHSmail care assistant: benchmark report');
  out.push('=======================================');
  out.push(`date           ${startedAt.toISOString()}`);
  out.push(`code           ${provenance()}`);
  out.push(
    `machine        ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}`,
  );
  out.push(`load average   ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end (other processes share the machine: see "other processes CPU")`);
  out.push(
    `load           ${options.conversations} concurrent conversations x ${TURNS_PER_CONVERSATION} turns (conversationStart + ${SCRIPT.map((s) => `"${s}"`).join(', ')})`,
  );
  out.push(
    `               ${options.rounds} round${options.rounds > 1 ? 's (assistant, then echo, each round; figures pooled)' : ''}; each bot process warmed up with ${options.warmup} conversations first (not measured); LOG_LEVEL=warn`,
  );
  out.push(`redis          ${redisTarget.own ? `throwaway redis-server on ${redisTarget.url} (--save "" --appendonly no)` : `REDIS_URL ${redact(redisTarget.url)}`}`);
  out.push('');

  out.push(row('', ...runs.map((r) => r.name)));
  out.push(row('turns', ...runs.map((r) => String(r.load.turns))));
  out.push(row('errors', ...runs.map((r) => String(errorCount(r.load)))));
  out.push(row('warm-up errors', ...runs.map((r) => String(errorCount(r.warmup)))));
  out.push(row('replies per turn', ...runs.map((r) => fmt(r.load.replies / Math.max(1, r.load.turns), 2))));
  out.push(row('wall time (s)', ...runs.map((r) => fmt(r.load.wallMs / 1000, 2))));
  out.push(row('turns per second', ...runs.map((r) => fmt(r.turnsPerSecond, 0))));
  out.push(row('turn latency mean (ms)', ...runs.map((r) => fmt(r.latency.mean))));
  out.push(row('turn latency p50 (ms)', ...runs.map((r) => fmt(r.latency.p50))));
  out.push(row('turn latency p95 (ms)', ...runs.map((r) => fmt(r.latency.p95))));
  out.push(row('turn latency p99 (ms)', ...runs.map((r) => fmt(r.latency.p99))));
  out.push(row('turn latency max (ms)', ...runs.map((r) => fmt(r.latency.max))));
  out.push(row('turns 2-8 latency mean (ms)', ...runs.map((r) => fmt(r.laterLatency.mean))));
  out.push(row('turns 2-8 latency p95 (ms)', ...runs.map((r) => fmt(r.laterLatency.p95))));
  out.push(row('latency p50 / p95 by turn (ms)', ...runs.map(() => '')));
  for (let i = 0; i < TURNS_PER_CONVERSATION; i++) {
    const label = `  ${i + 1} ${i === 0 ? 'conversationStart' : `"${SCRIPT[i - 1]}"`}`;
    out.push(
      row(
        label,
        ...runs.map((r) => {
          const l = latencyFigures(r.load.byTurn[i] ?? []);
          return `${fmt(l.p50, 0)} / ${fmt(l.p95, 0)}`;
        }),
      ),
    );
  }
  out.push(row('bot CPU per turn (ms)', ...runs.map((r) => fmt(r.cpuMsPerTurn, 3))));
  if (options.rounds > 1) {
    for (const r of runs) out.push(`    by round, ${r.name}: ${r.cpuMsPerTurnByRound.map((v) => fmt(v, 3)).join(', ')}`);
  }
  out.push(row('bot CPU use (cores)', ...runs.map((r) => fmt(r.cpuCores, 2))));
  out.push(row('bot peak RSS (MiB)', ...runs.map((r) => fmt(r.peakRssKiB / 1024))));
  out.push(row('load generator CPU per turn (ms)', ...runs.map((r) => fmt(r.generatorCpuMsPerTurn, 3))));
  out.push(row('other processes CPU (cores)', ...runs.map((r) => fmt(r.otherCpuCores, 2))));
  out.push('');
  for (const run of runs) {
    out.push(`errors (${run.name}): ${describeErrors(run.load)}`);
    for (const line of run.load.examples) out.push(`  e.g. ${line}`);
    const warnings = [...run.warnings].filter(([msg]) => !/MicrosoftAppId is not set/.test(msg));
    for (const [msg, count] of warnings.slice(0, 5)) out.push(`  bot log at warn or above, x${count}: ${msg.slice(0, 140)}`);
  }

  const redis = assistant.redis;
  if (redis) {
    const k = redis.keys;
    out.push('');
    out.push(`Redis (${assistant.name}, measured window only)`);
    out.push(`  commands per turn (INFO commandstats, including those run inside Lua) ${fmt(redis.commandsPerTurn, 2)}`);
    out.push(`  round trips per turn (top-level commands)                           ${fmt(redis.roundTripsPerTurn, 2)}`);
    out.push(`    script calls (evalsha, eval, ...)                                 ${fmt(redis.scriptCallsPerTurn, 2)}`);
    out.push(`    other top-level commands                                          ${fmt(redis.otherTopLevelPerTurn, 2)}`);
    out.push(`  per command, per turn (* = run inside the store's Lua scripts, not a round trip):`);
    out.push(`    ${redis.breakdown.map((b) => `${b.name}${b.inScripts ? '*' : ''} ${fmt(b.perTurn, 2)}`).join(', ')}`);
    out.push(`  Redis time per turn (commandstats usec of top-level commands)       ${fmt(redis.redisMsPerTurn, 3)} ms`);
    if (redis.redisCpuMsPerTurn !== undefined) {
      out.push(`  redis-server CPU per turn (/proc, including networking)             ${fmt(redis.redisCpuMsPerTurn, 3)} ms`);
    }
    out.push(
      `  keys left by the ${k.conversations} measured conversations: ${k.keys} (${Object.entries(k.keysByKind).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none'}); ${KEY_PREFIX}* keys in all: ${k.allPrefixKeys}`,
    );
    out.push(`  bytes per conversation (sum of MEMORY USAGE / conversations)        ${fmt(redis.bytesPerConversation, 0)} B (${fmt(redis.bytesPerConversation / 1024, 2)} KiB)`);
    out.push(
      `  serialized state (HSTRLEN data), mean / max                         ${fmt(k.dataBytes / Math.max(1, k.stateHashes), 0)} B / ${fmt(k.dataBytesMax, 0)} B, + etag ${fmt(k.etagBytes / Math.max(1, k.stateHashes), 0)} B (${k.stateHashes} state hashes)`,
    );
    if (k.ttlSeconds !== undefined) out.push(`  TTL of a state key                                                  ${(k.ttlSeconds / 86400).toFixed(1)} days`);
  }

  const costRatio = echo ? assistant.cpuMsPerTurn / echo.cpuMsPerTurn : undefined;
  if (echo) {
    out.push('');
    out.push(`Ratios (${assistant.name} / ${echo.name})`);
    out.push(`  CPU per turn                ${fmt(costRatio, 2)}x`);
    if (options.rounds > 1) {
      const byRound = assistant.cpuMsPerTurnByRound.map((a, i) => a / (echo.cpuMsPerTurnByRound[i] ?? NaN));
      out.push(`    by round                  ${byRound.map((v) => `${fmt(v, 2)}x`).join(' ')} (median ${fmt(median(byRound), 2)}x)`);
    }
    out.push(`  mean turn latency           ${fmt(assistant.latency.mean / echo.latency.mean, 2)}x`);
    out.push(`  p95 turn latency            ${fmt(assistant.latency.p95 / echo.latency.p95, 2)}x`);
    out.push(`  mean latency, turns 2-8     ${fmt(assistant.laterLatency.mean / echo.laterLatency.mean, 2)}x`);
    out.push(`  replies per turn            ${fmt(assistant.load.replies / Math.max(1, echo.load.replies), 2)}x (each reply is one more HTTP POST from the bot to the channel)`);
  }

  out.push('');
  out.push('Targets');
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'N/A   ' : ok ? 'MET   ' : 'MISSED');
  const errors = errorCount(assistant.load);
  out.push(`  [${verdict(errors === 0)}] zero errors at ${options.conversations} concurrent conversations: ${errors} errors in ${assistant.load.turns} turns`);
  out.push(
    `  [${verdict(costRatio === undefined ? undefined : costRatio <= TARGETS.costRatio)}] per-turn cost <= ${TARGETS.costRatio}x the echo bot's (bot CPU per turn): ${
      echo
        ? `${fmt(costRatio, 2)}x (${fmt(assistant.cpuMsPerTurn, 3)} ms vs ${fmt(echo.cpuMsPerTurn, 3)} ms); latency mean ${fmt(assistant.latency.mean / echo.latency.mean, 2)}x, p95 ${fmt(assistant.latency.p95 / echo.latency.p95, 2)}x`
        : 'echo bot skipped'
    }`,
  );
  out.push(
    `  [${verdict(redis ? redis.roundTripsPerTurn <= TARGETS.roundTrips : undefined)}] <= ${TARGETS.roundTrips} Redis round trips per turn: ${fmt(redis?.roundTripsPerTurn, 2)} top-level commands per turn (${fmt(redis?.commandsPerTurn, 2)} commands including those inside Lua)`,
  );
  out.push(
    `  [${verdict(redis ? redis.bytesPerConversation <= TARGETS.bytesPerConversation : undefined)}] <= ${TARGETS.bytesPerConversation / 1024} KiB per conversation in Redis: ${fmt(redis ? redis.bytesPerConversation / 1024 : undefined, 2)} KiB (MEMORY USAGE), serialized state ${fmt(redis ? redis.keys.dataBytes / Math.max(1, redis.keys.stateHashes) / 1024 : undefined, 2)} KiB`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const options = readOptions(process.argv.slice(2), process.env);
  const startedAt = new Date();
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  // Hard stop: whatever happens, nothing outlives the timeout by more than a minute.
  const watchdog = setTimeout(() => {
    console.error(`bench: still running ${options.timeoutSeconds + 60} s after start; stopping everything`);
    killChildren();
    process.exit(2);
  }, (options.timeoutSeconds + 60) * 1000);
  watchdog.unref();
  // Children must not outlive the benchmark, however it ends.
  process.on('exit', killChildren);
  process.on('uncaughtException', (error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    killChildren();
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killChildren();
      process.exit(130);
    });
  }

  const runId = randomBytes(4).toString('hex');
  const bot = path.join(ROOT, 'dist', 'bot', 'index.js');
  const echoBot = path.join(ROOT, 'dist', 'bench', 'echoBot.js');
  for (const file of [bot, echoBot]) {
    if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run "npm run build" first (npm run bench does)`);
  }

  console.log(
    `bench: ${options.conversations} conversations x ${TURNS_PER_CONVERSATION} turns, warm-up ${options.warmup}, ${options.rounds} round(s), timeout ${options.timeoutSeconds} s`,
  );
  const redisTarget: RedisTarget = options.redisUrl ? { url: options.redisUrl } : await startOwnRedis(Math.min(deadline, Date.now() + 15_000));
  const redis = new Redis(redisTarget.url, { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  redis.on('error', () => undefined);
  const channel = await LocalChannel.start({ channelId: CHANNEL_ID });
  const written: string[] = [];
  try {
    await redis.ping().catch((error: unknown) => {
      throw new Error(`cannot reach Redis at ${redact(redisTarget.url)}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const luaInternal = luaInternalCommands();
    const assistantSpec: BotSpec = {
      name: 'assistant',
      script: bot,
      env: { REDIS_URL: redisTarget.url },
      isFinalOk: (text) => text.includes(ASSISTANT_FINAL),
      redis: { client: redis, target: redisTarget },
    };
    const echoSpec: BotSpec = {
      name: 'echo',
      script: echoBot,
      env: { REDIS_URL: '' },
      isFinalOk: (text) => text === echoText(SCRIPT[SCRIPT.length - 1]!),
    };
    const assistantRounds: Round[] = [];
    const echoRounds: Round[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const label = options.rounds > 1 ? ` (round ${round} of ${options.rounds})` : '';
      console.log(`bench: running the assistant${label}`);
      written.push(
        ...conversationIds(runId, 'assistant', round, 'warmup', options.warmup),
        ...conversationIds(runId, 'assistant', round, 'load', options.conversations),
      );
      assistantRounds.push(await benchRound(assistantSpec, options, channel, runId, round, deadline));
      if (!options.skipEcho) {
        console.log(`bench: running the echo bot${label}`);
        echoRounds.push(await benchRound(echoSpec, options, channel, runId, round, deadline));
      }
    }

    const assistant = botFigures('assistant', assistantRounds, luaInternal);
    const echo = echoRounds.length ? botFigures('echo', echoRounds, luaInternal) : undefined;
    const text = `${report(options, redisTarget, assistant, echo, startedAt).join('\n')}\n`;
    console.log(`\n${text}`);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, 'latest.txt'), text);
    console.log(`bench: report written to ${path.relative(ROOT, path.join(RESULTS_DIR, 'latest.txt'))}`);
    return 0;
  } finally {
    await channel.close().catch(() => undefined);
    if (!redisTarget.own && written.length > 0) {
      // Someone else's Redis: remove only what this run wrote.
      const removed = await deleteBenchKeys(redis, written, Date.now() + 30_000).catch(() => -1);
      console.log(removed >= 0 ? `bench: deleted the ${removed} keys this run wrote` : 'bench: could not delete the keys this run wrote');
    }
    redis.disconnect();
    await redisTarget.own?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killChildren();
    process.exit(1);
  },
);
