import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'

/** A fresh database file in its own temp directory, set up as the README recommends. */
export function tempDb(options: Database.Options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-sqlite-'))
  const path = join(dir, 'sessions.db')
  const db = openRecommended(path, options)
  return {
    db,
    path,
    dir,
    remove() {
      if (db.open) db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function openRecommended(path: string, options: Database.Options = {}) {
  const db = new Database(path, { timeout: 5_000, ...options })
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  return db
}

/** Inserts `count` sessions straight into the table, bypassing the store (for volume). */
export function bulkInsert(
  db: Database.Database,
  table: string,
  count: number,
  expiresAt: (i: number) => number,
  prefix = 'bulk',
) {
  const insert = db.prepare(
    `INSERT INTO "${table}" (id, user_key, created_at, expires_at, ip, agent_os, agent_browser, meta)
     VALUES (?, ?, ?, ?, NULL, '', '', '{}')`,
  )
  db.transaction(() => {
    for (let i = 0; i < count; i++)
      insert.run(`${prefix}-${i}`, `user-${i % 1000}`, 1, expiresAt(i))
  })()
}
