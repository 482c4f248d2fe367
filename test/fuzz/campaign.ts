import { FLOWS } from '../../bot/flows';
import type { Reply } from '../../dialogs/types';
import { scaled } from '../helpers/timeouts';
import { describeStep, explore, Exploration, Node, said, Step, Walk } from './explore';
import { Hostile, hostileInputs, marked, unescapedAround } from './hostile';
import { Conversation, Said, tagsByState, Turn, World } from './world';

/**
 * The fuzz campaign: hostile input (test/fuzz/hostile.ts) in every state a user can rest in, of
 * every flow in bot/flows/index.ts (found by test/fuzz/explore.ts), on the Emulator's text and
 * on Teams with cards, turns handed straight to the engine. After every input: no exception, no
 * failed turn, nothing logged as an error, no stored conversation thrown away, no state the flows
 * do not have, no markup of the user's shown unescaped, and no hang (a turn over the hang bound,
 * 20 s on a quiet machine and more on a busy one, is a failure; how fast turns are is a benchmark
 * figure, npm run bench, never asserted here). A conversation moved by an input, and every conversation at the
 * end of its inputs, must still be carried through to a finished flow.
 */

/** A turn longer than this (scaled by the machine's load) has hung. */
const HANG_MS = 20_000;

export type Channel = Conversation['channelId'];
export const CHANNELS: readonly Channel[] = ['emulator', 'msteams'];

export interface Failure {
  state: string;
  channel: Channel | 'http';
  /** The seed of the batch and the input's place in it (`npm run fuzz -- --seed … --state …` reruns it). */
  batchSeed: number;
  index: number;
  kind: string;
  input: string;
  problem: string;
}

export interface BatchResult {
  state: string;
  channel: Channel;
  inputs: number;
  /** The engine's time for each hostile turn, in milliseconds. */
  ms: number[];
  /** Inputs whose marked markup was shown back (and so checked for escaping). */
  shown: number;
  /** Inputs the conversation took as an answer (it moved on). */
  moved: number;
  /** Walks to a finished flow that succeeded. */
  completed: number;
  failures: Failure[];
  skipped?: string;
}

export interface CampaignOptions {
  seed: number;
  /** Hostile inputs in all (in this process; the HTTP share is counted apart). */
  runs: number;
  /** Only states whose name contains this. */
  state?: string;
  channels?: readonly Channel[];
  /** Told of each batch as it finishes. */
  progress?: (batch: BatchResult) => void;
  /** An exploration made already (it does not depend on the seed). */
  exploration?: Exploration;
}

export interface CampaignReport {
  seed: number;
  /** The inputs asked for (each batch's share follows from it), and those run. */
  requested: number;
  runs: number;
  exploration: Pick<Exploration, 'states' | 'turns' | 'ms'>;
  batches: BatchResult[];
  failures: Failure[];
  hangMs: number;
  ms: number;
}

/** A stable 31-bit seed for one batch, from the campaign's seed, the state and the channel. */
export function batchSeed(seed: number, state: string, channel: string): number {
  let hash = 2166136261 ^ seed;
  for (const ch of `${state}\u0000${channel}`) hash = Math.imul(hash ^ ch.codePointAt(0)!, 16777619);
  return (hash >>> 1) % 2 ** 31;
}

/**
 * The states to fuzz, one entry per state name: the ways the exploration reached it, best first
 * (with a known way on to a finished flow, then the shortest). A path that depended on what other
 * tries did in the exploration's world may not lead there again in a world of its own; the next
 * one is tried then.
 */
export function targets(exploration: Exploration): Node[][] {
  const byName = new Map<string, Node[]>();
  for (const node of exploration.nodes.values()) {
    if (node.state.name === 'new') continue;
    byName.set(node.state.name, [...(byName.get(node.state.name) ?? []), node]);
  }
  const rank = (n: Node) => (n.distance === undefined ? 1_000 : 0) + n.path.length;
  return [...byName.values()].map((nodes) => nodes.sort((a, b) => rank(a) - rank(b))).sort((a, b) => a[0]!.state.name.localeCompare(b[0]!.state.name));
}

/** The button data and input ids of the card on show, to build card submissions around. */
export function cardShapes(replies: Reply[]): { data: Record<string, unknown>[]; inputs: string[] } {
  const data: Record<string, unknown>[] = [];
  const inputs: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (element.type === 'Action.Submit' && element.data && typeof element.data === 'object') data.push(element.data as Record<string, unknown>);
    if (typeof element.type === 'string' && element.type.startsWith('Input.') && typeof element.id === 'string') inputs.push(element.id);
    for (const value of Object.values(element)) if (value && typeof value === 'object') walk(value);
  };
  for (const reply of replies) walk(reply.card);
  return { data, inputs };
}

/** Every text a reply shows as markdown: its text, and its card's TextBlocks and facts (TextRuns are plain, never markdown). */
export function markdownTexts(reply: Reply): string[] {
  const found = [reply.text];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const element = node as Record<string, unknown>;
    if (element.type === 'TextBlock' && typeof element.text === 'string') found.push(element.text);
    if (element.type === 'FactSet' && Array.isArray(element.facts)) for (const fact of element.facts as { title?: string; value?: string }[]) found.push(`${fact.title ?? ''} ${fact.value ?? ''}`);
    for (const [key, value] of Object.entries(element)) if (key !== 'inlines' && value && typeof value === 'object') walk(value);
  };
  walk(reply.card);
  return found;
}

/** A short, printable picture of an input for a report. */
export function preview(input: Hostile): string {
  const show = (value: unknown) => {
    let text: string;
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
    return text.length > 160 ? `${text.slice(0, 150)}… (${text.length} characters)` : text;
  };
  return [input.said.text !== undefined ? `text ${show(input.said.text)}` : '', input.said.value !== undefined ? `value ${show(input.said.value)}` : ''].filter(Boolean).join(', ');
}

/** Names of the states the flows have (and the menu's), to tell a real state from a broken one. */
export function knownStates(): Set<string> {
  const names = new Set(['menu']);
  for (const flow of FLOWS) for (const mode of ['menuOpen', 'confirmLeave']) names.add(`${flow.id}:${mode}`);
  for (const key of tagsByState().keys()) names.add(key);
  return names;
}

/** What went wrong in one turn, if anything. */
export function problemsOf(turn: Turn, hangMs: number, marker: string | undefined, known: Set<string>): string[] {
  const problems: string[] = [];
  if (turn.thrown !== undefined) problems.push(`the engine threw: ${String((turn.thrown as Error)?.stack ?? turn.thrown).slice(0, 400)}`);
  else if (turn.http && turn.http.status !== 200 && !(turn.http.oversized && (turn.http.status === 413 || turn.http.status === 400))) problems.push(`the bot answered ${turn.http.status}: ${turn.http.body.slice(0, 200)}`);
  else if (turn.outcome !== 'ok' && !turn.http) problems.push(`the turn's outcome was "${turn.outcome}": ${turn.replies.map((r) => r.text).join(' / ').slice(0, 200)}`);
  for (const line of turn.logged) {
    if (line.level >= 50) problems.push(`logged an error: ${line.msg} ${JSON.stringify(line.err ?? '').slice(0, 400)}`);
    else if (/discarded/.test(line.msg ?? '')) problems.push(`a stored conversation was thrown away: ${line.msg} (${String(line.reason)})`);
  }
  if (turn.ms > hangMs) problems.push(`the turn took ${Math.round(turn.ms)} ms (the bound is ${hangMs} ms)`);
  if (!known.has(turn.state.name) && turn.state.name !== 'new') problems.push(`the conversation is in a state the flows do not have: ${turn.state.name}`);
  if (marker) {
    for (const reply of turn.replies) {
      for (const text of markdownTexts(reply)) {
        const bad = unescapedAround(text, marker);
        if (bad.length) problems.push(`markup typed by the user is shown unescaped: ${JSON.stringify(bad[0])}`);
      }
    }
  }
  return problems;
}

/** Every reply's markdown texts hold the marker somewhere. */
function shows(turn: Turn, marker: string): boolean {
  return turn.replies.some((reply) => markdownTexts(reply).some((text) => text.includes(marker)));
}

export interface Completion {
  ok: boolean;
  steps: number;
  reason?: string;
  /** The turns it took, for the same checks as any other. */
  turns: Turn[];
}

/**
 * Carries a conversation through to a finished flow, from wherever it is, by the steps the
 * exploration found towards `done` (a state of the same name where the exact one is unknown).
 */
export async function complete(world: World, conversation: Conversation, exploration: Exploration, limit = 80): Promise<Completion> {
  const byName = new Map<string, Node[]>();
  for (const node of exploration.nodes.values()) {
    if (node.distance === undefined) continue;
    byName.set(node.state.name, [...(byName.get(node.state.name) ?? []), node].sort((a, b) => a.distance! - b.distance!));
  }
  const waitingStates = new Set([...tagsByState()].filter(([, tags]) => tags.includes('waiting')).map(([name]) => name));
  const stopStates = new Set([...tagsByState()].filter(([, tags]) => tags.includes('stop')).map(([name]) => name));
  const lastWords = new Set<string>();
  const visits = new Map<string, number>();
  const turns: Turn[] = [];
  let state = await world.state(conversation);
  for (let steps = 0; steps < limit; steps++) {
    const exact = [...exploration.nodes.values()].find((n) => n.state.name === state.name && n.state.shape === state.shape && n.distance !== undefined);
    const options = exact ? [exact, ...(byName.get(state.name) ?? [])] : (byName.get(state.name) ?? []);
    if (options[0]?.done || options[0]?.distance === 0) return { ok: true, steps, turns };
    if (options.length === 0) return { ok: false, steps, turns, reason: `no way on is known from ${state.name}` };
    const seen = (visits.get(state.name) ?? 0) + 1;
    visits.set(state.name, seen);
    // Going round in circles: try the state's other known ways on, then give up. A way that cannot
    // be taken here (a code that was never sent: an address with no account gets none) is passed over.
    if (seen > 3 * options.length + 3) {
      // Waiting on someone else (an owner asked to vouch) is as far as the user can take it.
      if (waitingStates.has(state.name)) return { ok: true, steps, turns };
      // What a user says there when the known ways lead back: at a stop "done" finishes the flow;
      // asked whether to leave it, "yes" (it starts again, or the menu); anywhere else the first
      // choice offered ("1"); and on from there.
      const last = state.name.endsWith(':confirmLeave') ? 'yes' : stopStates.has(state.name) ? 'done' : '1';
      if (lastWords.has(state.name)) return { ok: false, steps, turns, reason: `went round in circles at ${state.name}` };
      lastWords.add(state.name);
      const turn = await world.turn(conversation, { text: last });
      turns.push(turn);
      if (turn.outcome !== 'ok') return { ok: false, steps, turns, reason: `"${last}" at ${state.name} gave "${turn.outcome}"` };
      if (last === 'done' && turn.state.root === 'menu') return { ok: true, steps: steps + 1, turns };
      visits.clear();
      state = turn.state;
      continue;
    }
    let step: Step | undefined;
    let input: Said | undefined;
    for (const node of [...options.slice(Math.min(options.length - 1, Math.floor((seen - 1) / 3))), ...options]) {
      const { in: _elsewhere, ...next } = node.next!;
      input = 'code' in next ? await newestCode(world, conversation, next) : said(conversation, next);
      step = next;
      if (input) break;
    }
    if (!input || !step) return { ok: false, steps, turns, reason: `no way on from ${state.name} could be taken (${options.map((o) => describeStep(o.next!)).join(', ')})` };
    if (step.after) conversation.now += step.after;
    const turn = await world.turn(conversation, input);
    turns.push(turn);
    if (turn.outcome !== 'ok') return { ok: false, steps, turns, reason: `${describeStep(step)} at ${state.name} gave "${turn.outcome}"` };
    state = turn.state;
  }
  if (waitingStates.has(state.name)) return { ok: true, steps: limit, turns };
  return { ok: false, steps: limit, turns, reason: `not finished after ${limit} steps (at ${state.name})` };
}

/**
 * A code step while carrying a conversation on: the newest code sent to anyone this conversation
 * has had messages sent to (another copy of the conversation in the same world may have had the
 * newest code sent: only the newest counts), else the conversation's own.
 */
async function newestCode(world: World, conversation: Conversation, step: Extract<Step, { code: number }>): Promise<Said | undefined> {
  const recipients = new Set(conversation.sent.map((m) => m.recipient));
  const latest = await world.assistant.adapters.outbox.latest(10);
  const theirs = latest.filter((m) => recipients.has(m.recipient));
  // A send refused as too soon after another copy's leaves this one none of its own: the newest of all.
  return said({ ...conversation, sent: [...theirs, ...conversation.sent] }, step) ?? said({ ...conversation, sent: latest }, step);
}

/** Walks to a target state afresh, in a world of its own, by the first of its ways that still leads there. */
async function reachTarget(ways: Node[], channel: Channel): Promise<{ world: World; conversation: Conversation; target: Node } | { skipped: string }> {
  let why = '';
  for (const target of ways.slice(0, 6)) {
    const world = new World();
    const walk = new Walk(world, channel);
    const turns = await walk.walk(target.path);
    const last = turns[turns.length - 1];
    if (last && turns.length === target.path.length + 1 && last.state.name === target.state.name) return { world, conversation: walk.conversation, target };
    why ||= !last || turns.length !== target.path.length + 1 ? `its path could not be walked again on ${channel}` : `its path led to ${last.state.name} on ${channel}`;
    await world.close();
  }
  return { skipped: why };
}

/** The most walks to a finished flow in one batch (each costs a conversation's worth of turns). */
const COMPLETIONS_PER_BATCH = 3;

export async function runBatch(ways: Node[], channel: Channel, seed: number, count: number, exploration: Exploration, hangMs: number): Promise<BatchResult> {
  const result: BatchResult = { state: ways[0]!.state.name, channel, inputs: 0, ms: [], shown: 0, moved: 0, completed: 0, failures: [] };
  const reached = await reachTarget(ways, channel);
  if ('skipped' in reached) return { ...result, skipped: reached.skipped };
  const { world, target } = reached;
  try {
    const template = reached.conversation;
    const inputs = hostileInputs(seed, count, channel === 'msteams' ? cardShapes(target.replies) : undefined);
    const known = knownStates();
    const fail = (index: number, input: Hostile, problem: string) =>
      result.failures.push({ state: target.state.name, channel, batchSeed: seed, index, kind: input.kind, input: preview(input), problem });
    let completions = 0;
    const carryThrough = async (conversation: Conversation, index: number, input: Hostile) => {
      if (completions >= COMPLETIONS_PER_BATCH) return;
      completions++;
      const done = await complete(world, conversation, exploration);
      for (const turn of done.turns) for (const problem of problemsOf(turn, hangMs, undefined, known)) fail(index, input, `afterwards, carrying the conversation on: ${problem}`);
      if (done.ok) result.completed++;
      else fail(index, input, `afterwards the conversation could not be carried through to a finished flow: ${done.reason}`);
    };
    let working = await world.fork(template, 'fuzz');
    for (let index = 0; index < inputs.length; index++) {
      const marker = `zqx${seed.toString(36)}n${index}`;
      const input = marked(inputs[index]!, marker);
      const turn = await world.turn(working, input.said);
      result.inputs++;
      result.ms.push(turn.ms);
      if (shows(turn, marker)) result.shown++;
      for (const problem of problemsOf(turn, hangMs, marker, known)) fail(index, input, problem);
      if (turn.state.name !== target.state.name) {
        result.moved++;
        await carryThrough(working, index, input);
        working = await world.fork(template, 'fuzz');
      }
    }
    completions = Math.min(completions, COMPLETIONS_PER_BATCH - 1);
    await carryThrough(working, inputs.length - 1, inputs[inputs.length - 1] ?? { kind: 'none', said: {} });
    return result;
  } finally {
    await world.close();
  }
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignReport> {
  const started = Date.now();
  const exploration = options.exploration ?? (await explore());
  const channels = options.channels ?? CHANNELS;
  const all = targets(exploration);
  // The inputs per batch follow from the whole campaign, so that one state's batch is the same alone.
  const perBatch = Math.max(1, Math.ceil(options.runs / (all.length * CHANNELS.length)));
  const chosen = options.state ? all.filter((ways) => ways[0]!.state.name.includes(options.state!)) : all;
  const batches: BatchResult[] = [];
  let hangMs = scaled(HANG_MS);
  for (const ways of chosen) {
    const name = ways[0]!.state.name;
    for (const channel of channels) {
      // The bound follows the machine's load as it is now.
      const bound = scaled(HANG_MS);
      hangMs = Math.max(hangMs, bound);
      const batch = await runBatch(ways, channel, batchSeed(options.seed, name, channel), perBatch, exploration, bound);
      batches.push(batch);
      options.progress?.(batch);
    }
  }
  return {
    seed: options.seed,
    requested: options.runs,
    runs: batches.reduce((n, b) => n + b.inputs, 0),
    exploration: { states: exploration.states, turns: exploration.turns, ms: exploration.ms },
    batches,
    failures: batches.flatMap((b) => b.failures),
    hangMs,
    ms: Date.now() - started,
  };
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);

/** The report as text: coverage, timing, failures with how to rerun them. */
export function formatReport(report: CampaignReport, http?: { inputs: number; ms: number[]; failures: Failure[]; notReproduced?: string[] }): string {
  const lines: string[] = [];
  const ms = report.batches.flatMap((b) => b.ms).sort((a, b) => a - b);
  const reached = report.exploration.states.filter((s) => s.reached);
  const unreached = report.exploration.states.filter((s) => !s.reached);
  const flows = [...new Set(report.exploration.states.map((s) => s.flowId))];
  lines.push(`Fuzz campaign, seed ${report.seed}: ${report.runs} hostile inputs in this process${http ? ` and ${http.inputs} over HTTP` : ''}, in ${Math.round(report.ms / 1000)} s.`);
  lines.push(`States a user can rest in: ${reached.length} of ${report.exploration.states.length} reached (flows: ${flows.join(', ')}), found in ${report.exploration.turns} turns.`);
  if (unreached.length) lines.push(`Not reached (not fuzzed): ${unreached.map((s) => `${s.flowId}:${s.flowPath}`).join(', ')}.`);
  const batches = report.batches.filter((b) => !b.skipped);
  lines.push(`Batches: ${batches.length} (${new Set(batches.map((b) => b.state)).size} states × ${new Set(batches.map((b) => b.channel)).size} channels); skipped: ${report.batches.length - batches.length}.`);
  for (const skipped of report.batches.filter((b) => b.skipped)) lines.push(`  skipped ${skipped.state} on ${skipped.channel}: ${skipped.skipped}`);
  lines.push(`Per turn: median ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, slowest ${percentile(ms, 100).toFixed(1)} ms (hang bound ${report.hangMs} ms).`);
  if (http) {
    const sorted = [...http.ms].sort((a, b) => a - b);
    lines.push(`Over HTTP: median ${percentile(sorted, 50).toFixed(1)} ms, slowest ${percentile(sorted, 100).toFixed(1)} ms.`);
    if (http.notReproduced?.length) lines.push(`Over HTTP, not reproduced in a fresh bot (others fuzzed instead): ${http.notReproduced.join('; ')}.`);
  }
  const sum = (pick: (b: BatchResult) => number) => batches.reduce((n, b) => n + pick(b), 0);
  lines.push(`Taken as an answer: ${sum((b) => b.moved)}; markup shown back (and checked escaped): ${sum((b) => b.shown)}; conversations carried through to a finished flow afterwards: ${sum((b) => b.completed)}.`);
  const failures = [...report.failures, ...(http?.failures ?? [])];
  lines.push(failures.length ? `FAILURES: ${failures.length}` : 'No failures.');
  for (const f of failures.slice(0, 30)) {
    lines.push(`- ${f.state} on ${f.channel}, input ${f.index} (${f.kind}): ${f.problem}`);
    lines.push(`    input: ${f.input}`);
    if (f.channel !== 'http') lines.push(`    again: npm run fuzz -- --seed ${report.seed} --runs ${report.requested} --state '${f.state}'`);
  }
  return lines.join('\n');
}
