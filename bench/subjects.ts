import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashId } from '../bot/engine';
import { BenchTopology, CommandStats, commandStats, diffStats, KeyFigures, measureKeys, redisCpuMs } from './benchRedis';
import { Front, startFront } from './front';
import { HeapSummary, summariseHeap } from './heapSummary';
import { BotKind, LoadResult, runLoad, SCRIPTS } from './load';
import { LocalChannel } from './localChannel';
import { freePort } from './ports';
import { Child, cpuMs, machineBusyMs, peakRssKiB, ROOT, sleep, startChild, waitForStatus } from './processes';

/**
 * One thing the benchmark measures (a subject): a bot (the echo bot, the waterfall bot or the
 * assistant), and for the assistant its Redis topology and how many instances run behind the
 * round-robin front. Every subject is reached through the front, one instance or several, so
 * that the figures compare like with like.
 */

export interface Subject {
  id: string;
  bot: BotKind;
  topology?: BenchTopology;
  instances: number;
}

export const CHANNEL_ID = 'emulator';
/** The assistant's Redis key prefix (the store's default; bot/app.ts does not change it). */
export const KEY_PREFIX = 'nhsca:';
export const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

export interface RunOptions {
  warmup: number;
  profile: boolean;
  /** Write a heap snapshot of each instance after the load and summarise it. */
  heapSnapshot: boolean;
}

/** Raw measurements of one subject at one concurrency in one round. */
export interface Measured {
  subject: Subject;
  concurrency: number;
  round: number;
  warmup: LoadResult;
  load: LoadResult;
  /** Bot CPU, summed over the instances, and each instance's. */
  botCpuMs: number;
  instanceCpuMs: number[];
  peakRssKiB: number[];
  generatorCpuMs: number;
  /** CPU used by every other process on the machine during the measured window. */
  otherCpuMs: number;
  redisCpuMs?: number;
  commands?: CommandStats;
  keys?: KeyFigures;
  heaps?: HeapSummary[];
  warnings: Map<string, number>;
  frontServed: number[];
}

const SCRIPT_OF: Record<BotKind, string> = {
  assistant: path.join(ROOT, 'dist', 'bot', 'index.js'),
  echo: path.join(ROOT, 'dist', 'bench', 'echoBot.js'),
  waterfall: path.join(ROOT, 'dist', 'bench', 'waterfallBot.js'),
};

export function scriptOf(bot: BotKind): string {
  return SCRIPT_OF[bot];
}

export function conversationIds(runId: string, subject: Subject, concurrency: number, round: number, phase: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `bench-${runId}-${subject.id}-c${concurrency}-r${round}-${phase}-${String(i).padStart(5, '0')}`);
}

/** The conversation key (the `{K}` hash tag) the assistant derives from channel + conversation id. */
function conversationKey(conversationId: string): string {
  return hashId(`${CHANNEL_ID}\u0000${conversationId}`, 22);
}

async function startInstance(subject: Subject, index: number, options: RunOptions, label: string, heapDir: string): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const nodeArgs: string[] = [];
  if (options.profile) {
    mkdirSync(path.join(RESULTS_DIR, 'profiles'), { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', path.join(RESULTS_DIR, 'profiles'), '--cpu-prof-name', `${label}-i${index + 1}.cpuprofile`);
  }
  if (options.heapSnapshot) nodeArgs.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`);
  const child = startChild(`${subject.id} #${index + 1}`, process.execPath, [...nodeArgs, scriptOf(subject.bot)], {
    ...process.env,
    ...(subject.topology?.env ?? {}),
    PORT: String(port),
    LOG_LEVEL: 'warn',
    // Emulator mode: the local channel sends no tokens, so the bot must not expect any.
    MicrosoftAppId: '',
    MicrosoftAppPassword: '',
    MicrosoftAppTenantId: '',
    MicrosoftAppType: '',
    // One front before the instances: the bot reads the client's address from X-Forwarded-For.
    WEBCHAT_TRUSTED_PROXIES: '1',
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Sends SIGUSR2 (node writes a heap snapshot) and waits for the new file; returns its path. */
async function heapSnapshot(child: Child, dir: string, deadline: number): Promise<string | undefined> {
  const before = new Set(readdirSync(dir));
  child.process.kill('SIGUSR2');
  let seen: string | undefined;
  let size = -1;
  while (Date.now() < deadline) {
    await sleep(500);
    const file = readdirSync(dir).find((name) => !before.has(name) && name.endsWith('.heapsnapshot'));
    if (!file) continue;
    const now = statSync(path.join(dir, file)).size;
    // Written in one go by node; a size that stopped growing is the whole file.
    if (file === seen && now === size && now > 0) return path.join(dir, file);
    seen = file;
    size = now;
  }
  return undefined;
}

export async function measureSubject(
  subject: Subject,
  concurrency: number,
  round: number,
  runId: string,
  channel: LocalChannel,
  options: RunOptions,
  deadline: number,
): Promise<Measured> {
  const label = `${subject.id}-c${concurrency}-r${round}-${runId}`;
  const heapDir = path.join(RESULTS_DIR, 'heap', label);
  if (options.heapSnapshot) mkdirSync(heapDir, { recursive: true });
  const instances: { child: Child; url: string }[] = [];
  let front: Front | undefined;
  try {
    for (let i = 0; i < subject.instances; i++) instances.push(await startInstance(subject, i, options, label, heapDir));
    const readyBy = Math.min(deadline, Date.now() + 60_000);
    for (const { child, url } of instances) {
      await waitForStatus(`${url}/healthz`, readyBy, child);
      await waitForStatus(`${url}/readyz`, readyBy, child);
    }
    front = await startFront(instances.map((i) => i.url));
    const script = SCRIPTS[subject.bot];

    // Warm-up through the front, so every instance is warm: JIT, connection pools, scripts loaded.
    // As many conversations per instance as one instance gets: an instance still compiling its
    // hot paths in the measured window would count V8's work as the turns' cost.
    const warmupIds = conversationIds(runId, subject, concurrency, round, 'warmup', options.warmup * subject.instances);
    const warmup = await runLoad(channel, front.url, warmupIds, script, deadline);

    const measuredIds = conversationIds(runId, subject, concurrency, round, 'load', concurrency);
    const statsBefore = subject.topology ? await commandStats(subject.topology) : undefined;
    const redisBefore = subject.topology ? redisCpuMs(subject.topology) : 0;
    const cpuBefore = instances.map(({ child }) => cpuMs(child.pid));
    const generatorBefore = process.cpuUsage();
    const machineBefore = machineBusyMs();
    const servedBefore = [...front.served];
    const windowStartUs = process.hrtime.bigint() / 1000n;

    const load = await runLoad(channel, front.url, measuredIds, script, deadline);

    const windowEndUs = process.hrtime.bigint() / 1000n;
    const instanceCpuMs = instances.map(({ child }, i) => cpuMs(child.pid) - cpuBefore[i]!);
    const botCpuMs = instanceCpuMs.reduce((a, b) => a + b, 0);
    const generator = process.cpuUsage(generatorBefore);
    const generatorCpuMs = (generator.user + generator.system) / 1000;
    const machineMs = machineBusyMs() - machineBefore;
    const redisCpu = subject.topology ? redisCpuMs(subject.topology) - redisBefore : undefined;
    const statsAfter = subject.topology ? await commandStats(subject.topology) : undefined;
    const frontServed = front.served.map((n, i) => n - servedBefore[i]!);
    const peaks = instances.map(({ child }) => peakRssKiB(child.pid));
    if (options.profile) {
      // Same monotonic clock as the profiles' timestamps: profileSummary keeps only these samples
      // (the turns of each instance: those the front sent it).
      instances.forEach((_, i) =>
        writeFileSync(
          path.join(RESULTS_DIR, 'profiles', `${label}-i${i + 1}.window.json`),
          JSON.stringify({ startUs: Number(windowStartUs), endUs: Number(windowEndUs), turns: frontServed[i] }),
        ),
      );
    }
    let heaps: HeapSummary[] | undefined;
    if (options.heapSnapshot) {
      heaps = [];
      for (const { child } of instances) {
        const file = await heapSnapshot(child, heapDir, Date.now() + 120_000);
        if (file) {
          heaps.push(summariseHeap(file));
          rmSync(file, { force: true });
        }
      }
    }
    const warnings = new Map<string, number>();
    for (const { child } of instances) for (const [msg, n] of child.warnings) warnings.set(msg, (warnings.get(msg) ?? 0) + n);
    const keys = subject.topology
      ? await measureKeys(subject.topology, KEY_PREFIX, new Set(measuredIds.map(conversationKey)), measuredIds.length)
      : undefined;
    return {
      subject,
      concurrency,
      round,
      warmup,
      load,
      botCpuMs,
      instanceCpuMs,
      peakRssKiB: peaks,
      generatorCpuMs,
      otherCpuMs: Math.max(0, machineMs - botCpuMs - generatorCpuMs - (redisCpu ?? 0)),
      redisCpuMs: redisCpu,
      commands: statsBefore && statsAfter ? diffStats(statsBefore, statsAfter) : undefined,
      keys,
      heaps,
      warnings,
      frontServed,
    };
  } finally {
    await front?.close();
    await Promise.all(instances.map(({ child }) => child.stop()));
    if (options.heapSnapshot) rmSync(heapDir, { recursive: true, force: true });
  }
}

/**
 * Commands the project's Lua scripts call (`redis.call('X', ...)` in the compiled adapters):
 * Redis counts them in commandstats as if they had been sent, so they are told apart from the
 * commands the bot sends (round trips). A command the bot also sent directly would be missed.
 */
export function luaInternalCommands(): Set<string> {
  const names = new Set<string>();
  const dir = path.join(ROOT, 'dist', 'adapters');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.js'))) {
    for (const match of readFileSync(path.join(dir, file), 'utf8').matchAll(/redis\.p?call\(\s*['"]([A-Za-z_|]+)['"]/g)) {
      names.add(match[1]!.toLowerCase());
    }
  }
  return names;
}
