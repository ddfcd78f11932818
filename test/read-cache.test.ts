import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { Redis } from 'ioredis'
import { open } from 'lmdb'
import pg from 'pg'
import { SessionManager } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { PostgresStore } from '../src/stores/postgres.js'
import { RedisStore } from '../src/stores/redis.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { sessionRecord } from '../src/testing/index.js'
import { cookiePair, view } from './helpers.js'
import { postgres, redis } from './services.js'

const HOUR = 3_600_000
// Now, not a fixed date: Redis expires keys by its own clock.
const T0 = Date.now()
const record = (id: string, userKey = 'u', expiresAt = T0 + HOUR) =>
  sessionRecord({ id, userKey, createdAt: new Date(T0 - 1000), expiresAt: new Date(expiresAt) })

type Opened = {
  store: SQLiteStore | LMDBStore | PostgresStore | RedisStore
  close(): Promise<void>
}

const cache = { maxEntries: 1000, maxAgeMs: 60_000 }
const clock = { now: T0 }
const now = () => clock.now

/** Each engine, opened with the cache on and the test's clock. */
const engines: Record<string, { skip: string | false; open(): Opened }> = {
  sqlite: {
    skip: false,
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'cache-sqlite-'))
      const db = new Database(join(dir, 's.db'))
      db.pragma('journal_mode = WAL')
      const store = new SQLiteStore(db, { cache, now, cleanupInterval: 0 })
      return {
        store,
        async close() {
          await store.close()
          db.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  },
  lmdb: {
    skip: false,
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'cache-lmdb-'))
      const root = open({ path: dir })
      const store = new LMDBStore(root, { bucket: 's', cache, now, cleanupInterval: 0 })
      return {
        store,
        async close() {
          await store.close()
          await root.close()
          rmSync(dir, { recursive: true, force: true })
        },
      }
    },
  },
  postgres: {
    skip: postgres.skip,
    open() {
      const pool = new pg.Pool({ connectionString: postgres.url })
      const table = `cache_${randomBytes(4).toString('hex')}`
      const store = new PostgresStore(pool, { table, cache, now, cleanupInterval: 0 })
      return {
        store,
        async close() {
          await store.close()
          await pool.query(`DROP TABLE IF EXISTS "${table}", "${table}_changes"`)
          await pool.end()
        },
      }
    },
  },
  redis: {
    skip: redis.skip,
    open() {
      const client = new Redis(redis.url)
      const prefix = `sessionup-cache-${randomBytes(4).toString('hex')}:`
      const store = new RedisStore(client, { prefix, cache, now, cleanupInterval: 0 })
      return {
        store,
        async close() {
          await store.close()
          const keys = await client.keys(`${prefix}*`)
          if (keys.length > 0) await client.del(...keys)
          await client.quit()
        },
      }
    },
  },
}

for (const [kind, engine] of Object.entries(engines)) {
  describe(`${kind} with the read cache: nothing this process resolved is followed by a stale hit`, {
    skip: engine.skip,
  }, () => {
    const opened = engine.skip ? undefined : engine.open()
    const store = opened?.store as Opened['store']
    after(() => opened?.close())
    const warm = async (id: string) => {
      clock.now = T0
      assert.ok(await store.fetchById(id))
      const hits = store.cacheStats?.hits ?? 0
      assert.ok(await store.fetchById(id))
      assert.equal(store.cacheStats?.hits, hits + 1, `${id} was served from the cache`)
    }

    it('deleteById, deleteByUserKey and cleanup: the next read finds nothing', async () => {
      if (kind === 'postgres' || kind === 'redis') await store.following
      for (const id of ['one', 'two', 'kept']) await store.create(record(id))
      // Ten minutes ahead: Redis expires keys by its own clock, and a loaded machine is slow.
      await store.create(record('old', 'u', T0 + 600_000))
      for (const id of ['one', 'two', 'kept', 'old']) await warm(id)
      assert.equal(await store.deleteById('one'), true)
      assert.equal(await store.fetchById('one'), null)
      await store.deleteByUserKey('u', { except: ['kept', 'old'] })
      assert.equal(await store.fetchById('two'), null)
      assert.ok(await store.fetchById('kept'))
      clock.now = T0 + 600_000 // 'old' expires now: no cleanup needed for it to be gone
      assert.equal(await store.fetchById('old'), null)
      assert.equal(await store.deleteExpired(), 1)
    })

    it('touch (a rotation, new meta) is read back at once', async () => {
      await store.create(record('t'))
      await warm('t')
      const changed = await store.touch('t', {
        meta: { device: 'phone' },
        secret: {
          hash: 'bmV3',
          previousHash: 'b2xk',
          previousExpiresAt: new Date(T0 + 1000),
          rotatedAt: new Date(T0),
        },
      })
      assert.equal(changed, true)
      const read = await store.fetchById('t')
      assert.equal(read?.meta.device, 'phone')
      assert.equal(read?.secretHash, 'bmV3')
    })

    it('a read racing a delete never leaves the deleted session cached', async () => {
      for (let i = 0; i < 20; i++) {
        const id = `race-${i}`
        await store.create(record(id))
        await Promise.all([store.fetchById(id), store.deleteById(id), store.fetchById(id)])
        assert.equal(await store.fetchById(id), null, `${id} after the race`)
      }
    })

    it('through the manager: a revoked or rotated-out token is refused on the next request', async () => {
      clock.now = T0
      const manager = new SessionManager(store, { now, validate: false })
      const { setCookie } = await manager.init(view(), 'alice')
      const cookie = cookiePair(setCookie)
      for (let i = 0; i < 2; i++) assert.ok((await manager.authenticate(view({ cookie }))).session)
      const { session } = await manager.authenticate(view({ cookie }))
      assert.ok(session)
      const rotated = await manager.rotate(session)
      assert.ok(rotated)
      clock.now = T0 + 61_000 // past the 60 s grace of the old secret
      assert.equal((await manager.authenticate(view({ cookie }))).session, null)
      const newCookie = cookiePair(rotated.setCookie)
      const current = await manager.authenticate(view({ cookie: newCookie }))
      assert.ok(current.session)
      await manager.revoke(current.session)
      assert.equal((await manager.authenticate(view({ cookie: newCookie }))).session, null)
    })
  })
}
