/**
 * The rules every flow that sends a one-time code follows when it hears back (SPEC §1.3, §2, §3):
 * a code sent, or refused because one went too recently, the day's limit is reached or entry is
 * locked; a code checked as right, wrong (with attempts left, or none: then locked), expired, or
 * never sent. The owners' verification and the password help decide from these same guards.
 */

import { outputOf } from './flow';

/** A code sent, or why not. Each flow's own result may say more (the mobile's last digits). */
export type CodeSendResult =
  | { sent: true; expiresAt: number }
  | { sent: false; reason: 'tooSoon' | 'dailyLimit' | 'locked'; nextAllowedAt: number };

/** A code checked. */
export type CodeCheckResult =
  | { result: 'right' }
  | { result: 'wrong'; attemptsLeft: number; lockedUntil?: number }
  | { result: 'expired' }
  | { result: 'noCode' }
  | { result: 'locked'; lockedUntil: number };

const refusedFor = (event: unknown, reason: 'tooSoon' | 'dailyLimit') => {
  const sent = outputOf<CodeSendResult>(event);
  return !sent.sent && sent.reason === reason;
};

/** The guards of code entry, for a machine's `setup({ guards })`. */
export const CODE_ENTRY_GUARDS = {
  codeWasSent: ({ event }: { event: unknown }) => outputOf<CodeSendResult>(event).sent,
  sendingTooSoon: ({ event }: { event: unknown }) => refusedFor(event, 'tooSoon'),
  dailyLimitReached: ({ event }: { event: unknown }) => refusedFor(event, 'dailyLimit'),
  codeIsRight: ({ event }: { event: unknown }) => outputOf<CodeCheckResult>(event).result === 'right',
  codeIsWrongWithAttemptsLeft: ({ event }: { event: unknown }) => {
    const check = outputOf<CodeCheckResult>(event);
    return check.result === 'wrong' && check.attemptsLeft > 0;
  },
  /** Locked, or wrong with no attempt left (the store locks it with that answer). */
  codeEntryIsLocked: ({ event }: { event: unknown }) => {
    const check = outputOf<CodeCheckResult>(event);
    return check.result === 'locked' || (check.result === 'wrong' && check.attemptsLeft === 0);
  },
  codeHasExpired: ({ event }: { event: unknown }) => outputOf<CodeCheckResult>(event).result === 'expired',
} as const;

/** Until when a check locked code entry, if it did. */
export function lockedUntilOf(event: unknown): number | undefined {
  const check = outputOf<CodeCheckResult>(event);
  return check.result === 'locked' || check.result === 'wrong' ? check.lockedUntil : undefined;
}
