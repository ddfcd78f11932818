import type { Database, Key } from 'lmdb'
import type { SessionPatch } from '../store.js'
import {
  EXP,
  isRecord,
  REC,
  type Row,
  type StoredRecord,
  toRecord,
  toSession,
  USER,
  userRange,
} from './lmdb-layout.js'
import { patched } from './record.js'

/**
 * The LMDB store's writes, each run inside a write transaction the store opened (`db.transaction`):
 * a record and its two index entries always change together.
 */
type Db = Database<unknown, Key>

const recordOf = (db: Db, id: string) => db.get([REC, id]) as StoredRecord | undefined

/** Whether `key` is the key made of `parts`. */
function isKey(key: Key | undefined, ...parts: Array<string | number>): boolean {
  return Array.isArray(key) && key.length === parts.length && parts.every((p, i) => key[i] === p)
}

/**
 * Removes a record and its index entries. An unreadable record still goes, with the index entry
 * the caller found it by (`entry`, when known); that entry is not removed twice.
 */
export function removeAll(db: Db, id: string, r: unknown, entry?: Key): void {
  db.remove([REC, id])
  if (entry) db.remove(entry)
  if (!isRecord(r)) return
  if (!isKey(entry, USER, r[0], r[1], id)) db.remove([USER, r[0], r[1], id])
  if (!isKey(entry, EXP, r[2], id)) db.remove([EXP, r[2], id])
}

/** Deletes `id` (only if `owner` owns it, when given); the deleted row, if any. */
export function removeOne(db: Db, id: string, owner: string | undefined): Row[] {
  const r = recordOf(db, id)
  if (r === undefined || (owner !== undefined && (!isRecord(r) || r[0] !== owner))) return []
  removeAll(db, id, r)
  return [[id, r] as const]
}

/** Deletes the user's sessions but those in `keep`; the deleted rows. */
export function removeUserRows(db: Db, userKey: string, keep: ReadonlySet<string>): Row[] {
  const deleted: Row[] = []
  for (const { key, value } of [...db.getRange(userRange(userKey))]) {
    const [, owner, , id] = key as [string, string, number, string]
    if (owner !== userKey || keep.has(id)) continue
    // The entry holds a copy of the record, written with it; read the record only if it does not.
    const r = isRecord(value) ? value : recordOf(db, id)
    removeAll(db, id, r, key)
    deleted.push([id, (r ?? value) as StoredRecord])
  }
  return deleted
}

/** Deletes up to `limit` sessions through the expiry index; the deleted rows. */
export function removeExpiredRows(db: Db, now: number, limit: number): Row[] {
  const deleted: Row[] = []
  for (const key of [...db.getKeys({ start: [EXP], end: [EXP, now + 1], limit })]) {
    const [, , id] = key as [string, number, string]
    const r = recordOf(db, id)
    // The expiry entry goes also when the record is gone or unreadable: never loop on it.
    removeAll(db, id, r, key)
    if (r !== undefined) deleted.push([id, r])
  }
  return deleted
}

/** Applies `patch` to the live session `id` as `Store.touch` says; whether it wrote. */
export function updateRow(db: Db, id: string, patch: SessionPatch, now: number): boolean {
  const r = recordOf(db, id)
  if (r === undefined) return false
  const next = patched(toSession([id, r]), patch, now)
  if (!next) return false
  const renewed = toRecord(next)
  if (renewed[2] !== r[2]) {
    db.remove([EXP, r[2], id])
    db.put([EXP, renewed[2], id], true)
  }
  db.put([REC, id], renewed)
  db.put([USER, r[0], r[1], id], renewed)
  return true
}
