/**
 * One-time passcodes (SPEC §1.3): 8 characters from ABCDEFGHJKLMNPQRSTUVWXYZ23456789, issued from a
 * cryptographic random source, stored only as a hash with the issue time; valid 21 days for care
 * providers and 14 for dental practices; at most 5 failed verifications per organisation in any
 * 24 hours, counted across all conversations and instances.
 */

export const OTP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const OTP_LENGTH = 8;
export const MAX_FAILED_VERIFICATIONS = 5;
export const FAILURE_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface IssuedPasscode {
  /** The passcode itself: returned once, to be written in the outbox; never stored. */
  code: string;
  issuedAt: number;
  expiresAt: number;
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'wrong' | 'none-issued'; failuresLeft: number }
  | { ok: false; reason: 'expired'; expiredAt: number }
  | { ok: false; reason: 'locked'; lockedUntil: number };

export interface OneTimePasscodes {
  /** Issues a new passcode for the organisation, replacing any earlier one. */
  issue(odsCode: string, validForMs: number): Promise<IssuedPasscode>;
  /** Checks a normalised passcode (upper case, no spaces or dashes). */
  verify(odsCode: string, code: string): Promise<VerifyResult>;
  /** Records a failed verification of another kind (e.g. a wrong CQC contact ID). */
  recordFailure(odsCode: string): Promise<{ locked: boolean; lockedUntil?: number; failuresLeft: number }>;
  /** Whether verification is locked for the organisation now, and until when. */
  lockedUntil(odsCode: string): Promise<number | undefined>;
  /** When the current passcode was issued and expires, if there is one. */
  current(odsCode: string): Promise<{ issuedAt: number; expiresAt: number } | undefined>;
}
