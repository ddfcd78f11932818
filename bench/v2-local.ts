// In-process stores for bench/v2.ts: memory, SQLite (files in a temp dir), LMDB (temp dirs).
// Each gets the data twice (v2 by this code, v1 by round one's), and a raw floor for writes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { type Key, type Database as LmdbDatabase, open } from 'lmdb'
import type { SessionPatch, SessionRecord } from '../src/index.js'
import { MemoryStore } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { type Baseline, type Data, fill, rawUpdate } from './v2-data.js'
import type { RawWrite, Subject } from './v2-run.js'

/**
 * Memory. The floor keeps its own Map of the same records and, like the store, notes a moved
 * expiry in an index (here an array): a new object with the patched fields, no copies or checks.
 */
export async function memorySubject(data: Data, baseline: Baseline): Promise<Subject> {
  const v2 = new MemoryStore({ cleanupInterval: 0 })
  const v1 = new baseline.MemoryStore({ cleanupInterval: 0 })
  await fill(data.v2, (s) => v2.create(s), 1000)
  await fill(data.v1, (s) => v1.create(s), 1000)
  const byId = new Map<string, SessionRecord>(data.v2.map((r) => [r.id, { ...r }]))
  const expiries: Array<number | string> = []
  const write: RawWrite = (id, _idx, p, now) => {
    const r = byId.get(id)
    if (!r || r.expiresAt.getTime() <= now) return false
    if (p.ifVersion !== undefined && p.ifVersion !== r.version) return false
    const next: SessionRecord = { ...r, version: r.version + 1 }
    if (p.expiresAt) next.expiresAt = p.expiresAt
    if (p.lastActiveAt) next.lastActiveAt = p.lastActiveAt
    if (p.secret) {
      next.secretHash = p.secret.hash
      next.previousSecretHash = p.secret.previousHash
      next.previousSecretExpiresAt = p.secret.previousExpiresAt
      next.rotatedAt = p.secret.rotatedAt
    }
    byId.set(id, next)
    if (next.expiresAt !== r.expiresAt) expiries.push(next.expiresAt.getTime(), id)
    return true
  }
  return {
    name: 'memory',
    floorWritesStore: false,
    v2,
    v1,
    floor: () => write,
    perRound: { read: 10_000, write: 10_000 },
    async teardown() {
      await v2.close()
      await v1.close()
    },
  }
}

function sqliteFile(path: string) {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  return db
}

/** SQLite, one file per schema (WAL, synchronous = NORMAL); the floor a prepared UPDATE. */
export async function sqliteSubject(data: Data, baseline: Baseline): Promise<Subject> {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-bench-v2-'))
  const db2 = sqliteFile(join(dir, 'v2.db'))
  const db1 = sqliteFile(join(dir, 'v1.db'))
  const v2 = new SQLiteStore(db2, { cleanupInterval: 0 })
  const v1 = new baseline.SQLiteStore(db1, { cleanupInterval: 0 })
  await fill(data.v2, (s) => v2.create(s), 1000)
  await fill(data.v1, (s) => v1.create(s), 1000)
  // Steady state: the load checkpointed into the main file, as a running app's would be.
  for (const db of [db2, db1]) db.pragma('wal_checkpoint(TRUNCATE)')
  return {
    name: 'SQLite',
    floorWritesStore: true,
    v2,
    v1,
    floor(shape) {
      const { sql, params } = rawUpdate(shape, '"sessions"', () => '?')
      const statement = db2.prepare(sql)
      return (id, _idx, p, now) => statement.run(...params(id, p, now)).changes === 1
    },
    upgrade: async () => new SQLiteStore(db1, { cleanupInterval: 0 }),
    perRound: { read: 2000, write: 1000 },
    async teardown() {
      await v2.close()
      await v1.close()
      db2.close()
      db1.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Indexes of the v2 LMDB record's fields (lmdb-layout.ts). */
const L = {
  expires: 2,
  lastActive: 10,
  rotated: 12,
  hash: 13,
  prev: 14,
  prevUntil: 15,
  version: 16,
}

/**
 * The floor's LMDB write: in one write transaction, read the record, put it back with the
 * patched fields under ['s', id] and its user entry, and move its ['e', …] entry if the expiry
 * changed: the same keys and bytes as the store's touch, without decoding it to a record.
 */
function lmdbWrite(raw: LmdbDatabase<unknown, Key>): RawWrite {
  return (id, _idx, p: SessionPatch, now) =>
    raw.transaction(() => {
      const r = raw.get(['s', id]) as unknown[] | undefined
      if (!r || (r[L.expires] as number) <= now) return false
      if (p.ifVersion !== undefined && r[L.version] !== p.ifVersion) return false
      const next = r.slice()
      if (p.expiresAt) next[L.expires] = p.expiresAt.getTime()
      if (p.lastActiveAt) next[L.lastActive] = p.lastActiveAt.getTime()
      if (p.secret) {
        next[L.hash] = p.secret.hash
        next[L.prev] = p.secret.previousHash
        next[L.prevUntil] = p.secret.previousExpiresAt.getTime()
        next[L.rotated] = p.secret.rotatedAt.getTime()
      }
      next[L.version] = (r[L.version] as number) + 1
      raw.put(['s', id], next)
      raw.put(['u', r[0] as string, r[1] as number, id], next)
      if (next[L.expires] !== r[L.expires]) {
        raw.remove(['e', r[L.expires] as number, id])
        raw.put(['e', next[L.expires] as number, id], true)
      }
      return true
    })
}

/** LMDB, one environment per schema (default open() settings). */
export async function lmdbSubject(data: Data, baseline: Baseline): Promise<Subject> {
  const dirs = [1, 2].map(() => mkdtempSync(join(tmpdir(), 'sessionup-bench-v2-lmdb-')))
  const [root2, root1] = dirs.map((path) => open({ path }))
  if (!root2 || !root1) throw new Error('lmdb open failed')
  const v2 = new LMDBStore(root2, { bucket: 'sessions', cleanupInterval: 0 })
  const v1 = new baseline.LMDBStore(root1, { bucket: 'sessions', cleanupInterval: 0 })
  await fill(data.v2, (s) => v2.create(s), 1000)
  await fill(data.v1, (s) => v1.create(s), 1000)
  const raw = root2.openDB('sessions', {
    keyEncoding: 'ordered-binary',
    encoding: 'msgpack',
    cache: false,
  }) as LmdbDatabase<unknown, Key>
  const write = lmdbWrite(raw)
  return {
    name: 'LMDB',
    floorWritesStore: true,
    v2,
    v1,
    floor: () => write,
    upgrade: async () => new LMDBStore(root1, { bucket: 'sessions', cleanupInterval: 0 }),
    perRound: { read: 2000, write: 200 },
    async teardown() {
      await v2.close()
      await v1.close()
      await root2.close()
      await root1.close()
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
    },
  }
}
