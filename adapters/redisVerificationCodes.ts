import { randomUUID } from 'node:crypto';
import { DEFAULT_HASH_COST, hashPasscode } from './memoryOneTimePasscodes';
import { codeMatches, MAX_CODE_ROUNDS, subjectKey, VerificationCodesOptions } from './memoryVerificationCodes';
import { callRedis, RedisClient, runScript } from './redisCalls';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';
import { afterCheck, CodeState, emptyState, forgetAt, issueRefusal, newCode, pruned, withIssued } from './verificationCodeRules';
import { CodeIssueResult, CodeVerifyResult, VERIFICATION_POLICIES, VerificationCodes, VerificationPolicy, VerificationPurpose } from './verificationCodes';

/**
 * Verification codes in Redis, shared by every bot process. Same rules as
 * `MemoryVerificationCodes` (`verificationCodeRules.ts`). One key per purpose and subject S:
 *
 *   `${prefix}vcode:{S}`   hash { state: JSON (the code's scrypt hash and times, the send times of
 *                          the last 24 hours, the wrong attempts, the lock), version }; expires
 *                          when nothing in it counts any more. S is `purpose:subject`,
 *                          URI-encoded, so it is also the key's hash tag.
 *
 * `issue` and `verify` read the state, hash here (off the event loop), decide, then write with a
 * script that replaces the state only if its version is still the one read, and go round again
 * otherwise — so limits and lock-outs hold across any number of instances, on one node, Sentinel
 * or Cluster (one key, one slot). Times come from the injected clock (synchronised by NTP).
 */

export interface RedisVerificationCodesOptions extends VerificationCodesOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
}

/** KEYS: state. ARGV: version read ('' = none), new version, state JSON, ttlMs (0 = delete). Returns 1 or 0. */
const LUA_WRITE = `
if (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[1] then return 0 end
if tonumber(ARGV[4]) <= 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'state', ARGV[3], 'version', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
`;

const SCRIPTS = { nhscaCodeWriteV1: { lua: LUA_WRITE, numberOfKeys: 1 } } as const;

export class RedisVerificationCodes implements VerificationCodes {
  private readonly now: () => number;
  private readonly hashCost: number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisVerificationCodesOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.hashCost = options.hashCost ?? DEFAULT_HASH_COST;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
  }

  keyFor(purpose: VerificationPurpose, subject: string): string {
    return `${this.keyPrefix}vcode:{${encodeURIComponent(subjectKey(purpose, subject))}}`;
  }

  async issue(purpose: VerificationPurpose, subject: string): Promise<CodeIssueResult> {
    const policy = VERIFICATION_POLICIES[purpose];
    const key = this.keyFor(purpose, subject);
    let code: string | undefined;
    let hash: Awaited<ReturnType<typeof hashPasscode>> | undefined;
    for (let round = 1; round <= MAX_CODE_ROUNDS; round++) {
      const { state, version } = await this.read(key);
      const refusal = issueRefusal(state, this.now(), policy);
      if (refusal) return refusal;
      if (!code || !hash) {
        code = newCode(policy.length);
        hash = await hashPasscode(code, this.hashCost);
      }
      const now = this.now();
      if (await this.write(key, version, withIssued(state, hash, now, policy), now, policy)) {
        return { ok: true, code, issuedAt: now, expiresAt: now + policy.validForMs };
      }
    }
    throw new Error(`verification codes for ${purpose} kept changing while one was being issued`);
  }

  async verify(purpose: VerificationPurpose, subject: string, code: string): Promise<CodeVerifyResult> {
    const policy = VERIFICATION_POLICIES[purpose];
    const key = this.keyFor(purpose, subject);
    const checkedSalts = new Map<string, boolean>();
    for (let round = 1; round <= MAX_CODE_ROUNDS; round++) {
      const { state, version } = await this.read(key);
      const start = this.now();
      const live = pruned(state, start, policy);
      const salt = live.code?.hash.salt;
      let matches = salt !== undefined ? checkedSalts.get(salt) : false;
      if (matches === undefined) {
        matches = await codeMatches(live, code, start);
        checkedSalts.set(salt!, matches);
      }
      const now = this.now();
      const checked = afterCheck(state, matches, now, policy);
      if (!checked.changed || (await this.write(key, version, checked.state, now, policy))) return checked.result;
    }
    throw new Error(`verification codes for ${purpose} kept changing while one was being checked`);
  }

  private async read(key: string): Promise<{ state: CodeState; version: string }> {
    const fields = await callRedis('codes read', () => this.redis.hgetall(key));
    if (!fields.state) return { state: emptyState(), version: fields.version ?? '' };
    let state: CodeState;
    try {
      state = JSON.parse(fields.state) as CodeState;
    } catch {
      throw new Error(`stored verification code state ${key} cannot be read: it is not JSON`);
    }
    if (!Array.isArray(state?.issues) || !Array.isArray(state.failures)) {
      throw new Error(`stored verification code state ${key} cannot be read: issues and failures must be lists`);
    }
    return { state, version: fields.version ?? '' };
  }

  /** Writes the state if its version is still `version`; false when it changed (go round again). */
  private async write(key: string, version: string, state: CodeState, now: number, policy: VerificationPolicy): Promise<boolean> {
    const kept = pruned(state, now, policy);
    const at = forgetAt(kept, policy);
    const ttl = at === undefined ? 0 : Math.max(1, at - now);
    const written = await runScript(this.redis, 'codes write', 'nhscaCodeWriteV1', [key, version, randomUUID(), JSON.stringify(kept), ttl]);
    return Number(written) === 1;
  }
}
