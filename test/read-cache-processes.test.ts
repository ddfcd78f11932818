import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { Redis } from 'ioredis'
import pg from 'pg'
import { PostgresStore } from '../src/stores/postgres.js'
import { RedisStore } from '../src/stores/redis.js'
import { sessionRecord } from '../src/testing/index.js'
import { eventually, until } from './helpers.js'
import { type Peer, startPeer } from './peers.js'
import { postgres, redis, skipped } from './services.js'
import { sharedDatabase } from './shared-stores.js'

// The read cache across processes. SQLite and LMDB: exact, a change another process resolved is
// seen by the next read. PostgreSQL and Redis: a change arrives with its notification; while the
// feed is down, reads go to the engine, and what was cached before it went down is not trusted.
const PEER = 'test/fixtures/store-peer.mjs'
const cache = { maxEntries: 1000, maxAgeMs: 60_000 }
type Read = { meta: Record<string, string>; version: number } | null
type Stats = { hits: number; misses: number; bypassed: number; size: number }

for (const kind of ['sqlite', 'lmdb', 'postgres', 'redis'] as const) {
  const exact = kind === 'sqlite' || kind === 'lmdb'
  describe(`${kind}: the read cache of one process and another's writes`, () => {
    const db = sharedDatabase(kind)
    it(`${exact ? 'the next read' : 'a read after the notification'} sees another process's update and delete`, {
      timeout: 60_000,
      skip: db.skip,
    }, async () => {
      await db.ready()
      const peers: Peer[] = []
      try {
        for (let i = 0; i < 3; i++) peers.push(await startPeer(PEER, [kind, db.path]))
        const [a, b, c] = peers as [Peer, Peer, Peer]
        for (const p of peers) await p.ask('open', { options: { cache } })
        if (!exact) for (const p of peers) await p.ask('listen') // resolves once following
        await c.ask('create', { id: 'shared' })
        const read = (p: Peer) => p.ask<Read>('read', { id: 'shared' })
        for (const p of [a, a, b, b]) assert.deepEqual((await read(p))?.meta, {})
        const hits = (await a.ask<Stats>('cacheStats')).hits
        assert.ok(hits >= 1, 'the second read in A was a hit')

        assert.equal(await b.ask('setMeta', { id: 'shared', meta: { device: 'laptop' } }), true)
        const updated = exact
          ? await read(a)
          : await eventually(
              () => read(a),
              (r) => r?.meta.device === 'laptop',
              5_000,
            )
        assert.deepEqual(updated?.meta, { device: 'laptop' }, "A reads B's update")
        assert.ok((await read(a))?.meta.device === 'laptop')
        assert.ok((await a.ask<Stats>('cacheStats')).hits > hits, 'and is served from memory again')

        await c.ask('delete', { id: 'shared', reason: 'logout' })
        const gone = exact
          ? await read(a)
          : await eventually(
              () => read(a),
              (r) => r === null,
              5_000,
            )
        assert.equal(gone, null, "A no longer has C's revoked session")
        assert.equal(await read(b), null)
      } finally {
        for (const p of peers) await p.stop()
        await db.remove()
      }
    })
  })
}

const live = (id: string) =>
  sessionRecord({
    id,
    userKey: 'u',
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 60_000),
  })

/**
 * The feed disconnect: `kill` ends the store's feed connection; `rawDelete` removes a session
 * behind the store's back (no change is logged or announced). While the feed is down a read
 * must go to the engine (and see the raw delete); after it is back, nothing cached before the
 * disconnect may be served (a raw delete then is seen too).
 */
async function feedDisconnect(
  store: PostgresStore | RedisStore,
  kill: () => Promise<number>,
  rawDelete: (id: string) => Promise<void>,
) {
  store.onError(() => {}) // the lost connection is reported
  await store.following
  for (const id of ['during', 'before', 'probe']) {
    await store.create(live(id))
    await store.fetchById(id)
    await store.fetchById(id)
  }
  assert.equal(store.cacheStats?.hits, 3)
  assert.ok((await kill()) >= 1, 'the feed connection was found and ended')
  await until(() => {
    store.fetchById('probe').catch(() => {})
    return (store.cacheStats?.bypassed ?? 0) > 0
  }, 'reads to bypass the cache')
  await rawDelete('during')
  await rawDelete('before')
  assert.equal(await store.fetchById('during'), null, 'read from the engine while the feed is down')
  const hits = store.cacheStats?.hits ?? 0
  await until(
    () => {
      store.fetchById('probe').catch(() => {})
      return (store.cacheStats?.hits ?? 0) > hits + 1
    },
    'the feed to be back and the cache in use',
    10_000,
  )
  assert.equal(await store.fetchById('before'), null, 'cached before the disconnect: not trusted')
}

describe('PostgreSQL: the read cache while the LISTEN connection is down', () => {
  if (postgres.skip) return skipped(postgres.skip)
  it('bypasses the cache, then distrusts what it cached before', { timeout: 30_000 }, async () => {
    const name = `cache-${randomBytes(4).toString('hex')}`
    const table = name.replace('-', '_')
    const pool = new pg.Pool({ connectionString: postgres.url, application_name: name })
    const store = new PostgresStore(pool, { table, cache, cleanupInterval: 0 })
    try {
      await feedDisconnect(
        store,
        async () => {
          const { rows } = await pool.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN %'",
            [name],
          )
          return rows.length
        },
        async (id) => {
          await pool.query(`DELETE FROM "${table}" WHERE id = $1`, [id])
        },
      )
    } finally {
      await store.close()
      await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_changes"`)
      await pool.end()
    }
  })
})

describe('Redis: the read cache while the stream connection is down', () => {
  if (redis.skip) return skipped(redis.skip)
  it('bypasses the cache, then distrusts what it cached before', { timeout: 30_000 }, async () => {
    const prefix = `sessionup-cache-${randomBytes(4).toString('hex')}:`
    // The feed's connection is a duplicate of this client: it reconnects after 300 ms.
    const client = new Redis(redis.url, {
      retryStrategy: () => 300,
      connectionName: prefix.slice(0, -1),
    })
    const admin = new Redis(redis.url)
    const store = new RedisStore(client, { prefix, cache, cleanupInterval: 0 })
    try {
      await feedDisconnect(
        store,
        async () => {
          const list = String(await admin.client('LIST'))
          const mine = list.split('\n').filter((l) => l.includes(` name=${prefix.slice(0, -1)} `))
          const readers = mine
            .filter((l) => l.includes('cmd=xread'))
            .map((l) => /id=(\d+)/.exec(l)?.[1] as string)
          for (const id of readers) await admin.client('KILL', 'ID', id)
          return readers.length
        },
        async (id) => {
          await admin.del(`${prefix}s:${id}`)
        },
      )
    } finally {
      await store.close()
      const keys = await admin.keys(`${prefix}*`)
      if (keys.length > 0) await admin.del(...keys)
      await Promise.all([client.quit(), admin.quit()])
    }
  })
})
