// The SQLite benches' data and floors: a template file of realistic sessions, built once per size
// and copied for each measurement, and the raw better-sqlite3 statements the store is held to.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { SessionRecord } from '../src/index.js'
import { CHANGE_RETENTION_MS } from '../src/stores/feed.js'
import { flatten } from '../src/stores/record.js'
import { COLUMNS } from '../src/stores/sql/statements.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { copyFile } from './lib.js'
import { plainFromRow, realisticRecord } from './realistic.js'

const COLS = COLUMNS
const PLACEHOLDERS = COLS.split(',')
  .map(() => '?')
  .join(', ')
/** The store's change log beside `sessions` (src/stores/sql/changes.ts). */
const CHANGES = 'sessions_changes'
export const FLOOR_ORIGIN = 'floor'

export function open(path: string) {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  return db
}

/** A file of n realistic sessions, in the store's own schema (table and change log). */
export function template(n: number): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-bench-'))
  const path = join(dir, 'template.db')
  const db = open(path)
  new SQLiteStore(db, { cleanupInterval: 0 }) // creates the tables
  const insert = db.prepare(`INSERT INTO sessions (${COLS}) VALUES (${PLACEHOLDERS})`)
  const now = Date.now()
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const r = realisticRecord(i, now)
      insert.run(...flatten(r), JSON.stringify(r.meta))
    }
  })()
  // Steady state: everything checkpointed into the main file, as a running app's would be.
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A fresh copy of the template, opened. */
export function copyOf(templatePath: string): { db: Database.Database; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-bench-'))
  const path = join(dir, 'bench.db')
  copyFile(templatePath, path)
  const db = open(path)
  return {
    db,
    close() {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * The raw statements. Reads return rows as arrays (as the store reads them) and, for the mapped
 * floor, those rows as plain objects. Deletes come twice: bare, and logged as the store logs them
 * — the deleted rows copied into the change log by an INSERT … SELECT before the DELETE, in one
 * BEGIN IMMEDIATE transaction — so that each side of a comparison does the same writes.
 */
export function floorOf(db: Database.Database) {
  const byIdRaw = db.prepare(`SELECT ${COLS} FROM sessions WHERE id = ? AND expires_at > ?`)
  const byId = byIdRaw.raw(true)
  const byUser = db
    .prepare(
      `SELECT ${COLS} FROM sessions WHERE user_key = ? AND expires_at > ? ORDER BY created_at, id`,
    )
    .raw(true)
  const insert = db.prepare(
    `INSERT INTO sessions (${COLS}) VALUES (${PLACEHOLDERS}) ON CONFLICT (id) DO NOTHING`,
  )
  // The store's renewal: touch(id, { expiresAt, lastActiveAt }), the same statement text.
  const renew = db.prepare(
    `UPDATE sessions SET version = version + 1, expires_at = min(max(expires_at, ?), coalesce(deadline, ${Number.MAX_SAFE_INTEGER})), last_active_at = ? WHERE id = ? AND expires_at > ?`,
  )
  const where = {
    id: 'id = ?',
    user: 'user_key = ?',
    userExcept: 'user_key = ? AND id <> ?',
    expired: 'expires_at <= ?',
  }
  type Where = keyof typeof where
  const bare = (w: Where) => {
    const statement = db.prepare(`DELETE FROM sessions WHERE ${where[w]}`)
    return (...params: unknown[]) => statement.run(...params).changes
  }
  const logged = (w: Where, kind: 'revoked' | 'expired') => {
    const log = db.prepare(
      `INSERT INTO ${CHANGES} (at, kind, reason, origin, row) SELECT ?, ?, ?, ?, json_array(${COLS}) FROM sessions WHERE ${where[w]}`,
    )
    const statement = db.prepare(`DELETE FROM sessions WHERE ${where[w]}`)
    const reason = kind === 'expired' ? null : 'admin'
    const tx = db.transaction((params: unknown[]) => {
      log.run(Date.now(), kind, reason, FLOOR_ORIGIN, ...params)
      return statement.run(...params).changes
    })
    return (...params: unknown[]) => tx.immediate(params)
  }
  const trim = db.prepare(`DELETE FROM ${CHANGES} WHERE at < ?`)
  return {
    byIdRows: (id: string) => byId.get(id, Date.now()),
    byIdMapped: (id: string) => {
      const row = byId.get(id, Date.now()) as unknown[] | undefined
      return row && plainFromRow(row)
    },
    byUserRows: (user: string) => byUser.all(user, Date.now()),
    byUserMapped: (user: string) => (byUser.all(user, Date.now()) as unknown[][]).map(plainFromRow),
    create: (r: SessionRecord) => insert.run(...flatten(r), JSON.stringify(r.meta)).changes === 1,
    renew: (id: string, expiresAt: number, lastActiveAt: number) =>
      renew.run(expiresAt, lastActiveAt, id, Date.now()).changes > 0,
    bare: { id: bare('id'), user: bare('user'), userExcept: bare('userExcept') },
    logged: {
      id: logged('id', 'revoked'),
      user: logged('user', 'revoked'),
      userExcept: logged('userExcept', 'revoked'),
    },
    /** One DELETE of every expired session (with the log: one transaction, and the trim). */
    cleanup(withLog: boolean): number {
      const now = Date.now()
      if (!withLog) return bare('expired')(now)
      const n = logged('expired', 'expired')(now)
      trim.run(now - CHANGE_RETENTION_MS)
      return n
    },
  }
}
