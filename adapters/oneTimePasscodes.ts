/**
 * One-time passcodes for registration (SPEC §1.3): 8 characters from
 * ABCDEFGHJKLMNPQRSTUVWXYZ23456789, issued from a cryptographic random source, stored only as a
 * hash with the issue time; valid for what the caller asks (21 days for care providers, 14 for
 * dental practices).
 *
 * - Sending: a new passcode no sooner than 15 minutes after the last; a letter no sooner than a
 *   day after the last letter; at most 3 in any 24 hours per organisation. A refusal says when
 *   the next may be sent.
 * - Checking: any of the last 3 passcodes that has not expired is accepted, so a letter still in
 *   the post is not wasted when an email follows it. At most 5 failed verifications per
 *   organisation in any 24 hours, counted across all conversations and instances; then locked.
 *
 * `MemoryOneTimePasscodes` and `RedisOneTimePasscodes` pass one contract suite
 * (test/adapters/oneTimePasscodes.contract.test.ts).
 */

export const OTP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const OTP_LENGTH = 8;
export const MAX_FAILED_VERIFICATIONS = 5;
export const FAILURE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A new passcode no sooner than this after the last one, whichever way either went. */
export const MIN_PASSCODE_INTERVAL_MS = 15 * 60 * 1000;
/** A letter no sooner than this after the last letter. */
export const MIN_LETTER_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** At most this many passcodes per organisation in any `PASSCODE_LIMIT_WINDOW_MS`. */
export const MAX_PASSCODES_PER_DAY = 3;
export const PASSCODE_LIMIT_WINDOW_MS = 24 * 60 * 60 * 1000;
/** How many of the latest passcodes are kept, and accepted while unexpired. */
export const PASSCODES_KEPT = 3;

/** How a passcode reaches the organisation: an email to the registered manager, or a letter. */
export type PasscodeChannel = 'email' | 'post';

export type IssueResult =
  /** `code` is returned once, to be written in the outbox; it is never stored. */
  | { ok: true; code: string; issuedAt: number; expiresAt: number }
  /** Not sent: too soon after the last one (or the last letter), or the day's 3 are used. */
  | { ok: false; reason: 'tooSoon' | 'dailyLimit'; nextAllowedAt: number };

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'wrong' | 'none-issued'; failuresLeft: number }
  | { ok: false; reason: 'expired'; expiredAt: number }
  | { ok: false; reason: 'locked'; lockedUntil: number };

export interface CurrentPasscode {
  /** The newest passcode: when it was sent and when it expires. */
  issuedAt: number;
  expiresAt: number;
  /** How it went; absent for a passcode stored by the first version, which did not record it. */
  channel?: PasscodeChannel;
  /** When another passcode may be sent the same way as this one (now or earlier: at once). */
  nextAllowedAt: number;
  /** When another may be sent each way (a letter waits longer after a letter). */
  nextAllowedAtBy: Record<PasscodeChannel, number>;
}

export interface OneTimePasscodes {
  /**
   * Issues a new passcode for the organisation if the sending limits allow, keeping the earlier
   * ones (the last `PASSCODES_KEPT` are accepted until each expires).
   */
  issue(odsCode: string, options: { validForMs: number; channel: PasscodeChannel }): Promise<IssueResult>;
  /**
   * Checks a normalised passcode (upper case, no spaces or dashes) against the kept passcodes.
   * `ok` for any unexpired one; `expired` (not counted) for an expired one, or when every kept
   * passcode has expired; `wrong` / `none-issued` count a failure; `locked` while 5 failures are in
   * the last 24 hours (even for the right code).
   */
  verify(odsCode: string, code: string): Promise<VerifyResult>;
  /** Records a failed verification of another kind (e.g. a wrong CQC contact ID). */
  recordFailure(odsCode: string): Promise<{ locked: boolean; lockedUntil?: number; failuresLeft: number }>;
  /** Whether verification is locked for the organisation now, and until when. */
  lockedUntil(odsCode: string): Promise<number | undefined>;
  /** The newest passcode and when another may be sent; undefined when none is kept. */
  current(odsCode: string): Promise<CurrentPasscode | undefined>;
}
