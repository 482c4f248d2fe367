import { formatHeap } from './heapSummary';
import { Figures, TARGETS } from './figures';
import { TURNS_PER_CONVERSATION } from './load';

/** The benchmark's report: one table per concurrency (every subject side by side), ratios, targets. */

export function fmt(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? undefined : a / b);
const x = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)}×`);

/** How a subject is named in the tables. */
export function subjectLabel(f: Figures): string {
  if (f.subject.bot !== 'assistant') return f.subject.bot;
  return `${f.subject.topology?.name ?? '?'}${f.subject.instances > 1 ? ` ×${f.subject.instances}` : ''}`;
}

function table(rows: [string, ...string[]][], width = 12): string[] {
  return rows.map(([label, ...cells]) => `  ${label.padEnd(34)}${cells.map((c) => c.padStart(width)).join('')}`);
}

export interface Verdict {
  name: string;
  met: boolean | undefined;
  detail: string;
}

/** The issue's targets at one concurrency, as ratios within the same round. */
export function verdicts(figures: Figures[]): Verdict[] {
  const find = (bot: string, topology?: string, instances = 1) =>
    figures.find((f) => f.subject.bot === bot && (topology === undefined || f.subject.topology?.name === topology) && f.subject.instances === instances);
  const echo = find('echo');
  const waterfall = find('waterfall');
  const node = find('assistant', 'node');
  const assistants = figures.filter((f) => f.subject.bot === 'assistant');
  const out: Verdict[] = [];
  const check = (name: string, value: number | undefined, ok: (v: number) => boolean, detail: string) =>
    out.push({ name, met: value === undefined ? undefined : ok(value), detail: value === undefined ? 'not measured' : detail });

  const errors = figures.reduce((n, f) => n + f.errors, 0);
  out.push({ name: 'zero errors everywhere', met: errors === 0, detail: `${errors} errors in ${figures.reduce((n, f) => n + f.load.turns, 0)} turns` });
  const cpu = ratio(node?.cpuMsPerTurn, echo?.cpuMsPerTurn);
  check(`bot CPU per turn <= ${TARGETS.cpuVsEcho}× the echo bot's`, cpu, (v) => v <= TARGETS.cpuVsEcho, `${x(cpu)} (${fmt(node?.cpuMsPerTurn, 3)} vs ${fmt(echo?.cpuMsPerTurn, 3)} ms)`);
  const tps = ratio(node?.turnsPerSecond, waterfall?.turnsPerSecond);
  check(`turns/s >= ${TARGETS.throughputVsWaterfall}× the waterfall bot's`, tps, (v) => v >= TARGETS.throughputVsWaterfall, `${x(tps)} (${fmt(node?.turnsPerSecond, 0)} vs ${fmt(waterfall?.turnsPerSecond, 0)})`);
  // On a machine whose cores other work shares, turns/s follows each bot's share of the CPU;
  // turns per CPU-second is what a core would do for it.
  const capacity = ratio(waterfall?.cpuMsPerTurn, node?.cpuMsPerTurn);
  check(
    `turns per CPU-second >= ${TARGETS.throughputVsWaterfall}× the waterfall bot's`,
    capacity,
    (v) => v >= TARGETS.throughputVsWaterfall,
    `${x(capacity)} (${fmt(node ? 1000 / node.cpuMsPerTurn : undefined, 0)} vs ${fmt(waterfall ? 1000 / waterfall.cpuMsPerTurn : undefined, 0)})`,
  );
  const rss = ratio(node?.peakRssMiB[0], echo?.peakRssMiB[0]);
  check(`peak RSS <= ${TARGETS.rssVsEcho}× the echo bot's`, rss, (v) => v <= TARGETS.rssVsEcho, `${x(rss)} (${fmt(node?.peakRssMiB[0], 0)} vs ${fmt(echo?.peakRssMiB[0], 0)} MiB)`);
  const commands = Math.max(...assistants.map((f) => f.redis?.commandsPerTurn ?? 0));
  check(
    `Redis commands per turn (inside scripts too) <= ${TARGETS.commandsPerTurn}`,
    assistants.some((f) => f.redis) ? commands : undefined,
    (v) => v <= TARGETS.commandsPerTurn,
    assistants.map((f) => `${subjectLabel(f)} ${fmt(f.redis?.commandsPerTurn, 2)}`).join(', '),
  );
  for (const topology of ['cluster', 'sentinel']) {
    const other = find('assistant', topology);
    const r = ratio(other?.cpuMsPerTurn, node?.cpuMsPerTurn);
    check(`${topology} CPU per turn within ${Math.round((TARGETS.topologyVsNode - 1) * 100)} % of one node's`, r, (v) => v <= TARGETS.topologyVsNode, `${x(r)} (${fmt(other?.cpuMsPerTurn, 3)} vs ${fmt(node?.cpuMsPerTurn, 3)} ms)`);
  }
  const three = find('assistant', 'node', 3);
  const scale = ratio(three?.cpuMsPerTurn, node?.cpuMsPerTurn);
  check(`3 instances' summed CPU per turn within ${Math.round((TARGETS.threeVsOne - 1) * 100)} % of one's`, scale, (v) => v <= TARGETS.threeVsOne, `${x(scale)} (${fmt(three?.cpuMsPerTurn, 3)} vs ${fmt(node?.cpuMsPerTurn, 3)} ms)`);
  return out;
}

export function concurrencyReport(figures: Figures[], rounds: number): string[] {
  const [first] = figures;
  if (!first) return [];
  const out: string[] = [];
  const echo = figures.find((f) => f.subject.bot === 'echo');
  const waterfall = figures.find((f) => f.subject.bot === 'waterfall');
  const node = figures.find((f) => f.subject.bot === 'assistant' && f.subject.topology?.name === 'node' && f.subject.instances === 1);
  out.push(`${first.concurrency} concurrent conversations × ${TURNS_PER_CONVERSATION} turns${rounds > 1 ? `, ${rounds} rounds pooled` : ''}`);
  out.push('-'.repeat(out[0]!.length));
  const cells = (pick: (f: Figures) => string) => figures.map(pick);
  out.push(
    ...table([
      ['', ...cells(subjectLabel)],
      ['instances behind the front', ...cells((f) => String(f.subject.instances))],
      ['turns', ...cells((f) => String(f.load.turns))],
      ['errors (warm-up errors)', ...cells((f) => `${f.errors} (${f.warmupErrors})`)],
      ['turns per second', ...cells((f) => fmt(f.turnsPerSecond, 0))],
      ['latency p50 (ms)', ...cells((f) => fmt(f.latency.p50, 0))],
      ['latency p95 (ms)', ...cells((f) => fmt(f.latency.p95, 0))],
      ['latency p99 (ms)', ...cells((f) => fmt(f.latency.p99, 0))],
      ['bot CPU per turn, all instances (ms)', ...cells((f) => fmt(f.cpuMsPerTurn, 3))],
      ['bot CPU use, all instances (cores)', ...cells((f) => fmt((f.cpuMsPerTurn * f.turnsPerSecond) / 1000, 2))],
      ['turns per CPU-second (1000 / CPU)', ...cells((f) => fmt(1000 / f.cpuMsPerTurn, 0))],
      ['replies per turn', ...cells((f) => fmt(f.repliesPerTurn, 2))],
      ['peak RSS per instance (MiB)', ...cells((f) => f.peakRssMiB.map((m) => fmt(m, 0)).join('/'))],
      ['Redis commands per turn (all)', ...cells((f) => fmt(f.redis?.commandsPerTurn, 2))],
      ['Redis round trips per turn', ...cells((f) => fmt(f.redis?.roundTripsPerTurn, 2))],
      ['Redis CPU per turn, all servers (ms)', ...cells((f) => fmt(f.redis?.redisCpuMsPerTurn, 3))],
      ['bytes per conversation in Redis', ...cells((f) => fmt(f.redis?.bytesPerConversation, 0))],
      ['load generator CPU per turn (ms)', ...cells((f) => fmt(f.generatorCpuMsPerTurn, 3))],
      ['other processes CPU (cores)', ...cells((f) => fmt(f.otherCpuCores, 2))],
      ['CPU per turn / echo', ...cells((f) => x(ratio(f.cpuMsPerTurn, echo?.cpuMsPerTurn)))],
      ['CPU per turn / waterfall', ...cells((f) => x(ratio(f.cpuMsPerTurn, waterfall?.cpuMsPerTurn)))],
      ['turns per second / waterfall', ...cells((f) => x(ratio(f.turnsPerSecond, waterfall?.turnsPerSecond)))],
      ['turns per CPU-second / waterfall', ...cells((f) => x(ratio(waterfall?.cpuMsPerTurn, f.cpuMsPerTurn)))],
      ['peak RSS / echo', ...cells((f) => x(ratio(Math.max(...f.peakRssMiB), echo ? Math.max(...echo.peakRssMiB) : undefined)))],
      ['CPU per turn / one node, one instance', ...cells((f) => (f.subject.bot === 'assistant' ? x(ratio(f.cpuMsPerTurn, node?.cpuMsPerTurn)) : ''))],
    ]),
  );
  if (rounds > 1) for (const f of figures) out.push(`    CPU per turn by round, ${subjectLabel(f)}: ${f.cpuMsPerTurnByRound.map((v) => fmt(v, 3)).join(', ')}`);
  for (const f of figures) {
    if (f.redis) {
      out.push(
        `  Redis, ${subjectLabel(f)} (* inside scripts): ${f.redis.breakdown.map((b) => `${b.name}${b.inScripts ? '*' : ''} ${fmt(b.perTurn, 2)}`).join(', ')}; not the bot's (replication, health checks) ${fmt(f.redis.chatterPerTurn, 2)}`,
      );
      out.push(`    keys left: ${Object.entries(f.redis.keys.keysByKind).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; state TTL ${fmt((f.redis.keys.ttlSeconds ?? NaN) / 86400, 1)} days`);
    }
    if (f.errors) {
      out.push(`  errors, ${subjectLabel(f)}: ${JSON.stringify(f.load.errors)}`);
      for (const e of f.load.examples) out.push(`    e.g. ${e}`);
    }
    const warned = [...f.warnings].filter(([m]) => !/MicrosoftAppId is not set/.test(m)).sort((a, b) => b[1] - a[1]);
    for (const [msg, n] of warned.slice(0, 4)) out.push(`  log at warn or above, ${subjectLabel(f)}, ×${n}: ${msg.slice(0, 200)}`);
    for (const [i, heap] of (f.heaps ?? []).entries()) out.push(...formatHeap(heap, 12).map((line, j) => (j === 0 ? `  heap of ${subjectLabel(f)} #${i + 1} after the load: ${line}` : `  ${line}`)));
  }
  out.push('  targets:');
  for (const v of verdicts(figures)) out.push(`    [${v.met === undefined ? 'N/A   ' : v.met ? 'MET   ' : 'MISSED'}] ${v.name}: ${v.detail}`);
  out.push('');
  return out;
}
