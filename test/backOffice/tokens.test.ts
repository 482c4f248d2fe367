import { ConfigError, loadConfig } from '../../bot/config';
import { TokenBook } from '../../bot/backOffice/tokens';

const CARE = 'c'.repeat(32);
const CARE_NEXT = 'C0ffee-Tea.Biscuits_~+/=0123456789';
const DENTAL = 'd'.repeat(40);

function problems(value: string): string[] {
  try {
    loadConfig({ NAS_API_TOKENS: value });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('NAS_API_TOKENS: the back office bearer tokens per queue', () => {
  it('is off when unset or empty', () => {
    expect(loadConfig({}).NAS_API_TOKENS).toBeUndefined();
    expect(loadConfig({ NAS_API_TOKENS: '  ' }).NAS_API_TOKENS).toBeUndefined();
  });

  it.each([
    [`care:${CARE}`, [{ queue: 'care', token: CARE }]],
    [`care:${CARE},dental:${DENTAL}`, [{ queue: 'care', token: CARE }, { queue: 'dental', token: DENTAL }]],
    [` care:${CARE}\n care:${CARE_NEXT} , dental:${DENTAL} `, [{ queue: 'care', token: CARE }, { queue: 'care', token: CARE_NEXT }, { queue: 'dental', token: DENTAL }]],
    [`care:${CARE},care:${CARE}`, [{ queue: 'care', token: CARE }]],
  ])('reads %j', (value, tokens) => {
    expect(loadConfig({ NAS_API_TOKENS: value }).NAS_API_TOKENS).toEqual(tokens);
  });

  it.each([
    [CARE, /^NAS_API_TOKENS entry 1 must be <queue>:<token>, e\.g\. care:<token>$/],
    [`hospice:${CARE}`, /entry 1 names queue "hospice"; the queues are care and dental/],
    ['care:short', /entry 1 \(care\) has a token of 5 characters; at least 32 are needed/],
    [`care:${'x'.repeat(31)}`, /31 characters; at least 32/],
    [`care:${'é'.repeat(40)}`, /characters other than letters, digits/],
    [`care:${CARE},dental:${CARE}`, /entry 2 gives dental a token already given to care; each queue needs its own/],
    [`care:${CARE},:${DENTAL}`, /entry 2 must be <queue>:<token>/],
  ])('refuses %j, saying why', (value, message) => {
    const found = problems(value);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('never repeats a token in its messages', () => {
    const secret = 'care:' + 'S3cret'.repeat(4);
    expect(problems(secret).join(' ')).not.toContain('S3cret');
  });

  it('finds the queue a token opens, and none for any other', () => {
    const book = new TokenBook(loadConfig({ NAS_API_TOKENS: `care:${CARE},care:${CARE_NEXT},dental:${DENTAL}` }).NAS_API_TOKENS!);
    expect(book.enabled).toBe(true);
    expect(book.queueOf(CARE)).toBe('care');
    expect(book.queueOf(CARE_NEXT)).toBe('care');
    expect(book.queueOf(DENTAL)).toBe('dental');
    expect(book.queueOf(CARE.slice(1))).toBeUndefined();
    expect(book.queueOf('')).toBeUndefined();
    expect(new TokenBook([]).enabled).toBe(false);
  });
});
