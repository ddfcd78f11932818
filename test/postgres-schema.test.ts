import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer, type Server, connect as tcpConnect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { InvalidOptionError, StoreError } from '../src/index.js'
import { PostgresStore } from '../src/stores/postgres.js'
import { sessionRecord } from '../src/testing/index.js'
import { postgres, skipped } from './services.js'
import { writePostgresV1 } from './v1-fixtures.js'

const { url: URL_, skip } = postgres
const schema = `sessionup_schema_${randomBytes(5).toString('hex')}`

const session = (id: string) =>
  sessionRecord({
    id,
    userKey: 'u',
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 60_000),
    ip: null,
    agent: { os: '', browser: '' },
    meta: {},
  })

/** A TCP forwarder to the real server that can be switched on later, on a port chosen now. */
async function lateProxy(
  target: URL,
): Promise<{ port: number; start(): Promise<void>; stop(): void }> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as { port: number }).port
  await new Promise((resolve) => probe.close(resolve))
  let server: Server | undefined
  return {
    port,
    start: () =>
      new Promise((resolve) => {
        server = createServer((client) => {
          const upstream = tcpConnect(Number(target.port || 5432), target.hostname)
          client.pipe(upstream).pipe(client)
          client.on('error', () => upstream.destroy())
          upstream.on('error', () => client.destroy())
        })
        server.listen(port, '127.0.0.1', () => resolve())
      }),
    stop: () => server?.close(),
  }
}

describe('PostgresStore: preparing the table', () => {
  if (skip) return skipped(skip)
  let pool: pg.Pool
  before(async () => {
    pool = new pg.Pool({ connectionString: URL_ })
    await pool.query(`CREATE SCHEMA "${schema}"`)
  })
  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await pool.end()
  })

  it('a store made while the database is down works once it answers', async () => {
    const proxy = await lateProxy(new URL(URL_))
    const url = new URL(URL_)
    url.host = `127.0.0.1:${proxy.port}`
    const late = new pg.Pool({ connectionString: url.href, max: 2 })
    late.on('error', () => {})
    try {
      const store = new PostgresStore(late, { schema, table: 'late', cleanupInterval: 0 })
      await assert.rejects(store.ready, StoreError)
      await assert.rejects(store.fetchById('x'), StoreError)
      await proxy.start()
      assert.equal(await store.fetchById('x'), null, 'the next call prepares the table')
      await store.ready
      await store.create(session('after-outage'))
      assert.equal((await store.fetchById('after-outage'))?.id, 'after-outage')
    } finally {
      await late.end()
      proxy.stop()
    }
  })

  it('a role without CREATE opens a schema and table that exist', async () => {
    const role = `sessionup_limited_${randomBytes(4).toString('hex')}`
    await new PostgresStore(pool, { schema, table: 'prepared', cleanupInterval: 0 }).ready
    await pool.query(`CREATE ROLE "${role}" LOGIN`)
    const url = new URL(URL_)
    url.username = role
    url.password = ''
    const limited = new pg.Pool({ connectionString: url.href, max: 2 })
    try {
      await pool.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`)
      await pool.query(
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`,
      )
      const denied = await limited.query(`CREATE TABLE "${schema}".probe (x int)`).catch((e) => e)
      assert.match(String(denied), /permission denied/, 'the role really cannot create')
      const store = new PostgresStore(limited, { schema, table: 'prepared', cleanupInterval: 0 })
      await store.ready
      await store.create(session('limited'))
      assert.equal((await store.fetchById('limited'))?.id, 'limited')
    } finally {
      await limited.end()
      await pool.query(`DROP OWNED BY "${role}"`)
      await pool.query(`DROP ROLE "${role}"`)
    }
  })

  it('a table dropped behind its version row is made again', async () => {
    await new PostgresStore(pool, { schema, table: 'dropped', cleanupInterval: 0 }).ready
    await pool.query(`DROP TABLE "${schema}".dropped`)
    const version = await pool.query(
      `SELECT version FROM "${schema}".sessionup_schema WHERE table_name = 'dropped'`,
    )
    assert.equal(version.rowCount, 1, 'the version row outlived the table')
    const store = new PostgresStore(pool, { schema, table: 'dropped', cleanupInterval: 0 })
    await store.ready
    await store.create(session('again'))
    assert.equal((await store.fetchById('again'))?.id, 'again')
  })
})

describe('PostgresStore: a v1 table', () => {
  if (skip) return skipped(skip)
  let pool: pg.Pool
  const v1Schema = `${schema}_v1`
  const v1 = (id: string) => ({
    id,
    userKey: 'old',
    createdAt: new Date(Date.now() - 1_000),
    expiresAt: new Date(Date.now() + 60_000),
    ip: null,
    agent: { os: '', browser: '' },
    meta: { k: 'v' },
  })
  const columns = async (table: string) =>
    (
      await pool.query(
        'SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [v1Schema, table],
      )
    ).rows[0].n
  before(() => {
    pool = new pg.Pool({ connectionString: URL_ })
  })
  after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${v1Schema}" CASCADE`)
    await pool.end()
  })

  it('with autoMigrate: false, is left as it is and refused until migrate()', async () => {
    await writePostgresV1(pool, v1Schema, [v1('a'), v1('b')], 'gated')
    const store = new PostgresStore(pool, {
      schema: v1Schema,
      table: 'gated',
      cleanupInterval: 0,
      autoMigrate: false,
    })
    const named = (e: unknown) => e instanceof InvalidOptionError && e.option === 'autoMigrate'
    await assert.rejects(store.ready, named)
    await assert.rejects(store.fetchById('a'), named)
    assert.deepEqual(await store.schemaStatus(), { version: 1, current: 2 })
    assert.equal(await columns('gated'), 8)
    assert.deepEqual(await store.migrate(), { from: 1, to: 2 })
    assert.equal(await columns('gated'), 18)
    assert.equal((await store.fetchByUserKey('old')).length, 2)
  })

  it('4 instances opening it at once migrate it once, and every session is kept', async () => {
    await writePostgresV1(pool, v1Schema, [v1('c'), v1('d'), v1('e')], 'raced')
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: URL_, max: 2 }))
    try {
      const stores = pools.map(
        (p) => new PostgresStore(p, { schema: v1Schema, table: 'raced', cleanupInterval: 0 }),
      )
      await Promise.all(stores.map((s) => s.ready))
      assert.equal(await columns('raced'), 18)
      for (const s of stores) assert.equal((await s.fetchByUserKey('old')).length, 3)
    } finally {
      await Promise.all(pools.map((p) => p.end()))
    }
  })
})
