/**
 * The Lua scripts of `RedisNasRequests`. Each touches the keys of one hash tag only (one Cluster
 * slot), all passed in KEYS: the request's, an idempotency key's, an exclusive key's, or a
 * queue's. Operations that span owners run several of them in turn (see redisNasRequests.ts).
 */

/**
 * KEYS: exclusive. ARGV: reference, kind, createdAt, channel, windowMs, now.
 * Returns {'claimed'}, {'mine'} (already held by this reference) or
 * {'held', reference, kind, createdAt, channel, pending, windowMs}.
 */
const LUA_CLAIM = `
local h = redis.call('HMGET', KEYS[1], 'reference', 'kind', 'createdAt', 'channel', 'pending', 'windowMs')
if h[1] then
  if h[1] == ARGV[1] then return {'mine'} end
  local window = math.max(tonumber(h[6]) or 0, tonumber(ARGV[5]))
  if h[5] == '1' or tonumber(ARGV[6]) < (tonumber(h[3]) or 0) + window then
    return {'held', h[1], h[2] or '', h[3] or '0', h[4] or '', h[5] or '0', h[6] or '0'}
  end
  redis.call('DEL', KEYS[1])
end
redis.call('HSET', KEYS[1], 'reference', ARGV[1], 'kind', ARGV[2], 'createdAt', ARGV[3], 'channel', ARGV[4],
  'windowMs', ARGV[5], 'pending', '1')
redis.call('PERSIST', KEYS[1])
return {'claimed'}
`;

/**
 * KEYS: exclusive. ARGV: reference, now, mode ('finished' | 'abandoned').
 * Lets go of the key if this reference holds it: a finished request keeps it until its window
 * ends (pending 0, expiring then); an abandoned claim is deleted. Returns 1 if it held the key.
 */
const LUA_RELEASE = `
if redis.call('HGET', KEYS[1], 'reference') ~= ARGV[1] then return 0 end
local endsAt = (tonumber(redis.call('HGET', KEYS[1], 'createdAt')) or 0) + (tonumber(redis.call('HGET', KEYS[1], 'windowMs')) or 0)
local now = tonumber(ARGV[2])
if ARGV[3] == 'abandoned' or now >= endsAt then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'pending', '0')
  redis.call('PEXPIRE', KEYS[1], endsAt - now)
end
return 1
`;

/**
 * KEYS: request. ARGV: idempotency key, then the request's fields and values.
 * Returns {'written', hash} | {'exists', hash} (already written for this idempotency key) |
 * {'taken'} (the reference belongs to another request: draw another).
 */
const LUA_WRITE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('HGET', KEYS[1], 'idempotencyKey') == ARGV[1] then return {'exists', redis.call('HGETALL', KEYS[1])} end
  return {'taken'}
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return {'written', redis.call('HGETALL', KEYS[1])}
`;

/**
 * KEYS: stream, entries, index. ARGV: reference, createdAt, workable (1|0), consumer group.
 * Indexes the request and, if it is to be worked, adds it to the stream once.
 */
const LUA_ENQUEUE = `
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
if ARGV[3] == '1' and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  local made = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[4], '0', 'MKSTREAM')
  if type(made) == 'table' and made.err and not string.find(made.err, 'BUSYGROUP', 1, true) then return made end
  local id = redis.call('XADD', KEYS[1], '*', 'reference', ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], id)
end
return 1
`;

/**
 * KEYS: request. ARGV: version read ('' for a first-version record), then the request's fields.
 * Replaces the whole hash if it is still at that version (so a first-version record is rewritten
 * in the current form). Returns 1, or 0 when it changed meanwhile.
 */
const LUA_REPLACE = `
if (redis.call('HGET', KEYS[1], 'version') or '') ~= ARGV[1] or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
`;

/** KEYS: a key. ARGV: value. Deletes the key if it holds that value. Returns 1 if it did. */
const LUA_DELETE_IF = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: idempotency. ARGV: old reference, new reference. Re-points the key; returns what it holds. */
const LUA_REPOINT = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return ARGV[2] end
return current
`;

/**
 * KEYS: stream, entries. ARGV: reference, consumer group, entry id ('' = the request's current one).
 * Acknowledges the entry (a worker is done with it) and, if it is the request's current one,
 * forgets it, so the request may enter the queue again. Returns the entry id or false.
 */
const LUA_ACKNOWLEDGE = `
local id = ARGV[3]
if id == '' then id = redis.call('HGET', KEYS[2], ARGV[1]) end
if not id then return false end
redis.call('XACK', KEYS[1], ARGV[2], id)
if redis.call('HGET', KEYS[2], ARGV[1]) == id then redis.call('HDEL', KEYS[2], ARGV[1]) end
return id
`;

/** KEYS: stream, entries, index. ARGV: reference, consumer group. The queue forgets a deleted request. */
const LUA_FORGET = `
local id = redis.call('HGET', KEYS[2], ARGV[1])
if id then
  redis.call('XACK', KEYS[1], ARGV[2], id)
  redis.call('HDEL', KEYS[2], ARGV[1])
end
return redis.call('ZREM', KEYS[3], ARGV[1])
`;

export const SCRIPTS = {
  nhscaNasClaimV2: { lua: LUA_CLAIM, numberOfKeys: 1 },
  nhscaNasReleaseV2: { lua: LUA_RELEASE, numberOfKeys: 1 },
  nhscaNasWriteV2: { lua: LUA_WRITE, numberOfKeys: 1 },
  nhscaNasEnqueueV2: { lua: LUA_ENQUEUE, numberOfKeys: 3 },
  nhscaNasRepointV2: { lua: LUA_REPOINT, numberOfKeys: 1 },
  nhscaNasReplaceV2: { lua: LUA_REPLACE, numberOfKeys: 1 },
  nhscaNasDeleteIfV2: { lua: LUA_DELETE_IF, numberOfKeys: 1 },
  nhscaNasAcknowledgeV2: { lua: LUA_ACKNOWLEDGE, numberOfKeys: 2 },
  nhscaNasForgetV2: { lua: LUA_FORGET, numberOfKeys: 3 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
