// The stored sessions of the HTTP benchmark (bench/http.ts) and the stores that hold them. The
// sessions are made from their index alone, so the load generator and every server process
// agree on them without passing 100,000 tokens around: session i has the id and secret below,
// times counted back from T0 (the start of the benchmark, passed in the environment).
import { createHash, createHmac } from 'node:crypto'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { Redis } from 'ioredis'
import { open } from 'lmdb'
import pg from 'pg'
import type { SessionRecord, Store } from 'sessionup'

export const SESSIONS = Number(process.env.SESSIONS ?? 100_000)
export const COOKIES = Number(process.env.COOKIES ?? 1_000)
export const COOKIE_NAME = 'sid'
/** An idle window of a day: sessions renew only after 12 h unused, never during a run. */
export const IDLE = 24 * 3_600_000
export const ABSOLUTE = 30 * 24 * 3_600_000
export const CACHE = { maxEntries: 100_000, maxAgeMs: 60_000 }
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'

/** Where the persistent stores of one benchmark run live (the environment of its servers). */
export interface Where {
  dir: string
  t0: number
  /** The PostgreSQL schema of the run (dropped afterwards). */
  table: string
  prefix: string
}

export function whereFromEnv(): Where {
  const env = process.env
  return {
    dir: env.BENCH_DIR ?? '',
    t0: Number(env.BENCH_T0),
    table: env.BENCH_TABLE ?? '',
    prefix: env.BENCH_PREFIX ?? '',
  }
}

export function whereToEnv(w: Where): Record<string, string> {
  const { dir, t0, table, prefix } = w
  return { BENCH_DIR: dir, BENCH_T0: String(t0), BENCH_TABLE: table, BENCH_PREFIX: prefix }
}

const b64 = (text: string) => createHash('sha256').update(text).digest('base64url')
const idOf = (i: number) => b64(`http-bench id ${i}`).slice(0, 22)
const secretOf = (i: number) => b64(`http-bench secret ${i}`)

/** The cookie value (`<id>.<secret>`) of session i. */
export const tokenOf = (i: number) => `${idOf(i)}.${secretOf(i)}`

/** @fastify/session's secret in the benchmark (it signs the session id into the cookie). */
export const FASTIFY_SESSION_SECRET = 'http-bench secret for @fastify/session, 32+ chars'

/**
 * The cookie value of session i as @fastify/session reads it: its id (the sessionup token) and
 * an HMAC-SHA256 of it, as @fastify/cookie's signer makes it.
 */
export const signedTokenOf = (i: number) => {
  const value = tokenOf(i)
  const mac = createHmac('sha256', FASTIFY_SESSION_SECRET).update(value).digest('base64')
  return `${value}.${mac.replace(/=+$/, '')}`
}

/** Session i: used up to an hour before t0, five per user, with meta {role, tz, device}. */
export function sessionAt(i: number, t0: number): SessionRecord {
  const created = t0 - (i % 3600) * 1000
  const at = new Date(created)
  return {
    id: idOf(i),
    userKey: `user-${Math.floor(i / 5)}`,
    createdAt: at,
    expiresAt: new Date(created + IDLE),
    deadline: new Date(created + ABSOLUTE),
    idleTimeout: IDLE,
    lastActiveAt: at,
    authenticatedAt: at,
    persistent: true,
    ip: '127.0.0.1',
    agent: { os: 'Linux', browser: 'Firefox' },
    meta: { role: i % 10 === 0 ? 'admin' : 'member', tz: 'Europe/Berlin', device: `laptop-${i}` },
    secretHash: b64(secretOf(i)),
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    rotatedAt: at,
    version: 1,
  }
}

/** The sessions the load uses: COOKIES of them, spread evenly over the stored ones. */
export function cookieIndexes(): number[] {
  const step = Math.max(1, Math.floor(SESSIONS / COOKIES))
  return Array.from({ length: Math.min(COOKIES, SESSIONS) }, (_, k) => k * step)
}

export type Kind = 'memory' | 'sqlite' | 'lmdb' | 'postgres' | 'redis'

export interface Opened {
  store: Store
  close(): Promise<void>
}

/** The store, closed before what it runs on. */
function closing(store: Store, after: () => unknown): Opened {
  return {
    store,
    async close() {
      await store.close()
      await after()
    },
  }
}

/**
 * sessionup's modules: the package as an app imports it (the servers resolve it to the build in
 * dist/), or the build in another directory (`dist`), to compare two builds in one run.
 */
export async function sessionupModules(dist?: string) {
  const from = (file: string, name: string) =>
    import(dist ? pathToFileURL(resolve(dist, file)).href : name)
  const [index, node, sqlite, lmdb, postgres, redis] = await Promise.all([
    from('index.js', 'sessionup') as Promise<typeof import('sessionup')>,
    from('http/node.js', 'sessionup/node') as Promise<typeof import('sessionup/node')>,
    from('stores/sqlite.js', 'sessionup/sqlite') as Promise<typeof import('sessionup/sqlite')>,
    from('stores/lmdb.js', 'sessionup/lmdb') as Promise<typeof import('sessionup/lmdb')>,
    from('stores/postgres.js', 'sessionup/postgres') as Promise<
      typeof import('sessionup/postgres')
    >,
    from('stores/redis.js', 'sessionup/redis') as Promise<typeof import('sessionup/redis')>,
  ])
  return { ...index, ...node, ...sqlite, ...lmdb, ...postgres, ...redis }
}

export type Modules = Awaited<ReturnType<typeof sessionupModules>>

/** Opens a store of the run, with the read cache or without. */
export function openStore(m: Modules, kind: Kind, cached: boolean, w: Where): Opened {
  const { MemoryStore, SQLiteStore, LMDBStore, PostgresStore, RedisStore } = m
  const cache = cached ? { cache: CACHE } : {}
  const base = { cleanupInterval: 0, ...cache }
  if (kind === 'memory') {
    const store = new MemoryStore({ cleanupInterval: 0 })
    return { store, close: () => store.close() }
  }
  if (kind === 'sqlite') {
    const db = new Database(join(w.dir, 'sessions.db'), { timeout: 5_000 })
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    const store = new SQLiteStore(db, base)
    return closing(store, () => db.close())
  }
  if (kind === 'lmdb') {
    const root = open({ path: join(w.dir, 'lmdb') })
    const store = new LMDBStore(root, { bucket: 'sessions', ...base })
    return closing(store, () => root.close())
  }
  if (kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      max: 10,
    })
    const store = new PostgresStore(pool, { schema: w.table, ...base })
    return closing(store, () => pool.end())
  }
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  const store = new RedisStore(client, { prefix: w.prefix, ...base })
  return closing(store, () => client.quit())
}

/** Stores SESSIONS sessions, `inFlight` creates at a time. */
export async function fillStore(store: Store, t0: number, inFlight = 256): Promise<void> {
  for (let start = 0; start < SESSIONS; start += inFlight) {
    const end = Math.min(SESSIONS, start + inFlight)
    const batch: Promise<void>[] = []
    for (let i = start; i < end; i++) batch.push(store.create(sessionAt(i, t0)))
    await Promise.all(batch)
  }
}

/** Drops what a run put in PostgreSQL and Redis. */
export async function dropShared(w: Where, kinds: ReadonlySet<Kind>): Promise<void> {
  if (kinds.has('postgres')) {
    const pool = new pg.Pool({
      connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    })
    await pool.query(`DROP SCHEMA IF EXISTS "${w.table}" CASCADE`)
    await pool.end()
  }
  if (kinds.has('redis')) {
    const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${w.prefix}*`, 'COUNT', 1000)
      if (keys.length) await client.del(...keys)
      cursor = next
    } while (cursor !== '0')
    await client.quit()
  }
}
