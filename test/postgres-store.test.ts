import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { InvalidOptionError, type SessionRecord, SessionupError, StoreError } from '../src/index.js'
import { PostgresStore } from '../src/stores/postgres.js'
import { runStoreConformance, sessionRecord } from '../src/testing/index.js'
import { until } from './helpers.js'
import { postgres, skipped } from './services.js'
import { writePostgresV1 } from './v1-fixtures.js'

const { url: URL, skip } = postgres
const schema = `sessionup_test_${randomBytes(5).toString('hex')}`
let n = 0

const session = (id: string, userKey: string, ttl: number): SessionRecord =>
  sessionRecord({
    id,
    userKey,
    createdAt: new Date(Date.now() - 1_000),
    expiresAt: new Date(Date.now() + ttl),
    ip: '2001:db8::7',
    agent: { os: 'Linux', browser: 'Firefox' },
    meta: { plan: 'pro' },
  })

describe('PostgresStore', () => {
  if (skip) return skipped(skip)
  let pool: pg.Pool
  before(() => {
    pool = new pg.Pool({ connectionString: URL, max: 8 })
    pool.on('error', () => {}) // connections the tests terminate on purpose
  })
  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await pool.end()
  })
  const fresh = async (options: ConstructorParameters<typeof PostgresStore>[1] = {}) => {
    const store = new PostgresStore(pool, {
      schema,
      table: `t${n++}`,
      cleanupInterval: 0,
      ...options,
    })
    await store.ready
    return store
  }

  describe('conformance', () => {
    runStoreConformance(
      it,
      async ({ now }) => {
        const store = await fresh({ now })
        return {
          store,
          corrupt: async (id) => {
            const table = `"${schema}"."${store.table}"`
            await pool.query(`UPDATE ${table} SET meta = '{"torn' WHERE id = $1`, [id])
          },
          teardown: () => pool.query(`DROP TABLE "${schema}"."${store.table}"`).then(() => {}),
        }
      },
      {
        corruptible: true,
        v1: async (sessions, { now }) => {
          const table = `v1_${n++}`
          await writePostgresV1(pool, schema, sessions, table)
          const store = new PostgresStore(pool, { schema, table, now, cleanupInterval: 0 })
          await store.ready
          const drop = () => pool.query(`DROP TABLE "${schema}"."${table}"`).then(() => {})
          return { store, teardown: drop }
        },
      },
    )
  })

  it('accepts only plain identifiers as table and schema names', () => {
    for (const table of ['x; DROP TABLE users', 'a"b', '1a', '']) {
      assert.throws(
        () => new PostgresStore(pool, { table }),
        (e: unknown) => e instanceof InvalidOptionError && e.option === 'table',
      )
    }
    assert.throws(
      () => new PostgresStore(pool, { schema: 'public"; --' }),
      (e: unknown) => e instanceof InvalidOptionError && e.option === 'schema',
    )
    assert.throws(() => new PostgresStore({} as pg.Pool), InvalidOptionError)
  })

  it('refuses an existing table it did not make', async () => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
    await pool.query(`CREATE TABLE "${schema}".users_sessions (sid TEXT PRIMARY KEY, sess JSON)`)
    const store = new PostgresStore(pool, { schema, table: 'users_sessions', cleanupInterval: 0 })
    await assert.rejects(
      store.ready,
      (e: unknown) =>
        e instanceof SessionupError && /not a sessionup sessions table/.test(e.message),
    )
    await assert.rejects(store.fetchById('x'), SessionupError)
  })

  it('three concurrent cleaners delete each expired session once; every one hears of each once', async () => {
    const first = await fresh({ batchSize: 100 })
    const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: URL, max: 2 }))
    const stores = pools.map(
      (p) =>
        new PostgresStore(p, { schema, table: first.table, cleanupInterval: 0, batchSize: 100 }),
    )
    const heard = stores.map(() => new Set<string>())
    let twice = 0
    for (const [i, s] of stores.entries()) {
      s.onDeletion((e) => {
        if (heard[i]?.has(e.session.id)) twice++
        heard[i]?.add(e.session.id)
      })
    }
    await Promise.all(stores.map((s) => s.following))
    const values = Array.from(
      { length: 3_000 },
      (_, i) => `('x${i}', 'u${i % 10}', 1, ${Date.now() - 1}, NULL, '', '', '{}')`,
    )
    await pool.query(`INSERT INTO "${schema}"."${first.table}" VALUES ${values.join(',')}`)
    const counts = await Promise.all(stores.map((s) => s.deleteExpired()))
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      3_000,
      'each deleted by one cleaner',
    )
    await until(() => heard.every((h) => h.size === 3_000))
    assert.equal(twice, 0, 'no session reported twice to one store')
    for (const s of stores) await s.close()
    for (const p of pools) await p.end()
  })

  it('a connection lost mid-operation gives a clear error, and the store works again after', async () => {
    const store = await fresh()
    await store.create(session('steady', 'u', 60_000))
    const locker = await pool.connect()
    await locker.query('BEGIN')
    await locker.query(`LOCK TABLE "${schema}"."${store.table}" IN ACCESS EXCLUSIVE MODE`)
    // Settled into a value at once, so its rejection is never "unhandled" while we wait.
    const pending = store.fetchById('steady').then(
      () => null,
      (error: unknown) => error,
    )
    let pid: number | undefined
    while (pid === undefined) {
      // Asked on another connection: inside the locker's transaction the statistics views
      // would show one snapshot for the whole transaction.
      const { rows } = await pool.query(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT id, user_key%'",
      )
      pid = rows[0]?.pid
      if (pid === undefined) await new Promise((r) => setTimeout(r, 10))
    }
    await locker.query('SELECT pg_terminate_backend($1)', [pid])
    const error = await pending
    assert.ok(error instanceof StoreError, String(error))
    assert.match(error.message, /\[postgres\] fetchById failed: terminating connection/)
    await locker.query('COMMIT')
    locker.release()
    assert.equal((await store.fetchById('steady'))?.id, 'steady')
  })

  it('runs named prepared statements, or unnamed ones with preparedStatements: false', async () => {
    const named = async (preparedStatements?: boolean) => {
      const one = new pg.Pool({ connectionString: URL, max: 1 }) // one connection: the same session
      try {
        const store = new PostgresStore(one, {
          schema,
          table: `t${n++}`,
          cleanupInterval: 0,
          preparedStatements,
        })
        await store.create(session('p1', 'u', 60_000))
        assert.equal((await store.fetchById('p1'))?.id, 'p1')
        const { rows } = await one.query(
          "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'sessionup_%'",
        )
        return rows[0].n as number
      } finally {
        await one.end()
      }
    }
    assert.ok((await named()) >= 2, 'insert and select prepared by name')
    assert.equal(await named(false), 0)
    assert.throws(
      () => new PostgresStore(pool, { preparedStatements: 'yes' as never }),
      (e: unknown) => e instanceof InvalidOptionError && e.option === 'preparedStatements',
    )
  })
})
