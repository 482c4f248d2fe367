import { plain } from '../../dialogs/knowledge/analysis';
import { knowledge } from '../../dialogs/knowledge';
import { buildConversation, memoryAdapters } from '../../bot/app';
import { evaluate, evaluateConversation, formatConversation, formatEvaluation, main, rate, readLabelledSet, SETS } from '../../scripts/evalQuestions';

const kb = knowledge();
const labelled = SETS.flatMap((set) => readLabelledSet(set));

describe('the labelled questions', () => {
  it('are at least 200, and name only entries and intents that exist', () => {
    expect(labelled.length).toBeGreaterThanOrEqual(200);
    const ids = new Set(kb.answers.ids());
    for (const q of labelled) for (const id of q.answers ?? []) expect(ids).toContain(id);
  });

  it('share no phrasing with the knowledge base or the intents', () => {
    const known = new Set([...kb.data.entries.flatMap((e) => e.questions), ...kb.data.intents.flatMap((i) => i.phrasings)].map(plain));
    expect(labelled.filter((q) => known.has(plain(q.text))).map((q) => q.text)).toEqual([]);
  });

  it('have no question twice', () => {
    const texts = labelled.map((q) => plain(q.text));
    expect(texts.filter((t, i) => texts.indexOf(t) !== i)).toEqual([]);
  });
});

describe('npm run eval:questions', () => {
  it('measures answers, intents and slots, and top-1 accuracy holds the floor of 80 %', () => {
    const e = evaluate(kb, labelled);
    expect(e.answered.total).toBeGreaterThan(150);
    expect(rate(e.answered.top1, e.answered.total)).toBeGreaterThanOrEqual(0.8);
    expect(e.answered.top3).toBeGreaterThanOrEqual(e.answered.top1);
    expect(formatEvaluation(e, 'all')).toMatch(/answers {2}top-1 \d+\.\d %/);
  });

  it('measures what the conversation does with each message at the menu, above the same floor', () => {
    const e = evaluateConversation(buildConversation(memoryAdapters()), labelled);
    expect(e.questions).toBe(labelled.length);
    expect(rate(e.intents.right, e.intents.total)).toBeGreaterThanOrEqual(0.8);
    expect(e.answered.top3).toBeGreaterThanOrEqual(e.answered.top1);
    expect(formatConversation(e)).toMatch(/what it did +\d+\.\d %/);
  });

  it('prints its figures and the misses, or JSON, and refuses unknown options', async () => {
    const lines: string[] = [];
    const code = await main(['--set', 'dev'], {}, (t) => lines.push(t), (t) => lines.push(t));
    expect([0, 1]).toContain(code);
    expect(lines.join('\n')).toMatch(/^dev: \d+ questions/);
    expect(lines.join('\n')).toMatch(/intents +\d+\.\d %/);

    const json: string[] = [];
    await main(['--json'], {}, (t) => json.push(t));
    const report = JSON.parse(json.join('\n'));
    expect(Object.keys(report.sets)).toEqual(['dev', 'heldout']);
    expect(report.all.questions).toBe(labelled.length);
    expect(report.conversation.questions).toBe(labelled.length);

    const errors: string[] = [];
    expect(await main(['--set', 'test'], {}, () => {}, (t) => errors.push(t))).toBe(2);
    expect(await main(['--fast'], {}, () => {}, (t) => errors.push(t))).toBe(2);
    expect(errors.join('\n')).toMatch(/--set must be dev, heldout or all/);
  });
});
