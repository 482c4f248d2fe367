import { Writable } from 'node:stream';
import { createLogger, redact } from '../../bot/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

describe('personal data never reaches a log line', () => {
  const table: [string, string][] = [
    ['mail jo.bloggs@example.co.uk now', 'mail [email] now'],
    ['JANE.O\'NEIL+care@Gmail.com', '[email]'],
    ['call 07400 123456', 'call [phone]'],
    ['call +44 7400 123456 or 0044 (0) 7400-123-456', 'call [phone] or [phone]'],
    ['landline 0113 496 0000', 'landline [phone]'],
    ['code K7D9QX2P please', 'code [code] please'],
    ['code k7d9-qx2p', 'code [code]'],
    ['code K7D9 QX2P', 'code [code]'],
  ];
  it.each(table)('%j → %j', (text, expected) => expect(redact(text)).toBe(expected));

  it.each(['latency 12.5 ms', 'state existingAccount', 'REGISTRATION', 'questionnaire', 'ODS code V1A2B', 'CQC 1-1002733005'])(
    'leaves ordinary words and numbers alone: %j',
    (text) => expect(redact(text)).toBe(text),
  );

  it('scrubs messages, nested fields and errors', () => {
    const { logger, lines } = capture();
    logger.info({ user: { email: 'a@b.com', phones: ['07400 123456'] } }, 'sent code ABCD2345 to a@b.com');
    logger.error({ err: new Error('could not text +447400123456') }, 'failed');
    const text = lines.join('');
    expect(text).not.toMatch(/a@b\.com|07400|\+447400|ABCD2345/);
    expect(text).toContain('[email]');
    expect(text).toContain('[phone]');
    expect(text).toContain('[code]');
    const first = JSON.parse(lines[0]!);
    expect(first.msg).toBe('sent code [code] to [email]');
  });
});

describe('errors in log lines', () => {
  it('keep their type, message, stack and cause, with personal data redacted', () => {
    const { logger, lines } = capture();
    const cause = new TypeError('socket closed for jo@example.com');
    const error = Object.assign(new RangeError('could not text 07400 123456', { cause }), { code: 'E_SEND' });
    logger.error({ err: error, outcome: 'error' }, 'turn failed');
    logger.warn(new Error('bare error with code ABCD2345'));
    const first = JSON.parse(lines[0]!);
    expect(first.err).toMatchObject({ type: 'RangeError', message: 'could not text [phone]', code: 'E_SEND' });
    expect(first.err.stack).toMatch(/^RangeError: could not text \[phone\]\n\s+at /);
    expect(first.err.cause).toMatchObject({ type: 'TypeError', message: 'socket closed for [email]' });
    const second = JSON.parse(lines[1]!);
    expect(second.err).toMatchObject({ type: 'Error', message: 'bare error with code [code]' });
    expect(lines.join('')).not.toMatch(/07400|jo@example|ABCD2345/);
  });

  it('the engine\'s "turn failed" line carries the error', async () => {
    const { MemoryConversationStore } = await import('../../adapters/memoryConversationStore');
    const { ConversationEngine } = await import('../../bot/engine');
    const { buildConversation, memoryAdapters } = await import('../../bot/app');
    const { machine, dialog } = buildConversation(memoryAdapters());
    const { logger, lines } = capture();
    const engine = new ConversationEngine({ machine, dialog, store: new MemoryConversationStore({ ttlMs: 60_000 }), logger });
    const parse = jest.spyOn(dialog, 'parse').mockImplementationOnce(() => {
      throw new Error('a bug in parsing');
    });
    await engine.turn({ channelId: 'test', conversationId: 'c', kind: 'message', text: 'hello' });
    parse.mockRestore();
    const failed = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'turn failed');
    expect(failed.err).toMatchObject({ type: 'Error', message: 'a bug in parsing' });
    expect(failed.err.stack).toContain('a bug in parsing');
  });

  it('a password never reaches a log line, while stack frames and states stay readable', () => {
    const { logger, lines } = capture();
    logger.warn({ said: 'my password is rover', other: 'tried Summer2024! twice', before: '{"inFlow":{"passwordHelp":"active"}}/"triage"' }, 'odd input');
    logger.error(new Error('could not read pw: Xk9#mQ2!zz'));
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ said: 'my password is [password]', other: 'tried [password] twice', before: '{"inFlow":{"passwordHelp":"active"}}/"triage"' });
    expect(second.err.message).toBe('could not read pw: [password]');
    expect(second.err.stack).toMatch(/\n\s+at .*\(\/.*:\d+:\d+\)/);
    expect(lines.join('')).not.toMatch(/rover|Summer2024|Xk9#mQ2/);
  });
});

describe('stack frames in log lines', () => {
  it("keep their functions' names, which can meet the password rules (a class and a method)", () => {
    const stack = [
      'StoreUnavailableError: Redis unavailable (outbox forget): tried Summer2024! twice',
      '    at unavailable (/app/dist/adapters/redisCalls.js:10:12)',
      '    at async RedisOutbox.forgetOldContent (/app/dist/adapters/redisOutbox.js:129:21)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at Pipeline.exec (/app/node_modules/ioredis/built/Pipeline.js:310:9)',
    ].join('\n');
    const scrubbed = redact(stack);
    expect(scrubbed).toContain('at async RedisOutbox.forgetOldContent (/app/dist/adapters/redisOutbox.js:129:21)');
    expect(scrubbed).toContain('at process.processTicksAndRejections (node:internal/process/task_queues:95:5)');
    expect(scrubbed).toContain('at Pipeline.exec (');
    // The message line is what a user might have typed into: still scrubbed.
    expect(scrubbed.split('\n')[0]).toBe('StoreUnavailableError: Redis unavailable (outbox forget): tried [password] twice');
    // A line that only starts like a frame is not one.
    expect(redact('   at Summer2024!x')).toBe('   at [password]');
  });
});
