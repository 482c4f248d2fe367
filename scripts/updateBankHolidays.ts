/**
 * `npm run bank-holidays:update -- FILE`: rewrites the bank-holiday calendar that NAS opening
 * hours use (`machines/data/bankHolidaysEnglandAndWales.json`) from a copy of GOV.UK's feed
 * (https://www.gov.uk/bank-holidays.json) saved to FILE. Nothing is downloaded here: the bot
 * never reaches the internet, and a person checks what changed (`git diff`) before committing.
 *
 * Keeps the "england-and-wales" division only (the one that applies to bank holidays in England),
 * every event from the first year already in the calendar on, and sets `coversUntil` to the last
 * day of the last year GOV.UK lists (it publishes whole years). The result is checked with the same
 * schema the assistant loads it with; a feed that would shorten the calendar is refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { BankHolidayCalendar, type BankHolidayCalendarData } from '../machines/contactHours';
import { runCommand } from './cli';
import { repositoryRoot } from './generateDirectory';

export const CALENDAR_PATH = path.join(repositoryRoot(), 'machines', 'data', 'bankHolidaysEnglandAndWales.json');
export const GOV_UK_FEED = 'https://www.gov.uk/bank-holidays.json';

const GovUkFeed = z.object({
  'england-and-wales': z.object({
    division: z.literal('england-and-wales'),
    events: z.array(z.object({ title: z.string(), date: z.string(), notes: z.string().default('') }).loose()).min(1),
  }),
});

/** The calendar GOV.UK's feed gives, from `fromYear` on. Throws with the reason when the feed is not one. */
export function calendarFromGovUk(feed: unknown, fromYear: number): BankHolidayCalendarData {
  const parsed = GovUkFeed.safeParse(feed);
  if (!parsed.success) {
    throw new Error(`not GOV.UK's bank-holiday feed: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  const events = parsed.data['england-and-wales'].events
    .map(({ title, date, notes }) => ({ title: title.trim(), date, notes: notes.trim() }))
    .filter((e) => Number(e.date.slice(0, 4)) >= fromYear)
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  if (!events.length) throw new Error(`the feed lists no bank holidays from ${fromYear} on`);
  const lastYear = events[events.length - 1]!.date.slice(0, 4);
  const data = { source: GOV_UK_FEED, division: 'england-and-wales' as const, coversUntil: `${lastYear}-12-31`, events };
  return BankHolidayCalendar.parse(data, 'built from the feed').data;
}

/** One event a line, so that a diff shows exactly which days changed. */
export function serialiseCalendar(data: BankHolidayCalendarData): string {
  return [
    '{',
    `"source": ${JSON.stringify(data.source)},`,
    `"division": ${JSON.stringify(data.division)},`,
    `"coversUntil": ${JSON.stringify(data.coversUntil)},`,
    '"events": [',
    data.events.map((e) => `{"title": ${JSON.stringify(e.title)}, "date": ${JSON.stringify(e.date)}, "notes": ${JSON.stringify(e.notes)}}`).join(',\n'),
    ']',
    '}',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], _env: NodeJS.ProcessEnv = process.env, target = CALENDAR_PATH): Promise<number> {
  const file = argv.find((a) => !a.startsWith('-'));
  if (!file || argv.includes('--help') || argv.includes('-h')) {
    process.stderr.write(`Usage: npm run bank-holidays:update -- FILE\n  FILE: a copy of ${GOV_UK_FEED} (e.g. curl -o FILE ${GOV_UK_FEED}).\n`);
    return file ? 0 : 2;
  }
  const current = BankHolidayCalendar.parse(JSON.parse(readFileSync(target, 'utf8')), target);
  let next: BankHolidayCalendarData;
  try {
    next = calendarFromGovUk(JSON.parse(readFileSync(file, 'utf8')), Number(current.coversFrom.slice(0, 4)));
  } catch (error) {
    process.stderr.write(`bank-holidays:update: ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (next.coversUntil < current.coversUntil) {
    process.stderr.write(`bank-holidays:update: ${file} ends on ${next.coversUntil}, before the calendar's ${current.coversUntil}: not written.\n`);
    return 1;
  }
  writeFileSync(target, serialiseCalendar(next));
  process.stdout.write(`Wrote ${path.relative(process.cwd(), target)}: ${next.events.length} bank holidays, covering until ${next.coversUntil}.\n`);
  return 0;
}

if (require.main === module) runCommand(main);
