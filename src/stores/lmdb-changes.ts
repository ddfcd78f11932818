import type { Database, Key } from 'lmdb'
import type { BaseStoreOptions, Deletion } from './base.js'
import { CHANGE_RETENTION_MS, type Change, type ChangeSource, pollWatch } from './feed.js'
import type { Row, StoredRecord } from './lmdb-layout.js'

export interface LMDBStoreOptions extends BaseStoreOptions {
  /** The LMDB named database (Go's Bolt bucket) for sessions and their indexes. Required. */
  bucket: string
  /** Sessions deleted per cleanup transaction. Default 500. */
  batchSize?: number
  /**
   * Record the current schema version in a new or v1 bucket when opened. Default `true`. With
   * `false`, until `store.migrate()` has run every method rejects naming this option.
   */
  autoMigrate?: boolean
  /**
   * Log each deletion in the bucket, in the same transaction, so that deletion listeners in every
   * process sharing the environment hear of it (within about 10 ms: listening processes poll one
   * key). Default `true`; `false` keeps deletion events in the process that deleted.
   */
  changeLog?: boolean
  /**
   * Answer `fetchById` from memory, exactly: each hit first reads one key that every update and
   * delete transaction of any process increments; when it has moved, the hit is checked against
   * the record's version before it is used. Off by default.
   */
  cache?: import('./read-cache.js').CacheOptions
}

/**
 * The LMDB change log: in the sessions' own named database, `['c', seq]` holds one deleted
 * session as `[at, kind, reason, origin, id, record]`, written in the same write transaction as
 * the delete; `['n']` holds the newest seq. LMDB has one writer at a time, so seqs commit in
 * order, and a listening process polls `['n']` (one read) to learn that the log grew.
 */
const CHANGE = 'c'
const NEWEST: Key = ['n']

type Logged = [
  at: number,
  kind: string,
  reason: string | null,
  origin: string,
  id: string,
  r: StoredRecord,
]

/** Logs the deleted rows; call inside the delete's write transaction. */
export function logDeleted(db: Database<unknown, Key>, rows: readonly Row[], d: Deletion): void {
  if (rows.length === 0) return
  let seq = Number(db.get(NEWEST) ?? 0)
  for (const [id, r] of rows) {
    seq++
    db.put([CHANGE, seq], [d.at, d.kind, d.reason, d.origin, id, r] satisfies Logged)
  }
  db.put(NEWEST, seq)
}

/** Where a listening store reads the log. `fresh()` makes the next read see other commits. */
export function lmdbChangeSource(
  db: Database<unknown, Key>,
  fresh: () => void,
  decode: (row: Row) => import('../session.js').SessionRecord,
): ChangeSource {
  const newest = () => {
    fresh()
    return Number(db.get(NEWEST) ?? 0)
  }
  return {
    head: newest,
    after(seq, limit) {
      fresh()
      const changes: Change[] = []
      for (const { key, value } of db.getRange({
        start: [CHANGE, seq + 1],
        end: [CHANGE, Number.MAX_SAFE_INTEGER],
        limit,
      })) {
        const [at, kind, reason, origin, id, r] = value as Logged
        changes.push({
          seq: (key as [string, number])[1],
          at,
          kind: kind === 'expired' ? 'expired' : 'revoked',
          reason: reason as Change['reason'],
          origin,
          record: () => decode([id, r]),
        })
      }
      return changes
    },
    watch: (wake, report) => pollWatch(newest, wake, report),
  }
}

/** Deletes log entries older than the retention, oldest first, inside a write transaction. */
export function trimLog(db: Database<unknown, Key>, now: number, limit: number): number {
  let removed = 0
  for (const { key, value } of db.getRange({
    start: [CHANGE, 0],
    end: [CHANGE, Number.MAX_SAFE_INTEGER],
    limit,
  })) {
    if ((value as Logged)[0] >= now - CHANGE_RETENTION_MS) break
    db.remove(key)
    removed++
  }
  return removed
}
