/**
 * Token buckets kept in this process: the per-user message limit. (The per-conversation limit is
 * the conversation store's, counted across instances; a user's own limit is per instance, which
 * costs no Redis command per turn — with N instances a user gets at most N times it.)
 */
export interface RateLimit {
  /** Average allowed; 0 turns the limit off. */
  perMinute: number;
  /** Allowed at once. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    /** The least recently used buckets beyond this many are forgotten (a full bucket is the default anyway). */
    private readonly maxKeys = 50_000,
  ) {
    this.perMs = limit.perMinute / 60_000;
  }

  /** Takes one token: undefined when allowed, else how long until one is there (ms). */
  take(key: string): number | undefined {
    if (this.limit.perMinute <= 0) return undefined;
    const now = this.now();
    const found = this.buckets.get(key);
    const tokens = found ? Math.min(this.limit.burst, found.tokens + Math.max(0, now - found.at) * this.perMs) : this.limit.burst;
    if (tokens < 1) return Math.max(1, Math.ceil((1 - tokens) / this.perMs));
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return undefined;
  }
}
