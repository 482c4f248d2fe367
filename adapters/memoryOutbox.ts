import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Outbox, OutboxMessage } from './outbox';

export interface OutboxOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
  /** How many messages are kept (older ones are dropped). Default 10 000. */
  maxLength?: number;
  /** How long a dedupe key is remembered. Default 30 days. */
  dedupeTtlMs?: number;
  /**
   * A file every new message is also appended to, one JSON object a line, so that another
   * process (`npm run outbox`) can read what the embedded default would have sent.
   */
  journal?: string;
}

/** Where a bot running in memory journals its outbox: OUTBOX_FILE, or .data/outbox.jsonl here. */
export function outboxJournalPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.OUTBOX_FILE?.trim() || `${process.cwd()}/.data/outbox.jsonl`;
}

/** The newest `limit` messages of a journal file, newest first; none when there is no file. */
export async function readOutboxJournal(path: string, limit: number): Promise<OutboxMessage[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const messages: OutboxMessage[] = [];
  for (const line of text.split('\n').reverse()) {
    if (messages.length >= limit) break;
    if (!line.trim()) continue;
    try {
      messages.push(JSON.parse(line) as OutboxMessage);
    } catch {
      // A line cut short by a crash is skipped; the rest of the journal is still readable.
    }
  }
  return messages;
}

export const DEFAULT_OUTBOX_MAX_LENGTH = 10_000;
export const DEFAULT_DEDUPE_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** A copy of the message as it would come back from storage (JSON: undefined fields dropped). */
export function storedCopy(message: OutboxMessage): OutboxMessage {
  return JSON.parse(JSON.stringify(message)) as OutboxMessage;
}

/**
 * The outbox in this process's memory (lost on restart): newest first, capped at `maxLength`.
 * With a `journal` file, `npm run outbox` can read it from another process.
 */
export class MemoryOutbox implements Outbox {
  /** Newest first. */
  private readonly messages: OutboxMessage[] = [];
  private readonly dedupe = new Map<string, { message: OutboxMessage; until: number }>();
  private readonly now: () => number;
  private readonly maxLength: number;
  private readonly dedupeTtlMs: number;
  private readonly journal?: string;

  constructor(options: OutboxOptions = {}) {
    this.journal = options.journal;
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
    if (this.journal) {
      await mkdir(dirname(this.journal), { recursive: true });
      await appendFile(this.journal, `${JSON.stringify(recorded)}\n`, 'utf8');
    }
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
