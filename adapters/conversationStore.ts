/**
 * Where each conversation's state lives between turns.
 *
 * A turn is bracketed by `begin` and `commit` (or `release`). `begin` waits until every earlier
 * turn of the same conversation has finished (turns run one after the other, in the order they
 * called `begin`), then hands back what is stored. `commit` writes the new state only if nothing
 * else wrote since `begin` (compare-and-set on the etag), refreshes the sliding TTL and lets the
 * next turn in. A turn whose process dies keeps the conversation for at most `leaseMs`.
 */

/** What is stored for one conversation. The engine owns its shape; the store treats it as text. */
export interface StoredConversation {
  /** Serialised conversation state (JSON written by the engine). */
  readonly data: string;
  /** Changes on every successful commit: the committing turn's token. */
  readonly etag: string;
}

export interface TurnLease {
  readonly key: string;
  /** Stored state at the start of this turn, or null for a new (or expired) conversation. */
  readonly stored: StoredConversation | null;
  /** Opaque token naming this turn's place in the conversation's queue. */
  readonly token: string;
}

export type CommitOutcome = 'saved' | 'notSaved' | 'unknown';

export interface ConversationStoreOptions {
  /** Sliding time to live of a conversation, refreshed on every commit. */
  ttlMs: number;
  /** How long a turn may hold a conversation before others may proceed without it. */
  leaseMs?: number;
  /** How long `begin` waits for earlier turns before giving up with `ConversationBusyError`. */
  waitMs?: number;
  /** How long `commitOutcome` keeps trying to reach the store before answering 'unknown'. */
  outcomeCheckMs?: number;
  /** At most this many turns wait behind the one in progress; more get `QueueFullError`. */
  queueMax?: number;
  /**
   * Turns a conversation may take: `perMinute` on average, `burst` at once (a token bucket).
   * Over it, `begin` gives the conversation up and throws `RateLimitedError`. 0 turns it off.
   */
  rate?: { perMinute: number; burst: number };
}

export interface BeginOptions {
  /**
   * false: the conversation's rate limit is neither checked nor spent (a notification, a mark on
   * the stored state: not a message of the user's). Default true.
   */
  limited?: boolean;
}

export interface ConversationStore {
  begin(key: string, options?: BeginOptions): Promise<TurnLease>;
  /**
   * Saves `data` and ends the turn; returns the new etag. Throws `ConflictError` when the state
   * changed underneath.
   */
  commit(lease: TurnLease, data: string): Promise<string>;
  /**
   * After `commit` failed with `StoreUnavailableError` — it may have timed out on this side while
   * still running in the store — finds out whether it was written: 'saved' or 'notSaved', and
   * once it says 'notSaved' the commit can no longer land (the turn has left the conversation).
   * 'unknown' only when the store stayed out of reach for as long as the store allows. Stores
   * whose commits never fail halfway may leave it out.
   */
  commitOutcome?(lease: TurnLease): Promise<CommitOutcome>;
  /**
   * Deletes the conversation's stored state ("delete my data") and ends the turn. Throws
   * `ConflictError` when the turn no longer holds the conversation.
   */
  erase?(lease: TurnLease): Promise<void>;
  /** Ends the turn without writing. Never throws for a lease that is already gone. */
  release(lease: TurnLease): Promise<void>;
  /** Resolves when the store can be used; rejects with `StoreUnavailableError` otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The backing service (Redis) could not be reached or did not answer in time. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** Another writer changed the conversation since this turn began (its lease had expired). */
export class ConflictError extends Error {
  constructor(message = 'conversation changed since the turn began') {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Earlier turns of the same conversation did not finish within `waitMs`. */
export class ConversationBusyError extends Error {
  constructor(message = 'conversation is busy with an earlier message') {
    super(message);
    this.name = 'ConversationBusyError';
  }
}

/** Too many turns of this conversation are already waiting (someone is flooding it). */
export class QueueFullError extends ConversationBusyError {
  constructor() {
    super('too many messages of this conversation are waiting');
    this.name = 'QueueFullError';
  }
}

/** The conversation (or the user) sent more than the rate allows; try again after `retryAfterMs`. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterMs: number,
    readonly scope: 'conversation' | 'user' = 'conversation',
  ) {
    super(`over the ${scope} rate limit; retry after ${retryAfterMs} ms`);
    this.name = 'RateLimitedError';
  }
}

export const DEFAULT_LEASE_MS = 10_000;
export const DEFAULT_QUEUE_MAX = 10;
export const DEFAULT_RATE = { perMinute: 30, burst: 10 } as const;
export const DEFAULT_WAIT_MS = 12_000;
export const DEFAULT_OUTCOME_CHECK_MS = 5_000;
