import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import type Database from 'better-sqlite3'
import { DuplicateIdError, InvalidOptionError, SessionupError, StoreError } from '../src/index.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { runStoreConformance, sessionRecord } from '../src/testing/index.js'
import { bulkInsert, tempDb } from './sqlite-helpers.js'
import { writeSqliteV1 } from './v1-fixtures.js'

const originalTz = process.env.TZ
after(() => {
  process.env.TZ = originalTz
})

// Times are stored as integer epoch ms, so the machine's zone must not matter: the suite runs
// under zones on both sides of UTC (and across a date line).
for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles']) {
  describe(`SQLiteStore conformance (TZ=${tz})`, () => {
    runStoreConformance(
      it,
      ({ now }) => {
        process.env.TZ = tz
        const t = tempDb()
        return {
          store: new SQLiteStore(t.db, { now, cleanupInterval: 0 }),
          teardown: t.remove,
          corrupt: (id) => {
            t.db.prepare(`UPDATE sessions SET meta = '{"torn' WHERE id = ?`).run(id)
          },
        }
      },
      {
        corruptible: true,
        v1: (sessions, { now }) => {
          const t = tempDb()
          writeSqliteV1(t.db, sessions)
          return { store: new SQLiteStore(t.db, { now, cleanupInterval: 0 }), teardown: t.remove }
        },
      },
    )
  })
}

function withStore(options: ConstructorParameters<typeof SQLiteStore>[1] = {}) {
  const t = tempDb()
  const store = new SQLiteStore(t.db, { cleanupInterval: 0, ...options })
  return { ...t, store }
}

const session = (id: string, userKey = 'u', expiresAt = Date.now() + 60_000) =>
  sessionRecord({
    id,
    userKey,
    createdAt: new Date(Date.now() - 1_000),
    expiresAt: new Date(expiresAt),
    ip: null,
    agent: { os: '', browser: '' },
    meta: {},
  })

describe('SQLiteStore: where the Go store fell short', () => {
  it('accepts only a plain identifier as the table name', () => {
    const t = tempDb()
    try {
      const bad = [
        '',
        'sessions; DROP TABLE users',
        'a"b',
        '1sessions',
        'my-sessions',
        'a'.repeat(64),
        'sqlite_master',
        'sessionup_schema',
        ' sessions',
      ]
      for (const table of bad) {
        assert.throws(
          () => new SQLiteStore(t.db, { table, cleanupInterval: 0 }),
          (e: unknown) => e instanceof InvalidOptionError && e.option === 'table',
          `table ${JSON.stringify(table)}`,
        )
      }
      assert.equal(
        new SQLiteStore(t.db, { table: `_S${'x'.repeat(61)}`, cleanupInterval: 0 }).table.length,
        63,
      )
    } finally {
      t.remove()
    }
  })

  it('maps a duplicate id to DuplicateIdError, leaving the first session as it was', async () => {
    const { store, remove } = withStore()
    try {
      await store.create(session('dup'))
      await assert.rejects(store.create(session('dup', 'other')), DuplicateIdError)
      assert.equal((await store.fetchById('dup'))?.userKey, 'u')
    } finally {
      remove()
    }
  })

  it('lists a user’s sessions and finds expired ones through indexes, not table scans', async () => {
    const statements: string[] = []
    const t = tempDb({ verbose: (sql) => statements.push(String(sql)) })
    try {
      const store = new SQLiteStore(t.db, { cleanupInterval: 0 })
      statements.length = 0
      await store.fetchByUserKey('u')
      await store.deleteExpired()
      await store.fetchById('x')
      const plans = statements
        .filter((sql) => /^(SELECT|DELETE)/.test(sql))
        .map((sql) => ({
          sql,
          plan: (t.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
            .map((r) => r.detail)
            .join(' | '),
        }))
      assert.equal(plans.length, 4, JSON.stringify(plans))
      for (const { sql, plan } of plans)
        assert.doesNotMatch(plan, /SCAN "?sessions(_changes)?"?(?! USING)/, `${sql}\n${plan}`)
      assert.match(plans[0]?.plan ?? '', /USING (COVERING )?INDEX sessions_user_key/)
      assert.match(plans[1]?.plan ?? '', /USING (COVERING )?INDEX sessions_expires_at/)
      assert.match(plans[2]?.plan ?? '', /USING (COVERING )?INDEX sessions_changes_at/, 'log trim')
      assert.match(plans[3]?.plan ?? '', /USING PRIMARY KEY/)
    } finally {
      t.remove()
    }
  })

  it('stores times as integer epoch milliseconds', async () => {
    const { store, db, remove } = withStore()
    try {
      await store.create(session('t1'))
      const types = db
        .prepare('SELECT typeof(created_at) c, typeof(expires_at) e FROM sessions')
        .get()
      assert.deepEqual(types, { c: 'integer', e: 'integer' })
    } finally {
      remove()
    }
  })

  it('deletes 100k expired rows in batches, yielding to the event loop, reporting each', async () => {
    const { store, db, remove } = withStore({ batchSize: 500 })
    try {
      bulkInsert(db, 'sessions', 100_000, () => Date.now() - 1)
      bulkInsert(db, 'sessions', 1_000, () => Date.now() + 3_600_000, 'live')
      let events = 0
      store.onDeletion(({ reason }) => {
        if (reason === 'expired') events++
      })
      let turns = 0
      let spinning = true
      const spin = () => {
        turns++
        if (spinning) setImmediate(spin)
      }
      setImmediate(spin)
      const deleted = await store.deleteExpired()
      spinning = false
      assert.equal(deleted, 100_000)
      assert.equal(events, 100_000)
      assert.ok(
        turns >= 100,
        `the event loop turned ${turns} times during the cleanup (200 batches)`,
      )
      assert.equal(db.prepare('SELECT count(*) FROM sessions').pluck().get(), 1_000)
    } finally {
      remove()
    }
  })

  it('reports every cleanup failure to the listener and keeps the loop going', async () => {
    const { store, db, remove } = withStore({ cleanupInterval: 1 })
    const errors: Error[] = []
    store.onError((e) => errors.push(e))
    db.close() // every pass now fails
    const keepAlive = setInterval(() => {}, 1_000)
    try {
      while (errors.length < 3) await new Promise((r) => setTimeout(r, 2))
      assert.ok(
        errors.every(
          (e) => e instanceof StoreError && /\[sqlite\] deleteExpired failed/.test(e.message),
        ),
      )
    } finally {
      clearInterval(keepAlive)
      await store.close()
      remove()
    }
  })
})

describe('SQLiteStore schema', () => {
  it('records its schema version and reopens an existing table with its data', async () => {
    const t = tempDb()
    try {
      const first = new SQLiteStore(t.db, { cleanupInterval: 0 })
      await first.create(session('kept'))
      const versions = t.db.prepare('SELECT table_name, version FROM sessionup_schema').all()
      assert.deepEqual(versions, [{ table_name: 'sessions', version: 2 }])
      const second = new SQLiteStore(t.db, { cleanupInterval: 0 })
      assert.equal((await second.fetchById('kept'))?.id, 'kept')
    } finally {
      t.remove()
    }
  })

  it('refuses an existing table of another shape, and one from a newer version', () => {
    const t = tempDb()
    try {
      t.db.exec('CREATE TABLE sessions (id TEXT PRIMARY KEY, data TEXT, expires TEXT)')
      assert.throws(
        () => new SQLiteStore(t.db, { cleanupInterval: 0 }),
        /not a sessionup sessions table/,
      )
      assert.deepEqual(
        t.db.prepare('PRAGMA table_info(sessions)').all().length,
        3,
        'left untouched',
      )
      new SQLiteStore(t.db, { table: 'future', cleanupInterval: 0 })
      t.db.prepare("UPDATE sessionup_schema SET version = 99 WHERE table_name = 'future'").run()
      assert.throws(
        () => new SQLiteStore(t.db, { table: 'future', cleanupInterval: 0 }),
        (e: unknown) => e instanceof SessionupError && /schema version 99/.test(e.message),
      )
    } finally {
      t.remove()
    }
  })

  it('rejects something that is not a database', () => {
    assert.throws(() => new SQLiteStore({} as Database.Database), InvalidOptionError)
  })
})

describe('SQLiteStore cleanup, the Go store’s three ways', () => {
  it('close() stops cleanup but leaves the user’s database open', async () => {
    const { store, db, remove } = withStore({ cleanupInterval: 10 })
    await store.close()
    assert.equal(db.open, true)
    await store.create(session('after'))
    assert.ok(await store.fetchById('after'))
    remove()
  })

  it('withCleanup (NewWithCleanup): runs on its own; stop() ends it', async () => {
    const t = tempDb()
    const errors: Error[] = []
    const { store, stop } = SQLiteStore.withCleanup(t.db, 1, (e) => errors.push(e))
    const keepAlive = setInterval(() => {}, 1_000)
    try {
      bulkInsert(t.db, 'sessions', 10, () => Date.now() - 1)
      const deletions: string[] = []
      store.onDeletion(({ reason }) => {
        deletions.push(reason)
      })
      while (deletions.length < 10) await new Promise((r) => setTimeout(r, 2))
      await stop()
      bulkInsert(t.db, 'sessions', 5, () => Date.now() - 1, 'later')
      await new Promise((r) => setTimeout(r, 20))
      assert.equal(
        t.db.prepare('SELECT count(*) FROM sessions').pluck().get(),
        5,
        'stopped: nothing deleted',
      )
      assert.deepEqual(errors, [])
      assert.throws(() => SQLiteStore.withCleanup(t.db, 0, () => {}), InvalidOptionError)
    } finally {
      clearInterval(keepAlive)
      t.remove()
    }
  })

  it('cleanup(interval, signal) (Go Cleanup): resolves on abort, rejects on failure', async () => {
    const { store, db, remove } = withStore()
    bulkInsert(db, 'sessions', 3, () => Date.now() - 1)
    const controller = new AbortController()
    store.onDeletion(() => controller.abort())
    await store.cleanup(1, controller.signal)
    assert.equal(db.prepare('SELECT count(*) FROM sessions').pluck().get(), 0)
    await assert.rejects(store.cleanup(Number.NaN), InvalidOptionError)
    db.close()
    await assert.rejects(store.cleanup(1), StoreError)
    remove()
  })
})
