import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { describe, it } from 'node:test'
import { InvalidOptionError, type Store } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { type V1Session, v1Token } from '../src/testing/index.js'
import { tempEnv } from './lmdb-helpers.js'
import { openTogether, type Peer, startPeer } from './peers.js'
import { openRecommended, tempDb } from './sqlite-helpers.js'
import { writeLmdbV1, writeSqliteV1 } from './v1-fixtures.js'

/** v1 sessions of user "peer" (the user the test peers count), with their cookie tokens. */
function v1Peers(n: number): Array<{ token: string; session: V1Session }> {
  return Array.from({ length: n }, (_, i) => {
    const { token, id } = v1Token()
    const session: V1Session = {
      id,
      userKey: 'peer',
      createdAt: new Date(Date.now() - 60_000 + i),
      expiresAt: new Date(Date.now() + 3_600_000),
      ip: '192.0.2.4',
      agent: { os: 'Linux', browser: 'Firefox' },
      meta: { n: String(i) },
    }
    return { token, session }
  })
}

/** Whether `call` rejects with the error that names `autoMigrate`. */
async function refusedUntilMigrated(call: () => Promise<unknown>): Promise<void> {
  await assert.rejects(
    call(),
    (e: unknown) => e instanceof InvalidOptionError && e.option === 'autoMigrate',
  )
}

async function assertGated(store: Store): Promise<void> {
  await refusedUntilMigrated(() => store.fetchById('x'))
  await refusedUntilMigrated(() => store.fetchByUserKey('peer'))
  await refusedUntilMigrated(() => store.deleteExpired())
}

describe('SQLite: v1 table migrated in place', () => {
  it('adds the v2 columns without rewriting a row, and the v1 rows keep their values', async () => {
    const t = tempDb()
    try {
      const sessions = v1Peers(5).map((p) => p.session)
      writeSqliteV1(t.db, sessions)
      const v1Columns = 'id, user_key, created_at, expires_at, ip, agent_os, agent_browser, meta'
      const before = t.db.prepare(`SELECT ${v1Columns} FROM sessions ORDER BY id`).all()
      const store = new SQLiteStore(t.db, { cleanupInterval: 0 })
      assert.deepEqual(await store.schemaStatus(), { version: 2, current: 2 })
      assert.deepEqual(t.db.prepare(`SELECT ${v1Columns} FROM sessions ORDER BY id`).all(), before)
      const columns = t.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('sessions')
      assert.equal(columns.length, 18)
      const added = t.db.prepare('SELECT secret_hash, version FROM sessions').all()
      assert.ok(added.every((r) => JSON.stringify(r) === '{"secret_hash":null,"version":0}'))
      assert.equal((await store.fetchByUserKey('peer')).length, 5)
      assert.deepEqual(await store.migrate(), { from: 2, to: 2 }, 'a second run does nothing')
    } finally {
      t.remove()
    }
  })

  it('with autoMigrate: false, changes nothing and refuses to serve until migrate()', async () => {
    const t = tempDb()
    try {
      writeSqliteV1(
        t.db,
        v1Peers(2).map((p) => p.session),
      )
      const store = new SQLiteStore(t.db, { cleanupInterval: 0, autoMigrate: false })
      await assertGated(store)
      assert.deepEqual(await store.schemaStatus(), { version: 1, current: 2 })
      const columns = () => t.db.prepare('SELECT count(*) FROM pragma_table_info(?)').pluck()
      assert.equal(columns().get('sessions'), 8, 'the table is as v1 left it')
      assert.deepEqual(await store.migrate(), { from: 1, to: 2 })
      assert.equal(columns().get('sessions'), 18)
      assert.equal((await store.fetchByUserKey('peer')).length, 2, 'serving once migrated')
      const blank = new SQLiteStore(t.db, {
        table: 'fresh',
        cleanupInterval: 0,
        autoMigrate: false,
      })
      assert.deepEqual(await blank.schemaStatus(), { version: null, current: 2 })
      await assertGated(blank)
      const exists = t.db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'fresh'")
      assert.equal(exists.pluck().get(), 0, 'not even created')
      await blank.migrate()
      assert.equal(await blank.fetchById('x'), null)
    } finally {
      t.remove()
    }
  })

  it('refuses autoMigrate that is not a boolean', () => {
    const t = tempDb()
    try {
      const bad = { autoMigrate: 'no' } as unknown as { autoMigrate: boolean }
      assert.throws(() => new SQLiteStore(t.db, bad), /autoMigrate/)
    } finally {
      t.remove()
    }
  })
})

describe('LMDB: v1 bucket migrated in place', () => {
  it('with autoMigrate: false, keeps the v1 version until migrate(); then serves v1 records', async () => {
    const env = tempEnv()
    try {
      await writeLmdbV1(
        env.root,
        'sessions',
        v1Peers(3).map((p) => p.session),
      )
      const gated = new LMDBStore(env.root, {
        bucket: 'sessions',
        cleanupInterval: 0,
        autoMigrate: false,
      })
      await assertGated(gated)
      assert.deepEqual(await gated.schemaStatus(), { version: 1, current: 2 })
      assert.deepEqual(await gated.migrate(), { from: 1, to: 2 })
      assert.equal((await gated.fetchByUserKey('peer')).length, 3)
      const again = new LMDBStore(env.root, { bucket: 'sessions', cleanupInterval: 0 })
      assert.deepEqual(await again.schemaStatus(), { version: 2, current: 2 })
      const waiting = new LMDBStore(env.root, {
        bucket: 'other',
        cleanupInterval: 0,
        autoMigrate: false,
      })
      await assertGated(waiting)
      await new LMDBStore(env.root, { bucket: 'other', cleanupInterval: 0 }).migrate()
      assert.equal(await waiting.fetchById('x'), null, 'serves once someone else migrated')
    } finally {
      await env.remove()
    }
  })
})

// Processes of one app, started together on a database sessionup 0.1 left behind: each opens
// (and so migrates) it at the same moment. None may fail, and every v1 session must survive.
const TRIALS = Number(process.env.MIGRATION_TRIALS ?? 12)
const PROCESSES = 4
const V1_SESSIONS = 5

for (const kind of ['sqlite', 'lmdb'] as const) {
  describe(`${kind}: ${PROCESSES} processes migrating one v1 database at once`, () => {
    it(`${TRIALS} trials: every open succeeds, every v1 session is kept`, {
      timeout: 600_000,
    }, async () => {
      const failures: string[] = []
      for (let trial = 0; trial < TRIALS; trial++) {
        const { path, cleanup } = await v1Database(kind, V1_SESSIONS)
        const peers: Peer[] = []
        try {
          for (let i = 0; i < PROCESSES; i++) {
            peers.push(await startPeer('test/fixtures/store-peer.mjs', [kind, path], 60_000))
          }
          const opened = await openTogether(kind, peers, 1)
          for (const r of opened)
            if (r.status === 'rejected') failures.push(`${trial}: ${r.reason}`)
          const listed = await (peers[0] as Peer).ask<number>('count')
          if (listed !== V1_SESSIONS + PROCESSES) failures.push(`${trial}: ${listed} listed`)
        } finally {
          for (const p of peers) {
            const { code, err } = await p.stop()
            if (code !== 0) failures.push(`${trial}: exit ${code} ${err}`)
          }
          cleanup()
        }
      }
      assert.deepEqual(failures.slice(0, 10), [], `${failures.length} failures in ${TRIALS} trials`)
    })
  })
}

/** A v1 database on disk, closed again so the peers are its only users. */
async function v1Database(kind: 'sqlite' | 'lmdb', n: number) {
  const sessions = v1Peers(n).map((p) => p.session)
  if (kind === 'sqlite') {
    const t = tempDb()
    writeSqliteV1(t.db, sessions)
    t.db.close()
    return { path: t.path, cleanup: t.remove }
  }
  const env = tempEnv()
  await writeLmdbV1(env.root, 'sessions', sessions)
  await env.root.close()
  return { path: env.dir, cleanup: () => rmSync(env.dir, { recursive: true, force: true }) }
}

// Keep the helpers honest: a v1 file really is v1 until something opens it.
it('the v1 SQLite fixture is a v1 table (8 columns, version row 1)', () => {
  const t = tempDb()
  try {
    writeSqliteV1(t.db, [])
    t.db.close()
    const db = openRecommended(t.path)
    assert.equal(db.prepare("SELECT count(*) FROM pragma_table_info('sessions')").pluck().get(), 8)
    assert.equal(db.prepare('SELECT version FROM sessionup_schema').pluck().get(), 1)
    db.close()
  } finally {
    t.remove()
  }
})
