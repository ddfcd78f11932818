import type { Database, Statement } from 'better-sqlite3'
import { type CleanupHandle, startCleanup, yieldToEventLoop } from '../cleanup.js'
import { DuplicateIdError, InvalidOptionError, storeFailure } from '../errors.js'
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
import { checkTableName } from './sql-names.js'
import { prepareSchema } from './sqlite-schema.js'

export interface SQLiteStoreOptions extends BaseStoreOptions {
  /** Table name; a plain identifier. Default `sessions`. */
  table?: string
  /** Rows deleted per cleanup batch; the event loop runs between batches. Default 250 (about 1 ms per batch on 1M rows). */
  batchSize?: number
}

type Row = {
  id: string
  user_key: string
  created_at: number
  expires_at: number
  ip: string | null
  agent_os: string
  agent_browser: string
  meta: string
}

const COLUMNS = 'id, user_key, created_at, expires_at, ip, agent_os, agent_browser, meta'

function toSession(row: Row): Session {
  return {
    id: row.id,
    userKey: row.user_key,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    ip: row.ip,
    agent: { os: row.agent_os, browser: row.agent_browser },
    meta: row.meta === '{}' ? {} : JSON.parse(row.meta),
  }
}

/**
 * Sessions in a SQLite table, over a better-sqlite3 `Database` you opened (and close). Go's
 * sessionup-sqlitestore, with indexes, integer times, batched cleanup and atomic creates.
 *
 * @example
 * const db = new Database('app.db')
 * db.pragma('journal_mode = WAL')
 * const store = new SQLiteStore(db, { table: 'sessions', cleanupInterval: 15 * 60_000 })
 */
export class SQLiteStore extends BaseStore {
  readonly table: string
  readonly #batchSize: number
  /** Runs a write in BEGIN IMMEDIATE … COMMIT: the write lock is taken up front, as in Go. */
  readonly #immediate: <T>(work: () => T) => T
  readonly #sql: Record<
    | 'insert'
    | 'byId'
    | 'byUser'
    | 'deleteById'
    | 'deleteByIdCount'
    | 'deleteByUser'
    | 'deleteByUserCount'
    | 'deleteByUserExcept'
    | 'deleteByUserExceptCount'
    | 'extend'
    | 'expiredBatch'
    | 'expiredBatchCount',
    Statement
  >

  constructor(db: Database, options: SQLiteStoreOptions = {}) {
    super('sqlite', options)
    if (typeof db?.prepare !== 'function' || typeof db.transaction !== 'function') {
      throw new InvalidOptionError('db', 'expected an open better-sqlite3 Database')
    }
    const table = checkTableName(options.table ?? 'sessions')
    const batch = checkBatchSize(options.batchSize, 250)
    this.table = table
    this.#batchSize = batch
    const transaction = db.transaction((work: () => unknown) => work())
    this.#immediate = transaction.immediate as <T>(work: () => T) => T
    try {
      prepareSchema(db, table)
    } catch (error) {
      throw storeFailure(this.layer, `preparing table "${table}"`, error)
    }
    const t = `"${table}"`
    const prepare = (sql: string) => db.prepare(sql)
    const expired = `SELECT id FROM ${t} WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`
    this.#sql = {
      insert: prepare(
        `INSERT INTO ${t} (${COLUMNS}) VALUES (@id, @user_key, @created_at, @expires_at, @ip, @agent_os, @agent_browser, @meta)`,
      ),
      byId: prepare(`SELECT ${COLUMNS} FROM ${t} WHERE id = ? AND expires_at > ?`),
      byUser: prepare(
        `SELECT ${COLUMNS} FROM ${t} WHERE user_key = ? AND expires_at > ? ORDER BY created_at, id`,
      ),
      // Each delete comes as a pair: with RETURNING for when deletion listeners want the rows,
      // and without, which is cheaper, for when nobody listens.
      deleteById: prepare(`DELETE FROM ${t} WHERE id = ? RETURNING ${COLUMNS}`),
      deleteByIdCount: prepare(`DELETE FROM ${t} WHERE id = ?`),
      deleteByUser: prepare(`DELETE FROM ${t} WHERE user_key = ? RETURNING ${COLUMNS}`),
      deleteByUserCount: prepare(`DELETE FROM ${t} WHERE user_key = ?`),
      deleteByUserExcept: prepare(
        `DELETE FROM ${t} WHERE user_key = ? AND id NOT IN (SELECT value FROM json_each(?)) RETURNING ${COLUMNS}`,
      ),
      deleteByUserExceptCount: prepare(
        `DELETE FROM ${t} WHERE user_key = ? AND id NOT IN (SELECT value FROM json_each(?))`,
      ),
      extend: prepare(
        `UPDATE ${t} SET expires_at = ? WHERE id = ? AND expires_at > ? AND expires_at < ?`,
      ),
      expiredBatch: prepare(`DELETE FROM ${t} WHERE id IN (${expired}) RETURNING ${COLUMNS}`),
      expiredBatchCount: prepare(`DELETE FROM ${t} WHERE id IN (${expired})`),
    }
    this.startCleanupTimer(options)
  }

  /**
   * Go's `NewWithCleanup`: a store whose cleanup runs every `interval` ms from now on, each
   * failure handed to `onError`, and a `stop()` that ends it and waits for a running pass.
   */
  static withCleanup(
    db: Database,
    interval: number,
    onError: (error: Error) => void,
    options: Omit<SQLiteStoreOptions, 'cleanupInterval'> = {},
  ): { store: SQLiteStore } & CleanupHandle {
    const store = new SQLiteStore(db, { ...options, cleanupInterval: 0 })
    return { store, ...startCleanup(store, interval, onError) }
  }

  #run<T>(action: string, work: () => T): T {
    try {
      return work()
    } catch (error) {
      throw storeFailure(this.layer, action, error)
    }
  }

  #write<T>(action: string, work: () => T): T {
    return this.#run(action, () => this.#immediate(work))
  }

  async create(session: Session): Promise<void> {
    checkSession(session)
    const row: Row = {
      id: session.id,
      user_key: session.userKey,
      created_at: session.createdAt.getTime(),
      expires_at: session.expiresAt.getTime(),
      ip: session.ip,
      agent_os: session.agent.os,
      agent_browser: session.agent.browser,
      meta: JSON.stringify(session.meta),
    }
    try {
      this.#sql.insert.run(row)
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
        throw new DuplicateIdError(this.layer, { cause: error })
      throw storeFailure(this.layer, 'create', error)
    }
  }

  async fetchById(id: string): Promise<Session | null> {
    checkKey('id', id)
    const row = this.#run('fetchById', () => this.#sql.byId.get(id, this.now()) as Row | undefined)
    return row ? toSession(row) : null
  }

  async fetchByUserKey(userKey: string): Promise<Session[]> {
    checkKey('userKey', userKey)
    const rows = this.#run(
      'fetchByUserKey',
      () => this.#sql.byUser.all(userKey, this.now()) as Row[],
    )
    return rows.map(toSession)
  }

  /** Runs a delete; reads the deleted rows back only when a deletion listener wants them. */
  #delete(
    action: string,
    returning: Statement,
    count: Statement,
    reason: DeletionReason,
    ...params: unknown[]
  ): number {
    if (!this.events.active) return this.#write(action, () => count.run(...params).changes)
    const rows = this.#write(action, () => returning.all(...params) as Row[])
    if (rows.length > 0) this.events.emit(rows.map(toSession), reason)
    return rows.length
  }

  async deleteById(id: string): Promise<void> {
    checkKey('id', id)
    const sql = this.#sql
    this.#delete('deleteById', sql.deleteById, sql.deleteByIdCount, 'revoked', id)
  }

  async deleteByUserKey(userKey: string, ...exceptIds: string[]): Promise<void> {
    checkKey('userKey', userKey)
    for (const id of exceptIds) checkKey('exceptIds', id)
    const sql = this.#sql
    if (exceptIds.length === 0) {
      this.#delete('deleteByUserKey', sql.deleteByUser, sql.deleteByUserCount, 'revoked', userKey)
      return
    }
    const except = JSON.stringify(exceptIds)
    const [returning, count] = [sql.deleteByUserExcept, sql.deleteByUserExceptCount]
    this.#delete('deleteByUserKey', returning, count, 'revoked', userKey, except)
  }

  async extend(id: string, expiresAt: Date): Promise<boolean> {
    checkKey('id', id)
    checkDate('expiresAt', expiresAt)
    const until = expiresAt.getTime()
    const result = this.#run('extend', () => this.#sql.extend.run(until, id, this.now(), until))
    return result.changes > 0
  }

  /**
   * Deletes expired sessions in batches of `batchSize`, each its own short write, yielding to
   * the event loop between batches so requests keep being served during a large cleanup.
   */
  async deleteExpired(): Promise<number> {
    let total = 0
    for (;;) {
      const now = this.now()
      const limit = this.#batchSize
      const sql = this.#sql
      const [returning, count] = [sql.expiredBatch, sql.expiredBatchCount]
      const deleted = this.#delete('deleteExpired', returning, count, 'expired', now, limit)
      total += deleted
      if (deleted < limit) return total
      await yieldToEventLoop()
    }
  }
}
