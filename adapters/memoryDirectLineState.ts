import { randomBytes } from 'node:crypto';
import {
  activityId,
  DirectLineConversation,
  DirectLineState,
  DirectLineStateLimits,
  DirectLineStateOptions,
  KeptActivity,
  OpenResult,
  ReadResult,
  resolveLimits,
  TokenAllowance,
} from './directLineState';

interface Entry {
  conversation: { -readonly [K in keyof DirectLineConversation]: DirectLineConversation[K] };
  activities: { watermark: number; json: string; bytes: number }[];
  bytes: number;
}

/** Token buckets kept at most; beyond it, the full ones (which say nothing) are forgotten. */
const MAX_BUCKETS = 10_000;

/**
 * The embedded default: this process's memory, lost on restart (with the bot's own state, which
 * is in memory too). One instance only: several bot instances need the Redis implementation.
 */
export class MemoryDirectLineState implements DirectLineState {
  readonly limits: DirectLineStateLimits;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  /** Conversations ended on purpose, until when they stay ended. */
  private readonly ended = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly key = randomBytes(32);

  constructor(options: DirectLineStateOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.now = options.now ?? Date.now;
  }

  async open(input: { id: string; userId: string; locale?: string }): Promise<OpenResult> {
    const now = this.now();
    if (this.isEnded(input.id, now)) return { outcome: 'ended' };
    const entry = this.live(input.id, now);
    if (entry) {
      entry.conversation.lastSeen = now;
      if (!entry.conversation.locale && input.locale) entry.conversation.locale = input.locale;
      return { outcome: 'opened', conversation: { ...entry.conversation }, created: false };
    }
    if (this.entries.size >= this.limits.maxConversations && !this.makeRoom(now)) return { outcome: 'full' };
    const conversation = {
      id: input.id,
      userId: input.userId,
      ...(input.locale ? { locale: input.locale } : {}),
      started: false,
      next: 0,
      createdAt: now,
      lastSeen: now,
    };
    this.entries.set(input.id, { conversation, activities: [], bytes: 0 });
    return { outcome: 'opened', conversation: { ...conversation }, created: true };
  }

  async get(id: string): Promise<DirectLineConversation | undefined> {
    const entry = this.live(id, this.now());
    return entry ? { ...entry.conversation } : undefined;
  }

  async markStarted(id: string): Promise<boolean> {
    const entry = this.live(id, this.now());
    if (!entry || entry.conversation.started) return false;
    entry.conversation.started = true;
    return true;
  }

  async append(id: string, activity: Record<string, unknown>): Promise<number | undefined> {
    const now = this.now();
    const entry = this.live(id, now);
    if (!entry) return undefined;
    const watermark = entry.conversation.next++;
    entry.conversation.lastSeen = now;
    const json = JSON.stringify(activity);
    const bytes = Buffer.byteLength(json, 'utf8');
    entry.activities.push({ watermark, json, bytes });
    entry.bytes += bytes;
    while (
      entry.activities.length > 1 &&
      (entry.activities.length > this.limits.maxActivitiesPerConversation || entry.bytes > this.limits.maxBytesPerConversation)
    ) {
      entry.bytes -= entry.activities.shift()!.bytes;
    }
    return watermark;
  }

  async read(id: string, watermark: number): Promise<ReadResult> {
    const now = this.now();
    if (this.isEnded(id, now)) return { outcome: 'ended' };
    const entry = this.live(id, now);
    if (!entry) return { outcome: 'absent' };
    const { next } = entry.conversation;
    if (watermark > next) return { outcome: 'ahead', next };
    entry.conversation.lastSeen = now;
    const activities: KeptActivity[] = entry.activities
      .filter((a) => a.watermark >= watermark)
      .map((a) => ({ watermark: a.watermark, activity: withId(id, a.watermark, a.json) }));
    return { outcome: 'read', activities, next };
  }

  async end(id: string): Promise<void> {
    const now = this.now();
    this.entries.delete(id);
    this.ended.set(id, now + this.limits.ttlMs);
  }

  async takeToken(client: string): Promise<TokenAllowance> {
    const now = this.now();
    const { tokenBurst: burst, tokensPerHour } = this.limits;
    const rate = tokensPerHour / 3_600_000;
    const bucket = this.buckets.get(client);
    const tokens = bucket ? Math.min(burst, bucket.tokens + Math.max(0, now - bucket.at) * rate) : burst;
    if (tokens < 1) return { allowed: false, retryAfterMs: Math.ceil((1 - tokens) / rate) };
    this.buckets.delete(client);
    this.buckets.set(client, { tokens: tokens - 1, at: now });
    if (this.buckets.size > MAX_BUCKETS) this.forgetFullBuckets(now, rate);
    return { allowed: true };
  }

  async signingKey(): Promise<Buffer> {
    return this.key;
  }

  async count(): Promise<number> {
    const now = this.now();
    for (const id of this.entries.keys()) this.live(id, now);
    return this.entries.size;
  }

  /** The entry, unless it has expired (then it is dropped). */
  private live(id: string, now: number): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry && entry.conversation.lastSeen + this.limits.ttlMs <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return entry;
  }

  private isEnded(id: string, now: number): boolean {
    const until = this.ended.get(id);
    if (until === undefined) return false;
    if (until > now) return true;
    this.ended.delete(id);
    return false;
  }

  /** Drops expired conversations, then the least recently used one left alone long enough. */
  private makeRoom(now: number): boolean {
    let oldest: Entry | undefined;
    for (const [id, entry] of this.entries) {
      if (!this.live(id, now)) continue;
      if (now - entry.conversation.lastSeen < this.limits.evictableAfterMs) continue;
      if (!oldest || entry.conversation.lastSeen < oldest.conversation.lastSeen) oldest = entry;
    }
    if (this.entries.size < this.limits.maxConversations) return true;
    if (!oldest) return false;
    this.entries.delete(oldest.conversation.id);
    return true;
  }

  private forgetFullBuckets(now: number, rate: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * rate >= this.limits.tokenBurst) this.buckets.delete(client);
    }
    // Still too many (a flood from many addresses): the oldest go; they only start full again.
    for (const client of this.buckets.keys()) {
      if (this.buckets.size <= MAX_BUCKETS) break;
      this.buckets.delete(client);
    }
  }
}

/** The stored JSON as the page gets it: with the channel's id unless it came with its own. */
export function withId(conversationId: string, watermark: number, json: string): Record<string, unknown> {
  const activity = JSON.parse(json) as Record<string, unknown>;
  return typeof activity.id === 'string' ? activity : { id: activityId(conversationId, watermark), ...activity };
}
