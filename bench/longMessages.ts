import { redact as redactForLog } from '../bot/logger';
import { extractSlots } from '../dialogs/knowledge/slots';
import { nhsmailAddress } from '../dialogs/passwordHelp/read';
import { findPasswords } from '../dialogs/passwordSafety';
import { redact as redactForHandOver } from '../dialogs/questions/redact';
import { role } from '../dialogs/validators';

/**
 * How long the readers that see a whole message take on the longest text an activity may carry
 * (200,000 characters, bot/activities.ts), and on half of it. A reader whose time grows with the
 * square of the length (a pattern tried again from every character of a run) takes about 4 times
 * as long for twice the text; a linear one about twice. The fuzz campaign found three such
 * readers; this keeps the figure where it can be watched. Part of `npm run bench`, never a test.
 */
export const LONG_MESSAGE_READERS: ReadonlyArray<[string, (text: string) => unknown]> = [
  ['password check', findPasswords],
  ['NHSmail address reader', nhsmailAddress],
  ['role reader', (t) => role(t, 'care')],
  ['slots reader', extractSlots],
  ['hand-over redaction', (t) => redactForHandOver(t)],
  ['log redaction', redactForLog],
];

/** Runs of one piece each, the shapes that made the slow readers slow. */
export const LONG_MESSAGE_PIECES = ['a', '*', '😀', '1-', 'a@', 'a.', '07400 ', 'a1!', '\u0000'];

export const LONG_MESSAGE_LENGTH = 200_000;
/** The target: each reader, on the longest text, in well under a second on this machine. */
export const LONG_MESSAGE_TARGET_MS = 500;

function timed(run: () => unknown): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export interface LongMessageFigure {
  reader: string;
  /** The slowest piece at full length, its time, and that time over the time at half length. */
  piece: string;
  ms: number;
  growth: number;
}

export function measureLongMessages(): LongMessageFigure[] {
  return LONG_MESSAGE_READERS.map(([reader, read]) => {
    let worst: LongMessageFigure = { reader, piece: '', ms: -1, growth: 0 };
    for (const piece of LONG_MESSAGE_PIECES) {
      const text = (n: number) => piece.repeat(Math.ceil(n / piece.length));
      const half = Math.max(timed(() => read(text(LONG_MESSAGE_LENGTH / 2))), 0.01);
      const full = timed(() => read(text(LONG_MESSAGE_LENGTH)));
      if (full > worst.ms) worst = { reader, piece, ms: full, growth: full / half };
    }
    return worst;
  });
}

export function longMessagesReport(figures: LongMessageFigure[]): string[] {
  const lines = [`Long messages: each reader on ${LONG_MESSAGE_LENGTH.toLocaleString('en-GB')} characters of one piece repeated, the slowest piece (target under ${LONG_MESSAGE_TARGET_MS} ms; growth is the time over the time for half as much, about 2 when linear, 4 when quadratic)`];
  for (const f of figures) {
    const verdict = f.ms <= LONG_MESSAGE_TARGET_MS ? 'ok' : 'OVER TARGET';
    lines.push(`  ${f.reader.padEnd(24)} ${f.ms.toFixed(0).padStart(6)} ms  growth ${f.growth.toFixed(1).padStart(4)}  (${JSON.stringify(f.piece)})  ${verdict}`);
  }
  return lines;
}

// `npm run bench:messages`: this part alone.
if (require.main === module) console.log(longMessagesReport(measureLongMessages()).join('\n'));
