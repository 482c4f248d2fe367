import { randomInt } from 'node:crypto';
import type { PasscodeHash } from './memoryOneTimePasscodes';
import { CODE_LIMIT_WINDOW_MS, CodeIssueResult, CodeVerifyResult, VerificationPolicy } from './verificationCodes';

/**
 * The verification-code rules both stores apply to one subject's state (pure: the stores read
 * the state, hash, decide here, and write the new state back only if nothing changed meanwhile).
 */

/** An expired code is remembered this long after its expiry, so the user can be told it expired. */
export const KEEP_EXPIRED_CODE_MS = 24 * 60 * 60 * 1000;

/** Everything kept for one purpose and subject. */
export interface CodeState {
  code?: { hash: PasscodeHash; issuedAt: number; expiresAt: number };
  /** When codes were sent, within the last 24 hours, oldest first. */
  issues: number[];
  /** Wrong codes within `lockForMs`, oldest first. */
  failures: number[];
  lockedUntil?: number;
}

export const emptyState = (): CodeState => ({ issues: [], failures: [] });

/** `length` digits, each drawn with crypto.randomInt (leading zeros kept). */
export function newCode(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

/** `"123 456"`, `"123-456"` → `"123456"`. */
export const normaliseCode = (code: string): string => String(code).replace(/[\s-]/g, '');

/** `Jane.Smith@NHS.net ` → `jane.smith@nhs.net`. */
export const normaliseSubject = (subject: string): string => subject.trim().toLowerCase();

/** The state without what no longer counts at `now`. */
export function pruned(state: CodeState, now: number, policy: VerificationPolicy): CodeState {
  const next: CodeState = {
    issues: state.issues.filter((t) => t > now - CODE_LIMIT_WINDOW_MS),
    failures: state.failures.filter((t) => t > now - policy.lockForMs),
  };
  if (state.code && now < state.code.expiresAt + KEEP_EXPIRED_CODE_MS) next.code = state.code;
  if (state.lockedUntil !== undefined && now < state.lockedUntil) next.lockedUntil = state.lockedUntil;
  return next;
}

/** Whether a code may be sent now; if not, why and when one may. */
export function issueRefusal(state: CodeState, now: number, policy: VerificationPolicy): Extract<CodeIssueResult, { ok: false }> | undefined {
  const s = pruned(state, now, policy);
  const locked = s.lockedUntil ?? -Infinity;
  const last = s.issues.at(-1);
  const spacing = last === undefined ? -Infinity : last + policy.minIntervalMs;
  const daily = s.issues.length >= policy.maxPerDay ? s.issues[s.issues.length - policy.maxPerDay]! + CODE_LIMIT_WINDOW_MS : -Infinity;
  const nextAllowedAt = Math.max(locked, spacing, daily);
  if (now >= nextAllowedAt) return undefined;
  const reason = locked > now ? 'locked' : daily > now ? 'dailyLimit' : 'tooSoon';
  return { ok: false, reason, nextAllowedAt };
}

/** The state once a code with `hash` is sent at `now` (replacing any earlier code). */
export function withIssued(state: CodeState, hash: PasscodeHash, now: number, policy: VerificationPolicy): CodeState {
  const s = pruned(state, now, policy);
  return { ...s, code: { hash, issuedAt: now, expiresAt: now + policy.validForMs }, issues: [...s.issues, now] };
}

/**
 * What a check comes to, given whether the code matched the stored hash, and the state after it.
 * A right code is used up and clears the failures; the wrong attempt that reaches
 * `maxFailures` locks code entry for `lockForMs` and discards the code.
 */
export function afterCheck(
  state: CodeState,
  matches: boolean,
  now: number,
  policy: VerificationPolicy,
): { result: CodeVerifyResult; state: CodeState; changed: boolean } {
  const s = pruned(state, now, policy);
  if (s.lockedUntil !== undefined) return { result: { ok: false, reason: 'locked', lockedUntil: s.lockedUntil }, state: s, changed: false };
  if (!s.code) return { result: { ok: false, reason: 'noCode' }, state: s, changed: false };
  if (now >= s.code.expiresAt) return { result: { ok: false, reason: 'expired', expiredAt: s.code.expiresAt }, state: s, changed: false };
  if (matches) return { result: { ok: true }, state: { issues: s.issues, failures: [] }, changed: true };
  const failures = [...s.failures, now];
  if (failures.length >= policy.maxFailures) {
    const lockedUntil = now + policy.lockForMs;
    return { result: { ok: false, reason: 'wrong', attemptsLeft: 0, lockedUntil }, state: { issues: s.issues, failures: [], lockedUntil }, changed: true };
  }
  return { result: { ok: false, reason: 'wrong', attemptsLeft: policy.maxFailures - failures.length }, state: { ...s, failures }, changed: true };
}

/** When nothing in the state counts any more (the Redis key's expiry), or undefined if empty now. */
export function forgetAt(state: CodeState, policy: VerificationPolicy): number | undefined {
  const times = [
    state.code ? state.code.expiresAt + KEEP_EXPIRED_CODE_MS : -Infinity,
    (state.issues.at(-1) ?? -Infinity) + CODE_LIMIT_WINDOW_MS,
    (state.failures.at(-1) ?? -Infinity) + policy.lockForMs,
    state.lockedUntil ?? -Infinity,
  ];
  const at = Math.max(...times);
  return Number.isFinite(at) ? at : undefined;
}
