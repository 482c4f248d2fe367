import { londonTime } from '../machines/contactHours';

/**
 * How the service is doing (SPEC §6), counted as things happen — never by scanning state: each
 * event adds one to a counter of its London day, named by the event and where it happened
 * (channel, flow, step, kind of request). The dashboard, `npm run nas -- stats` and the back
 * office's API read the counters back (bot/backOffice/stats.ts sums them up).
 *
 * Counting must never fail or slow a turn: `record` is synchronous, never throws and does no
 * I/O. `MemoryServiceEvents` counts at once; `RedisServiceEvents` keeps a bounded queue of
 * counts in memory and writes it in the background, once a second, one script per day (each
 * day's keys share one hash tag, so it runs on one node, Sentinel or Cluster). Both pass one
 * contract suite (test/adapters/serviceEvents.contract.test.ts).
 */

export const SERVICE_EVENT_NAMES = [
  /** A conversation the service had not seen before (its first turn). */
  'conversationStarted',
  /** A flow begun (a new attempt): `flow`. */
  'flowStarted',
  /** A flow's part entered for the first time in an attempt that day: `flow`, `step` (the funnel). */
  'stepEntered',
  /** A flow reached its end with its request made: `flow`. */
  'flowFinished',
  /** A registration passcode issued: `detail` = `email` | `post`. */
  'passcodeRequested',
  /** Verification locked for an organisation after 5 failures (registration), or code entry locked (`detail`: the purpose). */
  'lockedOut',
  /** A password reset request verified: `detail` = `mobile` | `owner`. */
  'resetVerified',
  /** A free-text question answered from the guides (`detail`: the knowledge-base entry), or by a routed answer. */
  'questionAnswered',
  /** "Was this helpful?" answered yes: `detail` = the knowledge-base entry. */
  'answerHelpful',
  /** "Was this helpful?" answered no: `detail` = the knowledge-base entry. */
  'answerNotHelpful',
  /** A message the assistant did not understand. */
  'notUnderstood',
  /** A conversation handed to a person (a `question` request to NAS). */
  'handedToPerson',
  /** A NAS request made: `kind`, and the requester's channel. */
  'requestCreated',
  /** A NAS request marked done: `kind`, with how long it took from being made. */
  'requestDone',
  /** A NAS request rejected: `kind`. */
  'requestRejected',
] as const;

export type ServiceEventName = (typeof SERVICE_EVENT_NAMES)[number];

export interface ServiceEvent {
  name: ServiceEventName;
  /** `msteams`, `webchat`, `directline`, `emulator`… when known. */
  channel?: string;
  /** The flow it happened in (`registration`). */
  flow?: string;
  /** The flow's part (`members`). */
  step?: string;
  /** The kind of NAS request (`registration`, `passwordReset`…). */
  kind?: string;
  /** One more word that tells events of a name apart (`email`, `mobile`…). */
  detail?: string;
  /** When it happened (milliseconds since the epoch); default the adapter's clock. */
  at?: number;
  /**
   * Counted at most once per London day with this key (e.g. `attemptId:step`): a user who goes
   * back over a step does not count as reaching it twice.
   */
  once?: string;
  /** For `requestDone`: how long from the request being made to done. */
  durationMs?: number;
}

/** The dimensions of a counter (every part but the name may be empty). */
export interface CounterKey {
  name: ServiceEventName;
  channel: string;
  flow: string;
  step: string;
  kind: string;
  detail: string;
}

export interface DayCounter extends CounterKey {
  /** The London date, `YYYY-MM-DD`. */
  day: string;
  count: number;
}

/** How many requests of a kind went from made to done in about `minutes`, on a day. */
export interface DayDuration {
  day: string;
  kind: string;
  /** Whole minutes, rounded up (a request done in 20 seconds took 1 minute). */
  minutes: number;
  count: number;
}

export interface ServiceEventCounts {
  /** Every London day asked for, oldest first (days without events included). */
  days: string[];
  counters: DayCounter[];
  durations: DayDuration[];
}

export interface ServiceEventsHealth {
  /** Counts waiting to be written (Redis). */
  pending: number;
  /** Counts given up: the queue was full, or a write kept failing. */
  dropped: number;
  /** When a write last failed, if one has. */
  lastFailureAt?: number;
}

export interface ServiceEvents {
  /** Counts an event. Synchronous, never throws, never waits: safe in the middle of a turn. */
  record(event: ServiceEvent): void;
  /** The counters of the London days `from`..`to` (inclusive, `YYYY-MM-DD`), at most 400 days. */
  counts(range: { from: string; to: string }): Promise<ServiceEventCounts>;
  /** Writes what is waiting (Redis); resolves when it is written or given up. */
  flush(): Promise<void>;
  health(): ServiceEventsHealth;
  /** Stops the background writer after a last flush. */
  close(): Promise<void>;
}

/** How long the daily counters are kept (they hold no personal data). Default about 2 years. */
export const DEFAULT_EVENT_RETENTION_DAYS = 800;
/** The longest range one `counts` call reads. */
export const MAX_RANGE_DAYS = 400;

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The London date of an instant, `YYYY-MM-DD`. */
export function londonDay(at: number): string {
  return londonTime(at).date;
}

/** `days(from, to)`: every date from `from` to `to` inclusive; throws on a bad or too long range. */
export function daysBetween(from: string, to: string, maxDays = MAX_RANGE_DAYS): string[] {
  const start = dayIndex(from);
  const end = dayIndex(to);
  if (start === undefined) throw new RangeError(`"${from}" is not a date (YYYY-MM-DD)`);
  if (end === undefined) throw new RangeError(`"${to}" is not a date (YYYY-MM-DD)`);
  if (end < start) throw new RangeError(`the range ends (${to}) before it starts (${from})`);
  if (end - start + 1 > maxDays) throw new RangeError(`at most ${maxDays} days at a time (${from} to ${to} is ${end - start + 1})`);
  const out: string[] = [];
  for (let d = start; d <= end; d++) out.push(new Date(d * DAY_MS).toISOString().slice(0, 10));
  return out;
}

/** The day `n` days before (or after, for negative `n`) `day`. */
export function addDays(day: string, n: number): string {
  const index = dayIndex(day);
  if (index === undefined) throw new RangeError(`"${day}" is not a date (YYYY-MM-DD)`);
  return new Date((index + n) * DAY_MS).toISOString().slice(0, 10);
}

function dayIndex(day: string): number | undefined {
  if (!ISO_DAY.test(day)) return undefined;
  const t = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(t) || new Date(t).toISOString().slice(0, 10) !== day) return undefined;
  return t / DAY_MS;
}

// ---------------------------------------------------------------------------------------------
// Counter fields: `name|channel|flow|step|kind|detail`, each part URI-encoded (no `|` inside).

const PARTS = ['channel', 'flow', 'step', 'kind', 'detail'] as const;
const MAX_PART = 64;

/** A part as stored: trimmed, at most 64 characters (a dimension, never free text). */
const part = (value: string | undefined) => (value ?? '').trim().slice(0, MAX_PART);

export function counterKeyOf(event: ServiceEvent): CounterKey {
  return {
    name: event.name,
    channel: part(event.channel),
    flow: part(event.flow),
    step: part(event.step),
    kind: part(event.kind),
    detail: part(event.detail),
  };
}

export function counterField(key: CounterKey): string {
  return [key.name, ...PARTS.map((p) => key[p])].map(encodeURIComponent).join('|');
}

/** A stored field back as its key; undefined for a field this version does not know. */
export function parseCounterField(field: string): CounterKey | undefined {
  const parts = field.split('|');
  if (parts.length !== PARTS.length + 1) return undefined;
  let decoded: string[];
  try {
    decoded = parts.map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const [name, channel, flow, step, kind, detail] = decoded as [string, string, string, string, string, string];
  if (!(SERVICE_EVENT_NAMES as readonly string[]).includes(name)) return undefined;
  return { name: name as ServiceEventName, channel, flow, step, kind, detail };
}

/** Whether an event can be counted at all (a known name); anything else is ignored. */
export function isCountable(event: unknown): event is ServiceEvent {
  return (
    typeof event === 'object' &&
    event !== null &&
    (SERVICE_EVENT_NAMES as readonly string[]).includes((event as ServiceEvent).name)
  );
}

/** Minutes a request took, rounded up, at least 1; undefined when not a sensible duration. */
export function durationMinutes(durationMs: number | undefined): number | undefined {
  if (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs < 0) return undefined;
  return Math.max(1, Math.ceil(durationMs / 60_000));
}

export const durationField = (kind: string, minutes: number) => `${encodeURIComponent(part(kind))}|${minutes}`;

export function parseDurationField(field: string): { kind: string; minutes: number } | undefined {
  const [kind, minutes, extra] = field.split('|');
  if (kind === undefined || minutes === undefined || extra !== undefined || !/^\d+$/.test(minutes)) return undefined;
  try {
    return { kind: decodeURIComponent(kind), minutes: Number(minutes) };
  } catch {
    return undefined;
  }
}
