import { DEFAULT_HASH_COST, hashPasscode, passcodeMatches } from './memoryOneTimePasscodes';
import {
  afterCheck,
  CodeState,
  emptyState,
  forgetAt,
  issueRefusal,
  newCode,
  normaliseCode,
  normaliseSubject,
  pruned,
  withIssued,
} from './verificationCodeRules';
import {
  CodeIssueResult,
  CodeVerifyResult,
  VERIFICATION_POLICIES,
  VerificationCodes,
  VerificationPolicy,
  VerificationPurpose,
} from './verificationCodes';

export interface VerificationCodesOptions {
  /** The clock (milliseconds since the epoch). Default `Date.now`. */
  now?: () => number;
  /** scrypt cost N, as for passcodes. Default 16384. Tests may lower it. */
  hashCost?: number;
}

/** How many times a check or an issue starts again when the state changed while it was hashing. */
export const MAX_CODE_ROUNDS = 30;

/** Whether `code` matches the state's code, when there is one worth checking. */
export async function codeMatches(state: CodeState, code: string, now: number): Promise<boolean> {
  if (!state.code || state.lockedUntil !== undefined || now >= state.code.expiresAt) return false;
  return passcodeMatches(normaliseCode(code), state.code.hash);
}

/** The key of a purpose and subject. */
export const subjectKey = (purpose: VerificationPurpose, subject: string) => `${purpose}:${normaliseSubject(subject)}`;

/** Verification codes in this process's memory (single instance; lost on restart). */
export class MemoryVerificationCodes implements VerificationCodes {
  private readonly entries = new Map<string, { state: CodeState; version: number }>();
  private readonly now: () => number;
  private readonly hashCost: number;
  private versions = 0;

  constructor(options: VerificationCodesOptions = {}) {
    this.now = options.now ?? Date.now;
    this.hashCost = options.hashCost ?? DEFAULT_HASH_COST;
  }

  async issue(purpose: VerificationPurpose, subject: string): Promise<CodeIssueResult> {
    const policy = VERIFICATION_POLICIES[purpose];
    const key = subjectKey(purpose, subject);
    const early = issueRefusal(this.stateOf(key), this.now(), policy);
    if (early) return early;
    const code = newCode(policy.length);
    const hash = await hashPasscode(code, this.hashCost);
    // Decided again after hashing: another code may have been sent meanwhile.
    const now = this.now();
    const refusal = issueRefusal(this.stateOf(key), now, policy);
    if (refusal) return refusal;
    this.set(key, withIssued(this.stateOf(key), hash, now, policy));
    this.sweep(key, policy);
    return { ok: true, code, issuedAt: now, expiresAt: now + policy.validForMs };
  }

  async verify(purpose: VerificationPurpose, subject: string, code: string): Promise<CodeVerifyResult> {
    const policy = VERIFICATION_POLICIES[purpose];
    const key = subjectKey(purpose, subject);
    for (let round = 1; ; round++) {
      const before = this.entries.get(key);
      const start = this.now();
      const matches = await codeMatches(pruned(before?.state ?? emptyState(), start, policy), code, start);
      // Nothing awaits from here: the decision and the count are atomic.
      if (this.entries.get(key) !== before && round < MAX_CODE_ROUNDS) continue;
      const checked = afterCheck(this.stateOf(key), matches && this.entries.get(key) === before, this.now(), policy);
      if (checked.changed) {
        this.set(key, checked.state);
        this.sweep(key, policy);
      }
      return checked.result;
    }
  }

  private stateOf(key: string): CodeState {
    return this.entries.get(key)?.state ?? emptyState();
  }

  private set(key: string, state: CodeState): void {
    this.entries.set(key, { state, version: ++this.versions });
  }

  /** Forgets subjects with nothing left that counts (called on every write). */
  private sweep(key: string, policy: VerificationPolicy): void {
    const at = forgetAt(this.stateOf(key), policy);
    if (at === undefined || at <= this.now()) this.entries.delete(key);
  }
}
