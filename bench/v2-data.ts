// Data and round-one modules for bench/v2.ts: the same sessions as v2 records and as round
// one's v1 sessions (same users, meta, ip and agent), and the patches the manager writes.
import { createHash, randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type Database from 'better-sqlite3'
import type { Redis } from 'ioredis'
import type { RootDatabase } from 'lmdb'
import type pg from 'pg'
import type { RequestView, SessionPatch, SessionRecord } from '../src/index.js'
import type { V1Session } from '../src/testing/index.js'
import { ensureBaseline } from './baseline.js'

export const PER_USER = 5
export const IDLE = 24 * 3_600_000
export const ABSOLUTE = 30 * 24 * 3_600_000
export const GRACE = 60_000
/** Options given to both managers: an idle window (so renewals move expiry) and a deadline. */
export const MANAGER_OPTIONS = { idleTimeout: IDLE, absoluteTimeout: ABSOLUTE }
export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'

export type Maybe<T> = T | Promise<T>

/** Round one's API, as far as the bench uses it (its own types live in bench/.baseline). */
export interface V1Store {
  create(session: V1Session): Promise<void>
  fetchById(id: string): Promise<V1Session | null>
  close(): Promise<void>
}
export interface V1Manager {
  readonly cookieName: string
  authenticate(req: RequestView): Promise<{ session: V1Session | null; error: Error | null }>
}
export interface Baseline {
  MemoryStore: new (options?: object) => V1Store
  SQLiteStore: new (db: Database.Database, options?: object) => V1Store
  LMDBStore: new (root: RootDatabase, options: object) => V1Store
  RedisStore: new (client: Redis, options?: object) => V1Store
  PostgresStore: new (pool: pg.Pool, options?: object) => V1Store & { ready: Promise<void> }
  SessionManager: new (store: V1Store, options?: object) => V1Manager
}

/** Builds round one if needed and loads its compiled modules. */
export async function loadBaseline(): Promise<Baseline> {
  const dist = ensureBaseline()
  const load = (file: string) => import(pathToFileURL(join(dist, file)).href)
  const [index, sqlite, lmdb, redis, postgres] = await Promise.all(
    ['index.js', 'stores/sqlite.js', 'stores/lmdb.js', 'stores/redis.js', 'stores/postgres.js'].map(
      load,
    ),
  )
  return {
    MemoryStore: index.MemoryStore,
    SessionManager: index.SessionManager,
    SQLiteStore: sqlite.SQLiteStore,
    LMDBStore: lmdb.LMDBStore,
    RedisStore: redis.RedisStore,
    PostgresStore: postgres.PostgresStore,
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url')
const random = (bytes: number) => randomBytes(bytes).toString('base64url')

export interface Data {
  n: number
  /** v2 records, as the manager makes them: 22-character id, SHA-256 of the secret, version 1. */
  v2: SessionRecord[]
  /** The cookie secret of each v2 record. */
  secrets: string[]
  /** The same sessions as round one stored them: id = SHA-256(token). */
  v1: V1Session[]
  tokens: string[]
}

/** n sessions of n / 5 users, created an hour ago or less, with ~150 bytes of meta each. */
export function makeData(n: number): Data {
  const now = Date.now()
  const data: Data = { n, v2: [], secrets: [], v1: [], tokens: [] }
  for (let i = 0; i < n; i++) {
    const u = Math.floor(i / PER_USER)
    const createdAt = new Date(now - ((i * 7919) % 3_600_000))
    const common = {
      userKey: `user-${u}@example.com`,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + IDLE),
      ip: `198.51.100.${u % 250}`,
      agent: { os: 'Linux', browser: 'Firefox' },
      meta: {
        plan: 'team',
        locale: 'en-GB',
        tz: 'Europe/Berlin',
        tenant: `acme-${u % 1000}`,
        role: i % 3 === 0 ? 'admin' : 'editor',
        csrf: random(32),
      },
    }
    const secret = random(32)
    data.secrets.push(secret)
    data.v2.push({
      ...common,
      id: random(16),
      meta: { ...common.meta },
      deadline: new Date(createdAt.getTime() + ABSOLUTE),
      idleTimeout: IDLE,
      persistent: false,
      lastActiveAt: createdAt,
      authenticatedAt: createdAt,
      secretHash: sha256(secret),
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      rotatedAt: createdAt,
      version: 1,
    })
    const token = random(32)
    data.tokens.push(token)
    data.v1.push({ ...common, id: sha256(token), meta: { ...common.meta } })
  }
  return data
}

/** Creates every session through a store's own `create`, `inFlight` at a time. */
export async function fill<S>(
  sessions: readonly S[],
  create: (s: S) => Promise<void>,
  inFlight: number,
): Promise<void> {
  for (let start = 0; start < sessions.length; start += inFlight) {
    await Promise.all(sessions.slice(start, start + inFlight).map(create))
  }
}

/** A request carrying a session cookie, from the client the sessions recorded. */
export function request(cookieName: string, token: string, ip: string): RequestView {
  return {
    cookie: `${cookieName}=${token}`,
    remoteAddress: ip,
    forwardedFor: null,
    userAgent: USER_AGENT,
  }
}

/** New secrets' hashes, made before timing (the manager hashes one per rotation either way). */
export const NEW_HASHES = Array.from({ length: 1024 }, () => sha256(random(32)))

/**
 * What the bench knows of each v2 session as its writes go on: its version and current hash.
 * A write that succeeds moves them on, so compare-and-set writes keep matching.
 */
export class Tracker {
  readonly version: number[]
  readonly hash: string[]
  failures = 0

  constructor(data: Data) {
    this.version = data.v2.map((r) => r.version)
    this.hash = data.v2.map((r) => r.secretHash ?? r.id)
  }

  /** Counts a write's outcome; on success the session moved to `patch`'s version and hash. */
  settle(idx: number, patch: SessionPatch, outcome: Maybe<boolean>): Maybe<void> {
    const done = (ok: boolean) => {
      if (!ok) {
        this.failures++
        return
      }
      this.version[idx] = (this.version[idx] ?? 0) + 1
      if (patch.secret) this.hash[idx] = patch.secret.hash
    }
    return outcome instanceof Promise ? outcome.then(done) : done(outcome)
  }

  /** Throws if any write since the last check wrote nothing: its figure would be a lie. */
  check(what: string): void {
    if (this.failures > 0)
      throw new Error(`${what}: ${this.failures} writes found nothing to write`)
  }
}

export type Shape = 'renewal' | 'rotation' | 'renewal + rotation'

/** The patch the manager writes for `shape` on session `idx` (see session-writes.ts). */
export function patchFor(
  shape: Shape,
  idx: number,
  t: Tracker,
  now: number,
  k: number,
): SessionPatch {
  const renewal = { lastActiveAt: new Date(now), expiresAt: new Date(now + IDLE) }
  if (shape === 'renewal') return renewal // renew(): no ifVersion without a rotation
  const secret = {
    hash: NEW_HASHES[k % NEW_HASHES.length] as string,
    previousHash: t.hash[idx] as string,
    previousExpiresAt: new Date(now + GRACE),
    rotatedAt: new Date(now),
  }
  const ifVersion = t.version[idx] as number
  // rotate(): the secret under compare-and-set; a rotation due in authenticate adds the renewal.
  return shape === 'rotation' ? { secret, ifVersion } : { ...renewal, secret, ifVersion }
}

/**
 * The floor's UPDATE for a shape, as the brief of issue 10 words it: the columns the patch
 * sets, `version = version + 1`, and the conditions (live; the version, under compare-and-set).
 * `mark(k)` is the k-th placeholder (`?` or `$k`).
 */
export function rawUpdate(shape: Shape, table: string, mark: (k: number) => string) {
  const renew = shape !== 'rotation'
  const rotate = shape !== 'renewal'
  const sets = [
    ...(renew ? ['expires_at', 'last_active_at'] : []),
    ...(rotate ? ['secret_hash', 'previous_secret_hash', 'previous_secret_expires_at'] : []),
    ...(rotate ? ['rotated_at'] : []),
  ]
  let k = 0
  const set = sets.map((c) => `${c} = ${mark(++k)}`).join(', ')
  let where = `id = ${mark(++k)} AND expires_at > ${mark(++k)}`
  if (rotate) where += ` AND version = ${mark(++k)}`
  const sql = `UPDATE ${table} SET ${set}, version = version + 1 WHERE ${where}`
  const params = (id: string, p: SessionPatch, now: number): unknown[] => {
    const out: unknown[] = []
    if (renew) out.push(p.expiresAt?.getTime(), p.lastActiveAt?.getTime())
    if (rotate) {
      const s = p.secret
      out.push(s?.hash, s?.previousHash, s?.previousExpiresAt.getTime(), s?.rotatedAt.getTime())
    }
    out.push(id, now)
    if (rotate) out.push(p.ifVersion)
    return out
  }
  return { sql, params }
}
