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
import { createKnowledge, type Knowledge } from '../dialogs/knowledge';
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
  if (json) out(JSON.stringify({ sets: Object.fromEntries(results.map((r) => [r.set, r.evaluation])), all, targets: TARGETS }, null, 2));
  else {
    if (results.length > 1) for (const r of results) out(formatEvaluation({ ...r.evaluation, misses: { answers: [], intents: [], slots: [] } }, r.set));
    out(formatEvaluation(all, results.length > 1 ? 'all' : chosen[0]!));
    out(meetsTargets(all) ? 'Targets met.' : 'Targets NOT met.');
  }
  return meetsTargets(all) ? 0 : 1;
}

if (require.main === module) runCommand(main);
