import { yieldToEventLoop } from '../cleanup.js'
import { DuplicateIdError, StoreError, storeFailure } from '../errors.js'
import { isThenable } from '../events.js'
import { publicSession, type Session, type SessionRecord } from '../session.js'
import type {
  DeleteByIdOptions,
  DeleteByUserKeyOptions,
  DeletionReason,
  RevokeReason,
  SchemaStatus,
  SessionPatch,
  Store,
} from '../store.js'
import { checkId, checkPatch, checkRecord, checkUserKey } from './checks.js'
import {
  checkDeleteById,
  checkDeleteByUser,
  type Deletion,
  type Removed,
} from './delete-options.js'
import { StoreCore } from './store-core.js'

export {
  type BaseStoreOptions,
  checkBatchSize,
  DEFAULT_CLEANUP_INTERVAL,
  type StoreSpec,
} from './base-options.js'
export type { Deletion, Removed } from './delete-options.js'

type Maybe<T> = T | Promise<T>

/** The schema this code writes: v2 (stable ids, secret hashes, rotation, lifetimes). */
export const SCHEMA_VERSION = 2

/**
 * The template every store follows. Its public methods hold the rules: they check arguments
 * before the engine is touched, turn whatever the engine throws into a `StoreError`, never
 * return an expired session or another user's, and emit deletion events. A store implements
 * only the protected engine steps, on rows of its own shape `R`, and `decode`.
 */
export abstract class BaseStore<R = SessionRecord> extends StoreCore implements Store {
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
    deletion: Deletion,
  ): Maybe<Removed<R>>
  /** Deletes the user's sessions except `except`. */
  protected abstract removeByUser(
    userKey: string,
    except: readonly string[],
    deletion: Deletion,
  ): Maybe<Removed<R>>
  /** Applies `patch` to the live session `id` as `Store.touch` says, in one atomic step. */
  protected abstract update(id: string, patch: SessionPatch, now: number): Maybe<boolean>
  /** Deletes up to `limit` sessions with `expiresAt <= now`. */
  protected abstract removeExpired(
    now: number,
    limit: number,
    deletion: Deletion,
  ): Maybe<Removed<R>>
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
    const cache = this.cache
    // `return await`, not `return`: resolving with a promise costs two more microtask turns.
    if (cache === undefined) return await this.#fetch(id, now)
    let stamp: number | null
    try {
      stamp = this.cacheStamp()
    } catch (error) {
      throw storeFailure(this.layer, 'fetchById', error)
    }
    const recheck = (i: string, version: number) => this.cacheRecheck(i, version, now)
    // `return await`, not `return`: resolving with a promise costs two more microtask turns.
    return await cache.through(id, now, stamp, recheck, () => this.#fetch(id, now))
  }

  async #fetch(id: string, now: number): Promise<SessionRecord | null> {
    let row: R | null | undefined
    try {
      const selected = this.selectById(id, now)
      // An engine that answers synchronously (memory, SQLite, LMDB) costs no microtask turn.
      row = isThenable(selected) ? await selected : selected
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
    this.cache?.invalidate(id)
    let removed: Removed<R>
    try {
      removed = await this.#remove('deleteById', () =>
        this.removeById(id, owner, this.#deletion('revoked', reason)),
      )
    } finally {
      this.cache?.invalidate(id)
    }
    return this.#emitRemoved(removed, 'revoked', reason) > 0
  }

  async deleteByUserKey(userKey: string, options?: DeleteByUserKeyOptions): Promise<void> {
    checkUserKey('userKey', userKey)
    const { except, reason } = checkDeleteByUser(options)
    let removed: Removed<R>
    try {
      removed = await this.#remove('deleteByUserKey', () =>
        this.removeByUser(userKey, except, this.#deletion('revoked', reason)),
      )
    } catch (error) {
      this.cache?.clear() // which sessions went is unknown
      throw error
    }
    this.#emitRemoved(removed, 'revoked', reason)
  }

  async touch(id: string, patch: SessionPatch): Promise<boolean> {
    checkId('id', id)
    checkPatch(patch)
    this.cache?.invalidate(id)
    try {
      return await this.update(id, patch, this.now())
    } catch (error) {
      throw storeFailure(this.layer, 'touch', error)
    } finally {
      this.cache?.invalidate(id)
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
        this.removeExpired(now, limit, this.#deletion('expired', null, now)),
      )
      const count = this.#emitRemoved(removed, 'expired')
      total += count
      if (count < limit) break
      await yieldToEventLoop()
    }
    try {
      await this.trimChanges(this.now())
    } catch (error) {
      throw storeFailure(this.layer, 'deleteExpired', error)
    }
    return total
  }

  #deletion(kind: DeletionReason, reason: RevokeReason | null, at = this.now()): Deletion {
    // The read cache needs the rows too: to forget each deleted id.
    const rows = this.events.active || this.cache !== undefined
    return { rows, at, kind, reason, origin: this.origin }
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
        const record = this.decode(row)
        this.cache?.invalidate(record.id)
        sessions.push(publicSession(record))
      } catch (error) {
        this.cache?.clear()
        this.reportError(new StoreError(this.layer, 'reading a deleted record', error))
      }
    }
    if (this.events.active) {
      this.events.emitDeleted(sessions, reason, new Date(this.now()), revokeReason)
    }
    return removed.length
  }

  #read(action: string, row: R): SessionRecord {
    try {
      return this.decode(row)
    } catch (error) {
      throw new StoreError(this.layer, `${action}: reading a stored record`, error)
    }
  }

  /** Stores without a schema of their own are always current. */
  async migrate(): Promise<{ from: number | null; to: number }> {
    return { from: SCHEMA_VERSION, to: SCHEMA_VERSION }
  }

  async schemaStatus(): Promise<SchemaStatus> {
    return { version: SCHEMA_VERSION, current: SCHEMA_VERSION }
  }
}
