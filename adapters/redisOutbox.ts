import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis';
import { durableCall, durableScript } from './redis';
import { callRedis } from './redisCalls';
import { DEFAULT_DEDUPE_TTL_MS, DEFAULT_OUTBOX_MAX_LENGTH, OutboxOptions, storedCopy } from './memoryOutbox';
import { Outbox, OutboxMessage } from './outbox';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

/**
 * The outbox in Redis, shared by every bot process and readable with `npm run outbox`:
 *
 *   `${prefix}outbox`                  stream, one entry per message, field `message` = the JSON
 *                                      message; capped with XADD MAXLEN ~ `maxLength`.
 *   `${prefix}outbox-dedupe:{K}`       hash { message, until } for dedupe key K: the first message
 *                                      sent with K; expires `dedupeTtlMs` after it (the script
 *                                      also compares `until` with the injected clock).
 *
 * A send with a dedupe key is one script (check the key, append, remember), so two instances
 * sending with the same key record one message. The stream and the dedupe key are in different
 * Cluster slots: this needs a single Redis (or a proxy that does not split scripts).
 */

export interface RedisOutboxOptions extends OutboxOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
}

/**
 * KEYS: stream, dedupe. ARGV: now, message JSON, maxLength, dedupe TTL ms, dedupe until.
 * Returns {1, message} when recorded, {0, first message} when the key was used before.
 */
const LUA_SEND_ONCE = `
local first = redis.call('HMGET', KEYS[2], 'message', 'until')
if first[1] and first[2] and tonumber(ARGV[1]) < tonumber(first[2]) then
  return {0, first[1]}
end
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', 'message', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'message', ARGV[2], 'until', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, ARGV[2]}
`;

const SEND_ONCE = 'nhscaOutboxSendOnceV1';

export class RedisOutbox implements Outbox {
  private readonly now: () => number;
  private readonly maxLength: number;
  private readonly dedupeTtlMs: number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisOutboxOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxLength = Math.max(1, Math.floor(options.maxLength ?? DEFAULT_OUTBOX_MAX_LENGTH));
    this.dedupeTtlMs = Math.max(1, Math.ceil(options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS));
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    redis.defineCommand(SEND_ONCE, { lua: LUA_SEND_ONCE, numberOfKeys: 2 });
  }

  /** The stream holding the messages. */
  get streamKey(): string {
    return `${this.keyPrefix}outbox`;
  }

  dedupeKeyFor(dedupeKey: string): string {
    return `${this.keyPrefix}outbox-dedupe:{${dedupeKey}}`;
  }

  async send(message: Omit<OutboxMessage, 'id' | 'createdAt'>, options: { dedupeKey?: string } = {}): Promise<OutboxMessage> {
    const now = this.now();
    const recorded = storedCopy({ ...message, id: randomUUID(), createdAt: now });
    const json = JSON.stringify(recorded);
    const { dedupeKey } = options;
    if (dedupeKey === undefined) {
      await this.call('send', () => durableCall(this.redis, 'XADD', [this.streamKey, 'MAXLEN', '~', this.maxLength, '*', 'message', json]));
      return recorded;
    }
    const reply = (await this.call('send', () =>
      durableScript(this.redis, SEND_ONCE, [
        this.streamKey,
        this.dedupeKeyFor(dedupeKey),
        now,
        json,
        this.maxLength,
        this.dedupeTtlMs,
        now + this.dedupeTtlMs,
      ]),
    )) as [number, string];
    return JSON.parse(reply[1]) as OutboxMessage;
  }

  async latest(limit: number): Promise<OutboxMessage[]> {
    const n = Math.floor(limit);
    if (!(n > 0)) return [];
    const entries = await this.call('latest', () => this.redis.xrevrange(this.streamKey, '+', '-', 'COUNT', n));
    const messages: OutboxMessage[] = [];
    for (const [, fields] of entries) {
      const at = fields.indexOf('message');
      if (at >= 0 && at % 2 === 0 && fields[at + 1] !== undefined) {
        messages.push(JSON.parse(fields[at + 1]) as OutboxMessage);
      }
    }
    return messages;
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callRedis(`outbox ${operation}`, run);
  }
}
