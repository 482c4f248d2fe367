import { randomUUID } from 'node:crypto';
import { Outbox, OutboxMessage } from './outbox';

export interface OutboxOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
  /** How many messages are kept (older ones are dropped). Default 10 000. */
  maxLength?: number;
  /** How long a dedupe key is remembered. Default 30 days. */
  dedupeTtlMs?: number;
}

export const DEFAULT_OUTBOX_MAX_LENGTH = 10_000;
export const DEFAULT_DEDUPE_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** A copy of the message as it would come back from storage (JSON: undefined fields dropped). */
export function storedCopy(message: OutboxMessage): OutboxMessage {
  return JSON.parse(JSON.stringify(message)) as OutboxMessage;
}

/**
 * The outbox in this process's memory (lost on restart): newest first, capped at `maxLength`.
 * Only this process can read it; `npm run outbox` reads the Redis outbox.
 */
export class MemoryOutbox implements Outbox {
  /** Newest first. */
  private readonly messages: OutboxMessage[] = [];
  private readonly dedupe = new Map<string, { message: OutboxMessage; until: number }>();
  private readonly now: () => number;
  private readonly maxLength: number;
  private readonly dedupeTtlMs: number;

  constructor(options: OutboxOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxLength = Math.max(1, options.maxLength ?? DEFAULT_OUTBOX_MAX_LENGTH);
    this.dedupeTtlMs = options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS;
  }

  async send(message: Omit<OutboxMessage, 'id' | 'createdAt'>, options: { dedupeKey?: string } = {}): Promise<OutboxMessage> {
    const now = this.now();
    const { dedupeKey } = options;
    if (dedupeKey !== undefined) {
      const first = this.dedupe.get(dedupeKey);
      if (first && now < first.until) return storedCopy(first.message);
    }
    const recorded = storedCopy({ ...message, id: randomUUID(), createdAt: now });
    this.messages.unshift(recorded);
    if (this.messages.length > this.maxLength) this.messages.length = this.maxLength;
    if (dedupeKey !== undefined) {
      this.dedupe.delete(dedupeKey); // re-inserted at the end, so the map stays in expiry order
      this.dedupe.set(dedupeKey, { message: recorded, until: now + this.dedupeTtlMs });
      this.forgetExpiredDedupeKeys(now);
    }
    return storedCopy(recorded);
  }

  async latest(limit: number): Promise<OutboxMessage[]> {
    const n = Math.floor(limit);
    if (!(n > 0)) return [];
    return this.messages.slice(0, n).map(storedCopy);
  }

  private forgetExpiredDedupeKeys(now: number): void {
    // Insertion order is expiry order (the TTL is fixed), so stop at the first live key.
    for (const [key, entry] of this.dedupe) {
      if (now < entry.until) break;
      this.dedupe.delete(key);
    }
  }
}
