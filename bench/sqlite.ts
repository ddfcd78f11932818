// SQLite store against the floor: raw better-sqlite3 prepared statements doing the same work
// on the same table. Run: npm run bench:sqlite   (SIZES=10000,100000 to pick sizes)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { flatten } from '../src/stores/record.js'
import { COLUMNS } from '../src/stores/sql/statements.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { sessionRecord } from '../src/testing/index.js'
import {
  cleanupRow,
  compare,
  type Pair,
  session,
  sizeReport,
  table,
  withLoopMonitor,
} from './lib.js'

const SIZES = (process.env.SIZES ?? '10000,100000,1000000').split(',').map(Number)
const PER_USER = 5
// Every column of the v2 table, in the order the store reads and binds them (meta last).
const COLS = COLUMNS
const PLACEHOLDERS = COLS.split(',')
  .map(() => '?')
  .join(', ')
const HASH = 'x'.repeat(43)

/** A whole v2 row, as the store's INSERT binds it. */
function row(id: string, userKey: string, createdAt: number, expiresAt: number): unknown[] {
  const r = sessionRecord({
    id,
    userKey,
    createdAt: new Date(createdAt),
    expiresAt: new Date(expiresAt),
    ip: '192.0.2.1',
    agent: { os: 'Linux', browser: 'Firefox' },
    secretHash: HASH,
  })
  return [...flatten(r), '{}']
}

function open(dir: string) {
  const db = new Database(join(dir, 'bench.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  return db
}

function fill(db: Database.Database, n: number, expiredShare = 0) {
  const insert = db.prepare(`INSERT INTO sessions (${COLS}) VALUES (${PLACEHOLDERS})`)
  const now = Date.now()
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const expired = i < n * expiredShare
      insert.run(
        ...row(
          `s-${i}`,
          `user-${Math.floor(i / PER_USER)}`,
          now - 1000,
          expired ? now - 1 : now + 3_600_000,
        ),
      )
    }
  })()
  // Steady state: the bulk load checkpointed into the main file, as a running app's would be.
  db.pragma('wal_checkpoint(TRUNCATE)')
}

async function measure(n: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-bench-'))
  const db = open(dir)
  const store = new SQLiteStore(db, { cleanupInterval: 0 })
  fill(db, n)
  const floor = {
    // Rows as arrays, as the store reads them (cheaper than objects keyed by column name).
    byId: db.prepare(`SELECT ${COLS} FROM sessions WHERE id = ? AND expires_at > ?`).raw(true),
    byUser: db
      .prepare(
        `SELECT ${COLS} FROM sessions WHERE user_key = ? AND expires_at > ? ORDER BY created_at, id`,
      )
      .raw(true),
    insert: db.prepare(`INSERT INTO sessions (${COLS}) VALUES (${PLACEHOLDERS})`),
    deleteById: db.prepare('DELETE FROM sessions WHERE id = ?'),
    deleteByUser: db.prepare('DELETE FROM sessions WHERE user_key = ?'),
  }
  const users = Math.floor(n / PER_USER)
  const rnd = (i: number) => (i * 7919) % n
  const results: Record<string, Pair> = {}
  results['fetchById (hit)'] = await compare(
    7,
    4000,
    (i) => store.fetchById(`s-${rnd(i)}`),
    (i) => floor.byId.get(`s-${rnd(i)}`, Date.now()),
  )
  results['fetchById (miss)'] = await compare(
    7,
    4000,
    (i) => store.fetchById(`none-${i}`),
    (i) => floor.byId.get(`none-${i}`, Date.now()),
  )
  results.fetchByUserKey = await compare(
    7,
    2000,
    (i) => store.fetchByUserKey(`user-${rnd(i) % users}`),
    (i) => floor.byUser.all(`user-${rnd(i) % users}`, Date.now()),
  )
  results.create = await compare(
    7,
    1000,
    (i) => store.create(session(`new-o-${i}`, `nu-${i}`)),
    (i) => {
      const s = session(`new-f-${i}`, `nu-${i}`)
      return floor.insert.run(...flatten(s), JSON.stringify(s.meta))
    },
  )
  // Delete what the create rounds added: the same number of rows for each side.
  results.deleteById = await compare(
    7,
    1000,
    (i) => store.deleteById(`new-o-${i}`),
    (i) => floor.deleteById.run(`new-f-${i}`),
  )
  const insertUser = db.prepare(`INSERT INTO sessions (${COLS}) VALUES (${PLACEHOLDERS})`)
  db.transaction(() => {
    for (let i = 0; i < 7 * 500; i++) {
      for (const side of ['o', 'f'])
        for (let k = 0; k < PER_USER; k++)
          insertUser.run(
            ...row(`du-${side}-${i}-${k}`, `du-${side}-${i}`, 1, Date.now() + 3_600_000),
          )
    }
  })()
  results.deleteByUserKey = await compare(
    7,
    500,
    (i) => store.deleteByUserKey(`du-o-${i}`),
    (i) => floor.deleteByUser.run(`du-f-${i}`),
  )
  db.close()
  rmSync(dir, { recursive: true, force: true })
  return results
}

/** Cleanup of 10% expired among n: ours batched, the floor one DELETE; rows/s and longest block. */
async function measureCleanup(n: number) {
  const run = async (ours: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'sessionup-bench-'))
    const db = open(dir)
    const store = new SQLiteStore(db, { cleanupInterval: 0 })
    fill(db, n, 0.1)
    const raw = db.prepare('DELETE FROM sessions WHERE expires_at <= ?')
    const m = await withLoopMonitor(() =>
      ours ? store.deleteExpired() : raw.run(Date.now()).changes,
    )
    // A create right after the cleanup, to see it left the file in good shape.
    const t = performance.now()
    for (let i = 0; i < 2000; i++) await store.create(session(`after-${i}`, 'after'))
    const createAfterUs = ((performance.now() - t) / 2000) * 1000
    db.close()
    rmSync(dir, { recursive: true, force: true })
    return {
      deleted: Number(m.result),
      rowsPerSec: Number(m.result) / (m.ms / 1000),
      maxBlockMs: m.maxBlockMs,
      createAfterUs,
    }
  }
  const floor = await run(false)
  const ours = await run(true)
  return { ours, floor }
}

const lines: string[] = []
const ops = [
  'fetchById (hit)',
  'fetchById (miss)',
  'fetchByUserKey',
  'create',
  'deleteById',
  'deleteByUserKey',
]
const bySize: Record<number, Record<string, Pair>> = {}
for (const n of SIZES) {
  console.error(`measuring at ${n} sessions…`)
  bySize[n] = await measure(n)
}
lines.push(sizeReport(SIZES, ops, bySize))
const cleanupRows: Array<Array<string | number>> = []
for (const n of SIZES) {
  console.error(`cleanup of ${n / 10} expired among ${n}…`)
  const { ours, floor } = await measureCleanup(n)
  cleanupRows.push(
    cleanupRow(
      n,
      ours,
      floor,
      `${ours.createAfterUs.toFixed(1)} / ${floor.createAfterUs.toFixed(1)}`,
    ),
  )
}
lines.push(
  '',
  table(
    [
      'deleteExpired',
      'rows/s ours / floor',
      'ours ÷ floor',
      'longest block ms ours / floor',
      'create after, µs ours / floor',
    ],
    cleanupRows,
  ),
)
console.log(lines.join('\n'))
