import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BenchTopology, startTopology, TopologyName } from './benchRedis';
import { figuresOf } from './figures';
import { LocalChannel } from './localChannel';
import { longMessagesReport, measureLongMessages } from './longMessages';
import { killChildren, ROOT, topProcesses } from './processes';
import { concurrencyReport } from './report';
import { CHANNEL_ID, luaInternalCommands, Measured, measureSubject, RESULTS_DIR, RunOptions, scriptOf, Subject } from './subjects';

/**
 * `npm run bench`: the assistant as it runs in production (the real `dist/bot/index.js`, state in
 * Redis) beside two reference bots on the same HTTP stack — a bare echo bot, and the BotBuilder
 * "multi-turn prompt" waterfall bot — at several concurrencies; the assistant on one Redis node,
 * on a Redis Cluster and on Sentinel, and as 1, 2 and 3 instances behind a round-robin front.
 * Every subject runs in every round, so ratios compare figures of the same round. Prints a report
 * and writes it to bench/results/latest.txt. A benchmark, not a test: never run by jest, exits 0
 * whatever the figures. See docs/performance.md.
 *
 * Do not import restify (or the bots) here: it patches node's http.ServerResponse, which would
 * break the local channel's and the front's servers.
 */

const ALL_SUBJECTS = ['echo', 'waterfall', 'node', 'cluster', 'sentinel', 'node-2', 'node-3'] as const;
type SubjectName = (typeof ALL_SUBJECTS)[number];

interface Options extends RunOptions {
  concurrency: number[];
  subjects: SubjectName[];
  rounds: number;
  timeoutSeconds: number;
}

function list<T extends string>(name: string, value: string, allowed?: readonly T[]): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = allowed ? items.filter((i) => !allowed.includes(i as T)) : [];
  if (items.length === 0 || bad.length) throw new Error(`${name} must be a comma-separated list${allowed ? ` of ${allowed.join(', ')}` : ''} (got "${value}")`);
  return items as T[];
}

function wholeNumber(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min} (got "${value}")`);
  return n;
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      concurrency: { type: 'string' },
      subjects: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      'timeout-seconds': { type: 'string' },
      profile: { type: 'boolean' },
      'heap-snapshot': { type: 'boolean' },
      quick: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const quick = values.quick === true;
  const flag = (value: boolean | undefined, e: string | undefined) => value === true || /^(1|true|yes)$/i.test(e?.trim() ?? '');
  const concurrency = list('--concurrency', values.concurrency ?? env.BENCH_CONCURRENCY ?? (quick ? '50' : '50,200,1000')).map((c) =>
    wholeNumber('--concurrency', c, 0),
  );
  return {
    concurrency,
    subjects: list('--subjects', values.subjects ?? env.BENCH_SUBJECTS ?? ALL_SUBJECTS.join(','), ALL_SUBJECTS),
    warmup: wholeNumber('--warmup', values.warmup ?? env.BENCH_WARMUP, quick ? 20 : 50, 0),
    rounds: wholeNumber('--rounds', values.rounds ?? env.BENCH_ROUNDS, 1),
    timeoutSeconds: wholeNumber('--timeout-seconds', values['timeout-seconds'] ?? env.BENCH_TIMEOUT_SECONDS, 3_600),
    profile: flag(values.profile, env.BENCH_PROFILE),
    heapSnapshot: flag(values['heap-snapshot'], env.BENCH_HEAP_SNAPSHOT),
  };
}

function subjectsFor(names: SubjectName[], topologies: Map<TopologyName, BenchTopology>): Subject[] {
  return names.map((name): Subject => {
    if (name === 'echo' || name === 'waterfall') return { id: name, bot: name, instances: 1 };
    const [topology, instances] = name.split('-') as [TopologyName, string | undefined];
    return { id: name, bot: 'assistant', topology: topologies.get(topology)!, instances: Number(instances ?? 1) };
  });
}

/** Commit and uncommitted changes of the code under test (bench/ itself left out). */
function provenance(): string {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const changed = (git('status', '--porcelain', '--untracked-files=no').stdout ?? '')
    .split('\n')
    .map((line) => line.slice(3).trim())
    .filter((file) => file && !file.startsWith('bench/'));
  return `${head.stdout.trim()}${changed.length ? ` + uncommitted changes in ${changed.join(', ')}` : ' (clean)'}`;
}

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
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killChildren();
      process.exit(130);
    });
  }
  for (const bot of ['assistant', 'echo', 'waterfall'] as const) {
    if (!existsSync(scriptOf(bot))) throw new Error(`${path.relative(ROOT, scriptOf(bot))} is missing: run "npm run build" first (npm run bench does)`);
  }
  const runId = randomBytes(4).toString('hex');
  const wanted = new Set(options.subjects.filter((s) => s !== 'echo' && s !== 'waterfall').map((s) => s.split('-')[0] as TopologyName));
  console.log(
    `bench: ${options.concurrency.join(', ')} concurrent conversations; ${options.subjects.join(', ')}; warm-up ${options.warmup}; ${options.rounds} round(s); timeout ${options.timeoutSeconds} s`,
  );
  const topologies = new Map<TopologyName, BenchTopology>();
  const channel = await LocalChannel.start({ channelId: CHANNEL_ID });
  const measured: Measured[] = [];
  const loadBefore = loadavg();
  const busiest = topProcesses();
  try {
    for (const name of wanted) {
      console.log(`bench: starting Redis (${name})`);
      topologies.set(name, await startTopology(name));
    }
    const subjects = subjectsFor(options.subjects, topologies);
    for (let round = 1; round <= options.rounds; round++) {
      for (const concurrency of options.concurrency) {
        for (const subject of subjects) {
          console.log(`bench: round ${round}/${options.rounds}, ${concurrency} conversations, ${subject.id}`);
          measured.push(await measureSubject(subject, concurrency, round, runId, channel, options, deadline));
        }
      }
    }
  } finally {
    await channel.close().catch(() => undefined);
    await Promise.all([...topologies.values()].map((t) => t.stop().catch(() => undefined)));
  }

  const luaInternal = luaInternalCommands();
  const out: string[] = [];
  out.push('NHSmail care assistant: benchmark report');
  out.push('=======================================');
  out.push(`date           ${startedAt.toISOString()} (${Math.round((Date.now() - startedAt.getTime()) / 1000)} s)`);
  out.push(`code           ${provenance()}`);
  out.push(`machine        ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  out.push(`load average   ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadavg().map((l) => l.toFixed(2)).join(' ')} after`);
  out.push(`busiest before ${busiest.map((p) => `${p.command} ${p.cpuPercent}%`).join(', ')}`);
  for (const t of topologies.values()) out.push(`redis ${t.name.padEnd(9)}${t.describe}`);
  out.push(`bots           LOG_LEVEL=warn, Emulator mode, each instance warmed up with ${options.warmup} conversations through the front (not measured); bot CPU summed over instances`);
  out.push('');
  for (const concurrency of options.concurrency) {
    const figures = options.subjects.map((id) => figuresOf(measured.filter((m) => m.concurrency === concurrency && m.subject.id === id), luaInternal));
    out.push(...concurrencyReport(figures, options.rounds));
  }
  // In this process, after the load: the readers that see a whole message, on the longest one.
  out.push(...longMessagesReport(measureLongMessages()));
  out.push('');
  const text = `${out.join('\n')}\n`;
  console.log(`\n${text}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, 'latest.txt'), text);
  console.log(`bench: report written to ${path.relative(ROOT, path.join(RESULTS_DIR, 'latest.txt'))}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killChildren();
    process.exit(1);
  },
);
