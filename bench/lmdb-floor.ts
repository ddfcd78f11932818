// The LMDB bench's floors: raw lmdb-js calls on the store's named database and key layout
// (src/stores/lmdb-layout.ts), in the same transaction pattern as the store — a create is one
// ifNoExists block with the same three puts; a renewal or a delete is one transaction() that
// also moves the writes counter and, for deletes with the log, writes the same log entries with
// the store's own helper (src/stores/lmdb-changes.ts) — but with none of the store's checks.
import type { Database, Key, RootDatabase } from 'lmdb'
import type { SessionRecord } from '../src/index.js'
import type { Deletion } from '../src/stores/base.js'
import { logDeleted, trimLog } from '../src/stores/lmdb-changes.js'
import {
  EXP,
  REC,
  type Row,
  type StoredRecord,
  toRecord,
  USER,
  userRange,
  WRITES_KEY,
} from '../src/stores/lmdb-layout.js'

export type Raw = Database<unknown, Key>
export const FLOOR_ORIGIN = 'floor'

/** A session's three keys, as the store's insert writes them. */
export function putSession(db: Raw, id: string, r: StoredRecord): void {
  db.put([REC, id], r)
  db.put([USER, r[0], r[1], id], r)
  db.put([EXP, r[2], id], true)
}

/**
 * The floor's mapping of a stored record to a plain object of the same fields as a record, with
 * no checks (and meta by plain assignment): the least work that yields what a caller can use.
 */
export function plainFromStored(id: string, r: StoredRecord): Record<string, unknown> {
  const date = (v: unknown) => (v === null ? null : new Date(v as number))
  const meta: Record<string, unknown> = {}
  const m = r[6]
  for (let i = 0; i < m.length; i += 2) meta[m[i] as string] = m[i + 1]
  return {
    id,
    userKey: r[0],
    createdAt: new Date(r[1]),
    expiresAt: new Date(r[2]),
    ip: r[3],
    agent: { os: r[4], browser: r[5] },
    meta,
    deadline: date(r[7]),
    idleTimeout: r[8],
    persistent: r[9] === 1,
    lastActiveAt: new Date(r[10] as number),
    authenticatedAt: new Date(r[11] as number),
    rotatedAt: new Date(r[12] as number),
    secretHash: r[13],
    previousSecretHash: r[14],
    previousSecretExpiresAt: date(r[15]),
    version: r[16],
  }
}

type Work = (...args: string[]) => Row[]

export function floorOf(root: RootDatabase, db: Raw) {
  const record = (id: string) => db.get([REC, id]) as StoredRecord | undefined
  const live = (r: StoredRecord | undefined, now = Date.now()) => r !== undefined && r[2] > now
  const count = () => db.put(WRITES_KEY, Number(db.get(WRITES_KEY) ?? 0) + 1)
  const removeRow = (id: string, r: StoredRecord) => {
    db.remove([REC, id])
    db.remove([USER, r[0], r[1], id])
    db.remove([EXP, r[2], id])
  }
  // A user's entries carry the record: the range read gives every key to remove.
  const userRows = (user: string, except?: string) => {
    const rows: Row[] = []
    for (const { key, value } of [...db.getRange(userRange(user))]) {
      const [, owner, , id] = key as [string, string, number, string]
      if (owner !== user || id === except) continue
      removeRow(id, value as StoredRecord)
      rows.push([id, value as StoredRecord])
    }
    return rows
  }
  const work: Record<'id' | 'user' | 'userExcept', Work> = {
    id: (id) => {
      const r = record(id)
      if (r === undefined) return []
      removeRow(id, r)
      return [[id, r]]
    },
    user: (user) => userRows(user),
    userExcept: (user, except) => userRows(user, except),
  }
  const revoked = (): Deletion => ({
    rows: false,
    at: Date.now(),
    kind: 'revoked',
    reason: 'admin',
    origin: FLOOR_ORIGIN,
  })
  // One transaction per delete, counted (when it deleted) as the store counts; logged or not.
  const deletes = (logged: boolean) => {
    const one =
      (w: Work) =>
      (...args: string[]) =>
        db.transaction(() => {
          const rows = w(...args)
          if (rows.length > 0) count()
          if (logged) logDeleted(db, rows, revoked())
          return rows.length
        })
    return { id: one(work.id), user: one(work.user), userExcept: one(work.userExcept) }
  }
  return {
    byIdRows: (id: string) => {
      const r = record(id)
      return live(r) ? r : undefined
    },
    byIdMapped: (id: string) => {
      const r = record(id)
      return live(r) ? plainFromStored(id, r as StoredRecord) : undefined
    },
    /** The mapped read on a fresh snapshot, as the store reads (it resets before each read). */
    byIdFresh: (id: string) => {
      root.resetReadTxn()
      const r = record(id)
      return live(r) ? plainFromStored(id, r as StoredRecord) : undefined
    },
    byUserRows: (user: string) => {
      const now = Date.now()
      const out: StoredRecord[] = []
      for (const { key, value } of db.getRange(userRange(user))) {
        if ((key as Key[])[1] === user && live(value as StoredRecord, now))
          out.push(value as StoredRecord)
      }
      return out
    },
    byUserMapped: (user: string, fresh = false) => {
      if (fresh) root.resetReadTxn()
      const now = Date.now()
      const out: Record<string, unknown>[] = []
      for (const { key, value } of db.getRange(userRange(user))) {
        const [, owner, , id] = key as [string, string, number, string]
        if (owner === user && live(value as StoredRecord, now))
          out.push(plainFromStored(id, value as StoredRecord))
      }
      return out
    },
    create: (s: SessionRecord) => {
      const r = toRecord(s)
      return db.ifNoExists([REC, s.id], () => putSession(db, s.id, r))
    },
    /** touch(id, { expiresAt, lastActiveAt }): the same read-modify-write of the three keys. */
    renew: (id: string, expiresAt: number, lastActiveAt: number) =>
      db.transaction(() => {
        const r = record(id)
        if (!live(r)) return false
        count()
        const old = r as StoredRecord
        const next = old.slice() as StoredRecord
        const deadline = (old[7] as number | null) ?? Number.MAX_SAFE_INTEGER
        next[2] = Math.min(Math.max(old[2], expiresAt), deadline)
        next[10] = lastActiveAt
        next[16] = (old[16] as number) + 1
        if (next[2] !== old[2]) {
          db.remove([EXP, old[2], id])
          db.put([EXP, next[2], id], true)
        }
        db.put([REC, id], next)
        db.put([USER, old[0], old[1], id], next)
        return true
      }),
    logged: deletes(true),
    bare: deletes(false),
    /** Every expired session in one transaction, through the expiry index (and the log's trim). */
    cleanup: (logged: boolean) =>
      db.transaction(() => {
        const now = Date.now()
        const rows: Row[] = []
        for (const key of [...db.getKeys({ start: [EXP], end: [EXP, now + 1] })]) {
          const id = (key as [string, number, string])[2]
          const r = record(id)
          if (r === undefined) db.remove(key)
          else {
            removeRow(id, r)
            rows.push([id, r])
          }
        }
        if (rows.length > 0) count()
        if (logged) {
          logDeleted(db, rows, { ...revoked(), at: now, kind: 'expired', reason: null })
          trimLog(db, now, 10_000)
        }
        return rows.length
      }),
  }
}
