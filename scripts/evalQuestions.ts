/**
 * `npm run eval:questions [-- --set dev|heldout|all] [-- --json]`: measures the knowledge base on
 * the labelled questions in test/knowledge/questions/ (written as users type, never copied from the
 * knowledge base): top-1 and top-3 accuracy of answers, accuracy of intents and of slots, how well
 * the confidence separates right answers from wrong ones, and every miss. Exits 1 when a target is
 * not met. A measurement, not a timed test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { createActor } from 'xstate';
import { createKnowledge, type Knowledge } from '../dialogs/knowledge';
import type { ConversationDialog, Parsed } from '../dialogs/conversation';
import { runCommand } from './cli';

export const TARGETS = { top1: 0.9, top3: 0.97, intent: 0.95 } as const;
export const SETS = ['dev', 'heldout'] as const;
export type SetName = (typeof SETS)[number];

const SlotsSchema = z.strictObject({
  postcode: z.string().optional(),
  odsCode: z.string().optional(),
  reference: z.string().optional(),
  nhsmailAddress: z.string().optional(),
  email: z.string().optional(),
  cqcLocationId: z.string().optional(),
  personName: z.string().optional(),
  kind: z.enum(['care', 'dental', 'hospice']).optional(),
});

export const LabelledQuestionSchema = z.strictObject({
  text: z.string().min(1),
  intent: z.enum(['register', 'password', 'leaver', 'joiner', 'newStarter', 'requestStatus', 'human', 'question']),
  /** Entry ids that answer it; any one of them at the top counts as right. */
  answers: z.array(z.string().min(1)).min(1).optional(),
  kind: z.enum(['care', 'dental']).optional(),
  slots: SlotsSchema.optional(),
});
export type LabelledQuestion = z.output<typeof LabelledQuestionSchema> & { set?: SetName };

/** The repository's root: the nearest folder above this file with a package.json. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

export function readLabelledSet(set: SetName, root = repoRoot()): LabelledQuestion[] {
  const file = join(root, 'test', 'knowledge', 'questions', `${set}.json`);
  const parsed = z.array(LabelledQuestionSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `item ${String(i.path[0] ?? '?')}: ${i.path.slice(1).join('.')} ${i.message}`).join('; ')}`);
  }
  return parsed.data.map((q) => ({ ...q, set }));
}

export interface Miss {
  text: string;
  set?: SetName;
  expected: string;
  got: string;
}

export interface Evaluation {
  questions: number;
  answered: { total: number; top1: number; top3: number; confidentRight: number; right: number; unsureWrong: number; wrong: number };
  intents: { total: number; right: number };
  slots: { total: number; right: number };
  misses: { answers: Miss[]; intents: Miss[]; slots: Miss[] };
}

export function evaluate(knowledge: Knowledge, items: readonly LabelledQuestion[]): Evaluation {
  const e: Evaluation = {
    questions: items.length,
    answered: { total: 0, top1: 0, top3: 0, confidentRight: 0, right: 0, unsureWrong: 0, wrong: 0 },
    intents: { total: 0, right: 0 },
    slots: { total: 0, right: 0 },
    misses: { answers: [], intents: [], slots: [] },
  };
  for (const item of items) {
    if (item.answers) {
      const result = knowledge.answer(item.text, { kind: item.kind });
      const ids = result.alternatives.map((a) => a.id);
      const right = result.best !== undefined && item.answers.includes(result.best.id);
      e.answered.total++;
      if (right) e.answered.top1++;
      if (ids.some((id) => item.answers!.includes(id))) e.answered.top3++;
      if (right) {
        e.answered.right++;
        if (result.confident) e.answered.confidentRight++;
      } else {
        e.answered.wrong++;
        if (!result.confident) e.answered.unsureWrong++;
        e.misses.answers.push({ text: item.text, set: item.set, expected: item.answers.join(' | '), got: `${ids.join(', ') || '(nothing)'} (confidence ${result.confidence})` });
      }
    }
    const routing = knowledge.route(item.text);
    e.intents.total++;
    if (routing.intent === item.intent) e.intents.right++;
    else e.misses.intents.push({ text: item.text, set: item.set, expected: item.intent, got: `${routing.intent} (confidence ${routing.confidence})` });
    if (item.slots) {
      e.slots.total++;
      const wanted = Object.entries(item.slots);
      const got = routing.slots as Record<string, unknown>;
      if (wanted.every(([k, v]) => got[k] === v)) e.slots.right++;
      else e.misses.slots.push({ text: item.text, set: item.set, expected: JSON.stringify(item.slots), got: JSON.stringify(routing.slots) });
    }
  }
  return e;
}

/**
 * What a user gets for each labelled message typed at the menu of a new conversation, through the
 * conversation's own reading (dialogs/conversation.ts and dialogs/questions): the routing table,
 * the menu's names, the intents and the answers together. Intents: the flow started (any of the
 * owners' intents for the owners' flow), a request looked up, a person asked for, or anything
 * else for a question (password help started on a topic it explains counts as answering it).
 * Answers: the right entry answered, or password help started on its topic (top-1), or either of
 * those or the right entry among the "did you mean" choices (top-3).
 */
export interface ConversationEvaluation {
  questions: number;
  intents: { total: number; right: number };
  answered: { total: number; top1: number; top3: number };
  misses: Miss[];
}

/** The intents each flow serves (password help also explains how things work: its topics answer questions). */
const FLOW_INTENT: Record<string, string[]> = {
  registration: ['register'],
  passwordHelp: ['password'],
  ownerRequests: ['leaver', 'joiner', 'newStarter'],
};

/**
 * Password help explains these itself, step by step (its topics): a message that starts it on the
 * topic gets that answer from the flow.
 */
const PASSWORD_HELP_TOPICS: Record<string, string[]> = {
  forgotten: ['password-forgotten', 'password-no-mobile'],
  locked: ['locked-out'],
  notActivated: ['activation', 'first-login', 'username-where'],
  temporaryPasswordMissing: ['temporary-password-missing'],
  inactive: ['inactivity', 'password-expiry'],
  passwordRules: ['password-rules'],
  mobileInDirectory: ['hide-mobile'],
};

/** The entries a message's outcome answers: the entry answered, the "did you mean" choices, or password help's topic. */
function answeredBy(parsed: Parsed): { top1: string[]; top3: string[] } {
  if (parsed.kind === 'answer') return { top1: [parsed.answer.id], top3: [parsed.answer.id] };
  if (parsed.kind === 'didYouMean') return { top1: [], top3: parsed.options.map((o) => o.id) };
  if (parsed.kind === 'event' && parsed.event.type === 'START_FLOW' && parsed.event.flow === 'passwordHelp') {
    const topic = String((parsed.event.start as { topic?: string } | undefined)?.topic ?? '');
    const served = PASSWORD_HELP_TOPICS[topic] ?? [];
    return { top1: served, top3: served };
  }
  return { top1: [], top3: [] };
}

function intentOf(parsed: Parsed): string[] {
  if (parsed.kind === 'event' && parsed.event.type === 'START_FLOW') {
    const explained = parsed.event.flow === 'passwordHelp' && answeredBy(parsed).top1.length > 0;
    return [...(FLOW_INTENT[parsed.event.flow] ?? [parsed.event.flow]), ...(explained ? ['question'] : [])];
  }
  if (parsed.kind === 'request') return ['requestStatus'];
  if (parsed.kind === 'askQuestion' || parsed.kind === 'handOver') return ['human'];
  return ['question'];
}

export function evaluateConversation(conversation: { machine: Parameters<typeof createActor>[0]; dialog: ConversationDialog }, items: readonly LabelledQuestion[]): ConversationEvaluation {
  const actor = createActor(conversation.machine as never, { input: { channelId: 'eval', conversationKey: 'eval', conversationReference: null } } as never);
  actor.start();
  const menu = actor.getSnapshot() as never;
  const e: ConversationEvaluation = { questions: items.length, intents: { total: 0, right: 0 }, answered: { total: 0, top1: 0, top3: 0 }, misses: [] };
  for (const item of items) {
    const memory = item.kind ? { misses: 0, turns: [], kind: item.kind } : undefined;
    const parsed = conversation.dialog.parse(item.text, menu, undefined, memory);
    const got = intentOf(parsed);
    e.intents.total++;
    const intentRight = got.includes(item.intent);
    if (intentRight) e.intents.right++;
    let answer = '';
    if (item.answers) {
      e.answered.total++;
      const shown = answeredBy(parsed);
      if (shown.top1.some((id) => item.answers!.includes(id))) e.answered.top1++;
      if (shown.top3.some((id) => item.answers!.includes(id))) e.answered.top3++;
      else answer = ` (answers: wanted ${item.answers.join(' | ')})`;
    }
    if (!intentRight || answer) {
      const what = parsed.kind === 'event' ? `${parsed.event.type} ${parsed.event.type === 'START_FLOW' ? parsed.event.flow : ''}`.trim() : parsed.kind === 'answer' ? `answer ${parsed.answer.id}` : parsed.kind === 'didYouMean' ? `did you mean ${parsed.options.map((o) => o.id).join(', ')}` : parsed.kind;
      e.misses.push({ text: item.text, set: item.set, expected: `${item.intent}${answer}`, got: what });
    }
  }
  actor.stop();
  return e;
}

export function formatConversation(e: ConversationEvaluation): string {
  const lines = [
    `in the conversation, typed at the menu: ${e.questions} messages`,
    `  what it did     ${pct(e.intents.right, e.intents.total)} (${e.intents.right}/${e.intents.total}: the flow, a request, a person, or an answer)`,
    `  answers  top-1 ${pct(e.answered.top1, e.answered.total)} (${e.answered.top1}/${e.answered.total} answered with the right entry)`,
    `           top-3 ${pct(e.answered.top3, e.answered.total)} (${e.answered.top3}/${e.answered.total} the right entry answered or offered as "did you mean")`,
  ];
  if (e.misses.length) {
    lines.push('  missed:');
    for (const m of e.misses) lines.push(`    [${m.set ?? '-'}] "${m.text}"\n        expected ${m.expected}\n        got      ${m.got}`);
  }
  return lines.join('\n');
}

export const rate = (n: number, total: number) => (total === 0 ? 1 : n / total);
const pct = (n: number, total: number) => `${(100 * rate(n, total)).toFixed(1)} %`;

export function meetsTargets(e: Evaluation): boolean {
  return (
    rate(e.answered.top1, e.answered.total) >= TARGETS.top1 &&
    rate(e.answered.top3, e.answered.total) >= TARGETS.top3 &&
    rate(e.intents.right, e.intents.total) >= TARGETS.intent
  );
}

export function formatEvaluation(e: Evaluation, title: string): string {
  const a = e.answered;
  const lines = [
    `${title}: ${e.questions} questions, ${a.total} with an expected answer`,
    `  answers  top-1 ${pct(a.top1, a.total)} (${a.top1}/${a.total}, target ${TARGETS.top1 * 100} %)`,
    `           top-3 ${pct(a.top3, a.total)} (${a.top3}/${a.total}, target ${TARGETS.top3 * 100} %)`,
    `  intents        ${pct(e.intents.right, e.intents.total)} (${e.intents.right}/${e.intents.total}, target ${TARGETS.intent * 100} %)`,
    `  slots          ${pct(e.slots.right, e.slots.total)} (${e.slots.right}/${e.slots.total})`,
    `  confidence: ${a.confidentRight}/${a.right} right answers confident, ${a.unsureWrong}/${a.wrong} wrong answers unsure ("did you mean")`,
  ];
  const list = (name: string, misses: Miss[]) => {
    if (misses.length === 0) return;
    lines.push(`  ${name} missed:`);
    for (const m of misses) lines.push(`    [${m.set ?? '-'}] "${m.text}"\n        expected ${m.expected}\n        got      ${m.got}`);
  };
  list('answers', e.misses.answers);
  list('intents', e.misses.intents);
  list('slots', e.misses.slots);
  return lines.join('\n');
}

const USAGE = `Usage: npm run eval:questions [-- --set dev|heldout|all] [-- --json]
  Measures answers, intents and slots on the labelled questions in test/knowledge/questions/.`;

export async function main(
  argv: readonly string[],
  _env: NodeJS.ProcessEnv,
  out: (text: string) => void = (text) => process.stdout.write(`${text}\n`),
  err: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<number> {
  let set: SetName | 'all' = 'all';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split(/=(.*)/s, 2);
    if (flag === '--json') json = true;
    else if (flag === '--help' || flag === '-h') {
      out(USAGE);
      return 0;
    } else if (flag === '--set') {
      const v = inline ?? argv[++i];
      if (v !== 'all' && !(SETS as readonly string[]).includes(v ?? '')) {
        err(`--set must be dev, heldout or all (got "${v ?? ''}")\n${USAGE}`);
        return 2;
      }
      set = v as SetName | 'all';
    } else {
      err(`unknown option ${argv[i]}\n${USAGE}`);
      return 2;
    }
  }
  const knowledge = createKnowledge();
  const chosen = set === 'all' ? [...SETS] : [set];
  const results = chosen.map((s) => ({ set: s, evaluation: evaluate(knowledge, readLabelledSet(s)) }));
  const all = evaluate(knowledge, chosen.flatMap((s) => readLabelledSet(s)));
  // The conversation as the bot builds it (its flows on memory adapters: nothing is called at the menu).
  const { buildConversation, memoryAdapters } = await import('../bot/app');
  const conversation = evaluateConversation(buildConversation(memoryAdapters()), chosen.flatMap((s) => readLabelledSet(s)));
  if (json) out(JSON.stringify({ sets: Object.fromEntries(results.map((r) => [r.set, r.evaluation])), all, conversation, targets: TARGETS }, null, 2));
  else {
    if (results.length > 1) for (const r of results) out(formatEvaluation({ ...r.evaluation, misses: { answers: [], intents: [], slots: [] } }, r.set));
    out(formatEvaluation(all, results.length > 1 ? 'all' : chosen[0]!));
    out(formatConversation(conversation));
    out(meetsTargets(all) ? 'Targets met.' : 'Targets NOT met.');
  }
  return meetsTargets(all) ? 0 : 1;
}

if (require.main === module) runCommand(main);
