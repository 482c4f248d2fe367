/**
 * Short verification codes: a 6-digit code sent to something the person should hold, and asked
 * back. Two purposes, each with its policy:
 *
 * - `passwordReset` (SPEC §2): texted to the mobile on the account; the subject is the NHSmail
 *   address. Valid 10 minutes; a new one no sooner than 2 minutes after the last; at most 5 in
 *   any 24 hours per account; 5 wrong codes lock code entry for that account for 24 hours.
 * - `ownerVerification` (SPEC §3): emailed to the NHSmail address the shared mailbox owner gives;
 *   the subject is that address. Valid 10 minutes, 5 attempts; the same sending limits and
 *   lock-out as resets (the SPEC is silent on those; a 6-digit code needs them just as much).
 *
 * Codes are drawn from a cryptographic random source and stored only as a salted scrypt hash.
 * Only the newest code of a subject is accepted (a code arrives in seconds, so a newer one
 * supersedes it), and once: a right code is used up. Counts and lock-outs are shared by every
 * instance (in Redis). Subjects are trimmed and lower-cased.
 *
 * `MemoryVerificationCodes` and `RedisVerificationCodes` pass one contract suite
 * (test/adapters/verificationCodes.contract.test.ts).
 */
import { RESET_CODE_POLICY } from '../machines/passwordHelp/rules';

export type VerificationPurpose = 'passwordReset' | 'ownerVerification';
export const VERIFICATION_PURPOSES: readonly VerificationPurpose[] = ['passwordReset', 'ownerVerification'];

export interface VerificationPolicy {
  /** Digits in a code. */
  length: number;
  /** How long a code may be used after it is sent. */
  validForMs: number;
  /** A new code no sooner than this after the last. */
  minIntervalMs: number;
  /** At most this many codes per subject in any 24 hours. */
  maxPerDay: number;
  /** Wrong codes (within `lockForMs` of each other) that lock code entry… */
  maxFailures: number;
  /** …for this long from the last of them. */
  lockForMs: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const VERIFICATION_POLICIES: Readonly<Record<VerificationPurpose, VerificationPolicy>> = {
  // The password help's rule (SPEC §2), kept with its machine.
  passwordReset: RESET_CODE_POLICY,
  ownerVerification: { length: 6, validForMs: 10 * MINUTE, minIntervalMs: 2 * MINUTE, maxPerDay: 5, maxFailures: 5, lockForMs: DAY },
};

/** The window `maxPerDay` counts in. */
export const CODE_LIMIT_WINDOW_MS = DAY;

export type CodeIssueResult =
  /** `code` is returned once, to be sent (outbox); it is never stored. */
  | { ok: true; code: string; issuedAt: number; expiresAt: number }
  /** Not sent: too soon after the last, the day's allowance used, or code entry locked. */
  | { ok: false; reason: 'tooSoon' | 'dailyLimit' | 'locked'; nextAllowedAt: number };

export type CodeVerifyResult =
  /** Right: the code is used up and earlier wrong attempts are forgotten. */
  | { ok: true }
  /** Counted. With `attemptsLeft` 0 code entry is now locked, until `lockedUntil`. */
  | { ok: false; reason: 'wrong'; attemptsLeft: number; lockedUntil?: number }
  /** The newest code has expired (not counted): send another. */
  | { ok: false; reason: 'expired'; expiredAt: number }
  /** No code to check: none sent, or it was used or locked away (not counted). */
  | { ok: false; reason: 'noCode' }
  /** Too many wrong codes: nothing is checked until then (not counted, not extended). */
  | { ok: false; reason: 'locked'; lockedUntil: number };

export interface VerificationCodes {
  /** Issues a new code for the subject if the policy allows; it replaces any earlier code. */
  issue(purpose: VerificationPurpose, subject: string): Promise<CodeIssueResult>;
  /** Checks a code (spaces and dashes ignored) against the subject's newest code. */
  verify(purpose: VerificationPurpose, subject: string, code: string): Promise<CodeVerifyResult>;
}
