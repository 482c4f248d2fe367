import type { PasscodeHash } from './memoryOneTimePasscodes';
import {
  CurrentPasscode,
  MAX_PASSCODES_PER_DAY,
  MIN_LETTER_INTERVAL_MS,
  MIN_PASSCODE_INTERVAL_MS,
  PASSCODE_LIMIT_WINDOW_MS,
  PASSCODES_KEPT,
  PasscodeChannel,
} from './oneTimePasscodes';

/**
 * The passcode rules both stores apply to the same records (pure: the stores read, decide here,
 * then write atomically, retrying when the records changed in between).
 */

/** One issued passcode, as stored (never the code itself). */
export interface PasscodeRecord {
  hash: PasscodeHash;
  issuedAt: number;
  expiresAt: number;
  /** Forgotten after this (the expiry plus `keepExpiredMs`), so an expired one can be named. */
  keepUntil: number;
  /** Absent for a record written by the first version. */
  channel?: PasscodeChannel;
}

/** The records still kept at `now`, oldest first. */
export function kept(records: readonly PasscodeRecord[], now: number): PasscodeRecord[] {
  return records.filter((r) => now < r.keepUntil).sort((x, y) => x.issuedAt - y.issuedAt);
}

export type SendingDecision = { ok: true } | { ok: false; reason: 'tooSoon' | 'dailyLimit'; nextAllowedAt: number };

/**
 * Whether a passcode may be sent `channel` at `now`: 15 minutes after the last passcode, a day
 * after the last letter (for a letter), and no more than 3 in any 24 hours.
 */
export function sendingDecision(records: readonly PasscodeRecord[], channel: PasscodeChannel, now: number): SendingDecision {
  const live = kept(records, now);
  const last = live.at(-1);
  const spacing = last ? last.issuedAt + MIN_PASSCODE_INTERVAL_MS : -Infinity;
  const lastLetter = channel === 'post' ? live.filter((r) => r.channel === 'post').at(-1) : undefined;
  const letter = lastLetter ? lastLetter.issuedAt + MIN_LETTER_INTERVAL_MS : -Infinity;
  const inWindow = live.filter((r) => r.issuedAt > now - PASSCODE_LIMIT_WINDOW_MS);
  const daily =
    inWindow.length >= MAX_PASSCODES_PER_DAY ? inWindow[inWindow.length - MAX_PASSCODES_PER_DAY]!.issuedAt + PASSCODE_LIMIT_WINDOW_MS : -Infinity;
  const nextAllowedAt = Math.max(spacing, letter, daily);
  if (now >= nextAllowedAt) return { ok: true };
  return { ok: false, reason: daily > now ? 'dailyLimit' : 'tooSoon', nextAllowedAt };
}

/** The records after issuing `record`: the last `PASSCODES_KEPT` still kept. */
export function afterIssue(records: readonly PasscodeRecord[], record: PasscodeRecord, now: number): PasscodeRecord[] {
  return [...kept(records, now), record].slice(-PASSCODES_KEPT);
}

/** The newest passcode, and when another may go each way. */
export function currentPasscode(records: readonly PasscodeRecord[], now: number): CurrentPasscode | undefined {
  const live = kept(records, now);
  const newest = live.at(-1);
  if (!newest) return undefined;
  const when = (channel: PasscodeChannel) => {
    const decision = sendingDecision(live, channel, now);
    return decision.ok ? now : decision.nextAllowedAt;
  };
  const nextAllowedAtBy = { email: when('email'), post: when('post') };
  return {
    issuedAt: newest.issuedAt,
    expiresAt: newest.expiresAt,
    ...(newest.channel ? { channel: newest.channel } : {}),
    nextAllowedAt: nextAllowedAtBy[newest.channel ?? 'email'],
    nextAllowedAtBy,
  };
}

/** What a code checked against the kept records comes to, before the lock-out is applied. */
export type PasscodeVerdict =
  | { outcome: 'ok' }
  | { outcome: 'expired'; expiredAt: number }
  /** Counted as a failure. */
  | { outcome: 'wrong' | 'none-issued' };

/**
 * `matchedSalt` names the record the code matched (by its salt, unique per passcode), if any. An expired match, or
 * any code when every kept passcode has expired, is `expired` and not counted: there is nothing
 * left to guess.
 */
export function verdict(records: readonly PasscodeRecord[], matchedSalt: string | undefined, now: number): PasscodeVerdict {
  const live = kept(records, now);
  if (live.length === 0) return { outcome: 'none-issued' };
  const match = matchedSalt === undefined ? undefined : live.find((r) => r.hash.salt === matchedSalt);
  if (match) return now < match.expiresAt ? { outcome: 'ok' } : { outcome: 'expired', expiredAt: match.expiresAt };
  if (live.some((r) => now < r.expiresAt)) return { outcome: 'wrong' };
  return { outcome: 'expired', expiredAt: Math.max(...live.map((r) => r.expiresAt)) };
}
