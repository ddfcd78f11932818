import type { Database, Key, RootDatabase } from 'lmdb'
import { type CleanupHandle, startCleanup } from '../cleanup.js'
import { InvalidOptionError, StoreError } from '../errors.js'
import type { SessionRecord } from '../session.js'
import type { SchemaStatus, SessionPatch } from '../store.js'
import { BaseStore, type Deletion, type Removed, SCHEMA_VERSION } from './base.js'
import { checkAutoMigrate, checkFlag } from './base-options.js'
import type { ChangeFeed } from './feed.js'
import { type LMDBStoreOptions, lmdbChangeSource, logDeleted, trimLog } from './lmdb-changes.js'

export type { LMDBStoreOptions } from './lmdb-changes.js'

import { handsOutCopies } from './copies.js'
import {
  EXP,
  isAt,
  prepareBucket,
  REC,
  type Row,
  type StoredRecord,
  toRecord,
  toSession,
  USER,
  userRange,
  VERSION_KEY,
  WRITES_KEY,
} from './lmdb-layout.js'
import { removeExpiredRows, removeOne, removeUserRows, updateRow } from './lmdb-ops.js'

const hasRows = (rows: readonly Row[]) => rows.length > 0
const wrote = (done: boolean) => done
const never = () => false

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
  readonly #autoMigrate: boolean
  readonly #logged: boolean
  /** Why the bucket cannot be used yet (autoMigrate off, not migrated); `undefined` when it can. */
  #outdated: InvalidOptionError | undefined

  constructor(root: RootDatabase, options: LMDBStoreOptions) {
    super('lmdb', options, {
      batchSize: 500,
      options: ['bucket', 'autoMigrate', 'changeLog', 'cache'],
    })
    handsOutCopies(this, new.target === LMDBStore)
    this.#autoMigrate = checkAutoMigrate(options?.autoMigrate)
    this.#logged = checkFlag('changeLog', options?.changeLog, true)
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
      this.#outdated = prepareBucket(this.#db, bucket, this.#autoMigrate, () => this.#fresh())
    } catch (error) {
      if (error instanceof InvalidOptionError) throw error
      throw new StoreError(this.layer, `opening bucket "${bucket}"`, error)
    }
    this.opened()
  }

  /** Records this schema version (a v1 bucket's records need no rewrite); idempotent. */
  override async migrate(): Promise<{ from: number | null; to: number }> {
    const from = (await this.schemaStatus()).version
    try {
      prepareBucket(this.#db, this.bucket, true, () => this.#fresh())
    } catch (error) {
      if (error instanceof InvalidOptionError) throw error
      throw new StoreError(this.layer, 'migrate', error)
    }
    this.#outdated = undefined
    return { from, to: SCHEMA_VERSION }
  }

  override async schemaStatus(): Promise<SchemaStatus> {
    this.#fresh()
    const found = this.#db.get(VERSION_KEY)
    return { version: typeof found === 'number' ? found : null, current: SCHEMA_VERSION }
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
    this.#checkCurrent()
  }

  /**
   * Refuses to work on a bucket that is not at this schema version (`autoMigrate: false`), until
   * it is: by this store's `migrate()` or another process's. The check is one read.
   */
  #checkCurrent(): void {
    if (!this.#outdated) return
    this.#outdated = prepareBucket(this.#db, this.bucket, false, () => this.#fresh())
    if (this.#outdated) throw this.#outdated
  }

  /**
   * A write transaction whose callback runs (synchronously) inside LMDB's write lock. When it
   * changed sessions (`changed` says from its result) it also moves the writes counter that
   * read caches check, in the same transaction; one that changed nothing leaves caches be.
   */
  #write<T>(work: () => T, changed: (result: T) => boolean): Promise<T> {
    this.#checkOpen()
    return this.#db.transaction(() => {
      const result = work()
      if (changed(result)) this.#db.put(WRITES_KEY, Number(this.#db.get(WRITES_KEY) ?? 0) + 1)
      return result
    })
  }

  protected override get cacheNeedsFeed(): boolean {
    return false
  }

  protected override cacheStamp(): number {
    this.#fresh()
    return Number(this.#db.get(WRITES_KEY) ?? 0)
  }

  protected override cacheRecheck(id: string, version: number, now: number): boolean {
    return isAt(this.#record(id), version, now)
  }

  #record(id: string): StoredRecord | undefined {
    return this.#db.get([REC, id]) as StoredRecord | undefined
  }

  protected insert(session: SessionRecord): Promise<boolean> {
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
    this.#checkCurrent()
    this.#fresh()
    const r = this.#record(id)
    return r ? [id, r] : undefined
  }

  protected selectByUser(userKey: string): Row[] {
    this.#checkCurrent()
    this.#fresh()
    const rows: Row[] = []
    for (const { key, value } of this.#db.getRange(userRange(userKey))) {
      const [, owner, , id] = key as [string, string, number, string]
      if (owner === userKey) rows.push([id, value as StoredRecord])
    }
    return rows
  }

  /**
   * A delete's write transaction; what it deleted goes into the change log in the same one. The
   * rows come back only when asked for (a listener or a cache wants them), else their count.
   */
  async #delete(d: Deletion, work: () => Row[]): Promise<Removed<Row>> {
    const deleted = await this.#write(() => {
      const rows = work()
      if (this.#logged) logDeleted(this.#db, rows, d)
      return rows
    }, hasRows)
    return d.rows ? deleted : deleted.length
  }

  protected override changeFeed(): ChangeFeed | undefined {
    if (!this.#logged) return undefined
    const source = lmdbChangeSource(this.#db, () => this.#fresh(), toSession)
    return this.feedFrom(source)
  }

  protected override trimChanges(now: number): Promise<void> | undefined {
    if (!this.#logged) return undefined
    return this.#write(() => {
      trimLog(this.#db, now, 10_000)
    }, never)
  }

  protected removeById(id: string, owner: string | undefined, d: Deletion) {
    return this.#delete(d, () => removeOne(this.#db, id, owner))
  }

  protected removeByUser(userKey: string, except: readonly string[], d: Deletion) {
    const keep = new Set(except)
    return this.#delete(d, () => removeUserRows(this.#db, userKey, keep))
  }

  protected update(id: string, patch: SessionPatch, now: number): Promise<boolean> {
    return this.#write(() => updateRow(this.#db, id, patch, now), wrote)
  }

  /**
   * Deletes expired sessions through the expiry index, one write transaction per batch. Small
   * transactions also keep LMDB's free-page list short, so writes stay fast after a large
   * cleanup.
   */
  protected removeExpired(now: number, limit: number, d: Deletion) {
    return this.#delete(d, () => removeExpiredRows(this.#db, now, limit))
  }

  protected decode(row: Row): SessionRecord {
    return toSession(row)
  }
}
