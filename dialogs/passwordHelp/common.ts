/**
 * What every step of the password help shares: the step shape (the one step style of
 * dialogs/step.ts: a prompt, a reader, a hint, help, and the field's why / where to find it), and
 * the sentences about who can help and whether they are open now — always from
 * `availability(now)` and the bank-holiday calendar, never from fixed hours.
 */
import { availability } from '../../machines/contactHours';
import type { PasswordHelpContext } from '../../machines/passwordHelp';
import { clockTime, describeHelpdesk, describeNas } from '../contactHours';
import { ADMIN_EMAIL, NATIONAL_HELPDESK, type AdminKind } from '../contacts';
import { answer, fieldQuestion, hintOf, type Step as FlowStep } from '../step';
import type { FieldInfo } from '../types';

/** A step of the password help, in the one step style (dialogs/step.ts). */
export type Step = FlowStep<PasswordHelpContext>;
export type { FieldInfo };
export { answer, fieldQuestion, hintOf };

/** The NAS team to name: the account's, when known. */
export function kindOf(c: Partial<PasswordHelpContext>): AdminKind | undefined {
  if (c.result && 'queue' in c.result) return c.result.queue;
  if (c.administrator?.kind === 'nas') return c.administrator.queue;
  return undefined;
}

/** NAS, open now or when it opens — for the account's kind, or both addresses when it is not known. */
export function nasNow(c: { now: number } & Partial<PasswordHelpContext>, kind = kindOf(c)): string {
  const sentence = describeNas(availability(c.now), kind ?? 'care');
  if (kind) return sentence;
  return sentence.replace(`(${ADMIN_EMAIL.care})`, `(${ADMIN_EMAIL.care} for care providers, ${ADMIN_EMAIL.dental} for dental practices)`);
}

/** Both: NAS as it is now, and the helpdesk that never closes. */
export function whoIsOpen(c: { now: number } & Partial<PasswordHelpContext>, kind = kindOf(c)): string {
  return `${nasNow(c, kind)}\n${describeHelpdesk()}`;
}

export const HELPDESK_SHORT = `the national helpdesk (${NATIONAL_HELPDESK.phone}, ${NATIONAL_HELPDESK.hours})`;

/** Long date and time in London: "Thursday 3 December at 10:15am". */
const dayAndDate = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long' });
const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** "10am", "10:15am" (London time), as the contact hours are said. */
export const time = (at: number): string => clockTime(at);

/** "at 10:15am", "at 10:15am tomorrow" or "on Thursday 3 December at 10:15am", seen from `now`. */
export function when(at: number, now: number): string {
  const days = Math.round((Date.parse(londonDate.format(at)) - Date.parse(londonDate.format(now))) / 86_400_000);
  if (days === 0) return `at ${time(at)}`;
  if (days === 1) return `at ${time(at)} tomorrow`;
  return `on ${dayAndDate.format(at)} at ${time(at)}`;
}

/** For "until …": "10:15am", "10:15am tomorrow" or "Thursday 3 December at 10:15am". */
export function until(at: number, now: number): string {
  return when(at, now).replace(/^(?:at|on) /, '');
}

/** "on 2 December 2026" */
export function onDate(at: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' }).format(at);
}

export const STATUS_WORDS: Record<string, string> = {
  received: 'received by NAS',
  inProgress: 'being worked on by NAS',
  waitingForRequester: 'waiting for an answer from the person who asked',
  done: 'done',
  rejected: 'closed without a reset',
};

