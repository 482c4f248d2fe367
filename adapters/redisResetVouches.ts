import { callRedis, RedisClient, runScript } from './redisCalls';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';
import {
  AnswerVouchResult,
  CreateVouchResult,
  hashVouchCode,
  newVouchCode,
  newVouchId,
  NewVouch,
  normaliseAddress,
  ResetVouch,
  ResetVouches,
  ResetVouchesOptions,
  VOUCH_KEPT_AFTER_MS,
  VOUCH_VALID_MS,
  VouchAnswer,
  VouchOwner,
} from './resetVouches';

/**
 * Vouching requests in Redis, shared by every bot process. Keys (each its own hash tag, and every
 * script touches one key, so this works on one node, Sentinel or Cluster):
 *
 *   `${prefix}vouch:{ID}`             hash { data: the request as JSON, answer: JSON once answered,
 *                                     outcome: JSON once the reset request is raised, expiresAt };
 *                                     kept 7 days after it lapses
 *   `${prefix}vouch-code:{HASH}`      `ID owner-address` for each owner's code (SHA-256 of the code)
 *   `${prefix}vouch-open:{ADDRESS}`   the ID of the unanswered request for an address, while it is open
 *
 * `create` claims the address first (a script: take it if free, or if the request holding it is
 * answered, lapsed or gone), then writes the request and the codes. `answer` is one script on the
 * request's hash: the first answer is kept, a later one gets it back.
 */

/** KEYS: open. ARGV: new id, ttlMs, the id read before ('' = none). Returns 'claimed' or the holder's id. */
const LUA_CLAIM = `
local holder = redis.call('GET', KEYS[1])
if (not holder) or holder == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
return holder
`;

/** KEYS: vouch. ARGV: answer JSON, now. Returns {'recorded'|'already'|'expired'|'missing', answer}. */
const LUA_ANSWER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing', ''} end
local answered = redis.call('HGET', KEYS[1], 'answer')
if answered then return {'already', answered} end
if tonumber(ARGV[2]) >= tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) then return {'expired', ''} end
redis.call('HSET', KEYS[1], 'answer', ARGV[1])
return {'recorded', ARGV[1]}
`;

/** KEYS: open. ARGV: id. Lets go of the address if this request still holds it. */
const LUA_RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/** KEYS: vouch. ARGV: outcome JSON. Only on a request that still exists. */
const LUA_OUTCOME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'outcome', ARGV[1])
return 1
`;

const SCRIPTS = {
  nhscaVouchClaimV1: { lua: LUA_CLAIM, numberOfKeys: 1 },
  nhscaVouchAnswerV1: { lua: LUA_ANSWER, numberOfKeys: 1 },
  nhscaVouchReleaseV1: { lua: LUA_RELEASE, numberOfKeys: 1 },
  nhscaVouchOutcomeV1: { lua: LUA_OUTCOME, numberOfKeys: 1 },
} as const;

export interface RedisResetVouchesOptions extends ResetVouchesOptions {
  keyPrefix?: string;
}

export class RedisResetVouches implements ResetVouches {
  private readonly now: () => number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisResetVouchesOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
  }

  private vouchKey = (id: string) => `${this.keyPrefix}vouch:{${id}}`;
  private codeKey = (code: string) => `${this.keyPrefix}vouch-code:{${hashVouchCode(code)}}`;
  private openKey = (address: string) => `${this.keyPrefix}vouch-open:{${encodeURIComponent(address)}}`;

  async create(input: NewVouch): Promise<CreateVouchResult> {
    const address = normaliseAddress(input.address);
    const id = newVouchId();
    let seen = '';
    for (let round = 0; round < 3; round++) {
      const claimed = String(await runScript(this.redis, 'vouch claim', 'nhscaVouchClaimV1', [this.openKey(address), id, VOUCH_VALID_MS, seen]));
      if (claimed === 'claimed') return this.write({ ...structuredClone(input), address, id });
      const holder = await this.get(claimed);
      if (holder && !holder.answer && this.now() < holder.expiresAt) return { created: false, vouch: holder };
      // Answered, lapsed or never written (a process stopped between claim and write): take it over.
      seen = claimed;
    }
    throw new Error('vouching requests for this address kept changing while one was being made');
  }

  private async write(input: NewVouch & { id: string }): Promise<CreateVouchResult> {
    const now = this.now();
    const vouch: ResetVouch = { ...input, createdAt: now, expiresAt: now + VOUCH_VALID_MS };
    const ttl = VOUCH_VALID_MS + VOUCH_KEPT_AFTER_MS;
    const codes: Record<string, string> = {};
    for (const owner of vouch.owners) codes[owner.address] = newVouchCode();
    // Separate commands, not MULTI: the keys are in different slots on a Cluster. A request whose
    // codes did not all land can still be answered by the owners whose codes did.
    await callRedis('vouch write', async () => {
      const key = this.vouchKey(vouch.id);
      await this.redis.hset(key, 'data', JSON.stringify(vouch), 'expiresAt', String(vouch.expiresAt));
      await this.redis.pexpire(key, ttl);
      await Promise.all(Object.entries(codes).map(([owner, code]) => this.redis.set(this.codeKey(code), `${vouch.id} ${owner}`, 'PX', ttl)));
    });
    return { created: true, vouch, codes };
  }

  async get(id: string): Promise<ResetVouch | undefined> {
    if (!/^[A-Z2-9]{16}$/.test(id)) return undefined;
    const fields = await callRedis('vouch read', () => this.redis.hgetall(this.vouchKey(id)));
    return fields.data ? this.parse(id, fields) : undefined;
  }

  async findByCode(code: string): Promise<{ vouch: ResetVouch; owner: VouchOwner } | undefined> {
    const entry = await callRedis('vouch code read', () => this.redis.get(this.codeKey(code)));
    if (!entry) return undefined;
    const [id, address] = entry.split(' ');
    const vouch = id ? await this.get(id) : undefined;
    const owner = vouch?.owners.find((o) => o.address === address);
    return vouch && owner ? { vouch, owner } : undefined;
  }

  async answer(id: string, answer: VouchAnswer): Promise<AnswerVouchResult> {
    const vouch = await this.get(id);
    if (!vouch || !vouch.owners.some((o) => o.address === answer.by)) return { outcome: 'notFound' };
    const reply = (await runScript(this.redis, 'vouch answer', 'nhscaVouchAnswerV1', [this.vouchKey(id), JSON.stringify(answer), this.now()])) as [string, string];
    const [result, stored] = reply;
    if (result === 'missing') return { outcome: 'notFound' };
    if (result === 'expired') return { outcome: 'expired', vouch };
    const kept = { ...vouch, answer: JSON.parse(stored) as VouchAnswer };
    if (result === 'already') return { outcome: 'alreadyAnswered', vouch: kept };
    await runScript(this.redis, 'vouch release', 'nhscaVouchReleaseV1', [this.openKey(vouch.address), id]);
    return { outcome: 'recorded', vouch: kept };
  }

  async setOutcome(id: string, outcome: unknown): Promise<void> {
    await runScript(this.redis, 'vouch outcome', 'nhscaVouchOutcomeV1', [this.vouchKey(id), JSON.stringify(outcome)]);
  }

  private parse(id: string, fields: Record<string, string>): ResetVouch {
    try {
      const vouch = JSON.parse(fields.data!) as ResetVouch;
      if (fields.answer) vouch.answer = JSON.parse(fields.answer) as VouchAnswer;
      if (fields.outcome) vouch.outcome = JSON.parse(fields.outcome) as unknown;
      if (vouch.id !== id || !Array.isArray(vouch.owners) || typeof vouch.expiresAt !== 'number') throw new Error('fields missing');
      return vouch;
    } catch (error) {
      throw new Error(`stored vouching request ${id} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
