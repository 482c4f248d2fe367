/**
 * Who can help right now, in words: NAS's hours as `machines/contactHours.ts` works them out, and
 * the national helpdesk that never closes. Pure: the availability is passed in.
 */
import { LONDON_TIME_ZONE, type Availability, type BankHoliday } from '../machines/contactHours';
import { ADMIN_EMAIL, NATIONAL_HELPDESK, type AdminKind } from './contacts';

const dayAndDate = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON_TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long' });
const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: LONDON_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const clock = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON_TIME_ZONE, hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });

/** "9am", "5pm", "9:30am" (London time). */
export function clockTime(at: number): string {
  const parts = clock.formatToParts(at);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  const period = (parts.find((p) => p.type === 'dayPeriod')?.value ?? '').replace(/\./g, '').toLowerCase();
  return `${hour}${minute === '00' ? '' : `:${minute}`}${period}`;
}

/** "today", "tomorrow (Tuesday 29 December)" or "on Tuesday 29 December", from `now`'s London date. */
export function whenDay(at: number, now: number): string {
  const days = Math.round((Date.parse(londonDate.format(at)) - Date.parse(londonDate.format(now))) / 86_400_000);
  if (days === 0) return 'today';
  if (days === 1) return `tomorrow (${dayAndDate.format(at)})`;
  return `on ${dayAndDate.format(at)}`;
}

function holidayName(holiday: BankHoliday): string {
  return holiday.substitute ? `${holiday.title} (the substitute day)` : holiday.title;
}

/** One sentence on NAS for this kind of organisation: open until when, or closed and when it opens. */
export function describeNas(availability: Availability, kind: AdminKind): string {
  const who = `The National Administration Service (${ADMIN_EMAIL[kind]})`;
  const { nas, at } = availability;
  if (nas.open) return `${who} is open now, until ${clockTime(nas.closesAt)} today.`;
  const why =
    nas.reason === 'bankHoliday' && nas.bankHoliday
      ? `closed today for a bank holiday, ${holidayName(nas.bankHoliday)}`
      : nas.reason === 'weekend'
        ? 'closed at weekends'
        : nas.reason === 'beforeOpening'
          ? 'not open yet'
          : 'closed for the day';
  const opens = nas.estimated ? 'should open again' : nas.reason === 'beforeOpening' ? 'opens' : 'opens again';
  return `${who} is ${why}; it ${opens} at ${clockTime(nas.opensAt)} ${whenDay(nas.opensAt, at)}.`;
}

/** The helpdesk, which is always open. */
export function describeHelpdesk(): string {
  return `The national helpdesk is open now, as it is ${NATIONAL_HELPDESK.hours}: call ${NATIONAL_HELPDESK.phone} or email ${NATIONAL_HELPDESK.email}.`;
}

/** Both, for "who can I contact?" answers. */
export function describeWhoIsAvailable(availability: Availability, kind: AdminKind): string {
  return `${describeNas(availability, kind)}\n${describeHelpdesk()}`;
}
