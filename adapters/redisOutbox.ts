import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis';
import { durableScript } from './redis';
import { callRedis } from './redisCalls';
import { DEFAULT_DEDUPE_TTL_MS, DEFAULT_OUTBOX_MAX_LENGTH, OutboxOptions, storedCopy } from './memoryOutbox';
import { DEFAULT_OUTBOX_RETENTION_MS, Outbox, OutboxMessage, redactedRecord } from './outbox';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

/**
 * The outbox in Redis, shared by every bot process and readable with `npm run outbox`:
 *
 *   `${prefix}outbox`                  stream, one entry per message: field `id` and field
 *                                      `record` = its redacted record (no content, masked
 *                                      recipient); capped with MAXLEN ~ `maxLength`; expires
 *                                      RECORDS_TTL after the last message.
 *   `${prefix}outbox:content:{id}`     the whole message (content, recipient), PX `retentionMs`:
 *                                      what a delivery provider needs, for as long as it needs it.
 *   `${prefix}outbox-dedupe:{K}`       hash { id, record, until } for dedupe key K: the first
 *                                      message's id and redacted record; expires `dedupeTtlMs`
 *                                      after it (the script also compares `until` with the clock).
 *
 * A send is one script (check the key, append, keep the content, remember), so two instances
 * sending with the same key record one message. The keys are in different Cluster slots: this
 * needs a single Redis (or a proxy that does not split scripts). Entries of the earlier version
 * (field `message`, the whole message, no TTL) are shown redacted once past the retention, and
 * `forgetOldContent()` deletes them.
 */

export interface RedisOutboxOptions extends OutboxOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
}

/** Redacted records are kept this long after the last message (an audit trail without content). */
export const RECORDS_TTL_MS = 400 * 24 * 60 * 60 * 1000;

/**
 * KEYS: stream, dedupe ('' for none), content. ARGV: now, id, record JSON, content JSON,
 * maxLength, dedupe TTL ms, dedupe until, retention ms, records TTL ms.
 * Returns {1} when recorded, {0, first id, first record} when the dedupe key was used before.
 */
const LUA_SEND = `
if KEYS[2] ~= '' then
  local first = redis.call('HMGET', KEYS[2], 'id', 'record', 'until')
  if first[1] and first[2] and first[3] and tonumber(ARGV[1]) < tonumber(first[3]) then
    return {0, first[1], first[2]}
  end
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[2], 'record', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[9])
redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[8])
if KEYS[2] ~= '' then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[2], 'id', ARGV[2], 'record', ARGV[3], 'until', ARGV[7])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
return {1}
`;

const SEND = 'nhscaOutboxSendV2';

export class RedisOutbox implements Outbox {
  private readonly now: () => number;
  private readonly maxLength: number;
  private readonly dedupeTtlMs: number;
  private readonly retentionMs: number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisOutboxOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxLength = Math.max(1, Math.floor(options.maxLength ?? DEFAULT_OUTBOX_MAX_LENGTH));
    this.dedupeTtlMs = Math.max(1, Math.ceil(options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS));
    this.retentionMs = Math.max(1, Math.ceil(options.retentionMs ?? DEFAULT_OUTBOX_RETENTION_MS));
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    redis.defineCommand(SEND, { lua: LUA_SEND, numberOfKeys: 3 });
  }

  /** The stream holding the messages' records. */
  get streamKey(): string {
    return `${this.keyPrefix}outbox`;
  }

  dedupeKeyFor(dedupeKey: string): string {
    return `${this.keyPrefix}outbox-dedupe:{${dedupeKey}}`;
  }

  contentKeyFor(id: string): string {
    return `${this.keyPrefix}outbox:content:{${id}}`;
  }

  async send(message: Omit<OutboxMessage, 'id' | 'createdAt' | 'redacted'>, options: { dedupeKey?: string } = {}): Promise<OutboxMessage> {
    const now = this.now();
    const recorded = storedCopy({ ...message, id: randomUUID(), createdAt: now });
    const { dedupeKey } = options;
    const reply = (await this.call('send', () =>
      durableScript(this.redis, SEND, [
        this.streamKey,
        dedupeKey === undefined ? '' : this.dedupeKeyFor(dedupeKey),
        this.contentKeyFor(recorded.id),
        now,
        recorded.id,
        JSON.stringify(redactedRecord(recorded)),
        JSON.stringify({ ...recorded, retainedUntil: now + this.retentionMs }),
        this.maxLength,
        this.dedupeTtlMs,
        now + this.dedupeTtlMs,
        this.retentionMs,
        RECORDS_TTL_MS,
      ]),
    )) as [number, string?, string?];
    if (Number(reply[0]) === 1) return recorded;
    const [first] = await this.withContent([{ id: reply[1]!, record: JSON.parse(reply[2]!) as OutboxMessage }]);
    return first!;
  }

  async latest(limit: number): Promise<OutboxMessage[]> {
    const n = Math.floor(limit);
    if (!(n > 0)) return [];
    const entries = await this.call('latest', () => this.redis.xrevrange(this.streamKey, '+', '-', 'COUNT', n));
    const found: { id: string; record: OutboxMessage }[] = [];
    for (const [, fields] of entries) {
      const field = (name: string) => {
        for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
        return undefined;
      };
      const record = field('record');
      const legacy = field('message');
      if (record) found.push({ id: field('id') ?? '', record: JSON.parse(record) as OutboxMessage });
      else if (legacy) {
        // The earlier version kept the whole message in the stream: shown only while retained.
        const message = JSON.parse(legacy) as OutboxMessage;
        found.push({ id: '', record: this.now() - message.createdAt < this.retentionMs ? message : redactedRecord(message) });
      }
    }
    return this.withContent(found);
  }

  /**
   * Deletes what the earlier version kept without end: stream entries holding whole messages,
   * past the retention, and dedupe keys holding whole messages. Returns how many were removed.
   */
  async forgetOldContent(): Promise<number> {
    let removed = 0;
    const entries = await this.call('forget', () => this.redis.xrange(this.streamKey, '-', '+'));
    const old = entries.filter(([, fields]) => {
      const at = fields.indexOf('message');
      if (at < 0 || at % 2 !== 0) return false;
      return this.now() - (JSON.parse(fields[at + 1]!) as OutboxMessage).createdAt >= this.retentionMs;
    });
    if (old.length) removed += await this.call('forget', () => this.redis.xdel(this.streamKey, ...old.map(([id]) => id)));
    let cursor = '0';
    do {
      const [next, keys] = await this.call('forget', () => this.redis.scan(cursor, 'MATCH', `${this.keyPrefix}outbox-dedupe:*`, 'COUNT', 500));
      cursor = next;
      for (const key of keys) {
        if (await this.call('forget', () => this.redis.hexists(key, 'message'))) removed += await this.call('forget', () => this.redis.del(key));
      }
    } while (cursor !== '0');
    return removed;
  }

  /**
   * Each record with its content while that is retained (by this outbox's clock; Redis deletes the
   * content key on its own clock as well).
   */
  private async withContent(found: { id: string; record: OutboxMessage }[]): Promise<OutboxMessage[]> {
    const contents = await Promise.all(
      found.map(({ id }) => (id ? this.call('latest', () => this.redis.get(this.contentKeyFor(id))) : Promise.resolve(null))),
    );
    const now = this.now();
    return found.map(({ id, record }, i) => {
      if (!contents[i]) return record;
      const { retainedUntil, ...message } = JSON.parse(contents[i]!) as OutboxMessage & { retainedUntil?: number };
      if (retainedUntil !== undefined && retainedUntil > now) return message;
      void this.redis.del(this.contentKeyFor(id)).catch(() => undefined);
      return record;
    });
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callRedis(`outbox ${operation}`, run);
  }
}
