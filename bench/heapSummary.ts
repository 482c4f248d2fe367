import { readFileSync } from 'node:fs';

/**
 * What fills a V8 heap snapshot (node --heapsnapshot-signal): the objects' own sizes summed by
 * kind and constructor, largest first, so the benchmark can say what holds a bot's memory.
 *
 *   node dist/bench/heapSummary.js <file.heapsnapshot> [top]
 */

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  name: string;
  count: number;
  bytes: number;
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  groups: HeapGroup[];
}

/** Groups by constructor for objects ("Object" for plain ones), by kind otherwise (strings, code, arrays…). */
export function summariseHeap(file: string): HeapSummary {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = data.snapshot.meta.node_fields;
  const types = data.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  let total = 0;
  for (let i = 0; i < data.nodes.length; i += width) {
    const type = types[data.nodes[i + typeAt]!] ?? 'unknown';
    const bytes = data.nodes[i + sizeAt]!;
    total += bytes;
    const name =
      type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${data.strings[data.nodes[i + nameAt]!] ?? '?'}` : `(${type})`;
    const group = groups.get(name) ?? { name, count: 0, bytes: 0 };
    group.count++;
    group.bytes += bytes;
    groups.set(name, group);
  }
  return { totalBytes: total, nodes: data.nodes.length / width, groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes) };
}

export function formatHeap(summary: HeapSummary, top = 15): string[] {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  return [
    `heap ${mib(summary.totalBytes)} MiB in ${summary.nodes} objects; largest by own size:`,
    ...summary.groups.slice(0, top).map((g) => `  ${mib(g.bytes).padStart(7)} MiB  ${String(g.count).padStart(8)} × ${g.name.slice(0, 70)}`),
  ];
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/heapSummary.js <file.heapsnapshot> [top]');
    process.exit(2);
  }
  console.log(formatHeap(summariseHeap(file), Number(top ?? 25)).join('\n'));
}
