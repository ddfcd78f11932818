import type { Database, Key } from 'lmdb'
import { InvalidOptionError } from '../errors.js'
import { defineMeta, type SessionRecord } from '../session.js'
import { SCHEMA_VERSION } from './base.js'
import { flatten, unflatten } from './record.js'

/**
 * A session as stored: [userKey, createdAt, expiresAt, ip, os, browser, meta as [k, v, …]],
 * then since v2 [deadline, idleTimeout, persistent, lastActiveAt, authenticatedAt, rotatedAt,
 * secretHash, previousSecretHash, previousSecretExpiresAt, version]. A v1 record is the first
 * seven and reads with the v1 meaning of the rest, so a v1 bucket needs no rewrite.
 */
export type StoredRecord = [
  string,
  number,
  number,
  string | null,
  string,
  string,
  string[],
  ...unknown[],
]

// One named database holds three kinds of keys (ordered-binary arrays), always written in the
// same transaction, so the indexes cannot drift from the records:
//   ['s', id]                       → the record
//   ['u', userKey, createdAt, id]   → the record again (a user's sessions, oldest first, read
//                                     in one range scan instead of a lookup per session)
//   ['e', expiresAt, id]            → true   (sessions by expiry, for cleanup)
//   ['v']                           → schema version
export const REC = 's'
export const USER = 'u'
export const EXP = 'e'
export const VERSION_KEY: Key = ['v']
/** Counts the store's update and delete transactions, for the read caches of every process. */
export const WRITES_KEY: Key = ['w']

/** Whether a stored record is live at `now` and at `version` (v1 records are at version 0). */
export function isAt(r: StoredRecord | undefined, version: number, now: number): boolean {
  return r !== undefined && r[2] > now && ((r[16] as number | undefined) ?? 0) === version
}

/** A user's entries: strings sort after numbers, so [u, key, ''] ends key's createdAt range. */
export function userRange(userKey: string): { start: Key; end: Key } {
  return { start: [USER, userKey], end: [USER, userKey, ''] }
}

export function toRecord(s: SessionRecord): StoredRecord {
  const [, userKey, createdAt, expiresAt, ip, os, browser, ...added] = flatten(s)
  return [userKey, createdAt, expiresAt, ip, os, browser, Object.entries(s.meta).flat(), ...added]
}

export function isRecord(r: unknown): r is StoredRecord {
  return (
    Array.isArray(r) &&
    typeof r[0] === 'string' &&
    typeof r[1] === 'number' &&
    typeof r[2] === 'number'
  )
}

/** A record with its id: the row shape the template sees. */
export type Row = readonly [string, StoredRecord]

export function toSession([id, r]: Row): SessionRecord {
  if (!isRecord(r) || !Array.isArray(r[6])) throw new TypeError('not a session record')
  const meta: Record<string, string> = {}
  for (let i = 0; i < r[6].length; i += 2)
    defineMeta(meta, r[6][i] as string, r[6][i + 1] as string)
  // Indexed, not destructured with a rest element and spread (the iterator protocol, two arrays
  // more). A v1 record ends at r[6]: the v2 fields read as undefined, which unflatten gives
  // their v1 meaning.
  return unflatten(
    [
      id,
      r[0], // userKey
      r[1], // createdAt
      r[2], // expiresAt
      r[3], // ip
      r[4], // os
      r[5], // browser
      r[7],
      r[8],
      r[9],
      r[10],
      r[11],
      r[12],
      r[13],
      r[14],
      r[15],
      r[16],
    ],
    meta,
  )
}

/**
 * Records the schema version in a new or v1 bucket (with `write`) and refuses a bucket it does
 * not know. The version is read and written in one write transaction, so processes opening a
 * new environment together see each other's version (and sessions) rather than "foreign" keys.
 * Returns why the bucket cannot be used yet when `write` is off and it is not current.
 */
export function prepareBucket(
  db: Database<unknown, Key>,
  bucket: string,
  write: boolean,
  fresh: () => void,
): InvalidOptionError | undefined {
  fresh()
  if (db.get(VERSION_KEY) === SCHEMA_VERSION) return undefined
  const check = (): number | null => {
    const found = db.get(VERSION_KEY)
    if (found === SCHEMA_VERSION || found === 1) return found
    if (found !== undefined) {
      throw new InvalidOptionError(
        'bucket',
        `"${bucket}" has schema version ${String(found)}; this sessionup reads up to ${SCHEMA_VERSION}`,
      )
    }
    for (const key of db.getKeys({ limit: 1 })) {
      throw new InvalidOptionError(
        'bucket',
        `"${bucket}" holds data that is not sessionup's (first key ${JSON.stringify(key)}); pick another bucket`,
      )
    }
    return null
  }
  if (!write) {
    const found = check()
    if (found === SCHEMA_VERSION) return undefined
    const state = found === null ? 'is new' : `is at schema version ${found}`
    return new InvalidOptionError(
      'autoMigrate',
      `bucket "${bucket}" ${state} and autoMigrate is false: run store.migrate() first`,
    )
  }
  // v1 records read as v2 records as they are (see StoredRecord): migrating is this one key.
  db.transactionSync(() => {
    if (check() !== SCHEMA_VERSION) db.put(VERSION_KEY, SCHEMA_VERSION)
  })
  return undefined
}
