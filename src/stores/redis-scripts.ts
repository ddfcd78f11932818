// Lua scripts of the Redis store. Each runs atomically on the server, so a session and its two
// index entries change together. Layout, under the store's prefix P:
//   P s:<id>        string V, expiring natively at expiresAt (PXAT)
//   P u:<userKey>   sorted set: member id, score createdAt (equal scores sort by id)
//   P e             sorted set: member V, score expiresAt (cleanup; survives the key's expiry,
//                   so sessions Redis expired on its own are still reported at cleanup)
//   P v             the schema version, once `migrate()` has run
//   P c             stream: one entry per deleted session (k kind, r reason, o origin, a at,
//                   v V), trimmed to the retention on each add, for other processes' listeners
// V is laid out in redis-layout.ts: in v2 its leading fields are split on "|" and rewritten
// with string operations.
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
 * The change-log arguments both deletes take first: ARGV[1] "1" to log, then kind, reason,
 * origin, at, and the MINID trimming entries older than the retention. KEYS[2] is the stream.
 */
const LOG = `
local log = ARGV[1] == '1'
local function logged(v)
  if log then
    redis.call('XADD', KEYS[2], 'MINID', '~', ARGV[6], '*',
      'k', ARGV[2], 'r', ARGV[3], 'o', ARGV[4], 'a', ARGV[5], 'v', v)
  end
end
`
/** How many ARGV the change-log arguments take. */
export const LOG_ARGS = 6

/**
 * KEYS: e, c, then s and u of each session. ARGV: the log arguments, then the ids. Deletes each
 * session that still exists (whatever its current V: a renewal may have rewritten it), with its
 * index entries, and drops the user-index entry of ids whose key Redis already expired. Returns
 * the deleted Vs.
 */
export const DELETE = `${LOG}
local n = #ARGV - 6
local current = {}
for i = 1, n do current[i] = redis.call('GET', KEYS[1 + 2 * i]) end
local out = {}
for i = 1, n do
  local v = current[i]
  if v then
    redis.call('DEL', KEYS[1 + 2 * i])
    redis.call('ZREM', KEYS[1], v)
    table.insert(out, v)
    logged(v)
  end
  redis.call('ZREM', KEYS[2 + 2 * i], ARGV[6 + i])
end
return out
`

/**
 * KEYS: s, e, c. ARGV (see touchArgs): now, ifVersion, expiresAt, lastActiveAt, authenticatedAt,
 * then a flag and hash, previousHash, previousExpiresAt, rotatedAt; a flag and meta; a flag and
 * deadline, idleTimeout, persistent; then "1" to announce the change in the stream (an entry of
 * kind "touched" with the origin and id, for other processes' read caches), origin, id, and the
 * MINID. An empty ARGV leaves its field as it is. Returns 1 if the
 * live session was changed, 0 if there is none, it has expired or its version differs, and -1
 * for a v1 value, which the client rewrites in v2 form (UPGRADE) before trying again.
 */
export const TOUCH = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if string.sub(v, 1, 2) ~= '2|' then return -1 end
local f, pos = {}, 1
for i = 1, 12 do
  local bar = string.find(v, '|', pos, true)
  f[i] = string.sub(v, pos, bar - 1)
  pos = bar + 1
end
local US = string.char(31)
local tail = string.sub(v, pos)
local sep = string.find(tail, US, 1, true)
local rest, meta = string.sub(tail, 1, sep - 1), string.sub(tail, sep + 1)
if tonumber(f[2]) <= tonumber(ARGV[1]) then return 0 end
if ARGV[2] ~= '' and f[3] ~= ARGV[2] then return 0 end
local exp = f[2]
if ARGV[3] ~= '' and tonumber(ARGV[3]) > tonumber(exp) then exp = ARGV[3] end
if ARGV[13] == '1' then f[7], f[8], f[9] = ARGV[14], ARGV[15], ARGV[16] end
if f[7] ~= '' and tonumber(exp) > tonumber(f[7]) then exp = f[7] end
f[2] = exp
f[3] = tostring(tonumber(f[3]) + 1)
if ARGV[4] ~= '' then f[4] = ARGV[4] end
if ARGV[5] ~= '' then f[5] = ARGV[5] end
if ARGV[6] == '1' then f[10], f[11], f[12], f[6] = ARGV[7], ARGV[8], ARGV[9], ARGV[10] end
if ARGV[11] == '1' then meta = ARGV[12] end
local renewed = table.concat(f, '|') .. '|' .. rest .. US .. meta
redis.call('SET', KEYS[1], renewed, 'PXAT', exp)
redis.call('ZREM', KEYS[2], v)
redis.call('ZADD', KEYS[2], exp, renewed)
if ARGV[17] == '1' then
  redis.call('XADD', KEYS[3], 'MINID', '~', ARGV[20], '*', 'k', 'touched', 'o', ARGV[18], 'i', ARGV[19])
end
return 1
`

/**
 * KEYS: s, e. ARGV: the v1 value the client read, its v2 form, its expiry. Replaces the value
 * (and its member in e) only if it is still the one read. Returns 1 if it did.
 */
export const UPGRADE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1
`

/**
 * KEYS: e, c, then s and u of each expired session. ARGV: the log arguments, then V and id of
 * each, as the client read them from e. A V still in e is removed from it, its key deleted if it still holds that V, and
 * its user-index entry dropped unless a renewal moved it on. Returns the Vs this call removed
 * from e, so several cleaners never report one session twice.
 */
export const DELETE_EXPIRED = `${LOG}
local n = (#ARGV - 6) / 2
local listed, current = {}, {}
for i = 1, n do
  listed[i] = redis.call('ZSCORE', KEYS[1], ARGV[5 + 2 * i])
  current[i] = redis.call('GET', KEYS[1 + 2 * i])
end
local out = {}
for i = 1, n do
  local v = ARGV[5 + 2 * i]
  if listed[i] then
    redis.call('ZREM', KEYS[1], v)
    if current[i] == v then redis.call('DEL', KEYS[1 + 2 * i]) end
    if current[i] == v or not current[i] then redis.call('ZREM', KEYS[2 + 2 * i], ARGV[6 + 2 * i]) end
    table.insert(out, v)
    logged(v)
  end
end
return out
`
