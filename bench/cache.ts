// The read cache (issue 11): fetchById through a store with `cache` against the same store
// without it, on the same data; SQLite and LMDB also with another connection writing between
// reads (so every hit finds the data version moved and rechecks the row's version); and what the
// announcement of each touch costs PostgreSQL and Redis (changeLog on against off).
// Run: npm run bench:cache (SIZE, NET_SIZE, ROUNDS, STORES=sqlite,lmdb,postgres,redis).
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Redis } from 'ioredis'
import { open } from 'lmdb'
import pg from 'pg'
import type { Store } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { PostgresStore } from '../src/stores/postgres.js'
import { RedisStore } from '../src/stores/redis.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { compare, session, table, us, x } from './lib.js'

const SIZE = Number(process.env.SIZE ?? 100_000)
const NET_SIZE = Number(process.env.NET_SIZE ?? 20_000)
const ROUNDS = Number(process.env.ROUNDS ?? 15)
const STORES = (process.env.STORES ?? 'sqlite,lmdb,postgres,redis').split(',')
const COOKIES = 1000
const PER_ROUND = 2000
const cache = { maxEntries: 100_000, maxAgeMs: 600_000 }

interface Opened {
  plain: Store
  cached: Store
  /** A write by another connection (a touch of a session nobody reads here), or none. */
  elsewhere?: () => unknown
  /** For the network stores: the same store with changeLog off, for the touch comparison. */
  unlogged?: Store
  close(): Promise<void>
}

const withMeta = (i: number) => {
  const s = session(`s-${i}`, `u-${Math.floor(i / 5)}`)
  return { ...s, meta: { role: i % 7 === 0 ? 'admin' : 'user', tz: 'Europe/Berlin' } }
}

async function fill(store: Store, n: number) {
  for (let i = 0; i < n; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, n - i) }, (_, k) => store.create(withMeta(i + k))),
    )
  }
}

async function openKind(kind: string): Promise<Opened> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cache-'))
    const connect = () => {
      const db = new Database(join(dir, 's.db'))
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      return db
    }
    const [a, b, c] = [connect(), connect(), connect()]
    const plain = new SQLiteStore(a, { cleanupInterval: 0 })
    await fill(plain, SIZE)
    const cached = new SQLiteStore(b, { cleanupInterval: 0, cache })
    const other = new SQLiteStore(c, { cleanupInterval: 0 })
    let n = 0
    const elsewhere = () =>
      other.touch(`s-${SIZE - 1 - (n++ % 1000)}`, { lastActiveAt: new Date() })
    return {
      plain,
      cached,
      elsewhere,
      async close() {
        for (const db of [a, b, c]) db.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  if (kind === 'lmdb') {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cache-'))
    const root = open({ path: dir })
    const plain = new LMDBStore(root, { bucket: 's', cleanupInterval: 0 })
    await fill(plain, SIZE)
    const cached = new LMDBStore(root, { bucket: 's', cleanupInterval: 0, cache })
    let n = 0
    const elsewhere = () =>
      plain.touch(`s-${SIZE - 1 - (n++ % 1000)}`, { lastActiveAt: new Date() })
    return {
      plain,
      cached,
      elsewhere,
      async close() {
        await root.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  if (kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      max: 4,
    })
    const t = `bench_cache_${randomBytes(4).toString('hex')}`
    const plain = new PostgresStore(pool, { table: t, cleanupInterval: 0 })
    await fill(plain, NET_SIZE)
    const cached = new PostgresStore(pool, { table: t, cleanupInterval: 0, cache })
    await cached.following
    const unlogged = new PostgresStore(pool, { table: t, cleanupInterval: 0, changeLog: false })
    return {
      plain,
      cached,
      unlogged,
      async close() {
        await cached.close()
        await pool.query(`DROP TABLE "${t}", "${t}_changes"`)
        await pool.end()
      },
    }
  }
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  const prefix = `bench-cache-${randomBytes(4).toString('hex')}:`
  const plain = new RedisStore(client, { prefix, cleanupInterval: 0 })
  await fill(plain, NET_SIZE)
  const cached = new RedisStore(client, { prefix, cleanupInterval: 0, cache })
  await cached.following
  const unlogged = new RedisStore(client, { prefix, cleanupInterval: 0, changeLog: false })
  return {
    plain,
    cached,
    unlogged,
    async close() {
      await cached.close()
      let cursor = '0'
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        if (keys.length > 0) await client.del(...keys)
        cursor = next
      } while (cursor !== '0')
      await client.quit()
    },
  }
}

const rows: Array<Array<string | number>> = []
for (const kind of STORES) {
  const size = kind === 'sqlite' || kind === 'lmdb' ? SIZE : NET_SIZE
  const o = await openKind(kind)
  // 1,000 distinct sessions spread over the data, read in turn: every read after the first
  // pass is a hit for the cached store.
  const id = (i: number) => `s-${((i % COOKIES) * Math.floor(size / COOKIES)) % size}`
  const read = await compare(
    ROUNDS,
    PER_ROUND,
    (i) => o.cached.fetchById(id(i)),
    (i) => o.plain.fetchById(id(i)),
  )
  rows.push([
    kind,
    'fetchById, nobody else writing',
    `${us(read.floorNs)} / ${us(read.oursNs)}`,
    x(1 / read.ratio),
  ])
  if (o.elsewhere) {
    const w = o.elsewhere
    const moved = await compare(
      ROUNDS,
      PER_ROUND,
      async (i) => {
        await w()
        return o.cached.fetchById(id(i))
      },
      async (i) => {
        await w()
        return o.plain.fetchById(id(i))
      },
    )
    rows.push([
      kind,
      'fetchById, a write elsewhere before each read (incl. the write)',
      `${us(moved.floorNs)} / ${us(moved.oursNs)}`,
      x(1 / moved.ratio),
    ])
  }
  if (o.unlogged) {
    const u = o.unlogged
    const touch = await compare(
      ROUNDS,
      PER_ROUND / 4,
      (i) => o.plain.touch(id(i), { lastActiveAt: new Date() }),
      (i) => u.touch(id(i), { lastActiveAt: new Date() }),
    )
    rows.push([
      kind,
      'touch, announced (changeLog) / not',
      `${us(touch.oursNs)} / ${us(touch.floorNs)}`,
      x(touch.ratio),
    ])
  }
  await o.close()
}
console.log(
  `${SIZE.toLocaleString('en')} sessions in SQLite and LMDB, ${NET_SIZE.toLocaleString('en')} in PostgreSQL and Redis; ${COOKIES} distinct sessions read; ${ROUNDS} alternating rounds, medians\n`,
)
console.log(
  table(
    ['store', 'operation', 'µs: without cache / with (touch: on / off)', 'speed-up (touch: cost)'],
    rows,
  ),
)
process.exit(0)
