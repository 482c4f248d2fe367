import { randomUUID } from 'node:crypto';
import { appendFile, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DEFAULT_OUTBOX_RETENTION_MS, Outbox, OutboxMessage, redactedRecord } from './outbox';

export interface OutboxOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
  /** How many messages are kept (older ones are dropped). Default 10 000. */
  maxLength?: number;
  /** How long a dedupe key is remembered. Default 30 days. */
  dedupeTtlMs?: number;
  /** How long a message's content and recipient are kept (then only a redacted record). Default 3 days. */
  retentionMs?: number;
  /**
   * A file every new message is also appended to, one JSON object a line, so that another
   * process (`npm run outbox`) can read what the embedded default would have sent. Lines past
   * their retention are rewritten as redacted records; the file is readable by its owner only.
   */
  journal?: string;
}

/** Where a bot running in memory journals its outbox: OUTBOX_FILE, or .data/outbox.jsonl here. */
export function outboxJournalPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.OUTBOX_FILE?.trim() || `${process.cwd()}/.data/outbox.jsonl`;
}

/** A journal line: the message and until when its content may be shown. */
type JournalLine = OutboxMessage & { retainedUntil?: number };

function parseLine(line: string): JournalLine | undefined {
  try {
    return JSON.parse(line) as JournalLine;
  } catch {
    // A line cut short by a crash is skipped; the rest of the journal is still readable.
    return undefined;
  }
}

/** The message a journal line shows at `now`: whole while retained, its redacted record after. */
function shown(line: JournalLine, now: number): OutboxMessage {
  const { retainedUntil, ...message } = line;
  if (message.redacted || retainedUntil === undefined || retainedUntil <= now) return redactedRecord(message);
  return message;
}

/**
 * The newest `limit` messages of a journal file, newest first; none when there is no file. Past
 * their retention (a line without one is a line of the earlier version), only redacted records.
 */
export async function readOutboxJournal(path: string, limit: number, now: number = Date.now()): Promise<OutboxMessage[]> {
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
    const parsed = line.trim() ? parseLine(line) : undefined;
    if (parsed) messages.push(shown(parsed, now));
  }
  return messages;
}

export const DEFAULT_OUTBOX_MAX_LENGTH = 10_000;
export const DEFAULT_DEDUPE_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** A copy of the message as it would come back from storage (JSON: undefined fields dropped). */
export function storedCopy(message: OutboxMessage): OutboxMessage {
  return JSON.parse(JSON.stringify(message)) as OutboxMessage;
}

interface Kept {
  message: OutboxMessage;
  retainedUntil: number;
}

/**
 * The outbox in this process's memory (lost on restart): newest first, capped at `maxLength`.
 * With a `journal` file, `npm run outbox` can read it from another process.
 */
export class MemoryOutbox implements Outbox {
  /** Newest first. */
  private readonly messages: Kept[] = [];
  private readonly dedupe = new Map<string, { kept: Kept; until: number }>();
  private readonly now: () => number;
  private readonly maxLength: number;
  private readonly dedupeTtlMs: number;
  private readonly retentionMs: number;
  private readonly journal?: string;
  /** When the oldest content in the journal runs out (it is then rewritten); undefined = not read yet. */
  private journalRedactAt: number | undefined;
  private journalWrites: Promise<void> = Promise.resolve();

  constructor(options: OutboxOptions = {}) {
    this.journal = options.journal;
    this.now = options.now ?? Date.now;
    this.maxLength = Math.max(1, options.maxLength ?? DEFAULT_OUTBOX_MAX_LENGTH);
    this.dedupeTtlMs = options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS;
    this.retentionMs = Math.max(1, options.retentionMs ?? DEFAULT_OUTBOX_RETENTION_MS);
  }

  async send(message: Omit<OutboxMessage, 'id' | 'createdAt' | 'redacted'>, options: { dedupeKey?: string } = {}): Promise<OutboxMessage> {
    const now = this.now();
    const { dedupeKey } = options;
    if (dedupeKey !== undefined) {
      const first = this.dedupe.get(dedupeKey);
      if (first && now < first.until) return this.show(first.kept, now);
    }
    const recorded = storedCopy({ ...message, id: randomUUID(), createdAt: now });
    const kept: Kept = { message: recorded, retainedUntil: now + this.retentionMs };
    if (this.journal) await this.writeJournal(kept, now);
    this.messages.unshift(kept);
    if (this.messages.length > this.maxLength) this.messages.length = this.maxLength;
    if (dedupeKey !== undefined) {
      this.dedupe.delete(dedupeKey); // re-inserted at the end, so the map stays in expiry order
      this.dedupe.set(dedupeKey, { kept, until: now + this.dedupeTtlMs });
      this.forgetExpiredDedupeKeys(now);
    }
    return storedCopy(recorded);
  }

  async latest(limit: number): Promise<OutboxMessage[]> {
    const n = Math.floor(limit);
    if (!(n > 0)) return [];
    const now = this.now();
    return this.messages.slice(0, n).map((kept) => this.show(kept, now));
  }

  private show(kept: Kept, now: number): OutboxMessage {
    if (now >= kept.retainedUntil) {
      // Past its retention the content is dropped from memory too, not just hidden.
      kept.message = redactedRecord(kept.message);
      return storedCopy(kept.message);
    }
    return storedCopy(kept.message);
  }

  /** Appends the message; first rewrites lines past their retention as redacted records. */
  private writeJournal(kept: Kept, now: number): Promise<void> {
    const path = this.journal!;
    const write = this.journalWrites.then(async () => {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      if (this.journalRedactAt === undefined || this.journalRedactAt <= now) await this.redactJournal(path, now);
      await appendFile(path, `${JSON.stringify({ ...kept.message, retainedUntil: kept.retainedUntil })}\n`, { encoding: 'utf8', mode: 0o600 });
      await chmod(path, 0o600);
      this.journalRedactAt = Math.min(this.journalRedactAt ?? Infinity, kept.retainedUntil);
    });
    this.journalWrites = write.catch(() => undefined);
    return write;
  }

  private async redactJournal(path: string, now: number): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.journalRedactAt = Infinity;
      return;
    }
    let next = Infinity;
    let changed = false;
    const lines = text.split('\n').flatMap((line) => {
      const parsed = line.trim() ? parseLine(line) : undefined;
      if (!parsed) return [];
      if (!parsed.redacted && (parsed.retainedUntil === undefined || parsed.retainedUntil <= now)) {
        changed = true;
        return [JSON.stringify(redactedRecord(parsed))];
      }
      if (!parsed.redacted && parsed.retainedUntil !== undefined) next = Math.min(next, parsed.retainedUntil);
      return [line];
    });
    this.journalRedactAt = next;
    if (!changed) return;
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, lines.map((line) => `${line}\n`).join(''), { encoding: 'utf8', mode: 0o600 });
    await rename(temporary, path);
  }

  private forgetExpiredDedupeKeys(now: number): void {
    // Insertion order is expiry order (the TTL is fixed), so stop at the first live key.
    for (const [key, entry] of this.dedupe) {
      if (now < entry.until) break;
      this.dedupe.delete(key);
    }
  }
}
