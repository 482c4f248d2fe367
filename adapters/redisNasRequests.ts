import type { RedisClient } from './redis';
import { callRedis, runScript, unavailable } from './redisCalls';
import { NasRequestsOptions, newNasReference, SubmitRegistrationInput } from './memoryNasRequests';
import { normaliseOdsCode } from './memoryOneTimePasscodes';
import { NasRequest, NasRequestStatus, NasRequests } from './nasRequests';
import { DEFAULT_KEY_PREFIX } from './redisConversationStore';

/**
 * NAS requests in Redis (durable: nothing here expires). Same rules as `MemoryNasRequests`.
 *
 *   `${prefix}nas:request:{REF}`                hash { reference, type, status, odsCode,
 *                                               conversationKey, document (JSON: details and
 *                                               conversationReference), createdAt, updatedAt }
 *   `${prefix}nas:requests`                     stream: `reference REF type registration` per new
 *                                               request; consumer group `nas-workers` (created
 *                                               from the start, `0`, with MKSTREAM, if missing)
 *   `${prefix}nas:by-conversation:{KEY}`        → REF, the conversation's registration
 *   `${prefix}nas:pending-ods:{ODS}`            → REF while that request is pending
 *
 * `submitRegistration` is one script (by conversation, then pending for the ODS code, else create
 * the hash, both indexes and the stream entry), so concurrent submissions from any number of
 * instances create exactly one request. The scripts touch keys in several Cluster slots (and
 * build request keys from the prefix): they need a single Redis, not Redis Cluster.
 */

export interface RedisNasRequestsOptions extends NasRequestsOptions {
  /** Prefix of every key. Default `nhsca:`. */
  keyPrefix?: string;
}

export const NAS_CONSUMER_GROUP = 'nas-workers';

const LUA_HELPERS = `
local function load(prefix, ref)
  local h = redis.call('HGETALL', prefix .. '{' .. ref .. '}')
  if #h == 0 then return false end
  return h
end
local function pending(h)
  for i = 1, #h, 2 do
    if h[i] == 'status' then return h[i + 1] == 'submitted' or h[i + 1] == 'in-progress' end
  end
  return false
end
`;

/**
 * KEYS: by-conversation, pending-ods, stream, new request. ARGV: request key prefix, new
 * reference, document JSON, ODS code, conversation key, now, consumer group.
 * Returns {0, hash} for an existing request, {1, hash} for the new one, {-1} when the new
 * reference is taken (the caller draws another).
 */
const LUA_SUBMIT = `${LUA_HELPERS}
local ref = redis.call('GET', KEYS[1])
if ref then
  local h = load(ARGV[1], ref)
  if h then return {0, h} end
end
ref = redis.call('GET', KEYS[2])
if ref then
  local h = load(ARGV[1], ref)
  if h and pending(h) then return {0, h} end
end
if redis.call('EXISTS', KEYS[4]) == 1 then return {-1} end
-- Before any write: an error here must not leave half a request behind.
local made = redis.pcall('XGROUP', 'CREATE', KEYS[3], ARGV[7], '0', 'MKSTREAM')
if type(made) == 'table' and made.err and not string.find(made.err, 'BUSYGROUP', 1, true) then
  return made
end
redis.call('HSET', KEYS[4], 'reference', ARGV[2], 'type', 'registration', 'status', 'submitted',
  'odsCode', ARGV[4], 'conversationKey', ARGV[5], 'document', ARGV[3], 'createdAt', ARGV[6], 'updatedAt', ARGV[6])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('XADD', KEYS[3], '*', 'reference', ARGV[2], 'type', 'registration')
return {1, redis.call('HGETALL', KEYS[4])}
`;

/** KEYS: pending-ods. ARGV: request key prefix. Returns the pending request's hash or nil. */
const LUA_PENDING = `${LUA_HELPERS}
local ref = redis.call('GET', KEYS[1])
if not ref then return false end
local h = load(ARGV[1], ref)
if h and pending(h) then return h end
return false
`;

/**
 * KEYS: request. ARGV: pending-ods key prefix, reference, status, now.
 * Returns the updated hash, or nil when there is no such request.
 */
const LUA_UPDATE_STATUS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'updatedAt', ARGV[4])
if ARGV[3] ~= 'submitted' and ARGV[3] ~= 'in-progress' then
  local ods = redis.call('HGET', KEYS[1], 'odsCode')
  if ods then
    local pendingKey = ARGV[1] .. '{' .. ods .. '}'
    if redis.call('GET', pendingKey) == ARGV[2] then redis.call('DEL', pendingKey) end
  end
end
return redis.call('HGETALL', KEYS[1])
`;

const SCRIPTS = {
  nhscaNasSubmitV1: { lua: LUA_SUBMIT, numberOfKeys: 4 },
  nhscaNasPendingV1: { lua: LUA_PENDING, numberOfKeys: 1 },
  nhscaNasUpdateStatusV1: { lua: LUA_UPDATE_STATUS, numberOfKeys: 1 },
} as const;

type ScriptName = keyof typeof SCRIPTS;

export class RedisNasRequests implements NasRequests {
  private readonly now: () => number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisNasRequestsOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    for (const [name, definition] of Object.entries(SCRIPTS)) redis.defineCommand(name, definition);
  }

  /** The stream NAS workers read with the consumer group `NAS_CONSUMER_GROUP`. */
  get streamKey(): string {
    return `${this.keyPrefix}nas:requests`;
  }

  requestKey(reference: string): string {
    return `${this.requestKeyPrefix}{${reference}}`;
  }

  conversationKeyFor(conversationKey: string): string {
    return `${this.keyPrefix}nas:by-conversation:{${conversationKey}}`;
  }

  pendingKeyFor(odsCode: string): string {
    return `${this.pendingKeyPrefix}{${normaliseOdsCode(odsCode)}}`;
  }

  async submitRegistration(input: SubmitRegistrationInput): Promise<{ request: NasRequest; created: boolean }> {
    const ods = normaliseOdsCode(input.details.organisation.odsCode);
    const document = JSON.stringify({ details: input.details, conversationReference: input.conversationReference });
    for (;;) {
      const reference = newNasReference();
      const reply = (await this.script(
        'nhscaNasSubmitV1',
        this.conversationKeyFor(input.conversationKey),
        this.pendingKeyFor(ods),
        this.streamKey,
        this.requestKey(reference),
        this.requestKeyPrefix,
        reference,
        document,
        ods,
        input.conversationKey,
        this.now(),
        NAS_CONSUMER_GROUP,
      )) as [number, string[]?];
      if (Number(reply[0]) === -1) continue; // the reference is taken (1 in 10^12): draw another
      return { request: fromHash(reply[1] ?? []), created: Number(reply[0]) === 1 };
    }
  }

  async get(reference: string): Promise<NasRequest | undefined> {
    const hash = await this.call('get', () => this.redis.hgetall(this.requestKey(reference)));
    return hash.reference ? fromRecord(hash) : undefined;
  }

  async pendingForOdsCode(odsCode: string): Promise<NasRequest | undefined> {
    const reply = (await this.script('nhscaNasPendingV1', this.pendingKeyFor(odsCode), this.requestKeyPrefix)) as
      | string[]
      | null;
    return reply ? fromHash(reply) : undefined;
  }

  /**
   * Not part of `NasRequests` (NAS workers own the status): sets the status and `updatedAt`; a
   * request that is no longer pending stops blocking new registrations for its ODS code.
   */
  async updateStatus(reference: string, status: NasRequestStatus): Promise<NasRequest | undefined> {
    const reply = (await this.script(
      'nhscaNasUpdateStatusV1',
      this.requestKey(reference),
      this.pendingKeyPrefix,
      reference,
      status,
      this.now(),
    )) as string[] | null;
    return reply ? fromHash(reply) : undefined;
  }

  /** Creates the consumer group (reading from the start) if it is missing. Idempotent. */
  async ensureConsumerGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.streamKey, NAS_CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (err instanceof Error && err.message.includes('BUSYGROUP')) return;
      throw unavailable('ensureConsumerGroup', err);
    }
  }

  private get requestKeyPrefix(): string {
    return `${this.keyPrefix}nas:request:`;
  }

  private get pendingKeyPrefix(): string {
    return `${this.keyPrefix}nas:pending-ods:`;
  }

  private script(name: ScriptName, ...args: (string | number)[]): Promise<unknown> {
    return runScript(this.redis, `nas ${name}`, name, args);
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return callRedis(`nas ${operation}`, run);
  }
}


function fromHash(flat: string[]): NasRequest {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i]] = flat[i + 1];
  return fromRecord(record);
}

function fromRecord(record: Record<string, string>): NasRequest {
  const document = JSON.parse(record.document) as Pick<NasRequest, 'details' | 'conversationReference'>;
  return {
    reference: record.reference,
    type: 'registration',
    status: record.status as NasRequestStatus,
    details: document.details,
    conversationReference: document.conversationReference,
    conversationKey: record.conversationKey,
    createdAt: Number(record.createdAt),
    updatedAt: Number(record.updatedAt),
  };
}
