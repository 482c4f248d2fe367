import { UsageError, readOptions } from '../../scripts/cli';
import { parseArgs } from '../../scripts/outbox';

describe('command-line options (node:util parseArgs)', () => {
  it.each([
    [[], { limit: 20, prefix: 'nhsca:', help: false }],
    [['--limit', '5'], { limit: 5 }],
    [['--limit=7'], { limit: 7 }],
    [['-n', '3', '--prefix', 'test:'], { limit: 3, prefix: 'test:' }],
    [['--prefix=a:b:'], { prefix: 'a:b:' }],
    [['-h'], { help: true }],
    [['--help'], { help: true }],
  ])('outbox %j → %j', (argv, expected) => expect(parseArgs(argv)).toMatchObject(expected));

  it.each([
    [['--limit', '0'], /--limit must be a whole number of at least 1 \(got "0"\)/],
    [['--limit', 'ten'], /--limit must be a whole number/],
    [['--limit'], /--limit/],
    [['--bogus'], /unknown option --bogus/],
    [['extra'], /extra/],
  ])('outbox %j is refused: %s', (argv, message) => expect(() => parseArgs(argv)).toThrow(message));

  it('a parse error is a UsageError', () => {
    expect(() => readOptions(['--nope'], { yes: { type: 'boolean' } })).toThrow(UsageError);
  });
});
