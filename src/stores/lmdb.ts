import type { Database, Key, RootDatabase } from 'lmdb'
import { type CleanupHandle, startCleanup, yieldToEventLoop } from '../cleanup.js'
import { DuplicateIdError, InvalidOptionError, SessionupError, storeFailure } from '../errors.js'
import type { Session } from '../session.js'
import type { DeletionReason } from '../store.js'
import {
  BaseStore,
  type BaseStoreOptions,
  checkBatchSize,
  checkDate,
  checkKey,
  checkSession,
} from './base.js'

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
  const meta = Object.entries(s.meta).flat()
  return [
    s.userKey,
    s.createdAt.getTime(),
    s.expiresAt.getTime(),
    s.ip,
    s.agent.os,
    s.agent.browser,
    meta,
  ]
}

function toSession(id: string, r: StoredRecord): Session {
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
    meta,
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
export class LMDBStore extends BaseStore {
  readonly bucket: string
  readonly #db: Database<unknown, Key>
  readonly #root: RootDatabase
  readonly #batchSize: number

  constructor(root: RootDatabase, options: LMDBStoreOptions) {
    super('lmdb', options)
    if (typeof root?.openDB !== 'function') {
      throw new InvalidOptionError('root', 'expected a root database from lmdb open()')
    }
    const bucket = options?.bucket
    if (typeof bucket !== 'string' || bucket.length === 0) {
      throw new InvalidOptionError('bucket', 'a non-empty bucket (named database) name is required')
    }
    const batch = checkBatchSize(options.batchSize, 500)
    this.bucket = bucket
    this.#root = root
    this.#batchSize = batch
    try {
      this.#db = root.openDB(bucket, {
        keyEncoding: 'ordered-binary',
        encoding: 'msgpack',
        cache: false,
      })
      this.#checkVersion()
    } catch (error) {
      throw storeFailure(this.layer, `opening bucket "${bucket}"`, error)
    }
    this.startCleanupTimer(options)
  }

  /** Records the schema version in a new bucket; refuses a bucket it does not know. */
  #checkVersion(): void {
    const db = this.#db
    const found = db.get(VERSION_KEY)
    if (found === SCHEMA_VERSION) return
    if (found !== undefined) {
      throw new SessionupError(
        'INVALID_OPTION',
        `[lmdb] bucket "${this.bucket}" has schema version ${String(found)}; this sessionup reads ${SCHEMA_VERSION}`,
      )
    }
    db.transactionSync(() => {
      for (const key of db.getKeys({ limit: 1 })) {
        throw new SessionupError(
          'INVALID_OPTION',
          `[lmdb] bucket "${this.bucket}" holds data that is not sessionup's (first key ${JSON.stringify(key)}); pick another bucket`,
        )
      }
      db.putSync(VERSION_KEY, SCHEMA_VERSION)
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

  /** Runs one write of lmdb-js, mapping its failures to a StoreError. */
  async #guard<T>(action: string, write: () => Promise<T>): Promise<T> {
    try {
      // lmdb-js throws from a timer callback — an uncaught exception that ends the process —
      // when a write is queued on a closed environment; refuse the write here instead.
      const status = (this.#root as { status?: string }).status
      if (status !== undefined && status !== 'open') {
        throw new Error(`the LMDB environment is ${status}`)
      }
      return await write()
    } catch (error) {
      throw storeFailure(this.layer, action, error)
    }
  }

  /** A write transaction whose callback runs (synchronously) inside LMDB's write lock. */
  #write<T>(action: string, work: () => T): Promise<T> {
    return this.#guard(action, () => this.#db.transaction(work))
  }

  #read<T>(action: string, work: () => T): T {
    try {
      return work()
    } catch (error) {
      throw storeFailure(this.layer, action, error)
    }
  }

  /** Deletion events, building sessions only when someone listens. */
  #emit(deleted: Array<[string, StoredRecord]>, reason: DeletionReason): void {
    if (deleted.length > 0 && this.events.active) {
      this.events.emit(
        deleted.map(([id, r]) => toSession(id, r)),
        reason,
      )
    }
  }

  #record(id: string): StoredRecord | undefined {
    return this.#db.get([REC, id]) as StoredRecord | undefined
  }

  /** Removes a record and both its index entries; inside a write transaction. */
  #removeAll(id: string, r: StoredRecord): void {
    this.#db.remove([REC, id])
    this.#db.remove([USER, r[0], r[1], id])
    this.#db.remove([EXP, r[2], id])
  }

  async create(session: Session): Promise<void> {
    checkSession(session)
    const id = session.id
    const r = toRecord(session)
    // A conditional block: LMDB checks the id is absent and writes all three keys inside one
    // write transaction, on lmdb-js's writer thread — atomic across threads and processes.
    const created = await this.#guard('create', () =>
      this.#db.ifNoExists([REC, id], () => {
        this.#db.put([REC, id], r)
        this.#db.put([USER, r[0], r[1], id], r)
        this.#db.put([EXP, r[2], id], true)
      }),
    )
    if (!created) throw new DuplicateIdError(this.layer)
  }

  async fetchById(id: string): Promise<Session | null> {
    checkKey('id', id)
    const r = this.#read('fetchById', () => this.#record(id))
    return r && r[2] > this.now() ? toSession(id, r) : null
  }

  async fetchByUserKey(userKey: string): Promise<Session[]> {
    checkKey('userKey', userKey)
    const now = this.now()
    return this.#read('fetchByUserKey', () => {
      const sessions: Session[] = []
      const range = userRange(userKey)
      for (const { key, value } of this.#db.getRange(range)) {
        const [, owner, , id] = key as [string, string, number, string]
        const r = value as StoredRecord
        if (owner === userKey && r[2] > now) sessions.push(toSession(id, r))
      }
      return sessions
    })
  }

  async deleteById(id: string): Promise<void> {
    checkKey('id', id)
    const gone = await this.#write('deleteById', () => {
      const r = this.#record(id)
      if (r) this.#removeAll(id, r)
      return r
    })
    if (gone) this.#emit([[id, gone]], 'revoked')
  }

  async deleteByUserKey(userKey: string, ...exceptIds: string[]): Promise<void> {
    checkKey('userKey', userKey)
    const keep = new Set(exceptIds)
    const gone = await this.#write('deleteByUserKey', () => {
      const deleted: Array<[string, StoredRecord]> = []
      const range = userRange(userKey)
      for (const { key, value } of [...this.#db.getRange(range)]) {
        const [, owner, , id] = key as [string, string, number, string]
        if (owner !== userKey || keep.has(id)) continue
        this.#removeAll(id, value as StoredRecord)
        deleted.push([id, value as StoredRecord])
      }
      return deleted
    })
    this.#emit(gone, 'revoked')
  }

  async extend(id: string, expiresAt: Date): Promise<boolean> {
    checkKey('id', id)
    checkDate('expiresAt', expiresAt)
    const until = expiresAt.getTime()
    return this.#write('extend', () => {
      const r = this.#record(id)
      if (!r || r[2] <= this.now() || r[2] >= until) return false
      const renewed: StoredRecord = [r[0], r[1], until, r[3], r[4], r[5], r[6]]
      this.#db.remove([EXP, r[2], id])
      this.#db.put([EXP, until, id], true)
      this.#db.put([REC, id], renewed)
      this.#db.put([USER, r[0], r[1], id], renewed)
      return true
    })
  }

  /**
   * Deletes expired sessions through the expiry index, `batchSize` per write transaction,
   * letting the event loop run between transactions. Small transactions also keep LMDB's
   * free-page list short, so writes stay fast after a large cleanup.
   */
  async deleteExpired(): Promise<number> {
    let total = 0
    for (;;) {
      const limit = this.#batchSize
      const gone = await this.#write('deleteExpired', () => {
        const deleted: Array<[string, StoredRecord]> = []
        const range = { start: [EXP], end: [EXP, this.now() + 1], limit }
        for (const key of [...this.#db.getKeys(range)]) {
          const [, , id] = key as [string, number, string]
          const r = this.#record(id)
          if (r) {
            this.#removeAll(id, r)
            deleted.push([id, r])
          } else {
            this.#db.remove(key) // an index entry without its record: repair rather than loop
          }
        }
        return deleted
      })
      total += gone.length
      this.#emit(gone, 'expired')
      if (gone.length < limit) return total
      await yieldToEventLoop()
    }
  }
}
