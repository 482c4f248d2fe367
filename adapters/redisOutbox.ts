import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis';
import { durableScript } from './redis';
import { callRedis } from './redisCalls';
import { DEFAULT_DEDUPE_TTL_MS, DEFAULT_OUTBOX_MAX_LENGTH, OutboxOptions, storedCopy } from './memoryOutbox';
import { DEFAULT_OUTBOX_RETENTION_MS, Outbox, OutboxMessage, redactedRecord } from './outbox';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

/**
 * The outbox in Redis, shared by every bot process and readable with `npm run outbox`. Every key
 * carries the hash tag `{outbox}`, so they share one Cluster slot and a send is one script:
 *
 *   `${prefix}{outbox}:messages`        stream, one entry per message: field `id` and field
 *                                       `record` = its redacted record (no content, masked
 *                                       recipient); capped with MAXLEN ~ `maxLength`; expires
 *                                       RECORDS_TTL after the last message.
 *   `${prefix}{outbox}:content:ID`      the whole message (content, recipient), PX `retentionMs`:
 *                                       what a delivery provider needs, for as long as it needs it.
 *   `${prefix}{outbox}:dedupe:K`        hash { id, record, until } for dedupe key K: the first
 *                                       message's id and redacted record; expires `dedupeTtlMs`
 *                                       after it (the script also compares `until` with the clock).
 *
 * A send is one script (check the key, append, keep the content, remember), so two instances
 * sending with the same key record one message. One slot means one Cluster master takes every
 * outbox write: a few messages per registration, far from what one node serves.
 *
 * What earlier versions wrote, under keys in several slots, is read and never written:
 *   `${prefix}outbox` (stream), `${prefix}outbox:content:{ID}`, `${prefix}outbox-dedupe:{K}`.
 * `latest` merges that stream with the new one (its content read from its own keys), and a send
 * with a dedupe key first looks for the earlier version's key (one more command, until those
 * have expired: 30 days after the last instance of that version stopped). The first version's
 * entries (field `message`, the whole message, no TTL) are shown redacted once past the
 * retention, and `forgetOldContent()` deletes them.
 */

export interface RedisOutboxOptions extends OutboxOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
}

/** Redacted records are kept this long after the last message (an audit trail without content). */
export const RECORDS_TTL_MS = 400 * 24 * 60 * 60 * 1000;

/**
 * KEYS: stream, content, dedupe — all `{outbox}` (without a dedupe key, the stream again: every
 * key a script names must be in its slot). ARGV: now, id, record JSON, content JSON, maxLength,
 * dedupe TTL ms, dedupe until, retention ms, records TTL ms, '1' when there is a dedupe key.
 * Returns {1} when recorded, {0, first id, first record} when the dedupe key was used before.
 */
const LUA_SEND = `
local deduped = ARGV[10] == '1'
if deduped then
  local first = redis.call('HMGET', KEYS[3], 'id', 'record', 'until')
  if first[1] and first[2] and first[3] and tonumber(ARGV[1]) < tonumber(first[3]) then
    return {0, first[1], first[2]}
  end
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[2], 'record', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[9])
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[8])
if deduped then
  redis.call('DEL', KEYS[3])
  redis.call('HSET', KEYS[3], 'id', ARGV[2], 'record', ARGV[3], 'until', ARGV[7])
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
return {1}
`;

const SEND = 'nhscaOutboxSendV3';

/** A message found in a stream: its id (for its content key), its record, which keys it is under. */
interface Found {
  id: string;
  record: OutboxMessage;
  earlier: boolean;
}

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
    return `${this.keyPrefix}{outbox}:messages`;
  }

  dedupeKeyFor(dedupeKey: string): string {
    return `${this.keyPrefix}{outbox}:dedupe:${dedupeKey}`;
  }

  contentKeyFor(id: string): string {
    return `${this.keyPrefix}{outbox}:content:${id}`;
  }

  /** The keys of earlier versions (each in a slot of its own): read, never written. */
  get earlierKeys() {
    return {
      stream: `${this.keyPrefix}outbox`,
      dedupeKeyFor: (dedupeKey: string) => `${this.keyPrefix}outbox-dedupe:{${dedupeKey}}`,
      contentKeyFor: (id: string) => `${this.keyPrefix}outbox:content:{${id}}`,
    };
  }

  async send(message: Omit<OutboxMessage, 'id' | 'createdAt' | 'redacted'>, options: { dedupeKey?: string } = {}): Promise<OutboxMessage> {
    const now = this.now();
    const recorded = storedCopy({ ...message, id: randomUUID(), createdAt: now });
    const { dedupeKey } = options;
    if (dedupeKey !== undefined) {
      // Sent with this key by the earlier version (its own slot, so a step of its own)?
      const [id, record, until] = await this.call('send', () =>
        this.redis.hmget(this.earlierKeys.dedupeKeyFor(dedupeKey), 'id', 'record', 'until'),
      );
      if (id && record && until && now < Number(until)) {
        const [first] = await this.withContent([{ id, record: JSON.parse(record) as OutboxMessage, earlier: true }]);
        return first!;
      }
    }
    const reply = (await this.call('send', () =>
      durableScript(this.redis, SEND, [
        this.streamKey,
        this.contentKeyFor(recorded.id),
        dedupeKey === undefined ? this.streamKey : this.dedupeKeyFor(dedupeKey),
        now,
        recorded.id,
        JSON.stringify(redactedRecord(recorded)),
        JSON.stringify({ ...recorded, retainedUntil: now + this.retentionMs }),
        this.maxLength,
        this.dedupeTtlMs,
        now + this.dedupeTtlMs,
        this.retentionMs,
        RECORDS_TTL_MS,
        dedupeKey === undefined ? '0' : '1',
      ]),
    )) as [number, string?, string?];
    if (Number(reply[0]) === 1) return recorded;
    const [first] = await this.withContent([{ id: reply[1]!, record: JSON.parse(reply[2]!) as OutboxMessage, earlier: false }]);
    return first!;
  }

  async latest(limit: number): Promise<OutboxMessage[]> {
    const n = Math.floor(limit);
    if (!(n > 0)) return [];
    // The newest n of both streams, merged by entry id (the time Redis appended them).
    const [current, earlier] = await Promise.all(
      [this.streamKey, this.earlierKeys.stream].map((key) => this.call('latest', () => this.redis.xrevrange(key, '+', '-', 'COUNT', n))),
    );
    const entries = [...current!.map((e) => ({ e, earlier: false })), ...earlier!.map((e) => ({ e, earlier: true }))]
      .sort((x, y) => compareEntryIds(y.e[0], x.e[0]))
      .slice(0, n);
    const found: Found[] = [];
    for (const { e: [, fields], earlier: isEarlier } of entries) {
      const field = (name: string) => {
        for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
        return undefined;
      };
      const record = field('record');
      const legacy = field('message');
      if (record) found.push({ id: field('id') ?? '', record: JSON.parse(record) as OutboxMessage, earlier: isEarlier });
      else if (legacy) {
        // The first version kept the whole message in the stream: shown only while retained.
        const message = JSON.parse(legacy) as OutboxMessage;
        found.push({ id: '', record: this.now() - message.createdAt < this.retentionMs ? message : redactedRecord(message), earlier: true });
      }
    }
    return this.withContent(found);
  }

  /**
   * Deletes what the first version kept without end: stream entries holding whole messages, past
   * the retention, and dedupe keys holding whole messages (looked for on every Cluster master).
   * Returns how many were removed; `stop` ends the search between two pages of keys.
   */
  async forgetOldContent(stop?: AbortSignal): Promise<number> {
    let removed = 0;
    const stream = this.earlierKeys.stream;
    const entries = await this.call('forget', () => this.redis.xrange(stream, '-', '+'));
    const old = entries.filter(([, fields]) => {
      const at = fields.indexOf('message');
      if (at < 0 || at % 2 !== 0) return false;
      return this.now() - (JSON.parse(fields[at + 1]!) as OutboxMessage).createdAt >= this.retentionMs;
    });
    if (old.length) removed += await this.call('forget', () => this.redis.xdel(stream, ...old.map(([id]) => id)));
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        if (stop?.aborted) return removed;
        const [next, keys] = await this.call('forget', () => node.scan(cursor, 'MATCH', `${this.keyPrefix}outbox-dedupe:*`, 'COUNT', 500));
        cursor = next;
        for (const key of keys) {
          if (await this.call('forget', () => this.redis.hexists(key, 'message'))) removed += await this.call('forget', () => this.redis.del(key));
        }
      } while (cursor !== '0');
    }
    return removed;
  }

  /**
   * Each record with its content while that is retained (by this outbox's clock; Redis deletes the
   * content key on its own clock as well).
   */
  private async withContent(found: Found[]): Promise<OutboxMessage[]> {
    const keyOf = ({ id, earlier }: Found) => (earlier ? this.earlierKeys.contentKeyFor(id) : this.contentKeyFor(id));
    const contents = await Promise.all(
      found.map((f) => (f.id ? this.call('latest', () => this.redis.get(keyOf(f))) : Promise.resolve(null))),
    );
    const now = this.now();
    return found.map((f, i) => {
      if (!contents[i]) return f.record;
      const { retainedUntil, ...message } = JSON.parse(contents[i]!) as OutboxMessage & { retainedUntil?: number };
      if (retainedUntil !== undefined && retainedUntil > now) return message;
      void this.redis.del(keyOf(f)).catch(() => undefined);
      return f.record;
    });
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callRedis(`outbox ${operation}`, run);
  }
}

/** Orders stream entry ids ("ms-seq"). */
function compareEntryIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}
