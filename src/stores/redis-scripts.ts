// Lua scripts of the Redis store. Each runs atomically on the server, so a session and its two
// index entries change together. Layout, under the store's prefix P:
//   P s:<id>        string V, expiring natively at expiresAt (PXAT)
//   P u:<userKey>   sorted set: member id, score createdAt (equal scores sort by id)
//   P e             sorted set: member V, score expiresAt (cleanup; survives the key's expiry,
//                   so sessions Redis expired on its own are still reported at cleanup)
// V = "<expiresAt>|" .. JSON [id, userKey, createdAt, ip, os, browser, meta]. The expiry comes
// first so a renewal can rewrite it with string operations.
//
// The scripts never decode V's JSON (cjson refuses some strings JavaScript writes): the client
// reads and decodes, then passes every key a script touches in KEYS — as Redis Cluster requires
// — and each script does all its reads before its first write.

/** KEYS: s, u, e. ARGV: V, expiresAt, createdAt, id. Returns 1 if created, 0 if the id exists. */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
`

/**
 * KEYS: e, then s and u of each session. ARGV: the ids. Deletes each session that still exists
 * (whatever its current V: a renewal may have rewritten it), with its index entries, and drops
 * the user-index entry of ids whose key Redis already expired. Returns the deleted Vs.
 */
export const DELETE = `
local current = {}
for i = 1, #ARGV do current[i] = redis.call('GET', KEYS[2 * i]) end
local out = {}
for i = 1, #ARGV do
  local v = current[i]
  if v then
    redis.call('DEL', KEYS[2 * i])
    redis.call('ZREM', KEYS[1], v)
    table.insert(out, v)
  end
  redis.call('ZREM', KEYS[2 * i + 1], ARGV[i])
end
return out
`

/** KEYS: s, e. ARGV: new expiresAt, now. Returns 1 if extended. */
export const EXTEND = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local sep = string.find(v, '|', 1, true)
local current = tonumber(string.sub(v, 1, sep - 1))
local target = tonumber(ARGV[1])
if current <= tonumber(ARGV[2]) or current >= target then return 0 end
local renewed = ARGV[1] .. string.sub(v, sep)
redis.call('SET', KEYS[1], renewed, 'PXAT', ARGV[1])
redis.call('ZREM', KEYS[2], v)
redis.call('ZADD', KEYS[2], ARGV[1], renewed)
return 1
`

/**
 * KEYS: e, then s and u of each expired session. ARGV: V and id of each, as the client read
 * them from e. A V still in e is removed from it, its key deleted if it still holds that V, and
 * its user-index entry dropped unless a renewal moved it on. Returns the Vs this call removed
 * from e, so several cleaners never report one session twice.
 */
export const DELETE_EXPIRED = `
local n = #ARGV / 2
local listed, current = {}, {}
for i = 1, n do
  listed[i] = redis.call('ZSCORE', KEYS[1], ARGV[2 * i - 1])
  current[i] = redis.call('GET', KEYS[2 * i])
end
local out = {}
for i = 1, n do
  local v = ARGV[2 * i - 1]
  if listed[i] then
    redis.call('ZREM', KEYS[1], v)
    if current[i] == v then redis.call('DEL', KEYS[2 * i]) end
    if current[i] == v or not current[i] then redis.call('ZREM', KEYS[2 * i + 1], ARGV[2 * i]) end
    table.insert(out, v)
  end
end
return out
`
