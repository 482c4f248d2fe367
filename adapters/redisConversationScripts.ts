/**
 * The Lua scripts of the Redis conversation store (see redisConversationStore.ts for the keys).
 * Every script touches only the keys of one conversation, all under its hash tag `{K}`.
 *
 * The state is one string: a header line `etag \t tokens \t at`, a newline, then the engine's
 * data. `tokens`/`at` are the conversation's rate-limit bucket (tokens left at time `at`), kept
 * with the state so that checking the limit costs no command of its own. An earlier version
 * stored a hash { data, etag }: `read_state` converts it the first time it meets one.
 *
 * The lease is the holder's token, with a `+` appended once someone waits behind it, so that an
 * uncontended commit needs no look at the queue. Waiters are in the queue (the holder is not);
 * whoever hands the conversation over publishes the next holder's token on the wake channel.
 */

const SHARED = `
local function read_state(state, ttl_ms)
  local raw = redis.pcall('GET', state)
  if type(raw) == 'table' and raw.err then
    -- A hash { data, etag } stored by the earlier version: convert it, keeping its expiry.
    local old = redis.call('HMGET', state, 'data', 'etag')
    local ttl = redis.call('PTTL', state)
    redis.call('DEL', state)
    if not old[1] or not old[2] then return false end
    raw = old[2] .. '\\t\\t\\n' .. old[1]
    redis.call('SET', state, raw, 'PX', ttl > 0 and ttl or ttl_ms)
  end
  return raw
end

local function etag_of(raw)
  if not raw then return '' end
  return string.match(raw, '^([^\\t\\n]*)') or ''
end

local function holds(lease, token)
  local holder = redis.call('GET', lease)
  return holder ~= false and string.sub(holder, 1, #token) == token, holder
end

-- Hands the conversation to the next waiter (telling it on the wake channel), or frees it.
local function hand_over(q, lease, wake, lease_ms, queue_ttl_ms, waiters_marked)
  if waiters_marked then
    local nxt = redis.call('LPOP', q)
    if nxt then
      local more = redis.call('LLEN', q) > 0
      redis.call('SET', lease, more and (nxt .. '+') or nxt, 'PX', lease_ms)
      if more then redis.call('PEXPIRE', q, queue_ttl_ms) end
      redis.call('PUBLISH', wake, nxt)
      return
    end
  end
  redis.call('DEL', lease)
end

-- The holder reads the state; over the rate limit, it gives the conversation up at once.
-- Returns {1, raw state or '', tokens left after this turn} or {3, retry after ms}.
local function admit(state, q, lease, wake, token, a)
  local raw = read_state(state, a.ttl_ms)
  local tokens = a.burst
  if a.burst > 0 and raw then
    local t, at = string.match(raw, '^[^\\t\\n]*\\t([^\\t\\n]*)\\t([^\\t\\n]*)\\n')
    t, at = tonumber(t), tonumber(at)
    if t and at then tokens = math.min(a.burst, t + math.max(0, a.now - at) * a.per_ms) end
  end
  if a.consume == 0 then
    return {1, raw or '', tostring(tokens)}
  end
  if a.burst > 0 and tokens < 1 then
    local _, holder = holds(lease, token)
    hand_over(q, lease, wake, a.lease_ms, a.queue_ttl_ms, holder and string.sub(holder, -1) == '+')
    return {3, tostring(math.ceil((1 - tokens) / a.per_ms))}
  end
  return {1, raw or '', tostring(tokens - 1)}
end

local function args(from)
  return {
    lease_ms = tonumber(ARGV[from]), queue_ttl_ms = tonumber(ARGV[from + 1]), ttl_ms = tonumber(ARGV[from + 2]),
    now = tonumber(ARGV[from + 3]), per_ms = tonumber(ARGV[from + 4]), burst = tonumber(ARGV[from + 5]),
    consume = tonumber(ARGV[from + 6]),
  }
end
`;

/**
 * KEYS: state, queue, lease, wake. ARGV: token, queueMax, then leaseMs, queueTtlMs, ttlMs, now,
 * tokens per ms, burst, consume (0: the rate limit is neither checked nor spent). Free and nobody waiting: take it and read the state. Otherwise join the
 * queue (or {2} when it is full) and return {0, ms until the holder's lease runs out}.
 */
export const LUA_BEGIN = `${SHARED}
local state, q, lease, wake, token = KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1]
local a = args(3)
if redis.call('EXISTS', q) == 0 and redis.call('SET', lease, token, 'NX', 'PX', a.lease_ms) then
  return admit(state, q, lease, wake, token, a)
end
if redis.call('LLEN', q) >= tonumber(ARGV[2]) then
  return {2}
end
redis.call('RPUSH', q, token)
redis.call('PEXPIRE', q, a.queue_ttl_ms)
local holder = redis.call('GET', lease)
if not holder then
  -- The holder's lease ran out (its process died) and nobody noticed yet: the head goes next.
  hand_over(q, lease, wake, a.lease_ms, a.queue_ttl_ms, true)
  if holds(lease, token) then return admit(state, q, lease, wake, token, a) end
  return {0, tostring(a.lease_ms)}
end
if string.sub(holder, -1) ~= '+' then redis.call('APPEND', lease, '+') end
return {0, tostring(redis.call('PTTL', lease))}
`;

/**
 * KEYS: state, queue, lease, wake. ARGV: token, then leaseMs, queueTtlMs, ttlMs, now, tokens per
 * ms, burst, consume. A waiter asks whether it holds the conversation now (it was told, or its timer
 * fired): {1, …} / {3, …} as begin, or {0, ms until the current lease runs out}.
 */
export const LUA_TRY_ACQUIRE = `${SHARED}
local state, q, lease, wake, token = KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1]
local a = args(2)
local mine, holder = holds(lease, token)
if mine then return admit(state, q, lease, wake, token, a) end
if not holder then
  hand_over(q, lease, wake, a.lease_ms, a.queue_ttl_ms, true)
  if holds(lease, token) then return admit(state, q, lease, wake, token, a) end
end
if not redis.call('LPOS', q, token) then
  -- Our place is gone (the queue expired, or we stalled past a lease handed to us): join again.
  redis.call('RPUSH', q, token)
  holder = redis.call('GET', lease)
  if holder and string.sub(holder, -1) ~= '+' then redis.call('APPEND', lease, '+') end
end
redis.call('PEXPIRE', q, a.queue_ttl_ms)
local ttl = redis.call('PTTL', lease)
return {0, tostring(ttl > 0 and ttl or 0)}
`;

/**
 * KEYS: state, queue, lease, wake. ARGV: token, header (etag \t tokens \t at), data, ttlMs,
 * leaseMs, queueTtlMs. Writes only while this turn holds the lease, then hands over.
 * Returns 1 when written, 0 when the lease was no longer this turn's (nothing written).
 */
export const LUA_COMMIT = `${SHARED}
local state, q, lease, wake, token = KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1]
local mine, holder = holds(lease, token)
if not mine then return 0 end
redis.call('SET', state, ARGV[2] .. '\\n' .. ARGV[3], 'PX', ARGV[4])
hand_over(q, lease, wake, ARGV[5], ARGV[6], string.sub(holder, -1) == '+')
return 1
`;

/**
 * KEYS: state, queue, lease, wake. ARGV: token, leaseMs, queueTtlMs. Ends the turn without
 * writing: the holder hands over, a waiter leaves the queue.
 */
export const LUA_RELEASE = `${SHARED}
local mine, holder = holds(KEYS[3], ARGV[1])
if mine then
  hand_over(KEYS[2], KEYS[3], KEYS[4], ARGV[2], ARGV[3], string.sub(holder, -1) == '+')
else
  redis.call('LREM', KEYS[2], 0, ARGV[1])
end
return 1
`;

/**
 * KEYS: state, queue, lease, wake. ARGV: token, leaseMs, queueTtlMs, ttlMs. After a commit whose
 * answer never came: 1 when it was written (the etag is this turn's token); otherwise 0, and the
 * turn gives the conversation up, so that commit, if still on its way, finds it no longer holds
 * the lease and cannot write. (Sent on the same connection as the commit, it runs after it.)
 */
export const LUA_OUTCOME = `${SHARED}
if etag_of(read_state(KEYS[1], tonumber(ARGV[4]))) == ARGV[1] then return 1 end
local mine, holder = holds(KEYS[3], ARGV[1])
if mine then
  hand_over(KEYS[2], KEYS[3], KEYS[4], ARGV[2], ARGV[3], string.sub(holder, -1) == '+')
else
  redis.call('LREM', KEYS[2], 0, ARGV[1])
end
return 0
`;

/**
 * KEYS: state, queue, lease, wake. ARGV: token, leaseMs, queueTtlMs. Deletes the conversation's
 * state ("delete my data") while this turn holds it, and ends the turn. 1 when deleted.
 */
export const LUA_ERASE = `${SHARED}
local mine, holder = holds(KEYS[3], ARGV[1])
if not mine then return 0 end
redis.call('DEL', KEYS[1])
hand_over(KEYS[2], KEYS[3], KEYS[4], ARGV[2], ARGV[3], string.sub(holder, -1) == '+')
return 1
`;

export const SCRIPTS = {
  nhscaConvBeginV2: { lua: LUA_BEGIN, numberOfKeys: 4 },
  nhscaConvTryAcquireV2: { lua: LUA_TRY_ACQUIRE, numberOfKeys: 4 },
  nhscaConvCommitV2: { lua: LUA_COMMIT, numberOfKeys: 4 },
  nhscaConvReleaseV2: { lua: LUA_RELEASE, numberOfKeys: 4 },
  nhscaConvOutcomeV2: { lua: LUA_OUTCOME, numberOfKeys: 4 },
  nhscaConvEraseV2: { lua: LUA_ERASE, numberOfKeys: 4 },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
