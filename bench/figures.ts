import { CommandStats, diffStats, KeyFigures } from './benchRedis';
import { HeapSummary } from './heapSummary';
import { errorCount, LatencyFigures, latencyFigures, LoadResult, mergeLoads } from './load';
import type { Measured, Subject } from './subjects';

/** The figures of one subject at one concurrency, its rounds pooled; and the ratios between subjects. */

/** Commands that start a script: one round trip each, whatever the script does inside. */
const SCRIPT_COMMANDS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);
/**
 * Not the bot's: the benchmark's own INFO snapshots, and the topology talking to itself —
 * replicas acknowledging what they have (REPLCONF), Sentinels and the Cluster client checking on
 * the servers (PING, INFO, ROLE, CLUSTER …, CLIENT …). Counted apart, as chatter.
 */
const NOT_THE_BOTS = /^(info|replconf|ping|role|psync|sync|hello|auth|select|cluster\|.*|client\|.*|command\|.*|sentinel\|.*)$/;
/** Sent in the same write as the script before it (a durable write), answered with it: no round trip of its own. */
const PIPELINED_WITH_A_SCRIPT = new Set(['wait']);

export interface RedisFigures {
  /** Every command Redis ran for the bot, those inside scripts included. */
  commandsPerTurn: number;
  /** Commands that were not the bot's (replication acknowledgements, health checks). */
  chatterPerTurn: number;
  /** Writes the bot waited for an answer to: script calls and other commands it sent. */
  roundTripsPerTurn: number;
  scriptCallsPerTurn: number;
  breakdown: { name: string; perTurn: number; inScripts: boolean }[];
  /** CPU of every data server (masters and replicas) per turn. */
  redisCpuMsPerTurn?: number;
  keys: KeyFigures;
  bytesPerConversation: number;
}

export interface Figures {
  subject: Subject;
  concurrency: number;
  load: LoadResult;
  warmupErrors: number;
  errors: number;
  latency: LatencyFigures;
  turnsPerSecond: number;
  /** Summed over the instances. */
  cpuMsPerTurn: number;
  cpuMsPerTurnByRound: number[];
  repliesPerTurn: number;
  /** Peak RSS of each instance (the largest over rounds). */
  peakRssMiB: number[];
  generatorCpuMsPerTurn: number;
  otherCpuCores: number;
  redis?: RedisFigures;
  heaps?: HeapSummary[];
  warnings: Map<string, number>;
  /** How evenly the front spread the turns (smallest share / largest share over instances). */
  spread: number;
}

export function figuresOf(rounds: Measured[], luaInternal: Set<string>): Figures {
  const [first] = rounds;
  if (!first) throw new Error('no rounds to pool');
  const load = mergeLoads(rounds.map((r) => r.load));
  const turns = Math.max(1, load.turns);
  const sum = (pick: (r: Measured) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const warnings = new Map<string, number>();
  for (const r of rounds) for (const [msg, n] of r.warnings) warnings.set(msg, (warnings.get(msg) ?? 0) + n);

  let redis: RedisFigures | undefined;
  const withRedis = rounds.filter((r) => r.commands && r.keys);
  if (withRedis.length) {
    const commands: CommandStats = new Map();
    for (const r of withRedis) diffStats(new Map(), r.commands!, commands);
    let all = 0;
    let scripts = 0;
    let roundTrips = 0;
    let chatter = 0;
    const breakdown: RedisFigures['breakdown'] = [];
    for (const [command, d] of commands) {
      const sent = d.calls + d.rejected;
      if (NOT_THE_BOTS.test(command)) {
        chatter += sent;
        continue;
      }
      all += sent;
      const script = SCRIPT_COMMANDS.has(command);
      const inScripts = !script && luaInternal.has(command);
      if (script) scripts += sent;
      if (!inScripts && !PIPELINED_WITH_A_SCRIPT.has(command)) roundTrips += sent;
      breakdown.push({ name: command, perTurn: sent / turns, inScripts });
    }
    breakdown.sort((a, b) => b.perTurn - a.perTurn);
    const keys = withRedis.map((r) => r.keys!).reduce((a, b) => ({
      conversations: a.conversations + b.conversations,
      keys: a.keys + b.keys,
      keysByKind: Object.fromEntries(
        [...new Set([...Object.keys(a.keysByKind), ...Object.keys(b.keysByKind)])].map((k) => [k, (a.keysByKind[k] ?? 0) + (b.keysByKind[k] ?? 0)]),
      ),
      memoryBytes: a.memoryBytes + b.memoryBytes,
      ttlSeconds: b.ttlSeconds ?? a.ttlSeconds,
    }));
    const redisCpu = withRedis.every((r) => r.redisCpuMs !== undefined) ? withRedis.reduce((t, r) => t + r.redisCpuMs!, 0) : undefined;
    redis = {
      commandsPerTurn: all / turns,
      chatterPerTurn: chatter / turns,
      roundTripsPerTurn: roundTrips / turns,
      scriptCallsPerTurn: scripts / turns,
      breakdown,
      redisCpuMsPerTurn: redisCpu === undefined ? undefined : redisCpu / turns,
      keys,
      bytesPerConversation: keys.memoryBytes / Math.max(1, keys.conversations),
    };
  }
  const served = rounds.map((r) => r.frontServed).reduce((a, b) => a.map((n, i) => n + (b[i] ?? 0)));
  return {
    subject: first.subject,
    concurrency: first.concurrency,
    load,
    warmupErrors: rounds.reduce((n, r) => n + errorCount(r.warmup), 0),
    errors: errorCount(load),
    latency: latencyFigures(load.latenciesMs),
    turnsPerSecond: load.turns / (load.wallMs / 1000),
    cpuMsPerTurn: sum((r) => r.botCpuMs) / turns,
    cpuMsPerTurnByRound: rounds.map((r) => r.botCpuMs / Math.max(1, r.load.turns)),
    repliesPerTurn: load.replies / turns,
    peakRssMiB: first.peakRssKiB.map((_, i) => Math.max(...rounds.map((r) => r.peakRssKiB[i] ?? 0)) / 1024),
    generatorCpuMsPerTurn: sum((r) => r.generatorCpuMs) / turns,
    otherCpuCores: sum((r) => r.otherCpuMs) / load.wallMs,
    redis,
    heaps: rounds.flatMap((r) => r.heaps ?? []),
    warnings,
    spread: Math.min(...served) / Math.max(1, Math.max(...served)),
  };
}

export const TARGETS = {
  /** Bot CPU per turn, assistant / echo. */
  cpuVsEcho: 1.2,
  /** Turns per second, assistant / waterfall (at least). */
  throughputVsWaterfall: 1.6,
  /** Peak RSS, assistant / echo. */
  rssVsEcho: 1.2,
  /** Redis commands per turn, those inside scripts included. */
  commandsPerTurn: 10,
  /** Cluster and Sentinel CPU per turn against one node's. */
  topologyVsNode: 1.1,
  /** Summed CPU per turn of 3 instances against 1. */
  threeVsOne: 1.15,
};
