import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import type { DeletionEvent } from '../src/index.js'
import { PostgresStore } from '../src/stores/postgres.js'
import { sessionRecord } from '../src/testing/index.js'
import { eventually, until } from './helpers.js'
import { postgres, skipped } from './services.js'

const { url: URL, skip } = postgres
const table = `feed_${randomBytes(4).toString('hex')}`

const live = (id: string) =>
  sessionRecord({
    id,
    userKey: 'u',
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 60_000),
  })

describe('PostgreSQL change feed', () => {
  if (skip) return skipped(skip)
  let admin: pg.Pool
  before(() => {
    admin = new pg.Pool({ connectionString: URL, max: 2 })
  })
  after(async () => {
    await admin.query(`DROP TABLE IF EXISTS "${table}", "${table}_changes"`)
    await admin.end()
  })

  it('a lost LISTEN connection is reported, comes back, and replays what was deleted meanwhile', async () => {
    const [poolA, poolB] = [
      new pg.Pool({ connectionString: URL }),
      new pg.Pool({ connectionString: URL }),
    ]
    const a = new PostgresStore(poolA, { table, cleanupInterval: 0 })
    const b = new PostgresStore(poolB, { table, cleanupInterval: 0 })
    const errors: Error[] = []
    b.onError((e) => errors.push(e))
    const heard: DeletionEvent[] = []
    b.onDeletion((e) => {
      heard.push(e)
    })
    await b.following
    for (const id of ['before', 'during', 'after']) await a.create(live(id))
    await a.deleteById('before', { reason: 'logout' })
    await until(() => heard.length === 1, 'the first deletion')
    const { rows } = await admin.query(
      "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND datname = current_database()",
    )
    assert.equal(rows.length >= 1, true, 'one listening connection')
    for (const { pid } of rows) await admin.query('SELECT pg_terminate_backend($1)', [pid])
    await until(() => errors.length > 0, 'the lost connection to be reported')
    await a.deleteById('during', { reason: 'admin' }) // while B may not be listening
    await until(() => heard.length === 2, 'the deletion made while disconnected', 10_000)
    await a.deleteById('after', { reason: 'by-id' })
    await until(() => heard.length === 3, 'a deletion after reconnecting')
    assert.deepEqual(
      heard.map((e) => [e.session.id, e.revokeReason]),
      [
        ['before', 'logout'],
        ['during', 'admin'],
        ['after', 'by-id'],
      ],
    )
    assert.match(String(errors[0]?.message), /terminat/)
    await b.close()
    await a.close()
    await Promise.all([poolA.end(), poolB.end()])
  })

  it('a session too big for a notification comes by its seq, and is read back whole', async () => {
    const [poolA, poolB] = [
      new pg.Pool({ connectionString: URL }),
      new pg.Pool({ connectionString: URL }),
    ]
    const a = new PostgresStore(poolA, { table, cleanupInterval: 0 })
    const b = new PostgresStore(poolB, { table, cleanupInterval: 0 })
    const heard: DeletionEvent[] = []
    b.onDeletion((e) => {
      heard.push(e)
    })
    try {
      await b.following
      const big = { ...live('big'), meta: { notes: 'n'.repeat(20_000) } } // > 8,000 bytes
      await a.create(big)
      await a.create(live('small'))
      await a.deleteById('big', { reason: 'admin' })
      await a.deleteById('small', { reason: 'logout' })
      await until(() => heard.length === 2, 'both deletions')
      assert.deepEqual(
        heard
          .map((e) => [e.session.id, e.revokeReason, e.session.meta.notes?.length ?? 0])
          .sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
        [
          ['big', 'admin', 20_000],
          ['small', 'logout', 0],
        ],
        'in any order: the small one came in its notification, the big one is read by seq',
      )
    } finally {
      await b.close()
      await a.close()
      await Promise.all([poolA.end(), poolB.end()])
    }
  })

  it('listens outside the pool (a pool of one still serves), and close() ends that connection', async () => {
    const pool = new pg.Pool({ connectionString: URL, max: 1, application_name: 'feed-close' })
    const store = new PostgresStore(pool, { table, cleanupInterval: 0 })
    store.onDeletion(() => {})
    await store.following
    await store.create(live('served')) // the pool's one client is free for the store's work
    assert.equal((await store.fetchById('served'))?.id, 'served')
    const listening = () =>
      admin
        .query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'feed-close' AND query LIKE 'LISTEN %'",
        )
        .then((r) => r.rows[0].n as number)
    assert.equal(await listening(), 1)
    await store.close()
    await pool.end()
    assert.equal(
      await eventually(listening, (n) => n === 0),
      0,
      'the LISTEN connection ended with close()',
    )
  })
})
