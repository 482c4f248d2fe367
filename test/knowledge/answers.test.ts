import fs from 'node:fs';
import { createAnalyser } from '../../dialogs/knowledge/analysis';
import { confidenceOf } from '../../dialogs/knowledge/answers';
import { loadKnowledgeData } from '../../dialogs/knowledge/data';
import { CONFIDENT, knowledge } from '../../dialogs/knowledge';

const kb = knowledge();
const analyser = createAnalyser(loadKnowledgeData().language);

describe('how text becomes search terms', () => {
  it.each([
    ['NHS mail', 'nhsmail'],
    ['nhs.net account', 'nhsmail'],
    ['OTP', 'passcod'],
    ['one-time passcode', 'passcod'],
    ['Data Security and Protection Toolkit', 'dspt'],
    ['IG Toolkit', 'igt'],
    ['SMB', 'share mailbox'],
    ['shared inbox', 'share mailbox'],
    ['auto-reply', 'outofoffic'],
    ['address book', 'nhs directori'],
    ['registered manager\u2019s ID', 'cqc contact id'],
    ['careadmin', 'nas'],
  ])('"%s" is folded onto the same terms as the guides use (%s)', (text, terms) => {
    expect(analyser.terms(text).join(' ')).toBe(terms);
  });

  it('stems words so that activate, activated and activation meet', () => {
    expect(new Set(['activate', 'activated', 'activating', 'activation'].flatMap((w) => analyser.terms(w))).size).toBe(1);
    expect(analyser.terms('mailboxes')).toEqual(analyser.terms('mailbox'));
  });

  it('spells contractions out so that "not" survives, and drops stop words', () => {
    expect(analyser.terms("I can't log in")).toEqual(['not', 'login']);
    expect(analyser.terms('I cannot log in')).toEqual(['not', 'login']);
    expect(analyser.terms('what is the')).toEqual(['what']);
    expect(analyser.terms('')).toEqual([]);
  });
});

describe('answers to questions in the user\u2019s own words', () => {
  it.each([
    ['How can I stop my mobile showing in the address book?', 'hide-mobile'],
    ['what does ODS stand for', 'glossary-ods'],
    ['when do you delete accounts nobody uses', 'inactivity'],
    ['how do I change my name after getting married', 'name-change'],
    ['automatic reply while on leave', 'out-of-office'],
    ['siganture for my emails', 'signature'],
    ['how soon does careadmin answer', 'response-times'],
    ['what is the AUP', 'glossary-aup'],
  ])('"%s" → %s', (text, id) => {
    const result = kb.answer(text);
    expect(result.best?.id).toBe(id);
    expect(result.alternatives[0]).toEqual(result.best);
  });

  it('words the answer for the organisation kind', () => {
    expect(kb.answer('who do I contact', { kind: 'dental' }).best?.text).toContain('dentistadmin@nhs.net');
    expect(kb.answer('who do I contact', { kind: 'dental' }).best?.text).not.toContain('careadmin');
    expect(kb.answer('who do I contact', { kind: 'care' }).best?.text).toContain('careadmin@nhs.net');
    expect(kb.answer('who do I contact').best?.text).toContain('careadmin@nhs.net (for care providers) or dentistadmin@nhs.net (for dental practices)');
  });

  it('offers only the entries that apply to the kind', () => {
    const question = 'what are route a and route b for the CQC details';
    expect(kb.answer(question, { kind: 'dental' }).best?.id).toBe('dental-route-b');
    expect(kb.answer(question, { kind: 'care' }).alternatives.map((a) => a.id)).not.toContain('dental-route-b');
  });

  it('gives at most 3 alternatives, best first, and a confidence between 0 and 1', () => {
    for (const text of ['shared mailbox', 'password', 'how do i', 'leaver', 'owner']) {
      const result = kb.answer(text);
      expect(result.alternatives.length).toBeLessThanOrEqual(3);
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
      expect(result.confident).toBe(result.confidence >= CONFIDENT);
    }
  });

  const NOTHING = { best: undefined, confidence: 0, confident: false, alternatives: [], relevant: false };

  it('is unsure of a vague question and has nothing for nonsense or an empty message', () => {
    expect(kb.answer('mailbox').confident).toBe(false);
    expect(kb.answer('zzqx blorp')).toEqual(NOTHING);
    expect(kb.answer('   ')).toEqual(NOTHING);
    expect(kb.answer('the and of')).toEqual(NOTHING);
    // A code on its own says nothing about what is asked, even where an answer uses it as an example.
    expect(kb.answer('LL11 1AA')).toEqual(NOTHING);
    expect(kb.answer('1-1002733005').best).toBeUndefined();
  });

  it.each(['what is the weather', 'who won the football', 'what time is it', 'my car broke down', 'help me please with stuff', '7'])(
    'finds nothing relevant for %j, though some words match',
    (text) => expect(kb.answer(text).relevant).toBe(false),
  );

  it.each(['whats a dspt', 'why does it keep rejecting my new password', 'we failed the toolkit, can we still apply', 'Hospice'])('finds %j relevant', (text) =>
    expect(kb.answer(text).relevant).toBe(true),
  );

  it('is deterministic and reads nothing at query time', () => {
    const read = jest.spyOn(fs, 'readFileSync');
    const first = kb.answer('how do i open the shared inbox on my phone', { kind: 'care' });
    const again = kb.answer('how do i open the shared inbox on my phone', { kind: 'care' });
    expect(again).toEqual(first);
    expect(read).not.toHaveBeenCalled();
    read.mockRestore();
  });

  it('finds any entry by id, worded for the kind', () => {
    expect(kb.entry('passcode-expiry', 'dental')?.text).toContain('14 days');
    expect(kb.entry('no-such-entry')).toBeUndefined();
  });
});

describe('confidence', () => {
  it('is the share of the query matched, scaled by the lead over the runner-up', () => {
    expect(confidenceOf([], 3)).toBe(0);
    expect(confidenceOf([{ id: 'a', score: 10, matched: 3 }], 3)).toBe(1);
    expect(confidenceOf([{ id: 'a', score: 10, matched: 3 }, { id: 'b', score: 10, matched: 3 }], 3)).toBe(0);
    expect(confidenceOf([{ id: 'a', score: 10, matched: 1 }, { id: 'b', score: 5, matched: 1 }], 4)).toBe(0.125);
  });
});
