/**
 * When the people who help are there (SPEC, "Who uses it"): the National Administration Service
 * (careadmin@nhs.net for care providers, dentistadmin@nhs.net for dental practices) works 9am to
 * 5pm, Monday to Friday, not on bank holidays in England; the national helpdesk (0333 200 1133,
 * helpdesk@nhs.net) answers 24 hours a day, every day.
 *
 * Pure: the time is always passed in (epoch milliseconds), never read. Times are reckoned in
 * Europe/London (so GMT in winter, BST in summer) with the runtime's time-zone data, and bank
 * holidays come from the calendar kept as data in `machines/data/bankHolidaysEnglandAndWales.json`
 * (how to update it: `machines/data/README.md`).
 *
 * Past the calendar's `coversUntil` date, the usual pattern of bank holidays in England and Wales
 * is used instead (New Year's Day, Good Friday, Easter Monday, the first and last Mondays of May,
 * the last Monday of August, Christmas Day and Boxing Day, with their substitute days): one-off
 * holidays (a coronation, a state funeral) and moved ones cannot be known that way, so answers that
 * depend on such a day say `estimated: true`.
 */
import { z } from 'zod';
import shippedCalendar from './data/bankHolidaysEnglandAndWales.json';

export const LONDON_TIME_ZONE = 'Europe/London';

/** NAS hours, London time: from 09:00 up to (not including) 17:00. */
export const NAS_HOURS = { opensAt: { hour: 9, minute: 0 }, closesAt: { hour: 17, minute: 0 } } as const;

/** ISO weekdays, Monday = 1 … Sunday = 7. NAS works Monday to Friday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export const NAS_WORKING_DAYS: readonly Weekday[] = [1, 2, 3, 4, 5];

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

export interface BankHoliday {
  date: IsoDate;
  title: string;
  /** Moved to a weekday because the holiday fell at a weekend. */
  substitute: boolean;
  /** Worked out from the usual pattern, past the end of the published calendar. */
  estimated: boolean;
}

// ---------------------------------------------------------------------------------------------
// Calendar dates as day numbers (days since 1970-01-01), so arithmetic never meets a clock change.

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayNumber(date: IsoDate): number {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`not a date: ${date}`);
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS;
}

function dateOf(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(day: number): Weekday {
  // 1970-01-01 was a Thursday (ISO weekday 4).
  return ((((day + 3) % 7) + 7) % 7) + 1 as Weekday;
}

export function weekdayOfDate(date: IsoDate): Weekday {
  return weekdayOf(dayNumber(date));
}

function addDays(date: IsoDate, days: number): IsoDate {
  return dateOf(dayNumber(date) + days);
}

function isRealDate(date: string): boolean {
  return ISO_DATE.test(date) && dateOf(dayNumber(date)) === date;
}

// ---------------------------------------------------------------------------------------------
// London wall-clock time

const londonFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export interface LondonTime {
  date: IsoDate;
  hour: number;
  minute: number;
  weekday: Weekday;
  /** 0 in winter (GMT), 60 in summer (BST). */
  utcOffsetMinutes: number;
}

/**
 * The last second read, and what London's clocks showed then: every turn asks (the service
 * events' day, NAS's hours) and formatting a date in a time zone is costly. Keyed by the whole
 * second, the only input the answer depends on.
 */
let lastRead: { whole: number; time: LondonTime } | undefined;

export function londonTime(at: number): LondonTime {
  const whole = Math.floor(at / 1000) * 1000;
  if (lastRead?.whole === whole) return { ...lastRead.time };
  const time = readLondonTime(whole);
  lastRead = { whole, time };
  return { ...time };
}

function readLondonTime(whole: number): LondonTime {
  const parts = londonFormat.formatToParts(whole);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  const hour = get('hour');
  const minute = get('minute');
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, get('second'));
  const date = dateOf(Date.UTC(year, month - 1, day) / DAY_MS);
  return { date, hour, minute, weekday: weekdayOfDate(date), utcOffsetMinutes: Math.round((wallAsUtc - whole) / 60_000) };
}

/** The instant at which London's clocks show this date and time (never inside a clock change's gap here: NAS hours are far from 1am). */
export function londonInstant(date: IsoDate, hour: number, minute: number): number {
  const wall = dayNumber(date) * DAY_MS + (hour * 60 + minute) * 60_000;
  // The offset at the wall time read as UTC is right except within an hour of a clock change; one correction settles it.
  const guess = wall - londonTime(wall).utcOffsetMinutes * 60_000;
  return wall - londonTime(guess).utcOffsetMinutes * 60_000;
}

// ---------------------------------------------------------------------------------------------
// The usual pattern (Banking and Financial Dealings Act 1971 and the proclamations that follow it)

/** Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dateOf(Date.UTC(year, month - 1, day) / DAY_MS);
}

function nthMonday(year: number, month: number, which: 'first' | 'last'): IsoDate {
  if (which === 'first') {
    const first = Date.UTC(year, month - 1, 1) / DAY_MS;
    return dateOf(first + ((8 - weekdayOf(first)) % 7));
  }
  const last = Date.UTC(year, month, 0) / DAY_MS;
  return dateOf(last - (weekdayOf(last) - 1));
}

/** The bank holidays England and Wales usually have in a year, with substitute days. */
export function usualBankHolidays(year: number): BankHoliday[] {
  const h = (date: IsoDate, title: string, substitute = false): BankHoliday => ({ date, title, substitute, estimated: true });
  const jan1 = `${year}-01-01`;
  const newYear = weekdayOfDate(jan1) === 6 ? h(addDays(jan1, 2), 'New Year’s Day', true)
    : weekdayOfDate(jan1) === 7 ? h(addDays(jan1, 1), 'New Year’s Day', true)
    : h(jan1, 'New Year’s Day');
  const easter = easterSunday(year);
  const christmas = `${year}-12-25`;
  const boxing = `${year}-12-26`;
  let winter: BankHoliday[];
  switch (weekdayOfDate(christmas)) {
    case 5: // Friday: Boxing Day is a Saturday, moved to Monday
      winter = [h(christmas, 'Christmas Day'), h(`${year}-12-28`, 'Boxing Day', true)];
      break;
    case 6: // Saturday: both move to Monday and Tuesday
      winter = [h(`${year}-12-27`, 'Christmas Day', true), h(`${year}-12-28`, 'Boxing Day', true)];
      break;
    case 7: // Sunday: Boxing Day is the Monday, Christmas moves to Tuesday
      winter = [h(boxing, 'Boxing Day'), h(`${year}-12-27`, 'Christmas Day', true)];
      break;
    default:
      winter = [h(christmas, 'Christmas Day'), h(boxing, 'Boxing Day')];
  }
  return [
    newYear,
    h(addDays(easter, -2), 'Good Friday'),
    h(addDays(easter, 1), 'Easter Monday'),
    h(nthMonday(year, 5, 'first'), 'Early May bank holiday'),
    h(nthMonday(year, 5, 'last'), 'Spring bank holiday'),
    h(nthMonday(year, 8, 'last'), 'Summer bank holiday'),
    ...winter,
  ];
}

// ---------------------------------------------------------------------------------------------
// The published calendar (data)

const IsoDateSchema = z.string().refine(isRealDate, { error: 'must be a date written YYYY-MM-DD' });

export const BankHolidayCalendarSchema = z
  .strictObject({
    source: z.url(),
    division: z.literal('england-and-wales'),
    /** Every bank holiday up to and including this date is listed. */
    coversUntil: IsoDateSchema,
    events: z
      .array(z.strictObject({ title: z.string().trim().min(1), date: IsoDateSchema, notes: z.string() }))
      .min(1),
  })
  .superRefine((calendar, ctx) => {
    calendar.events.forEach((event, i) => {
      const previous = calendar.events[i - 1];
      if (previous && previous.date >= event.date) {
        ctx.addIssue({ code: 'custom', path: ['events', i, 'date'], message: `${event.date} is not after ${previous.date}: keep the events in date order, once each` });
      }
      if (isRealDate(event.date) && weekdayOfDate(event.date) > 5) {
        ctx.addIssue({ code: 'custom', path: ['events', i, 'date'], message: `${event.date} is a weekend: list the substitute weekday instead` });
      }
      if (event.date > calendar.coversUntil) {
        ctx.addIssue({ code: 'custom', path: ['events', i, 'date'], message: `${event.date} is after coversUntil ${calendar.coversUntil}` });
      }
    });
  });

export type BankHolidayCalendarData = z.infer<typeof BankHolidayCalendarSchema>;

export class CalendarDataError extends Error {
  constructor(source: string, readonly problems: string[]) {
    super(`Bank-holiday calendar ${source} is malformed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CalendarDataError';
  }
}

export class BankHolidayCalendar {
  readonly coversUntil: IsoDate;
  readonly coversFrom: IsoDate;
  private readonly published = new Map<IsoDate, BankHoliday>();
  private readonly usual = new Map<number, Map<IsoDate, BankHoliday>>();

  constructor(readonly data: BankHolidayCalendarData) {
    this.coversUntil = data.coversUntil;
    this.coversFrom = `${data.events[0]!.date.slice(0, 4)}-01-01`;
    for (const event of data.events) {
      this.published.set(event.date, { date: event.date, title: event.title, substitute: /substitute/i.test(event.notes), estimated: false });
    }
  }

  /** Validates data as read from JSON; throws CalendarDataError saying what is wrong. */
  static parse(raw: unknown, source = 'machines/data/bankHolidaysEnglandAndWales.json'): BankHolidayCalendar {
    const result = BankHolidayCalendarSchema.safeParse(raw);
    if (!result.success) {
      throw new CalendarDataError(source, result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
    }
    return new BankHolidayCalendar(result.data);
  }

  /** Whether the published calendar covers this date (else the usual pattern is used). */
  covers(date: IsoDate): boolean {
    return date >= this.coversFrom && date <= this.coversUntil;
  }

  /** The bank holiday on this date, if any. */
  on(date: IsoDate): BankHoliday | undefined {
    if (this.covers(date)) return this.published.get(date);
    const year = Number(date.slice(0, 4));
    let usual = this.usual.get(year);
    if (!usual) {
      usual = new Map(usualBankHolidays(year).map((h) => [h.date, h]));
      this.usual.set(year, usual);
    }
    return usual.get(date);
  }

  /** The bank holidays from one date to another, both included. */
  between(from: IsoDate, to: IsoDate): BankHoliday[] {
    const out: BankHoliday[] = [];
    for (let day = dayNumber(from); day <= dayNumber(to); day++) {
      const holiday = this.on(dateOf(day));
      if (holiday) out.push(holiday);
    }
    return out;
  }
}

let shipped: BankHolidayCalendar | undefined;

/** The calendar kept in the repository, validated once per process. */
export function shippedBankHolidays(): BankHolidayCalendar {
  shipped ??= BankHolidayCalendar.parse(shippedCalendar);
  return shipped;
}

// ---------------------------------------------------------------------------------------------
// Open now?

export type NasClosedReason = 'beforeOpening' | 'afterClosing' | 'weekend' | 'bankHoliday';

export type NasAvailability = (
  | { open: true; closesAt: number }
  | { open: false; reason: NasClosedReason; bankHoliday?: BankHoliday; opensAt: number }
) & {
  /** True when a day this answer depends on lies past the published calendar. */
  estimated: boolean;
};

export interface Availability {
  at: number;
  london: LondonTime;
  /** careadmin@nhs.net / dentistadmin@nhs.net */
  nas: NasAvailability;
  /** helpdesk@nhs.net, 0333 200 1133: every hour of every day. */
  helpdesk: { open: true };
}

function isNasWorkingDay(date: IsoDate, calendar: BankHolidayCalendar): boolean {
  return NAS_WORKING_DAYS.includes(weekdayOfDate(date)) && !calendar.on(date);
}

const minutesOf = (t: { hour: number; minute: number }) => t.hour * 60 + t.minute;

/** Who can be reached at `at` (epoch ms), and when NAS next opens if it is closed. */
export function availability(at: number, calendar: BankHolidayCalendar = shippedBankHolidays()): Availability {
  if (!Number.isFinite(at)) throw new RangeError(`not a time: ${at}`);
  const london = londonTime(at);
  const today = london.date;
  const minutes = london.hour * 60 + london.minute;
  const opening = minutesOf(NAS_HOURS.opensAt);
  const closing = minutesOf(NAS_HOURS.closesAt);
  const workingToday = isNasWorkingDay(today, calendar);

  if (workingToday && minutes >= opening && minutes < closing) {
    const closesAt = londonInstant(today, NAS_HOURS.closesAt.hour, NAS_HOURS.closesAt.minute);
    return { at, london, nas: { open: true, closesAt, estimated: !calendar.covers(today) }, helpdesk: { open: true } };
  }

  const holiday = calendar.on(today);
  const reason: NasClosedReason = NAS_WORKING_DAYS.includes(london.weekday)
    ? holiday
      ? 'bankHoliday'
      : minutes < opening
        ? 'beforeOpening'
        : 'afterClosing'
    : 'weekend';
  // The next working day: today if it is before opening, else the first one after today.
  let next = workingToday && minutes < opening ? today : addDays(today, 1);
  for (let tries = 0; !isNasWorkingDay(next, calendar); tries++) {
    if (tries > 31) throw new Error(`no NAS working day within a month of ${today}: check the bank-holiday calendar`);
    next = addDays(next, 1);
  }
  const opensAt = londonInstant(next, NAS_HOURS.opensAt.hour, NAS_HOURS.opensAt.minute);
  const estimated = !calendar.covers(today) || !calendar.covers(next);
  return {
    at,
    london,
    nas: { open: false, reason, ...(reason === 'bankHoliday' && holiday ? { bankHoliday: holiday } : {}), opensAt, estimated },
    helpdesk: { open: true },
  };
}

// ---------------------------------------------------------------------------------------------
// Is the calendar running out?

export interface CalendarCoverage {
  coversUntil: IsoDate;
  /** Whole days from `at`'s London date to the last date covered (negative once past it). */
  daysLeft: number;
  runsOutWithinAYear: boolean;
  /** Set when it runs out within a year: what to do, for a log line or a test's warning. */
  warning?: string;
}

export function calendarCoverage(at: number, calendar: BankHolidayCalendar = shippedBankHolidays()): CalendarCoverage {
  const today = londonTime(at).date;
  const daysLeft = dayNumber(calendar.coversUntil) - dayNumber(today);
  const runsOutWithinAYear = daysLeft < 365;
  if (!runsOutWithinAYear) return { coversUntil: calendar.coversUntil, daysLeft, runsOutWithinAYear };
  const when = daysLeft >= 0 ? `runs out on ${calendar.coversUntil}, in ${daysLeft} days` : `ran out on ${calendar.coversUntil}, ${-daysLeft} days ago`;
  return {
    coversUntil: calendar.coversUntil,
    daysLeft,
    runsOutWithinAYear,
    warning:
      `The bank-holiday calendar (machines/data/bankHolidaysEnglandAndWales.json) ${when}. ` +
      'Update it from GOV.UK as machines/data/README.md says; until then, days past its end follow the usual ' +
      'pattern of bank holidays, and one-off or moved bank holidays are not known.',
  };
}
