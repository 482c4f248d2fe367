import { randomUUID } from 'node:crypto';
import {
  BeginOptions,
  CommitOutcome,
  ConflictError,
  ConversationBusyError,
  ConversationStore,
  ConversationStoreOptions,
  DEFAULT_LEASE_MS,
  DEFAULT_QUEUE_MAX,
  DEFAULT_RATE,
  DEFAULT_WAIT_MS,
  QueueFullError,
  RateLimitedError,
  StoredConversation,
  TurnLease,
} from './conversationStore';

interface Entry {
  stored: StoredConversation;
  expiresAt: number;
}

/** A conversation's rate-limit bucket: tokens left at time `at`. */
interface Bucket {
  tokens: number;
  at: number;
}

interface Waiter {
  token: string;
  admit: () => void;
}

interface Queue {
  holder: string | null;
  leaseTimer: NodeJS.Timeout | null;
  waiting: Waiter[];
}

/**
 * The embedded default: conversations kept in this process's memory, lost on restart.
 * Same contract as the Redis store: one turn at a time per conversation, in arrival order.
 */
export class MemoryConversationStore implements ConversationStore {
  private readonly entries = new Map<string, Entry>();
  private readonly queues = new Map<string, Queue>();
  private readonly ttlMs: number;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly queueMax: number;
  private readonly perMs: number;
  private readonly burst: number;
  /** Kept apart from the state (which expires, or is erased) only for the conversations that have one. */
  private readonly buckets = new Map<string, Bucket>();
  /** Each open lease's bucket after its turn, written back by commit. */
  private readonly pending = new WeakMap<TurnLease, Bucket>();

  constructor(options: ConversationStoreOptions, private readonly now: () => number = Date.now) {
    this.ttlMs = options.ttlMs;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    this.queueMax = Math.max(0, Math.floor(options.queueMax ?? DEFAULT_QUEUE_MAX));
    const rate = options.rate ?? DEFAULT_RATE;
    this.burst = rate.perMinute > 0 ? Math.max(1, rate.burst) : 0;
    this.perMs = rate.perMinute > 0 ? rate.perMinute / 60_000 : 0;
  }

  async begin(key: string, options: BeginOptions = {}): Promise<TurnLease> {
    const token = randomUUID();
    const queue = this.queueFor(key);
    if (queue.holder === null) {
      this.admit(key, queue, token);
    } else {
      if (queue.waiting.length >= this.queueMax) throw new QueueFullError();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          queue.waiting = queue.waiting.filter((w) => w.token !== token);
          reject(new ConversationBusyError());
        }, this.waitMs);
        queue.waiting.push({
          token,
          admit: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    const lease: TurnLease = { key, token, stored: this.read(key) };
    if (this.burst > 0) {
      // As in Redis: a turn counts when it commits; over the limit, the conversation is given up.
      const now = this.now();
      const bucket = this.read(key) ? this.buckets.get(key) : undefined;
      const tokens = bucket ? Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * this.perMs) : this.burst;
      if (options.limited === false) {
        this.pending.set(lease, { tokens, at: now });
        return lease;
      }
      if (tokens < 1) {
        this.handOver(key, token);
        throw new RateLimitedError(Math.max(1, Math.ceil((1 - tokens) / this.perMs)));
      }
      this.pending.set(lease, { tokens: tokens - 1, at: now });
    }
    return lease;
  }

  async commit(lease: TurnLease, data: string): Promise<string> {
    const queue = this.queues.get(lease.key);
    const current = this.read(lease.key);
    if (!queue || queue.holder !== lease.token || current?.etag !== lease.stored?.etag) {
      await this.release(lease);
      throw new ConflictError();
    }
    // The etag is the committing turn's token (random), as in the Redis store.
    const etag = lease.token;
    this.entries.set(lease.key, { stored: { data, etag }, expiresAt: this.now() + this.ttlMs });
    const bucket = this.pending.get(lease);
    if (bucket) this.buckets.set(lease.key, bucket);
    this.handOver(lease.key, lease.token);
    return etag;
  }

  async erase(lease: TurnLease): Promise<void> {
    if (this.queues.get(lease.key)?.holder !== lease.token) throw new ConflictError();
    this.entries.delete(lease.key);
    this.buckets.delete(lease.key);
    this.handOver(lease.key, lease.token);
  }

  async commitOutcome(lease: TurnLease): Promise<CommitOutcome> {
    if (this.read(lease.key)?.etag === lease.token) return 'saved';
    this.handOver(lease.key, lease.token);
    return 'notSaved';
  }

  async release(lease: TurnLease): Promise<void> {
    this.handOver(lease.key, lease.token);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    for (const queue of this.queues.values()) {
      if (queue.leaseTimer) clearTimeout(queue.leaseTimer);
    }
    this.queues.clear();
  }


  private read(key: string): StoredConversation | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      this.buckets.delete(key);
      return null;
    }
    return entry.stored;
  }

  private queueFor(key: string): Queue {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { holder: null, leaseTimer: null, waiting: [] };
      this.queues.set(key, queue);
    }
    return queue;
  }

  private admit(key: string, queue: Queue, token: string): void {
    queue.holder = token;
    // A turn that never finishes must not hold the conversation for ever.
    queue.leaseTimer = setTimeout(() => this.handOver(key, token), this.leaseMs);
    queue.leaseTimer.unref();
  }

  private handOver(key: string, token: string): void {
    const queue = this.queues.get(key);
    if (!queue || queue.holder !== token) return;
    if (queue.leaseTimer) clearTimeout(queue.leaseTimer);
    queue.holder = null;
    queue.leaseTimer = null;
    const next = queue.waiting.shift();
    if (next) {
      this.admit(key, queue, next.token);
      next.admit();
    } else {
      this.queues.delete(key);
    }
  }
}
