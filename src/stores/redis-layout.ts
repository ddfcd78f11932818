import type { SessionRecord } from '../session.js'
import type { SessionPatch } from '../store.js'
import type { BaseStoreOptions } from './base-options.js'
import type { CacheOptions } from './read-cache.js'
import { flatten, unflatten } from './record.js'

// A session's value V, as kept under `P s:<id>` and as a member of `P e`:
//
//   v2: "2|" expiresAt "|" version "|" lastActiveAt "|" authenticatedAt "|" rotatedAt "|"
//       deadline "|" idleTimeout "|" persistent "|" secretHash "|" previousSecretHash "|"
//       previousSecretExpiresAt "|" JSON[id, userKey, createdAt, ip, os, browser] US JSON(meta)
//   v1: expiresAt "|" JSON[id, userKey, createdAt, ip, os, browser, meta]
//
// The fields before the JSON are numbers, base64url hashes or empty (for null), so the TOUCH
// script can split them on "|" and rewrite them without decoding JSON (cjson refuses strings
// JavaScript writes). US is the unit separator, U+001F: JSON.stringify escapes every control
// character, so it never occurs inside either JSON text. A v1 value is still read as it is,
// and rewritten in v2 form the first time `touch` meets it.

const US = '\x1f'
const FIELDS = 12

const orEmpty = (v: string | number | null): string => (v === null ? '' : String(v))

export function encode(r: SessionRecord): string {
  const [id, userKey, createdAt, expiresAt, ip, os, browser, deadline, idle, ...more] = flatten(r)
  const [persistent, lastActive, authenticated, rotated, hash, prev, prevUntil, version] = more
  const fields: Array<string | number | null> = [2, expiresAt, version, lastActive, authenticated]
  fields.push(rotated, deadline, idle, persistent, hash, prev, prevUntil)
  const head = fields.map(orEmpty).join('|')
  const rest = JSON.stringify([id, userKey, createdAt, ip, os, browser])
  return `${head}|${rest}${US}${JSON.stringify(r.meta)}`
}

export function isV2(value: string): boolean {
  return value.startsWith('2|')
}

const orNull = (v: string): string | null => (v === '' ? null : v)

export function decode(value: string): SessionRecord {
  if (!isV2(value)) return decodeV1(value)
  const f: string[] = []
  let pos = 0
  for (let i = 0; i < FIELDS; i++) {
    const bar = value.indexOf('|', pos)
    if (bar === -1) throw new TypeError('not a session record')
    f.push(value.slice(pos, bar))
    pos = bar + 1
  }
  const sep = value.indexOf(US, pos)
  if (sep === -1) throw new TypeError('not a session record')
  const rest: unknown = JSON.parse(value.slice(pos, sep))
  if (!Array.isArray(rest) || rest.length !== 6) throw new TypeError('not a session record')
  const [id, userKey, createdAt, ip, os, browser] = rest
  const [, expiresAt, version, lastActive, authenticated, rotated, ...lifetime] = f.map(orNull)
  const [deadline, idle, persistent, hash, prev, prevUntil] = lifetime
  const flat = [id, userKey, createdAt, expiresAt, ip, os, browser, deadline, idle, persistent]
  flat.push(lastActive, authenticated, rotated, hash, prev, prevUntil, version)
  return unflatten(flat, JSON.parse(value.slice(sep + 1)))
}

function decodeV1(value: string): SessionRecord {
  const sep = value.indexOf('|')
  const fields: unknown = JSON.parse(value.slice(sep + 1))
  if (sep < 1 || !Array.isArray(fields) || fields.length !== 7) {
    throw new TypeError('not a session record')
  }
  const [id, userKey, createdAt, ip, os, browser, meta] = fields
  return unflatten([id, userKey, createdAt, value.slice(0, sep), ip, os, browser], meta)
}

/** The expiry a value holds (its score in `P e`), whatever its version. */
export function expiryOf(value: string): string {
  const start = isV2(value) ? 2 : 0
  return value.slice(start, value.indexOf('|', start))
}

const time = (d: Date | undefined): string => (d === undefined ? '' : String(d.getTime()))

/** The TOUCH script's ARGV for a patch (see redis-scripts.ts): '' leaves a field as it is. */
export function touchArgs(p: SessionPatch, now: number): string[] {
  const s = p.secret
  const l = p.lifetime
  return [
    String(now),
    p.ifVersion === undefined ? '' : String(p.ifVersion),
    time(p.expiresAt),
    time(p.lastActiveAt),
    time(p.authenticatedAt),
    s ? '1' : '',
    s?.hash ?? '',
    s?.previousHash ?? '',
    time(s?.previousExpiresAt),
    time(s?.rotatedAt),
    p.meta ? '1' : '',
    p.meta ? JSON.stringify(p.meta) : '',
    l ? '1' : '',
    l ? orEmpty(l.deadline?.getTime() ?? null) : '',
    l ? orEmpty(l.idleTimeout) : '',
    l?.persistent ? '1' : '0',
  ]
}

export interface RedisStoreOptions extends BaseStoreOptions {
  /**
   * Prefix of every key, so several apps can share one Redis. Default `sessionup:`. For Redis
   * Cluster, put a hash tag in it (`{sessionup}:`): the scripts touch a session and its index
   * entries together, so all of a store's keys must live in one slot.
   */
  prefix?: string
  /** Sessions deleted per cleanup script. Default 500. */
  batchSize?: number
  /**
   * Log each deletion in the stream `<prefix>c`, in the deleting script, so that deletion
   * listeners in every process sharing the prefix hear of it; a store with listeners reads the
   * stream on a connection of its own (`client.duplicate()`), blocked until an entry comes.
   * Default `true`; `false` keeps deletion events in the process that deleted.
   */
  changeLog?: boolean
  /**
   * Answer `fetchById` from memory. Other processes' revocations, expiries and updates reach the
   * cache through the change stream, which the store then follows for as long as it is open;
   * while that connection is down, every read goes to Redis. Needs `changeLog`. Off by default.
   */
  cache?: CacheOptions
}
