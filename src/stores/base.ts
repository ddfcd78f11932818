import { CleanupTimer, runCleanup, yieldToEventLoop } from '../cleanup.js'
import { DuplicateIdError, StoreError, storeFailure } from '../errors.js'
import { DeletionEvents, ErrorListeners } from '../events.js'
import { publicSession, type Session, type SessionRecord } from '../session.js'
import type {
  DeleteByIdOptions,
  DeleteByUserKeyOptions,
  DeletionListener,
  DeletionReason,
  RevokeReason,
  SchemaStatus,
  SessionPatch,
  Store,
  StoreErrorListener,
  Unsubscribe,
} from '../store.js'
import { baseOptions, type StoreSpec } from './base-options.js'
import { checkId, checkPatch, checkRecord, checkUserKey } from './checks.js'
import { checkDeleteById, checkDeleteByUser } from './delete-options.js'

export {
  type BaseStoreOptions,
  checkBatchSize,
  DEFAULT_CLEANUP_INTERVAL,
  type StoreSpec,
} from './base-options.js'

/** What a delete step gives back: the deleted rows when they were asked for, else a count. */
export type Removed<R> = readonly R[] | number

type Maybe<T> = T | Promise<T>

/** The schema this code writes: v2 (stable ids, secret hashes, rotation, lifetimes). */
export const SCHEMA_VERSION = 2

/**
 * The template every store follows. Its public methods hold the rules: they check arguments
 * before the engine is touched, turn whatever the engine throws into a `StoreError`, never
 * return an expired session or another user's, and emit deletion events. A store implements
 * only the protected engine steps, on rows of its own shape `R`, and `decode`.
 */
export abstract class BaseStore<R = SessionRecord> implements Store {
  protected readonly now: () => number
  protected readonly events: DeletionEvents
  protected readonly batchSize: number
  readonly #errors = new ErrorListeners()
  readonly #interval: number
  #cleanup: CleanupTimer | undefined
  #closing: Promise<void> | undefined

  /** Checks every option before the store does anything with its database. */
  constructor(
    protected readonly layer: string,
    options: object | undefined,
    spec: StoreSpec,
  ) {
    const o = baseOptions(layer, options, spec)
    this.now = o.now
    this.#interval = o.interval
    this.batchSize = o.batchSize
    this.events = new DeletionEvents((error) => this.reportError(error))
  }

  /** Starts the cleanup timer; stores call this last in their constructor. */
  protected startCleanupTimer(): void {
    if (this.#interval > 0 && !this.#cleanup) {
      this.#cleanup = new CleanupTimer(
        () => this.deleteExpired(),
        this.#interval,
        (error) => this.reportError(error),
      )
    }
  }

  // The engine steps. Each may answer synchronously or with a promise; whatever it throws
  // becomes a StoreError naming the operation.

  /** Inserts unless the id exists; `false` for a duplicate. Must be atomic. */
  protected abstract insert(session: SessionRecord): Maybe<boolean>
  /** The row of `id`, or nothing; may skip rows expired by `now`. */
  protected abstract selectById(id: string, now: number): Maybe<R | null | undefined>
  /** The user's rows, oldest first (createdAt, then id); may skip rows expired by `now`. */
  protected abstract selectByUser(userKey: string, now: number): Maybe<readonly R[]>
  /** Deletes `id` (only if owned by `owner`, when given). */
  protected abstract removeById(
    id: string,
    owner: string | undefined,
    rows: boolean,
  ): Maybe<Removed<R>>
  /** Deletes the user's sessions except `except`. */
  protected abstract removeByUser(
    userKey: string,
    except: readonly string[],
    rows: boolean,
  ): Maybe<Removed<R>>
  /** Applies `patch` to the live session `id` as `Store.touch` says, in one atomic step. */
  protected abstract update(id: string, patch: SessionPatch, now: number): Maybe<boolean>
  /** Deletes up to `limit` sessions with `expiresAt <= now`. */
  protected abstract removeExpired(now: number, limit: number, rows: boolean): Maybe<Removed<R>>
  /** A stored row as a record; throws if the row cannot be read. */
  protected abstract decode(row: R): SessionRecord

  async create(session: SessionRecord): Promise<void> {
    checkRecord(session)
    let created: boolean
    try {
      created = await this.insert(session)
    } catch (error) {
      throw storeFailure(this.layer, 'create', error)
    }
    if (!created) throw new DuplicateIdError(this.layer)
  }

  async fetchById(id: string): Promise<SessionRecord | null> {
    checkId('id', id)
    const now = this.now()
    let row: R | null | undefined
    try {
      row = await this.selectById(id, now)
    } catch (error) {
      throw storeFailure(this.layer, 'fetchById', error)
    }
    if (row === null || row === undefined) return null
    const session = this.#read('fetchById', row)
    return session.id === id && session.expiresAt.getTime() > now ? session : null
  }

  async fetchByUserKey(userKey: string): Promise<SessionRecord[]> {
    checkUserKey('userKey', userKey)
    const now = this.now()
    let rows: readonly R[]
    try {
      rows = await this.selectByUser(userKey, now)
    } catch (error) {
      throw storeFailure(this.layer, 'fetchByUserKey', error)
    }
    const sessions: SessionRecord[] = []
    for (const row of rows) {
      const s = this.#read('fetchByUserKey', row)
      if (s.userKey === userKey && s.expiresAt.getTime() > now) sessions.push(s)
    }
    return sessions
  }

  async deleteById(id: string, options?: DeleteByIdOptions): Promise<boolean> {
    checkId('id', id)
    const { owner, reason } = checkDeleteById(options)
    const removed = await this.#remove('deleteById', () =>
      this.removeById(id, owner, this.events.active),
    )
    return this.#emitRemoved(removed, 'revoked', reason) > 0
  }

  async deleteByUserKey(userKey: string, options?: DeleteByUserKeyOptions): Promise<void> {
    checkUserKey('userKey', userKey)
    const { except, reason } = checkDeleteByUser(options)
    const removed = await this.#remove('deleteByUserKey', () =>
      this.removeByUser(userKey, except, this.events.active),
    )
    this.#emitRemoved(removed, 'revoked', reason)
  }

  async touch(id: string, patch: SessionPatch): Promise<boolean> {
    checkId('id', id)
    checkPatch(patch)
    try {
      return await this.update(id, patch, this.now())
    } catch (error) {
      throw storeFailure(this.layer, 'touch', error)
    }
  }

  /**
   * Deletes expired sessions in batches of `batchSize`, each its own short write, letting the
   * event loop run between batches so requests keep being served during a large cleanup.
   */
  async deleteExpired(): Promise<number> {
    let total = 0
    for (;;) {
      const limit = this.batchSize
      const now = this.now()
      const removed = await this.#remove('deleteExpired', () =>
        this.removeExpired(now, limit, this.events.active),
      )
      const count = this.#emitRemoved(removed, 'expired')
      total += count
      if (count < limit) return total
      await yieldToEventLoop()
    }
  }

  async #remove(action: string, step: () => Maybe<Removed<R>>): Promise<Removed<R>> {
    try {
      return await step()
    } catch (error) {
      throw storeFailure(this.layer, action, error)
    }
  }

  /** Emits events for deleted rows; a row that cannot be read is reported, the rest go out. */
  #emitRemoved(removed: Removed<R>, reason: DeletionReason, revokeReason?: RevokeReason): number {
    if (typeof removed === 'number') return removed
    const sessions: Session[] = []
    for (const row of removed) {
      try {
        sessions.push(publicSession(this.decode(row)))
      } catch (error) {
        this.reportError(new StoreError(this.layer, 'reading a deleted record', error))
      }
    }
    this.events.emitDeleted(sessions, reason, new Date(this.now()), revokeReason)
    return removed.length
  }

  #read(action: string, row: R): SessionRecord {
    try {
      return this.decode(row)
    } catch (error) {
      throw new StoreError(this.layer, `${action}: reading a stored record`, error)
    }
  }

  /**
   * Go's `Cleanup(ctx, interval)`: deletes expired sessions every `interval` ms until `signal`
   * aborts; rejects on the first failure (or a bad interval) so the caller can restart it.
   */
  cleanup(interval: number, signal?: AbortSignal): Promise<void> {
    return runCleanup(this, interval, signal)
  }

  /** Stores without a schema of their own are always current. */
  async migrate(): Promise<{ from: number | null; to: number }> {
    return { from: SCHEMA_VERSION, to: SCHEMA_VERSION }
  }

  async schemaStatus(): Promise<SchemaStatus> {
    return { version: SCHEMA_VERSION, current: SCHEMA_VERSION }
  }

  protected reportError(error: Error): void {
    this.#errors.report(error)
  }

  onDeletion(listener: DeletionListener): Unsubscribe {
    return this.events.subscribe(listener)
  }

  onError(listener: StoreErrorListener): () => void {
    return this.#errors.add(listener)
  }

  close(): Promise<void> {
    this.#closing ??= this.#cleanup?.stop() ?? Promise.resolve()
    return this.#closing
  }
}
