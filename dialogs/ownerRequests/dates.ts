/**
 * Reading a date as people type it, for a leaver's last working day: "today", "yesterday",
 * "last Friday", "Friday", "next Monday", "27/11/2026", "27/11", "27-11-26", "2026-11-27",
 * "27th November", "Nov 27 2026", "end of the month". Seen from `now` in London. Pure. A weekday
 * named alone is the coming one unless the text is in the past tense ("she left on Friday").
 */
import type { Result } from '../validators';

const DAY = 24 * 60 * 60 * 1000;
const londonParts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const ok = (value: string): Result<string> => ({ ok: true, value });
const fail = (error: string): Result<string> => ({ ok: false, error });

export const DATE_EXAMPLE = 'for example 27/11/2026, "27 November" or "last Friday"';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

const monthNumber = (word: string): number | undefined => {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return undefined;
  const index = MONTHS.findIndex((m) => m.startsWith(w) || (w.startsWith(m.slice(0, 3)) && m.startsWith(w.slice(0, Math.min(w.length, m.length)))));
  return index < 0 ? undefined : index + 1;
};

const weekdayNumber = (word: string): number | undefined => {
  const w = word.toLowerCase();
  const index = WEEKDAYS.findIndex((d) => d === w || (w.length >= 3 && d.startsWith(w)) || d === `${w}day` || (w === 'tues' && d === 'tuesday') || (w === 'thurs' && d === 'thursday'));
  return index < 0 ? undefined : index;
};

/** Today in London as [year, month, day]. */
function today(now: number): [number, number, number] {
  const [y, m, d] = londonParts.format(now).split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

function shift(now: number, days: number): string {
  const [y, m, d] = today(now);
  const at = new Date(Date.UTC(y, m - 1, d) + days * DAY);
  return iso(at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate());
}

function checked(y: number, m: number, d: number): Result<string> {
  if (m < 1 || m > 12) return fail(`There is no month ${m}. Please give the date ${DATE_EXAMPLE}.`);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > last) return fail(`${MONTHS[m - 1]!.replace(/^./, (c) => c.toUpperCase())} ${y} has no day ${d}. Please check the date.`);
  return ok(iso(y, m, d));
}

/** A year left out: the one that puts the date nearest today. */
function nearestYear(now: number, m: number, d: number): number {
  const [y] = today(now);
  const todayIso = shift(now, 0);
  const distance = (year: number) => Math.abs(Date.parse(`${iso(year, m, Math.min(d, 28))}T12:00:00Z`) - Date.parse(`${todayIso}T12:00:00Z`));
  return [y - 1, y, y + 1].sort((a, b) => distance(a) - distance(b))[0]!;
}

/** Days people name rather than date. */
const NAMED_DAYS: readonly [RegExp, number, number][] = [
  [/\b(?:christmas|xmas|x-mas) eve\b/, 12, 24],
  [/\bboxing day\b/, 12, 26],
  [/\b(?:christmas|xmas|x-mas)(?: day)?\b/, 12, 25],
  [/\bnew year'?s eve\b/, 12, 31],
  [/\bnew year'?s(?: day)?\b/, 1, 1],
];

const fullYear = (y: number) => (y < 100 ? 2000 + y : y);

/** Words that put a day named alone ("Friday") in the past rather than the week ahead. */
const PAST_TENSE = /\b(?:was|were|left|finished|went|stopped|worked|did|had|gone|ended)\b/i;
const pastTense = (text: string) => PAST_TENSE.test(text);

/** The date a text gives, as `YYYY-MM-DD`; undefined when the text holds no date at all. */
export function readDate(text: string, now: number): Result<string> | undefined {
  const t = text
    .toLowerCase()
    .replace(/[,]/g, ' ')
    .replace(/\b(\d{1,2})(st|nd|rd|th)\b/g, '$1')
    .replace(/\b(it was|it is|it's|was|on|the|of|her|his|their|last day|last working day|is|will be|be)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!t) return undefined;
  if (/\btoday\b/.test(t)) return ok(shift(now, 0));
  if (/\bday before yesterday\b/.test(t)) return ok(shift(now, -2));
  if (/\byesterday\b/.test(t)) return ok(shift(now, -1));
  if (/\btomorrow\b/.test(t)) return ok(shift(now, 1));
  const named = NAMED_DAYS.find(([pattern]) => pattern.test(t));
  if (named) {
    const [, m, d] = named;
    return ok(iso(nearestYear(now, m, d), m, d));
  }
  const endOfMonth = /\bend (?:this month|month|(\w+))\b/.exec(t);
  if (endOfMonth) {
    const named = endOfMonth[1] ? monthNumber(endOfMonth[1]) : today(now)[1];
    if (named) {
      const y = endOfMonth[1] ? nearestYear(now, named, 28) : today(now)[0];
      return ok(iso(y, named, new Date(Date.UTC(y, named, 0)).getUTCDate()));
    }
  }
  const numeric = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(t);
  if (numeric) return checked(Number(numeric[1]), Number(numeric[2]), Number(numeric[3]));
  const dmy = /\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?\b/.exec(t);
  if (dmy) {
    const d = Number(dmy[1]);
    const m = Number(dmy[2]);
    return checked(dmy[3] ? fullYear(Number(dmy[3])) : nearestYear(now, m, d), m, d);
  }
  const dayMonth = /\b(\d{1,2}) ([a-z]{3,9})\.?(?: (\d{4}|\d{2}))?\b/.exec(t);
  const monthDay = /\b([a-z]{3,9})\.? (\d{1,2})(?: (\d{4}))?\b/.exec(t);
  const candidates: [string, string, string | undefined][] = [];
  if (dayMonth) candidates.push([dayMonth[1]!, dayMonth[2]!, dayMonth[3]]);
  if (monthDay) candidates.push([monthDay[2]!, monthDay[1]!, monthDay[3]]);
  for (const [d, word, y] of candidates) {
    const m = monthNumber(word);
    if (!m) continue;
    return checked(y ? fullYear(Number(y)) : nearestYear(now, m, Number(d)), m, Number(d));
  }
  // "the 30th", "on the 3rd": a day of the month alone, the one nearest today.
  const dayAlone = /\b(\d{1,2})(?:st|nd|rd|th)\b|\bthe (\d{1,2})\b/i.exec(text);
  if (dayAlone && !/\d{3,}|\d[/.-]\d/.test(text)) {
    const d = Number(dayAlone[1] ?? dayAlone[2]);
    const [y, m] = today(now);
    const candidates = [-1, 0, 1]
      .map((shiftBy) => new Date(Date.UTC(y, m - 1 + shiftBy, 1)))
      .map((first) => [first.getUTCFullYear(), first.getUTCMonth() + 1] as const)
      .filter(([cy, cm]) => d >= 1 && d <= new Date(Date.UTC(cy, cm, 0)).getUTCDate())
      .map(([cy, cm]) => iso(cy, cm, d));
    const todayIso = shift(now, 0);
    const away = (day: string) => Math.abs(Date.parse(`${day}T12:00:00Z`) - Date.parse(`${todayIso}T12:00:00Z`));
    const nearest = candidates.sort((p, q) => away(p) - away(q))[0];
    if (nearest) return ok(nearest);
    return fail(`There is no day ${d} in a month. Please give the date ${DATE_EXAMPLE}.`);
  }
  const weekday = /\b(last|this|next|coming|this coming|past)?\s*([a-z]+)\b/g;
  for (let found = weekday.exec(t); found; found = weekday.exec(t)) {
    const day = weekdayNumber(found[2]!);
    if (day === undefined) continue;
    const which = found[1];
    const [y, m, d] = today(now);
    const todayNumber = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
    const back = (todayNumber - day + 7) % 7;
    const ahead = (day - todayNumber + 7) % 7;
    if (which === 'next' || which === 'coming' || which === 'this coming') return ok(shift(now, ahead === 0 ? 7 : ahead));
    if (which === 'this') return ok(shift(now, ahead));
    if (which === 'last' || which === 'past') return ok(shift(now, back === 0 ? -7 : -back));
    // A day named alone: the tense says which ("she left on Friday", "her last day will be
    // Friday"); without one, the coming one (today included), as the question is what the last
    // working day is and most leavers are reported before they go.
    return ok(shift(now, pastTense(text) ? -back : ahead));
  }
  if (/\b(last|next|this) (week|month|year)\b|\brecently\b|\bsoon\b|\bago\b/.test(t)) {
    return fail(`Please give the day itself, ${DATE_EXAMPLE}.`);
  }
  return undefined;
}

/** "Friday 27 November 2026" */
export function longDate(day: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(Date.parse(`${day}T12:00:00Z`)).replace(',', '');
}
