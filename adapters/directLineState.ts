/**
 * What the web chat page's Direct Line channel keeps, shared by every bot instance: the
 * conversations (who, which watermark comes next, whether the bot was told the user joined), the
 * activity buffer each page polls, how many tokens each client address has been given, and the
 * key that signs the tokens. Any instance can then answer any request of any page (instances
 * behind a front that is not sticky) and any instance, or a back-office process, can put a message
 * in front of a page.
 *
 * Bounded: at most `maxConversations` conversations (to make room, the one used least recently
 * goes, if it has been left alone for `evictableAfterMs`; otherwise `full`), and per conversation
 * at most `maxActivitiesPerConversation` activities and `maxBytesPerConversation` bytes (the
 * oldest are dropped; watermarks keep counting). A conversation expires `ttlMs` after it was last
 * used, as the bot's own state does (STATE_TTL_DAYS).
 */

export interface DirectLineConversation {
  /** Random, URL-safe (it is in every route). */
  readonly id: string;
  /** The user's id in the conversation (the page's, or one the channel made up). */
  readonly userId: string;
  readonly locale?: string;
  /** Whether the bot has been told the user joined (only once, whichever instance does it). */
  readonly started: boolean;
  /** The watermark the next activity gets: activities ever added. */
  readonly next: number;
  readonly createdAt: number;
  readonly lastSeen: number;
}

/** An activity as the page receives it, with its watermark. */
export interface KeptActivity {
  readonly watermark: number;
  /** Carries `id` (`<conversation id>|<watermark, 7 digits>` unless the activity came with one). */
  readonly activity: Record<string, unknown>;
}

export type OpenResult =
  | { outcome: 'opened'; conversation: DirectLineConversation; created: boolean }
  /** No room: every conversation is in use (used within `evictableAfterMs`). */
  | { outcome: 'full' }
  /** The conversation was ended on purpose ("start a new conversation"): it never comes back. */
  | { outcome: 'ended' };

export type ReadResult =
  | { outcome: 'read'; activities: KeptActivity[]; next: number }
  | { outcome: 'ahead'; next: number }
  | { outcome: 'absent' | 'ended' };

export type TokenAllowance = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface DirectLineStateLimits {
  maxConversations: number;
  maxActivitiesPerConversation: number;
  /** Bytes of activity JSON (UTF-8) kept per conversation. */
  maxBytesPerConversation: number;
  /** A conversation unused this long is gone (sliding). */
  ttlMs: number;
  /** Only conversations unused at least this long may make room for a new one. */
  evictableAfterMs: number;
  /** New conversations a client address may start at once… */
  tokenBurst: number;
  /** …and how many more it earns per hour after that (a token bucket). */
  tokensPerHour: number;
}

export const DEFAULT_STATE_LIMITS: DirectLineStateLimits = {
  maxConversations: 4_000,
  maxActivitiesPerConversation: 100,
  maxBytesPerConversation: 128 * 1024,
  ttlMs: 30 * 24 * 60 * 60 * 1000,
  evictableAfterMs: 2 * 60 * 1000,
  tokenBurst: 20,
  tokensPerHour: 120,
};

export interface DirectLineStateOptions {
  limits?: Partial<DirectLineStateLimits>;
  now?: () => number;
}

export interface DirectLineState {
  readonly limits: DirectLineStateLimits;
  /**
   * The conversation, created when it does not exist (making room if needed); either way it
   * counts as used now. `locale` is kept from the first open that gives one.
   */
  open(input: { id: string; userId: string; locale?: string }): Promise<OpenResult>;
  /** The conversation as it is, without using it. */
  get(id: string): Promise<DirectLineConversation | undefined>;
  /** True for the first caller only: that one tells the bot the user joined. */
  markStarted(id: string): Promise<boolean>;
  /**
   * Adds an activity (bot or user) at the next watermark, dropping the oldest beyond the limits;
   * returns its watermark, or undefined when the conversation does not exist (or has ended).
   * An activity without `id` is given `<conversation id>|<watermark>`; one with an `id` keeps it
   * (an activity updated in place: the page replaces the one with the same id).
   */
  append(id: string, activity: Record<string, unknown>): Promise<number | undefined>;
  /** Activities at or after `watermark`, oldest first, and the next watermark. Counts as used. */
  read(id: string, watermark: number): Promise<ReadResult>;
  /** Ends a conversation for good: its activities go, and `open` answers `ended` until it expires. */
  end(id: string): Promise<void>;
  /** Counts one new conversation for a client (a hashed address); refused beyond the allowance. */
  takeToken(client: string): Promise<TokenAllowance>;
  /** The key that signs this channel's tokens, the same for every instance (made once). */
  signingKey(): Promise<Buffer>;
  /** Conversations held now (ended ones not counted). */
  count(): Promise<number>;
}

/** Activity ids the channel gives: the conversation, then the watermark in 7 digits. */
export function activityId(conversationId: string, watermark: number): string {
  return `${conversationId}|${String(watermark).padStart(7, '0')}`;
}

export function resolveLimits(limits: Partial<DirectLineStateLimits> = {}): DirectLineStateLimits {
  const merged = { ...DEFAULT_STATE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(merged)) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`Direct Line limit ${name} must be a positive number (got ${value})`);
  }
  return merged;
}
