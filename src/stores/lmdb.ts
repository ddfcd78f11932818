import type { Database, Key, RootDatabase } from 'lmdb'
import { type CleanupHandle, startCleanup } from '../cleanup.js'
import { InvalidOptionError, StoreError } from '../errors.js'
import type { Session } from '../session.js'
import { BaseStore, type BaseStoreOptions, type Removed } from './base.js'
import { readMeta, sessionFields } from './checks.js'

export interface LMDBStoreOptions extends BaseStoreOptions {
  /** The LMDB named database (Go's Bolt bucket) for sessions and their indexes. Required. */
  bucket: string
  /** Sessions deleted per cleanup transaction. Default 500. */
  batchSize?: number
}

/** A session as stored: [userKey, createdAt, expiresAt, ip, os, browser, meta as [k, v, …]]. */
type StoredRecord = [string, number, number, string | null, string, string, string[]]

// One named database holds three kinds of keys (ordered-binary arrays), always written in the
// same transaction, so the indexes cannot drift from the records:
//   ['s', id]                       → the record
//   ['u', userKey, createdAt, id]   → the record again (a user's sessions, oldest first, read
//                                     in one range scan instead of a lookup per session)
//   ['e', expiresAt, id]            → true   (sessions by expiry, for cleanup)
//   ['v']                           → schema version
const REC = 's'
const USER = 'u'
const EXP = 'e'
const VERSION_KEY: Key = ['v']
const SCHEMA_VERSION = 1

/** A user's entries: strings sort after numbers, so [u, key, ''] ends key's createdAt range. */
function userRange(userKey: string): { start: Key; end: Key } {
  return { start: [USER, userKey], end: [USER, userKey, ''] }
}

function toRecord(s: Session): StoredRecord {
  const [, ...fields] = sessionFields(s)
  return [...fields, Object.entries(s.meta).flat()]
}

function isRecord(r: unknown): r is StoredRecord {
  return (
    Array.isArray(r) &&
    typeof r[0] === 'string' &&
    typeof r[1] === 'number' &&
    typeof r[2] === 'number'
  )
}

/** A record with its id: the row shape the template sees. */
type Row = readonly [string, StoredRecord]

function toSession([id, r]: Row): Session {
  if (!isRecord(r) || !Array.isArray(r[6])) throw new TypeError('not a session record')
  const meta: Record<string, string> = {}
  // defineProperty, so a key such as "__proto__" stays a plain entry.
  for (let i = 0; i < r[6].length; i += 2) {
    Object.defineProperty(meta, r[6][i] as string, {
      value: r[6][i + 1],
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return {
    id,
    userKey: r[0],
    createdAt: new Date(r[1]),
    expiresAt: new Date(r[2]),
    ip: r[3],
    agent: { os: r[4], browser: r[5] },
    meta: readMeta(meta),
  }
}

/**
 * Sessions in an LMDB named database, over an `lmdb` root database you opened (and close).
 * Go's sessionup-boltstore on the engine Bolt copied, with atomic creates, indexes kept in the
 * same transactions as the records, expiry checked on every read, and batched cleanup.
 *
 * @example
 * const root = open({ path: 'data/sessions' })
 * const store = new LMDBStore(root, { bucket: 'sessions', cleanupInterval: 60_000 })
 */
export class LMDBStore extends BaseStore<Row> {
  readonly bucket: string
  readonly #db: Database<unknown, Key>
  readonly #root: RootDatabase

  constructor(root: RootDatabase, options: LMDBStoreOptions) {
    super('lmdb', options, { batchSize: 500, options: ['bucket'] })
    if (typeof root?.openDB !== 'function') {
      throw new InvalidOptionError('root', 'expected a root database from lmdb open()')
    }
    const bucket = options?.bucket
    if (typeof bucket !== 'string' || bucket.length === 0) {
      throw new InvalidOptionError('bucket', 'a non-empty bucket (named database) name is required')
    }
    this.bucket = bucket
    this.#root = root
    try {
      this.#db = root.openDB(bucket, {
        keyEncoding: 'ordered-binary',
        encoding: 'msgpack',
        cache: false,
      })
      this.#checkVersion()
    } catch (error) {
      if (error instanceof InvalidOptionError) throw error
      throw new StoreError(this.layer, `opening bucket "${bucket}"`, error)
    }
    this.startCleanupTimer()
  }

  /**
   * Records the schema version in a new bucket and refuses a bucket it does not know. The
   * version is read and written in one write transaction, so processes opening a new
   * environment together see each other's version (and sessions) rather than "foreign" keys.
   */
  #checkVersion(): void {
    const db = this.#db
    this.#fresh()
    if (db.get(VERSION_KEY) === SCHEMA_VERSION) return
    db.transactionSync(() => {
      const found = db.get(VERSION_KEY)
      if (found === SCHEMA_VERSION) return
      if (found !== undefined) {
        throw new InvalidOptionError(
          'bucket',
          `"${this.bucket}" has schema version ${String(found)}; this sessionup reads ${SCHEMA_VERSION}`,
        )
      }
      for (const key of db.getKeys({ limit: 1 })) {
        throw new InvalidOptionError(
          'bucket',
          `"${this.bucket}" holds data that is not sessionup's (first key ${JSON.stringify(key)}); pick another bucket`,
        )
      }
      db.put(VERSION_KEY, SCHEMA_VERSION)
    })
  }

  /** A store whose cleanup runs every `interval` ms, failures to `onError`; `stop()` waits. */
  static withCleanup(
    root: RootDatabase,
    interval: number,
    onError: (error: Error) => void,
    options: Omit<LMDBStoreOptions, 'cleanupInterval'>,
  ): { store: LMDBStore } & CleanupHandle {
    const store = new LMDBStore(root, { ...options, cleanupInterval: 0 })
    return { store, ...startCleanup(store, interval, onError) }
  }

  /**
   * Makes the next read see every commit made so far, by any process. lmdb-js otherwise keeps
   * one read snapshot until a timer renews it, so a revoke in another process could stay
   * invisible here for a few milliseconds.
   */
  #fresh(): void {
    this.#root.resetReadTxn()
  }

  /**
   * lmdb-js throws from a timer callback — an uncaught exception that ends the process — when a
   * write is queued on a closed environment; refuse the write here instead.
   */
  #checkOpen(): void {
    const status = (this.#root as { status?: string }).status
    if (status !== undefined && status !== 'open') {
      throw new Error(`the LMDB environment is ${status}`)
    }
  }

  /** A write transaction whose callback runs (synchronously) inside LMDB's write lock. */
  #write<T>(work: () => T): Promise<T> {
    this.#checkOpen()
    return this.#db.transaction(work)
  }

  #record(id: string): StoredRecord | undefined {
    return this.#db.get([REC, id]) as StoredRecord | undefined
  }

  /**
   * Removes a record and its index entries, inside a write transaction. An unreadable record
   * still goes, with the entries that can be found without it (`userEntry`, when known).
   */
  #removeAll(id: string, r: unknown, userEntry?: Key): void {
    this.#db.remove([REC, id])
    if (userEntry) this.#db.remove(userEntry)
    if (isRecord(r)) {
      this.#db.remove([USER, r[0], r[1], id])
      this.#db.remove([EXP, r[2], id])
    }
  }

  protected insert(session: Session): Promise<boolean> {
    const id = session.id
    const r = toRecord(session)
    this.#checkOpen()
    // A conditional block: LMDB checks the id is absent and writes all three keys inside one
    // write transaction, on lmdb-js's writer thread — atomic across threads and processes.
    return this.#db.ifNoExists([REC, id], () => {
      this.#db.put([REC, id], r)
      this.#db.put([USER, r[0], r[1], id], r)
      this.#db.put([EXP, r[2], id], true)
    })
  }

  protected selectById(id: string): Row | undefined {
    this.#fresh()
    const r = this.#record(id)
    return r ? [id, r] : undefined
  }

  protected selectByUser(userKey: string): Row[] {
    this.#fresh()
    const rows: Row[] = []
    for (const { key, value } of this.#db.getRange(userRange(userKey))) {
      const [, owner, , id] = key as [string, string, number, string]
      if (owner === userKey) rows.push([id, value as StoredRecord])
    }
    return rows
  }

  protected removeById(id: string, owner: string | undefined): Promise<Removed<Row>> {
    return this.#write(() => {
      const r = this.#record(id)
      if (r === undefined || (owner !== undefined && (!isRecord(r) || r[0] !== owner))) return []
      this.#removeAll(id, r)
      return [[id, r] as const]
    })
  }

  protected removeByUser(userKey: string, except: readonly string[]): Promise<Removed<Row>> {
    const keep = new Set(except)
    return this.#write(() => {
      const deleted: Row[] = []
      for (const { key, value } of [...this.#db.getRange(userRange(userKey))]) {
        const [, owner, , id] = key as [string, string, number, string]
        if (owner !== userKey || keep.has(id)) continue
        const r = this.#record(id)
        this.#removeAll(id, r, key)
        deleted.push([id, (r ?? value) as StoredRecord])
      }
      return deleted
    })
  }

  protected extendExpiry(id: string, until: number, now: number): Promise<boolean> {
    return this.#write(() => {
      const r = this.#record(id)
      if (!isRecord(r) || r[2] <= now || r[2] >= until) return false
      const renewed: StoredRecord = [r[0], r[1], until, r[3], r[4], r[5], r[6]]
      this.#db.remove([EXP, r[2], id])
      this.#db.put([EXP, until, id], true)
      this.#db.put([REC, id], renewed)
      this.#db.put([USER, r[0], r[1], id], renewed)
      return true
    })
  }

  /**
   * Deletes expired sessions through the expiry index, one write transaction per batch. Small
   * transactions also keep LMDB's free-page list short, so writes stay fast after a large
   * cleanup.
   */
  protected removeExpired(now: number, limit: number): Promise<Removed<Row>> {
    return this.#write(() => {
      const deleted: Row[] = []
      for (const key of [...this.#db.getKeys({ start: [EXP], end: [EXP, now + 1], limit })]) {
        const [, , id] = key as [string, number, string]
        const r = this.#record(id)
        this.#removeAll(id, r, undefined)
        this.#db.remove(key) // also when the record is gone or unreadable: never loop on it
        if (r !== undefined) deleted.push([id, r])
      }
      return deleted
    })
  }

  protected decode(row: Row): Session {
    return toSession(row)
  }
}
