import {
  counterField,
  counterKeyOf,
  daysBetween,
  DayCounter,
  DayDuration,
  durationField,
  durationMinutes,
  isCountable,
  londonDay,
  parseCounterField,
  parseDurationField,
  ServiceEvent,
  ServiceEventCounts,
  ServiceEvents,
  ServiceEventsHealth,
} from './serviceEvents';

export interface ServiceEventsOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
  /** Days a day's counters are kept. Default `DEFAULT_EVENT_RETENTION_DAYS`. */
  retentionDays?: number;
}

interface Day {
  counters: Map<string, number>;
  durations: Map<string, number>;
  once: Set<string>;
}

/** At most this many days are kept in memory (the oldest go first). */
const MAX_DAYS_IN_MEMORY = 800;

/** The dashboard's counters in this process's memory (the embedded default: lost on restart). */
export class MemoryServiceEvents implements ServiceEvents {
  private readonly days = new Map<string, Day>();
  private readonly now: () => number;
  private readonly maxDays: number;

  constructor(options: ServiceEventsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxDays = Math.min(MAX_DAYS_IN_MEMORY, Math.max(1, options.retentionDays ?? MAX_DAYS_IN_MEMORY));
  }

  record(event: ServiceEvent): void {
    try {
      if (!isCountable(event)) return;
      const dayName = londonDay(event.at ?? this.now());
      const day = this.day(dayName);
      if (event.once !== undefined) {
        if (day.once.has(event.once)) return;
        day.once.add(event.once);
      }
      const field = counterField(counterKeyOf(event));
      day.counters.set(field, (day.counters.get(field) ?? 0) + 1);
      // Durations are for events counted every time (a `once` event is a milestone, not a duration).
      const minutes = event.name === 'requestDone' && event.once === undefined ? durationMinutes(event.durationMs) : undefined;
      if (minutes !== undefined) {
        const d = durationField(event.kind ?? '', minutes);
        day.durations.set(d, (day.durations.get(d) ?? 0) + 1);
      }
    } catch {
      // Counting never disturbs what is being counted.
    }
  }

  async counts(range: { from: string; to: string }): Promise<ServiceEventCounts> {
    const days = daysBetween(range.from, range.to);
    const counters: DayCounter[] = [];
    const durations: DayDuration[] = [];
    for (const name of days) {
      const day = this.days.get(name);
      if (!day) continue;
      for (const [field, count] of day.counters) {
        const key = parseCounterField(field);
        if (key) counters.push({ day: name, ...key, count });
      }
      for (const [field, count] of day.durations) {
        const key = parseDurationField(field);
        if (key) durations.push({ day: name, ...key, count });
      }
    }
    return { days, counters, durations };
  }

  async flush(): Promise<void> {}

  health(): ServiceEventsHealth {
    return { pending: 0, dropped: 0 };
  }

  async close(): Promise<void> {}

  private day(name: string): Day {
    let day = this.days.get(name);
    if (!day) {
      day = { counters: new Map(), durations: new Map(), once: new Set() };
      this.days.set(name, day);
      if (this.days.size > this.maxDays) {
        const oldest = [...this.days.keys()].sort()[0]!;
        this.days.delete(oldest);
      }
    }
    return day;
  }
}
