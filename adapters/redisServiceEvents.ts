import { randomUUID } from 'node:crypto';
import { ServiceEventsOptions } from './memoryServiceEvents';
import { callRedis, RedisClient, runScript } from './redisCalls';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';
import {
  counterField,
  counterKeyOf,
  daysBetween,
  DayCounter,
  DayDuration,
  DEFAULT_EVENT_RETENTION_DAYS,
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

/**
 * The dashboard's counters in Redis, shared by every instance. Per London day D (every key
 * carries the hash tag `{stats:D}`, so one script writes a day's counts on one node, Sentinel or
 * Cluster alike):
 *
 *   `${prefix}{stats:D}`              hash: counter field (`serviceEvents.counterField`) → count
 *   `${prefix}{stats:D}:durations`    hash: `kind|minutes` → how many requests were done in that time
 *   `${prefix}{stats:D}:once`         hash: the `once` keys already counted that day (kept 3 days)
 *   `${prefix}{stats:D}:batch:ID`     a written batch's id (kept an hour), so a batch retried
 *                                     after a timeout is not counted twice
 *
 * The counters and durations expire `retentionDays` after their last write.
 *
 * `record` only adds to a queue in memory (at most `maxPending` distinct counts: beyond that, and
 * after `maxAttempts` failed writes, counts are dropped and `health().dropped` says how many), so
 * a turn never waits for Redis, and an outage of Redis costs counts, never turns. The queue is
 * written every `flushMs`, one script per day.
 */

export interface RedisServiceEventsOptions extends ServiceEventsOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
  /** How often the queue is written. Default 1 s. 0: only when `flush()` is called. */
  flushMs?: number;
  /** Distinct counts the queue holds at most (waiting and being retried). Default 10 000. */
  maxPending?: number;
  /** Writes of one batch before it is given up. Default 5. */
  maxAttempts?: number;
  /** Told about a failed write (for logging); at most once every 30 s. */
  onError?: (error: unknown) => void;
}

/**
 * KEYS: counters, durations, once, batch marker. ARGV: batch TTL ms, retention ms, once TTL ms,
 * number of counter pairs, of duration pairs, of once pairs, then the pairs: counter field and
 * increment; duration field and increment; once key and counter field. Returns 0 when the batch
 * was written before (a retry after a timeout), 1 when written now.
 */
const LUA_ADD_BATCH = `
if not redis.call('SET', KEYS[4], '1', 'NX', 'PX', ARGV[1]) then return 0 end
local nc, nd, no = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local i = 7
for _ = 1, nc do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) i = i + 2 end
for _ = 1, nd do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) i = i + 2 end
local counted = 0
for _ = 1, no do
  if redis.call('HSETNX', KEYS[3], ARGV[i], '1') == 1 then
    redis.call('HINCRBY', KEYS[1], ARGV[i + 1], 1)
    counted = counted + 1
  end
  i = i + 2
end
if nc + counted > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if nd > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if no > 0 then redis.call('PEXPIRE', KEYS[3], ARGV[3]) end
return 1
`;

const ADD_BATCH = 'nhscaStatsAddBatchV1';
const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH_TTL_MS = 60 * 60 * 1000;
const ONCE_TTL_MS = 3 * DAY_MS;
/** Pairs per script call, so one call stays small. */
const MAX_PAIRS_PER_CALL = 500;
const ERROR_REPORT_EVERY_MS = 30_000;

interface DayBatch {
  day: string;
  counters: Map<string, number>;
  durations: Map<string, number>;
  /** once key → counter field */
  once: Map<string, string>;
}

interface Attempted extends DayBatch {
  id: string;
  attempts: number;
}

const entriesOf = (b: DayBatch) => b.counters.size + b.durations.size + b.once.size;

export class RedisServiceEvents implements ServiceEvents {
  private readonly now: () => number;
  private readonly keyPrefix: string;
  private readonly retentionMs: number;
  private readonly maxPending: number;
  private readonly maxAttempts: number;
  private readonly onError?: (error: unknown) => void;
  private pending = new Map<string, DayBatch>();
  private retrying: Attempted[] = [];
  private dropped = 0;
  private lastFailureAt?: number;
  private lastReportedAt = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisClient,
    options: RedisServiceEventsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (/[{}]/.test(this.keyPrefix)) throw new Error('keyPrefix must not contain braces (they would change the hash tags)');
    this.retentionMs = Math.max(1, options.retentionDays ?? DEFAULT_EVENT_RETENTION_DAYS) * DAY_MS;
    this.maxPending = Math.max(1, options.maxPending ?? 10_000);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.onError = options.onError;
    redis.defineCommand(ADD_BATCH, { lua: LUA_ADD_BATCH, numberOfKeys: 4 });
    const flushMs = options.flushMs ?? 1_000;
    if (flushMs > 0) {
      this.timer = setInterval(() => {
        if (this.count() > 0) void this.flush();
      }, flushMs);
      this.timer.unref();
    }
  }

  /** The keys of a London day: counters, durations, once, and a batch's marker. */
  dayKeys(day: string, batchId = ''): { counters: string; durations: string; once: string; batch: string } {
    const base = `${this.keyPrefix}{stats:${day}}`;
    return { counters: base, durations: `${base}:durations`, once: `${base}:once`, batch: `${base}:batch:${batchId}` };
  }

  record(event: ServiceEvent): void {
    try {
      if (!isCountable(event)) return;
      const day = londonDay(event.at ?? this.now());
      let batch = this.pending.get(day);
      if (!batch) {
        batch = { day, counters: new Map(), durations: new Map(), once: new Map() };
        this.pending.set(day, batch);
      }
      const field = counterField(counterKeyOf(event));
      if (event.once !== undefined) {
        if (!batch.once.has(event.once) && this.room(1)) batch.once.set(event.once, field);
        return;
      }
      const minutes = event.name === 'requestDone' ? durationMinutes(event.durationMs) : undefined;
      const d = minutes === undefined ? undefined : durationField(event.kind ?? '', minutes);
      const needed = (batch.counters.has(field) ? 0 : 1) + (d !== undefined && !batch.durations.has(d) ? 1 : 0);
      if (needed > 0 && !this.room(needed)) return;
      batch.counters.set(field, (batch.counters.get(field) ?? 0) + 1);
      if (d !== undefined) batch.durations.set(d, (batch.durations.get(d) ?? 0) + 1);
    } catch {
      // Counting never disturbs what is being counted.
    }
  }

  /** Writes everything waiting, one write at a time; resolves when written or given up (never rejects). */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.writeAll());
    return this.writing;
  }

  health(): ServiceEventsHealth {
    return {
      pending: this.count(),
      dropped: this.dropped,
      ...(this.lastFailureAt !== undefined ? { lastFailureAt: this.lastFailureAt } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  async counts(range: { from: string; to: string }): Promise<ServiceEventCounts> {
    const days = daysBetween(range.from, range.to);
    const read = await Promise.all(
      days.map((day) => {
        const keys = this.dayKeys(day);
        return callRedis('stats counts', () =>
          Promise.all([this.redis.hgetall(keys.counters), this.redis.hgetall(keys.durations)]),
        );
      }),
    );
    const counters: DayCounter[] = [];
    const durations: DayDuration[] = [];
    read.forEach(([counterHash, durationHash], i) => {
      const day = days[i]!;
      for (const [field, value] of Object.entries(counterHash)) {
        const key = parseCounterField(field);
        const count = Number(value);
        if (key && Number.isSafeInteger(count) && count > 0) counters.push({ day, ...key, count });
      }
      for (const [field, value] of Object.entries(durationHash)) {
        const key = parseDurationField(field);
        const count = Number(value);
        if (key && Number.isSafeInteger(count) && count > 0) durations.push({ day, ...key, count });
      }
    });
    return { days, counters, durations };
  }

  /** Whether `n` more distinct counts fit in the queue; when not, they are dropped. */
  private room(n: number): boolean {
    if (this.count() + n <= this.maxPending) return true;
    this.dropped += n;
    return false;
  }

  private count(): number {
    let n = 0;
    for (const batch of this.pending.values()) n += entriesOf(batch);
    for (const batch of this.retrying) n += entriesOf(batch);
    return n;
  }

  private async writeAll(): Promise<void> {
    const batches: Attempted[] = [...this.retrying];
    this.retrying = [];
    for (const batch of this.pending.values()) batches.push(...split(batch).map((b) => ({ ...b, id: randomUUID(), attempts: 0 })));
    this.pending = new Map();
    for (const batch of batches) {
      try {
        await this.write(batch);
      } catch (error) {
        batch.attempts += 1;
        this.lastFailureAt = this.now();
        if (Date.now() - this.lastReportedAt >= ERROR_REPORT_EVERY_MS) {
          this.lastReportedAt = Date.now();
          this.onError?.(error);
        }
        // Retried with the same id: the script counts it once even if a timed-out write landed.
        if (batch.attempts < this.maxAttempts) this.retrying.push(batch);
        else this.dropped += entriesOf(batch);
      }
    }
  }

  private async write(batch: Attempted): Promise<void> {
    const keys = this.dayKeys(batch.day, batch.id);
    const args: (string | number)[] = [
      BATCH_TTL_MS,
      this.retentionMs,
      ONCE_TTL_MS,
      batch.counters.size,
      batch.durations.size,
      batch.once.size,
    ];
    for (const [field, n] of batch.counters) args.push(field, n);
    for (const [field, n] of batch.durations) args.push(field, n);
    for (const [once, field] of batch.once) args.push(once, field);
    await runScript(this.redis, 'stats write', ADD_BATCH, [keys.counters, keys.durations, keys.once, keys.batch, ...args]);
  }
}

/** A day's batch in parts of at most `MAX_PAIRS_PER_CALL` pairs. */
function split(batch: DayBatch): DayBatch[] {
  if (entriesOf(batch) <= MAX_PAIRS_PER_CALL) return [batch];
  const parts: DayBatch[] = [];
  let current: DayBatch = { day: batch.day, counters: new Map(), durations: new Map(), once: new Map() };
  const next = () => {
    if (entriesOf(current) >= MAX_PAIRS_PER_CALL) {
      parts.push(current);
      current = { day: batch.day, counters: new Map(), durations: new Map(), once: new Map() };
    }
  };
  for (const [k, v] of batch.counters) (next(), current.counters.set(k, v));
  for (const [k, v] of batch.durations) (next(), current.durations.set(k, v));
  for (const [k, v] of batch.once) (next(), current.once.set(k, v));
  if (entriesOf(current) > 0) parts.push(current);
  return parts;
}
