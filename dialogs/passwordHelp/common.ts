/**
 * What every step of the password help shares: the step shape (the one step style of
 * dialogs/step.ts: a prompt, a reader, a hint, help, and the field's why / where to find it), and
 * the sentences about who can help and whether they are open now — always from
 * `availability(now)` and the bank-holiday calendar, never from fixed hours.
 */
import type { AnyEventObject } from 'xstate';
import { availability } from '../../machines/contactHours';
import type { PasswordHelpContext } from '../../machines/passwordHelp';
import { describeHelpdesk, describeNas } from '../contactHours';
import { ADMIN_EMAIL, NATIONAL_HELPDESK, type AdminKind } from '../contacts';
import type { FlowParse, Reply } from '../types';

/** A field a step asks for, for "why do you need that?" and "I don't know it" (CONTRACTS §4). */
export interface FieldInfo {
  name: string;
  why: string;
  whereToFind: string;
}

export interface Step {
  prompt(c: PasswordHelpContext): Reply;
  parse?(text: string, c: PasswordHelpContext): FlowParse | { say: string };
  hint: string | ((c: PasswordHelpContext) => string);
  help?(c: PasswordHelpContext): string;
  field?: FieldInfo;
  previous?(c: PasswordHelpContext): string | undefined;
  /** Why "back" goes nowhere from here. */
  noBack?: string;
}

export const answer = (question: string, value: unknown): AnyEventObject => ({ type: 'ANSWER', answer: { question, value } });

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
const timeOnly = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', minute: '2-digit', hourCycle: 'h12' });
const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

export function time(at: number): string {
  return timeOnly.format(at).replace(/\s/g, '').toLowerCase();
}

/** "at 10:15am", "at 10:15am tomorrow" or "on Thursday 3 December at 10:15am", seen from `now`. */
export function when(at: number, now: number): string {
  const days = Math.round((Date.parse(londonDate.format(at)) - Date.parse(londonDate.format(now))) / 86_400_000);
  if (days === 0) return `at ${time(at)}`;
  if (days === 1) return `at ${time(at)} tomorrow`;
  return `on ${dayAndDate.format(at)} at ${time(at)}`;
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

/** The "why do you need that?" / "I don't know it" questions about a field. */
export function fieldQuestion(text: string, field: FieldInfo | undefined): { say: string } | undefined {
  if (!field) return undefined;
  const t = text.toLowerCase();
  if (/\bwhy\b/.test(t) && /\b(need|want|ask|for|matter|this|that|it)\b/.test(t)) return { say: field.why };
  if (
    /\b(don'?t|do not|dont|can'?t|cannot|can not|not sure|no idea|unsure)\b.*\b(know|find|have|remember|sure|got|where)\b|\bwhere (do|can|is|would) (i|it|we)\b|\bwhere('s| is)\b|\bnot sure\b|\bno idea\b|\bhow do i find\b|\bwhat is (it|that|my)\b/.test(
      t,
    )
  ) {
    return { say: field.whereToFind };
  }
  return undefined;
}

export const hintOf = (step: Step, c: PasswordHelpContext) => (typeof step.hint === 'string' ? step.hint : step.hint(c));
