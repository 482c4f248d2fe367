import type { DayCounter, DayDuration, ServiceEventCounts, ServiceEventName } from '../../adapters/serviceEvents';

/**
 * The dashboard's figures (SPEC §6), summed from the daily counters: what the back-office page
 * draws, its API answers and `npm run nas -- stats` prints. Pure.
 */

/** One part of a flow, in the order the flow goes through them. */
export interface FunnelStep {
  step: string;
  title: string;
}

export interface FunnelRow extends FunnelStep {
  /** Attempts that reached this part in the period. */
  reached: number;
  /** Of the attempts started, the share that reached it (0–100, rounded). */
  percentOfStarted: number;
  /** Reached this part but not the next (the last row: reached it but did not finish). */
  droppedHere: number;
}

export interface TimeToDone {
  /** A kind of request, or `all`. */
  kind: string;
  count: number;
  /** The median, in minutes (undefined when none was done). */
  medianMinutes?: number;
}

export interface DashboardStats {
  from: string;
  to: string;
  totals: {
    conversationsStarted: number;
    registrationsStarted: number;
    registrationsFinished: number;
    passcodesRequested: number;
    passcodesByEmail: number;
    passcodesByPost: number;
    lockOuts: number;
    resetsVerifiedByMobile: number;
    resetsVerifiedByOwner: number;
    questionsAnswered: number;
    questionsNotUnderstood: number;
    handedToPerson: number;
    requestsCreated: number;
    requestsDone: number;
    requestsRejected: number;
  };
  /** Per channel: conversations started, registrations started and finished. */
  byChannel: { channel: string; conversationsStarted: number; registrationsStarted: number; registrationsFinished: number }[];
  /** The registration funnel: started, each part reached, finished. */
  funnel: FunnelRow[];
  /** Requests made each day, by kind (every day of the period, oldest first). */
  requestsPerDay: { day: string; total: number; byKind: Record<string, number> }[];
  /** Every kind that appears in `requestsPerDay`, in a stable order. */
  requestKinds: string[];
  timeToDone: TimeToDone[];
  /** Answers from the guides, per knowledge-base entry: how often given, and the "was this helpful?" answers (most given first). */
  answers: AnswerRow[];
}

export interface AnswerRow {
  entry: string;
  /** The entry's title, when the knowledge base still has it. */
  title?: string;
  answered: number;
  helpful: number;
  notHelpful: number;
}

export const REGISTRATION_FLOW = 'registration';

const sum = (rows: DayCounter[], name: ServiceEventName, match: Partial<DayCounter> = {}) =>
  rows
    .filter((r) => r.name === name && Object.entries(match).every(([k, v]) => (r as unknown as Record<string, unknown>)[k] === v))
    .reduce((n, r) => n + r.count, 0);

/** The median of a histogram of whole minutes (the mean of the two middle values when even). */
export function medianOf(histogram: readonly { minutes: number; count: number }[]): number | undefined {
  const sorted = [...histogram].filter((h) => h.count > 0).sort((a, b) => a.minutes - b.minutes);
  const n = sorted.reduce((total, h) => total + h.count, 0);
  if (n === 0) return undefined;
  const at = (position: number) => {
    let seen = 0;
    for (const h of sorted) {
      seen += h.count;
      if (position < seen) return h.minutes;
    }
    return sorted[sorted.length - 1]!.minutes;
  };
  return n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
}

/**
 * The dashboard for a period from its counters. `funnelSteps` are the registration's parts after
 * the first, in order (bot/backOffice/funnel.ts reads them from the machine: entering the first
 * part is starting); the funnel starts with the attempts started and ends with those finished.
 */
export function dashboardStats(counts: ServiceEventCounts, funnelSteps: readonly FunnelStep[], titleOf: (entry: string) => string | undefined = () => undefined): DashboardStats {
  const rows = counts.counters;
  const reg = { flow: REGISTRATION_FLOW };
  const started = sum(rows, 'flowStarted', reg);
  const finished = sum(rows, 'flowFinished', reg);
  const totals: DashboardStats['totals'] = {
    conversationsStarted: sum(rows, 'conversationStarted'),
    registrationsStarted: started,
    registrationsFinished: finished,
    passcodesRequested: sum(rows, 'passcodeRequested'),
    passcodesByEmail: sum(rows, 'passcodeRequested', { detail: 'email' }),
    passcodesByPost: sum(rows, 'passcodeRequested', { detail: 'post' }),
    lockOuts: sum(rows, 'lockedOut'),
    resetsVerifiedByMobile: sum(rows, 'resetVerified', { detail: 'mobile' }),
    resetsVerifiedByOwner: sum(rows, 'resetVerified', { detail: 'owner' }),
    questionsAnswered: sum(rows, 'questionAnswered'),
    questionsNotUnderstood: sum(rows, 'notUnderstood'),
    handedToPerson: sum(rows, 'handedToPerson'),
    requestsCreated: sum(rows, 'requestCreated'),
    requestsDone: sum(rows, 'requestDone'),
    requestsRejected: sum(rows, 'requestRejected'),
  };

  const channels = [...new Set(rows.filter((r) => r.channel).map((r) => r.channel))].sort();
  const byChannel = channels.map((channel) => ({
    channel,
    conversationsStarted: sum(rows, 'conversationStarted', { channel }),
    registrationsStarted: sum(rows, 'flowStarted', { ...reg, channel }),
    registrationsFinished: sum(rows, 'flowFinished', { ...reg, channel }),
  }));

  const parts: { step: string; title: string; reached: number }[] = [
    { step: 'started', title: 'Started', reached: started },
    ...funnelSteps.map((s) => ({ ...s, reached: sum(rows, 'stepEntered', { ...reg, step: s.step }) })),
    { step: 'finished', title: 'Finished', reached: finished },
  ];
  const funnel: FunnelRow[] = parts.map((row, i) => ({
    ...row,
    percentOfStarted: started > 0 ? Math.round((row.reached / started) * 100) : 0,
    droppedHere: i + 1 < parts.length ? Math.max(0, row.reached - parts[i + 1]!.reached) : 0,
  }));

  const created = rows.filter((r) => r.name === 'requestCreated');
  const requestKinds = [...new Set(created.map((r) => r.kind || 'unknown'))].sort();
  const requestsPerDay = counts.days.map((day) => {
    const byKind: Record<string, number> = {};
    for (const r of created.filter((c) => c.day === day)) byKind[r.kind || 'unknown'] = (byKind[r.kind || 'unknown'] ?? 0) + r.count;
    return { day, total: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
  });

  const durations: DayDuration[] = counts.durations;
  const doneKinds = [...new Set(durations.map((d) => d.kind || 'unknown'))].sort();
  const timeToDone: TimeToDone[] = ['all', ...doneKinds].map((kind) => {
    const histogram = durations.filter((d) => kind === 'all' || (d.kind || 'unknown') === kind);
    const median = medianOf(histogram);
    return { kind, count: histogram.reduce((n, d) => n + d.count, 0), ...(median !== undefined ? { medianMinutes: median } : {}) };
  });

  const answerNames: ServiceEventName[] = ['questionAnswered', 'answerHelpful', 'answerNotHelpful'];
  const entries = [...new Set(rows.filter((r) => answerNames.includes(r.name) && r.detail).map((r) => r.detail))];
  const answers: AnswerRow[] = entries
    .map((entry) => {
      const title = titleOf(entry);
      return {
        entry,
        ...(title ? { title } : {}),
        answered: sum(rows, 'questionAnswered', { detail: entry }),
        helpful: sum(rows, 'answerHelpful', { detail: entry }),
        notHelpful: sum(rows, 'answerNotHelpful', { detail: entry }),
      };
    })
    .sort((a, b) => b.answered - a.answered || b.notHelpful - a.notHelpful || a.entry.localeCompare(b.entry));

  return { from: counts.days[0] ?? '', to: counts.days[counts.days.length - 1] ?? '', totals, byChannel, funnel, requestsPerDay, requestKinds, timeToDone, answers };
}

/** "3 days 4 hours", "2 hours 5 minutes", "12 minutes": a duration as NAS would say it. */
export function formatMinutes(minutes: number | undefined): string {
  if (minutes === undefined) return '–';
  const m = Math.round(minutes);
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  const mins = m % 60;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (days > 0) return hours > 0 ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  if (hours > 0) return mins > 0 ? `${plural(hours, 'hour')} ${plural(mins, 'minute')}` : plural(hours, 'hour');
  return plural(mins, 'minute');
}
