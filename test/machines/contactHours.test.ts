import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  availability,
  BankHolidayCalendar,
  calendarCoverage,
  CalendarDataError,
  easterSunday,
  londonInstant,
  londonTime,
  shippedBankHolidays,
  usualBankHolidays,
  weekdayOfDate,
  type Availability,
} from '../../machines/contactHours';
import { describeHelpdesk, describeNas } from '../../dialogs/contactHours';
import { CALENDAR_PATH, calendarFromGovUk, main as updateCalendar, serialiseCalendar } from '../../scripts/updateBankHolidays';

/** An instant from London wall-clock time: "2026-12-04 16:59". */
const london = (text: string): number => {
  const [date, time] = text.split(' ');
  const [hour, minute] = time!.split(':').map(Number);
  return londonInstant(date!, hour!, minute!);
};
/** The London wall-clock time of an instant, in the same form. */
const wall = (at: number): string => {
  const t = londonTime(at);
  return `${t.date} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
};
const nasAt = (text: string) => availability(london(text)).nas;
const opensAt = (a: Availability['nas']) => (a.open ? undefined : wall(a.opensAt));

describe('London time', () => {
  it('is GMT in winter and BST in summer', () => {
    expect(londonTime(Date.UTC(2026, 11, 4, 16, 59))).toMatchObject({ date: '2026-12-04', hour: 16, minute: 59, weekday: 5, utcOffsetMinutes: 0 });
    expect(londonTime(Date.UTC(2026, 6, 10, 15, 59))).toMatchObject({ date: '2026-07-10', hour: 16, minute: 59, weekday: 5, utcOffsetMinutes: 60 });
    // Late in a summer evening it is already tomorrow in London.
    expect(londonTime(Date.UTC(2026, 6, 10, 23, 30))).toMatchObject({ date: '2026-07-11', hour: 0, minute: 30, weekday: 6 });
  });

  it('moves at both clock changes', () => {
    // Spring: 01:00 GMT on the last Sunday of March becomes 02:00 BST.
    expect(wall(Date.UTC(2026, 2, 29, 0, 59))).toBe('2026-03-29 00:59');
    expect(wall(Date.UTC(2026, 2, 29, 1, 0))).toBe('2026-03-29 02:00');
    // Autumn: 02:00 BST on the last Sunday of October becomes 01:00 GMT, so 01:30 happens twice.
    expect(wall(Date.UTC(2026, 9, 25, 0, 30))).toBe('2026-10-25 01:30');
    expect(wall(Date.UTC(2026, 9, 25, 1, 30))).toBe('2026-10-25 01:30');
    expect(londonTime(Date.UTC(2026, 9, 25, 0, 30)).utcOffsetMinutes).toBe(60);
    expect(londonTime(Date.UTC(2026, 9, 25, 1, 30)).utcOffsetMinutes).toBe(0);
  });

  it('reads the same second again as it was, whatever the caller did with the first answer', () => {
    const at = Date.UTC(2026, 9, 25, 1, 30, 12, 250);
    const first = londonTime(at);
    first.hour = 99;
    first.date = 'changed';
    expect(londonTime(at + 500)).toEqual({ date: '2026-10-25', hour: 1, minute: 30, weekday: 7, utcOffsetMinutes: 0 });
    // The next second, and a second read before, are their own.
    expect(londonTime(at + 48 * 60_000)).toMatchObject({ hour: 2, minute: 18 });
    expect(londonTime(at - 60 * 60_000)).toMatchObject({ hour: 1, minute: 30, utcOffsetMinutes: 60 });
  });

  it('turns London wall-clock times back into instants, either side of a clock change', () => {
    expect(londonInstant('2026-03-27', 9, 0)).toBe(Date.UTC(2026, 2, 27, 9, 0));
    expect(londonInstant('2026-03-30', 9, 0)).toBe(Date.UTC(2026, 2, 30, 8, 0));
    expect(londonInstant('2026-10-23', 17, 0)).toBe(Date.UTC(2026, 9, 23, 16, 0));
    expect(londonInstant('2026-10-26', 9, 0)).toBe(Date.UTC(2026, 9, 26, 9, 0));
    expect(londonInstant('2026-03-29', 9, 0)).toBe(Date.UTC(2026, 2, 29, 8, 0));
    expect(londonInstant('2026-10-25', 9, 0)).toBe(Date.UTC(2026, 9, 25, 9, 0));
  });
});

describe('NAS opening hours: 9am to 5pm, Monday to Friday, not on bank holidays in England', () => {
  it('is open on Friday at 16:59 and closed at 17:00, until Monday at 9am (winter)', () => {
    expect(nasAt('2026-12-04 16:59')).toEqual({ open: true, closesAt: london('2026-12-04 17:00'), estimated: false });
    const closed = nasAt('2026-12-04 17:00');
    expect(closed).toMatchObject({ open: false, reason: 'afterClosing', estimated: false });
    expect(opensAt(closed)).toBe('2026-12-07 09:00');
  });

  it('is open on Friday at 16:59 and closed at 17:00 in summer time too', () => {
    expect(availability(Date.UTC(2026, 6, 10, 15, 59)).nas.open).toBe(true);
    expect(availability(Date.UTC(2026, 6, 10, 16, 0)).nas).toMatchObject({ open: false, reason: 'afterClosing' });
  });

  it('opens at 9:00 sharp', () => {
    const early = nasAt('2026-12-07 08:59');
    expect(early).toMatchObject({ open: false, reason: 'beforeOpening' });
    expect(opensAt(early)).toBe('2026-12-07 09:00');
    expect(nasAt('2026-12-07 09:00').open).toBe(true);
    expect(nasAt('2026-12-07 00:00')).toMatchObject({ open: false, reason: 'beforeOpening' });
  });

  it('is closed at the weekend, and opens on Monday at 9am', () => {
    for (const t of ['2026-12-05 00:00', '2026-12-05 12:00', '2026-12-06 10:00', '2026-12-06 23:59']) {
      const nas = nasAt(t);
      expect(nas).toMatchObject({ open: false, reason: 'weekend' });
      expect(opensAt(nas)).toBe('2026-12-07 09:00');
    }
  });

  it('is closed on a bank holiday, saying which, and skips it when saying when it opens', () => {
    const easterMonday = nasAt('2026-04-06 11:00');
    expect(easterMonday).toMatchObject({
      open: false,
      reason: 'bankHoliday',
      bankHoliday: { date: '2026-04-06', title: 'Easter Monday', substitute: false, estimated: false },
    });
    expect(opensAt(easterMonday)).toBe('2026-04-07 09:00');
    // Good Friday afternoon: the weekend and Easter Monday pass before NAS opens again.
    expect(opensAt(nasAt('2026-04-03 14:00'))).toBe('2026-04-07 09:00');
    // Thursday before Easter, after hours.
    expect(opensAt(nasAt('2026-04-02 17:00'))).toBe('2026-04-07 09:00');
    expect(nasAt('2026-05-25 10:00')).toMatchObject({ reason: 'bankHoliday', bankHoliday: { title: 'Spring bank holiday' } });
    expect(nasAt('2026-08-31 10:00')).toMatchObject({ reason: 'bankHoliday', bankHoliday: { title: 'Summer bank holiday' } });
  });

  it('knows one-off bank holidays from the calendar', () => {
    expect(nasAt('2023-05-08 10:00')).toMatchObject({ reason: 'bankHoliday', bankHoliday: { title: 'Bank holiday for the coronation of King Charles III' } });
    expect(nasAt('2022-09-19 10:00')).toMatchObject({ reason: 'bankHoliday' });
    expect(opensAt(nasAt('2022-06-01 17:00'))).toBe('2022-06-06 09:00'); // Jubilee: Thursday and Friday
    expect(nasAt('2020-05-08 10:00')).toMatchObject({ reason: 'bankHoliday', bankHoliday: { title: 'Early May bank holiday (VE day)' } });
    expect(nasAt('2020-05-04 10:00').open).toBe(true); // the usual first Monday of May was worked that year
  });

  it('across the spring clock change: closed Friday 5pm GMT, open Monday 9am BST', () => {
    const friday = nasAt('2026-03-27 17:00');
    expect(friday).toMatchObject({ open: false, reason: 'afterClosing' });
    expect(friday.open === false && friday.opensAt).toBe(Date.UTC(2026, 2, 30, 8, 0));
    expect(availability(Date.UTC(2026, 2, 30, 7, 59)).nas).toMatchObject({ open: false, reason: 'beforeOpening' });
    expect(availability(Date.UTC(2026, 2, 30, 8, 0)).nas.open).toBe(true);
    expect(availability(Date.UTC(2026, 2, 30, 15, 59)).nas.open).toBe(true);
    expect(availability(Date.UTC(2026, 2, 30, 16, 0)).nas.open).toBe(false);
  });

  it('across the autumn clock change: closed Friday 5pm BST, open Monday 9am GMT', () => {
    expect(availability(Date.UTC(2026, 9, 23, 15, 59)).nas.open).toBe(true);
    const friday = availability(Date.UTC(2026, 9, 23, 16, 0)).nas;
    expect(friday.open === false && friday.opensAt).toBe(Date.UTC(2026, 9, 26, 9, 0));
    // 08:30 UTC on Monday is 08:30 in London again, not 09:30.
    expect(availability(Date.UTC(2026, 9, 26, 8, 30)).nas).toMatchObject({ open: false, reason: 'beforeOpening' });
    expect(availability(Date.UTC(2026, 9, 26, 16, 59)).nas.open).toBe(true);
    // The night of the change itself is a Sunday.
    expect(availability(Date.UTC(2026, 9, 25, 1, 30)).nas).toMatchObject({ open: false, reason: 'weekend' });
  });

  describe('Christmas and Boxing Day, with their substitute days', () => {
    it('2026: Christmas on Friday, Boxing Day (Saturday) taken on Monday 28th', () => {
      expect(opensAt(nasAt('2026-12-24 17:00'))).toBe('2026-12-29 09:00');
      expect(nasAt('2026-12-25 10:00')).toMatchObject({ reason: 'bankHoliday', bankHoliday: { title: 'Christmas Day', substitute: false } });
      expect(nasAt('2026-12-26 10:00')).toMatchObject({ reason: 'weekend' });
      expect(nasAt('2026-12-28 10:00')).toMatchObject({ reason: 'bankHoliday', bankHoliday: { title: 'Boxing Day', substitute: true } });
      expect(nasAt('2026-12-29 09:00').open).toBe(true);
    });

    it('2027: Christmas on Saturday, both taken on Monday 27th and Tuesday 28th', () => {
      expect(opensAt(nasAt('2027-12-24 17:00'))).toBe('2027-12-29 09:00');
      expect(nasAt('2027-12-27 12:00')).toMatchObject({ bankHoliday: { title: 'Christmas Day', substitute: true } });
      expect(nasAt('2027-12-28 12:00')).toMatchObject({ bankHoliday: { title: 'Boxing Day', substitute: true } });
    });

    it('2022: Christmas on Sunday, Boxing Day on Monday and Christmas taken on Tuesday', () => {
      expect(opensAt(nasAt('2022-12-23 17:00'))).toBe('2022-12-28 09:00');
      expect(nasAt('2022-12-27 09:30')).toMatchObject({ bankHoliday: { title: 'Christmas Day', substitute: true } });
    });

    it('New Year: a Saturday New Year’s Day is taken on Monday 3rd', () => {
      expect(opensAt(nasAt('2021-12-31 17:00'))).toBe('2022-01-04 09:00');
      expect(nasAt('2022-01-03 10:00')).toMatchObject({ bankHoliday: { title: 'New Year’s Day', substitute: true } });
    });
  });

  it('says the national helpdesk is open at every hour', () => {
    for (const t of ['2026-12-25 03:00', '2026-12-05 12:00', '2026-12-04 17:00', '2026-03-29 01:30']) {
      expect(availability(london(t)).helpdesk).toEqual({ open: true });
    }
  });

  it('agrees with the rule for any moment between 2018 and 2032 (property)', () => {
    const calendar = shippedBankHolidays();
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2018, 0, 1), max: Date.UTC(2032, 11, 31) }), (at) => {
        const { nas, london: t, helpdesk } = availability(at);
        const working = t.weekday <= 5 && !calendar.on(t.date);
        const inHours = t.hour >= 9 && t.hour < 17;
        expect(helpdesk.open).toBe(true);
        expect(nas.open).toBe(working && inHours);
        if (nas.open) {
          expect(wall(nas.closesAt)).toBe(`${t.date} 17:00`);
        } else {
          const next = londonTime(nas.opensAt);
          expect(nas.opensAt).toBeGreaterThan(at);
          expect([next.hour, next.minute]).toEqual([9, 0]);
          expect(next.weekday).toBeLessThanOrEqual(5);
          expect(calendar.on(next.date)).toBeUndefined();
          expect(nas.opensAt - at).toBeLessThan(6 * 86_400_000);
          // No working day is skipped between now and then.
          for (let day = londonInstant(t.date, 12, 0) + 86_400_000; day < nas.opensAt - 12 * 3_600_000; day += 86_400_000) {
            const d = londonTime(day);
            expect(d.weekday > 5 || calendar.on(d.date) !== undefined).toBe(true);
          }
        }
      }),
      { numRuns: 3000, seed: 20_261_201 },
    );
  });

  it('refuses a time that is not a number', () => {
    expect(() => availability(Number.NaN)).toThrow(RangeError);
    expect(() => availability(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('the bank-holiday calendar (machines/data/bankHolidaysEnglandAndWales.json)', () => {
  const calendar = shippedBankHolidays();

  it('is GOV.UK’s England and Wales list, complete from 2018 to its coversUntil date', () => {
    expect(calendar.data.division).toBe('england-and-wales');
    expect(calendar.coversFrom).toBe('2018-01-01');
    expect(calendar.coversUntil >= '2027-12-31').toBe(true);
    for (let year = 2018; year <= Number(calendar.coversUntil.slice(0, 4)); year++) {
      const days = calendar.between(`${year}-01-01`, `${year}-12-31`);
      expect(days.length).toBeGreaterThanOrEqual(8);
      expect(days.every((d) => !d.estimated && weekdayOfDate(d.date) <= 5)).toBe(true);
    }
  });

  it('matches the usual pattern every year except the announced one-offs', () => {
    const differences: string[] = [];
    for (let year = 2018; year <= 2027; year++) {
      const published = new Set(calendar.between(`${year}-01-01`, `${year}-12-31`).map((d) => d.date));
      const usual = new Set(usualBankHolidays(year).map((d) => d.date));
      for (const d of published) if (!usual.has(d)) differences.push(`+${d}`);
      for (const d of usual) if (!published.has(d)) differences.push(`-${d}`);
    }
    expect(differences.sort()).toEqual(['+2020-05-08', '+2022-06-02', '+2022-06-03', '+2022-09-19', '+2023-05-08', '-2020-05-04', '-2022-05-30'].sort());
  });

  it('uses the usual pattern past its end, and says the answer is estimated', () => {
    const end = calendar.coversUntil;
    const year = Number(end.slice(0, 4)) + 1;
    expect(calendar.between(`${year}-01-01`, `${year}-12-31`)).toEqual(usualBankHolidays(year));
    expect(calendar.on(`${year}-12-25`)).toMatchObject({ estimated: true });
    // 2028: Christmas on Monday, Boxing Day on Tuesday.
    expect(usualBankHolidays(2028).map((d) => d.date)).toEqual([
      '2028-01-03', '2028-04-14', '2028-04-17', '2028-05-01', '2028-05-29', '2028-08-28', '2028-12-25', '2028-12-26',
    ]);
    if (end === '2027-12-31') {
      const nas = nasAt('2028-12-22 17:00');
      expect(nas).toMatchObject({ open: false, estimated: true });
      expect(opensAt(nas)).toBe('2028-12-27 09:00');
      expect(nasAt('2027-12-31 17:00')).toMatchObject({ estimated: true }); // it opens in 2028
      expect(nasAt('2027-12-30 12:00')).toMatchObject({ open: true, estimated: false });
    }
  });

  it('works out Easter', () => {
    const known = { 2018: '2018-04-01', 2024: '2024-03-31', 2025: '2025-04-20', 2026: '2026-04-05', 2027: '2027-03-28', 2028: '2028-04-16', 2038: '2038-04-25', 2285: '2285-03-22' };
    for (const [year, date] of Object.entries(known)) expect(easterSunday(Number(year))).toBe(date);
  });

  it('warns clearly when it runs out within a year of now', () => {
    // The one test here that reads the clock: it is about the real "now".
    const coverage = calendarCoverage(Date.now());
    if (coverage.runsOutWithinAYear) {
      // Not a failure (past its end the usual pattern is used), but it must not go unseen.
      console.warn(`\n*** ${coverage.warning}\n`);
    }
    expect(coverage.coversUntil).toBe(calendar.coversUntil);
    expect(calendarCoverage(Date.UTC(2026, 11, 1)).runsOutWithinAYear).toBe(calendar.coversUntil < '2027-12-01');
  });

  it('says how far ahead it reaches, and what to do once that is under a year', () => {
    const small = BankHolidayCalendar.parse({
      source: 'https://www.gov.uk/bank-holidays.json',
      division: 'england-and-wales',
      coversUntil: '2027-12-31',
      events: [{ title: 'Christmas Day', date: '2026-12-25', notes: '' }],
    });
    expect(calendarCoverage(Date.UTC(2026, 11, 1), small)).toEqual({ coversUntil: '2027-12-31', daysLeft: 395, runsOutWithinAYear: false });
    const soon = calendarCoverage(Date.UTC(2027, 5, 1, 12), small);
    expect(soon).toMatchObject({ daysLeft: 213, runsOutWithinAYear: true });
    expect(soon.warning).toMatch(/bankHolidaysEnglandAndWales\.json\) runs out on 2027-12-31, in 213 days\. Update it from GOV\.UK as machines\/data\/README\.md says/);
    expect(calendarCoverage(Date.UTC(2028, 0, 2, 12), small).warning).toMatch(/ran out on 2027-12-31, 2 days ago/);
  });

  it.each([
    ['an unknown division', { division: 'scotland' }, /division/],
    ['a date that does not exist', { events: [{ title: 'X', date: '2026-02-30', notes: '' }] }, /events\.0\.date: must be a date written YYYY-MM-DD/],
    ['a weekend date', { events: [{ title: 'Boxing Day', date: '2026-12-26', notes: '' }] }, /2026-12-26 is a weekend: list the substitute weekday/],
    [
      'events out of order',
      { events: [{ title: 'B', date: '2026-12-28', notes: '' }, { title: 'A', date: '2026-12-25', notes: '' }] },
      /events\.1\.date: 2026-12-25 is not after 2026-12-28/,
    ],
    ['an event after coversUntil', { coversUntil: '2026-12-01' }, /2026-12-25 is after coversUntil 2026-12-01/],
    ['no events', { events: [] }, /events/],
    ['a missing coversUntil', { coversUntil: undefined }, /coversUntil/],
  ])('refuses %s, saying where', (_name, change, message) => {
    const data = {
      source: 'https://www.gov.uk/bank-holidays.json',
      division: 'england-and-wales',
      coversUntil: '2027-12-31',
      events: [{ title: 'Christmas Day', date: '2026-12-25', notes: '' }],
      ...change,
    };
    expect(() => BankHolidayCalendar.parse(data, 'test.json')).toThrow(CalendarDataError);
    expect(() => BankHolidayCalendar.parse(data, 'test.json')).toThrow(message);
    expect(() => BankHolidayCalendar.parse(data, 'test.json')).toThrow(/^Bank-holiday calendar test\.json is malformed/);
  });
});

describe('updating the calendar from GOV.UK (npm run bank-holidays:update)', () => {
  const feed = {
    'england-and-wales': {
      division: 'england-and-wales',
      events: [
        { title: 'Boxing Day', date: '2028-12-26', notes: '', bunting: true },
        { title: 'Christmas Day', date: '2028-12-25', notes: '', bunting: true },
        { title: 'New Year’s Day', date: '2017-01-02', notes: 'Substitute day', bunting: true },
      ],
    },
    scotland: { division: 'scotland', events: [{ title: 'St Andrew’s Day', date: '2028-11-30', notes: '', bunting: true }] },
  };

  it('keeps England and Wales from the calendar’s first year, in date order, covering whole years', () => {
    expect(calendarFromGovUk(feed, 2018)).toEqual({
      source: 'https://www.gov.uk/bank-holidays.json',
      division: 'england-and-wales',
      coversUntil: '2028-12-31',
      events: [
        { title: 'Christmas Day', date: '2028-12-25', notes: '' },
        { title: 'Boxing Day', date: '2028-12-26', notes: '' },
      ],
    });
  });

  it('refuses what is not the feed', () => {
    expect(() => calendarFromGovUk({ scotland: feed.scotland }, 2018)).toThrow(/not GOV\.UK's bank-holiday feed: england-and-wales/);
    expect(() => calendarFromGovUk(feed, 2030)).toThrow(/no bank holidays from 2030/);
  });

  it('writes the file in the shape it is kept in, one holiday a line', () => {
    expect(serialiseCalendar(shippedBankHolidays().data)).toBe(readFileSync(CALENDAR_PATH, 'utf8'));
  });

  it('rewrites a calendar file from a saved feed, and refuses one that ends sooner', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bank-holidays-'));
    const target = path.join(dir, 'calendar.json');
    const source = path.join(dir, 'feed.json');
    writeFileSync(target, readFileSync(CALENDAR_PATH));
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const events = [...shippedBankHolidays().data.events, ...usualBankHolidays(2028).map((d) => ({ title: d.title, date: d.date, notes: d.substitute ? 'Substitute day' : '' }))];
      writeFileSync(source, JSON.stringify({ 'england-and-wales': { division: 'england-and-wales', events } }));
      expect(await updateCalendar([source], {}, target)).toBe(0);
      const written = BankHolidayCalendar.parse(JSON.parse(readFileSync(target, 'utf8')));
      expect(written.coversUntil).toBe('2028-12-31');
      expect(written.on('2028-12-26')).toMatchObject({ title: 'Boxing Day', estimated: false });

      writeFileSync(source, JSON.stringify(feed).replace(/2028/g, '2019'));
      expect(await updateCalendar([source], {}, target)).toBe(1);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/ends on 2019-12-31, before the calendar's 2028-12-31: not written/);
      expect(BankHolidayCalendar.parse(JSON.parse(readFileSync(target, 'utf8'))).coversUntil).toBe('2028-12-31');

      writeFileSync(source, '{"not": "a feed"}');
      expect(await updateCalendar([source], {}, target)).toBe(1);
      expect(await updateCalendar([], {}, target)).toBe(2);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

describe('saying who is available (dialogs/contactHours.ts)', () => {
  const say = (text: string, kind: 'care' | 'dental' = 'care') => describeNas(availability(london(text)), kind);

  it.each([
    ['2026-12-04 16:59', 'care', 'The National Administration Service (careadmin@nhs.net) is open now, until 5pm today.'],
    ['2026-12-04 17:00', 'dental', 'The National Administration Service (dentistadmin@nhs.net) is closed for the day; it opens again at 9am on Monday 7 December.'],
    ['2026-12-07 08:15', 'care', 'The National Administration Service (careadmin@nhs.net) is not open yet; it opens at 9am today.'],
    ['2026-12-08 18:30', 'care', 'The National Administration Service (careadmin@nhs.net) is closed for the day; it opens again at 9am tomorrow (Wednesday 9 December).'],
    ['2026-12-05 11:00', 'care', 'The National Administration Service (careadmin@nhs.net) is closed at weekends; it opens again at 9am on Monday 7 December.'],
    ['2026-12-28 11:00', 'care', 'The National Administration Service (careadmin@nhs.net) is closed today for a bank holiday, Boxing Day (the substitute day); it opens again at 9am tomorrow (Tuesday 29 December).'],
    ['2028-12-25 10:00', 'care', 'The National Administration Service (careadmin@nhs.net) is closed today for a bank holiday, Christmas Day; it should open again at 9am on Wednesday 27 December.'],
  ] as const)('%s (%s): %s', (time, kind, sentence) => {
    expect(say(time, kind)).toBe(sentence);
  });

  it('says the national helpdesk is always open, with its number and address', () => {
    expect(describeHelpdesk()).toBe('The national helpdesk is open now, as it is 24 hours a day, every day: call 0333 200 1133 or email helpdesk@nhs.net.');
  });
});
