import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a bot's CPU goes during the benchmark's measured window, from the `.cpuprofile` files that
 * `npm run bench -- --profile` writes to bench/results/profiles/ (with a `.window.json` beside
 * each: the measured window on the same monotonic clock, and the number of turns in it).
 *
 *   node dist/bench/profileSummary.js bench/results/profiles/assistant-<run>.cpuprofile \
 *                                     [bench/results/profiles/echo-<run>.cpuprofile]
 *
 * Prints, per turn: self time by area (project code, each npm package, node internals, GC), the
 * heaviest functions by self time, and the project functions by inclusive time. With two
 * profiles, the areas are shown side by side with the difference (first − second).
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Window {
  startUs: number;
  endUs: number;
  turns: number;
}

interface Summary {
  file: string;
  turns: number;
  windowed: boolean;
  sampledMs: number;
  byArea: Map<string, number>;
  selfByFunction: Map<string, number>;
  inclusiveByFunction: Map<string, number>;
}

function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === '(program)') return '(program: native, outside JS)';
    return `(native) ${functionName || 'anonymous'}`;
  }
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return `project ${url.slice(dist + '/dist/'.length).split('/')[0]}/`;
  return url;
}

function functionKey(frame: CallFrame): string {
  const url = frame.url.replace(/^file:\/\//, '');
  const file = url.includes('node_modules/') ? url.replace(/^.*node_modules\//, '') : url.replace(/^.*\/dist\//, 'dist/');
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

function add(map: Map<string, number>, key: string, value: number): void {
  map.set(key, (map.get(key) ?? 0) + value);
}

function summarise(file: string): Summary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const windowFile = file.replace(/\.cpuprofile$/, '.window.json');
  const window = existsSync(windowFile) ? (JSON.parse(readFileSync(windowFile, 'utf8')) as Window) : undefined;

  const nodes = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const byArea = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusiveByFunction = new Map<string, number>();
  let sampledUs = 0;
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (window && (time < window.startUs || time > window.endUs)) continue;
    // A sample stands for the time until the next one.
    const weight = profile.timeDeltas[i + 1] ?? delta;
    const leaf = nodes.get(profile.samples[i]!);
    if (!leaf || leaf.callFrame.functionName === '(idle)') continue;
    sampledUs += weight;
    add(byArea, area(leaf.callFrame), weight);
    add(selfByFunction, functionKey(leaf.callFrame), weight);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = nodes.get(id)!.callFrame;
      if (!frame.url.includes('/dist/') || frame.url.includes('node_modules')) continue;
      const key = functionKey(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusiveByFunction, key, weight);
    }
  }
  return {
    file,
    turns: window?.turns ?? 1,
    windowed: !!window,
    sampledMs: sampledUs / 1000,
    byArea,
    selfByFunction,
    inclusiveByFunction,
  };
}

function perTurn(summary: Summary, us: number | undefined): number {
  return (us ?? 0) / 1000 / summary.turns;
}

function top(map: Map<string, number>, n: number): [string, number][] {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function main(): void {
  const files = process.argv.slice(2);
  if (files.length === 0 || files.length > 2) {
    console.error('usage: node dist/bench/profileSummary.js <bot.cpuprofile> [<baseline.cpuprofile>]');
    process.exit(2);
  }
  const summaries = files.map(summarise);
  for (const s of summaries) {
    console.log(
      `${path.basename(s.file)}: ${s.windowed ? `measured window, ${s.turns} turns` : 'whole profile (no .window.json)'}, ` +
        `${s.sampledMs.toFixed(0)} ms sampled on the main thread = ${(s.sampledMs / s.turns).toFixed(3)} ms per turn`,
    );
  }
  const [a, b] = summaries as [Summary, Summary | undefined];
  console.log('\nSelf time by area, ms per turn' + (b ? ` (${path.basename(a.file)} | ${path.basename(b.file)} | difference)` : ''));
  const areas = new Set([...a.byArea.keys(), ...(b?.byArea.keys() ?? [])]);
  const rows = [...areas].map((name) => {
    const x = perTurn(a, a.byArea.get(name));
    const y = b ? perTurn(b, b.byArea.get(name)) : 0;
    return { name, x, y, d: x - y };
  });
  rows.sort((r, s) => (b ? Math.abs(s.d) - Math.abs(r.d) : s.x - r.x));
  for (const r of rows.slice(0, 25)) {
    console.log(`  ${r.name.padEnd(40)}${r.x.toFixed(3).padStart(9)}${b ? `${r.y.toFixed(3).padStart(9)}${(r.d >= 0 ? '+' : '') + r.d.toFixed(3).padStart(8)}` : ''}`);
  }
  for (const s of summaries) {
    console.log(`\nHeaviest functions by self time, ms per turn: ${path.basename(s.file)}`);
    for (const [name, us] of top(s.selfByFunction, 25)) console.log(`  ${perTurn(s, us).toFixed(3).padStart(7)}  ${name}`);
    console.log(`\nProject functions by inclusive time, ms per turn: ${path.basename(s.file)}`);
    for (const [name, us] of top(s.inclusiveByFunction, 25)) console.log(`  ${perTurn(s, us).toFixed(3).padStart(7)}  ${name}`);
  }
}

main();
