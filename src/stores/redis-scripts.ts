// Lua scripts of the Redis store. Each runs atomically on the server, so a session and its two
// index entries change together. Layout, under the store's prefix P:
//   P s:<id>        string V, expiring natively at expiresAt (PXAT)
//   P u:<userKey>   sorted set: member id, score createdAt (equal scores sort by id)
//   P e             sorted set: member V, score expiresAt (cleanup; survives the key's expiry,
//                   so sessions Redis expired on its own are still reported at cleanup)
// V = "<expiresAt>|" .. JSON [id, userKey, createdAt, ip, os, browser, meta]. The expiry comes
// first so a renewal can rewrite it without decoding the JSON.

const PARSE = `
local function parse(v)
  local sep = string.find(v, '|', 1, true)
  local t = cjson.decode(string.sub(v, sep + 1))
  return t[1], t[2]
end
`

/** KEYS: s, u, e. ARGV: V, expiresAt, createdAt, id. Returns 1 if created, 0 if the id exists. */
export const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
`

/** KEYS: s, e. ARGV: prefix. Returns the deleted V, or false. */
export const DELETE_BY_ID = `${PARSE}
local v = redis.call('GET', KEYS[1])
if not v then return false end
local id, user = parse(v)
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], v)
redis.call('ZREM', ARGV[1] .. 'u:' .. user, id)
return v
`

/** KEYS: u, e. ARGV: prefix, JSON array of ids to keep. Returns the deleted Vs. */
export const DELETE_BY_USER = `
local keep = {}
for _, id in ipairs(cjson.decode(ARGV[2])) do keep[id] = true end
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if not keep[id] then
    local key = ARGV[1] .. 's:' .. id
    local v = redis.call('GET', key)
    redis.call('ZREM', KEYS[1], id)
    if v then
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[2], v)
      table.insert(out, v)
    end
  end
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
 * KEYS: e. ARGV: prefix, now, limit. Deletes up to limit sessions with expiresAt <= now and
 * returns their Vs. A V is returned only by the call that removed it from e, so several
 * cleaners never report one session twice.
 */
export const DELETE_EXPIRED = `${PARSE}
local out = {}
for _, v in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])) do
  redis.call('ZREM', KEYS[1], v)
  local id, user = parse(v)
  local key = ARGV[1] .. 's:' .. id
  if redis.call('GET', key) == v then redis.call('DEL', key) end
  redis.call('ZREM', ARGV[1] .. 'u:' .. user, id)
  table.insert(out, v)
end
return out
`
