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
