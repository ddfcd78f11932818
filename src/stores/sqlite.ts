import type { Database } from 'better-sqlite3'
import { type CleanupHandle, startCleanup } from '../cleanup.js'
import { InvalidOptionError } from '../errors.js'
import type { BaseStoreOptions } from './base.js'
import { sqliteDialect } from './sql/dialect.js'
import { tableName } from './sql/names.js'
import type { SchemaRun, SqlRow } from './sql/schema.js'
import { type SqlDriver, SqlStore } from './sql/store.js'

export interface SQLiteStoreOptions extends BaseStoreOptions {
  /** Table name; a plain identifier. Default `sessions`. */
  table?: string
  /** Rows deleted per cleanup batch; the event loop runs between batches. Default 250 (about 1 ms per batch on 1M rows). */
  batchSize?: number
}

/** better-sqlite3 under the SQL core: statements run synchronously, so no call waits on I/O. */
function betterSqlite3(db: Database, options: SQLiteStoreOptions): SqlDriver {
  const name = tableName(options, null)
  return {
    dialect: sqliteDialect,
    name,
    prepare(sql) {
      const statement = db.prepare(sql)
      return {
        all: (params) => statement.all(...params) as SqlRow[],
        run: (params) => statement.run(...params).changes,
      }
    },
    migrate(steps: SchemaRun) {
      // BEGIN IMMEDIATE takes the write lock first, so processes starting together queue up.
      db.transaction(() => {
        for (let step = steps.next(); !step.done; ) {
          const statement = db.prepare(step.value.sql)
          const params = step.value.params
          let rows: SqlRow[] = []
          if (statement.reader) rows = statement.all(...params) as SqlRow[]
          else statement.run(...params)
          step = steps.next(rows)
        }
      }).immediate()
    },
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
export class SQLiteStore extends SqlStore {
  constructor(db: Database, options: SQLiteStoreOptions = {}) {
    super('sqlite', options, { batchSize: 250, options: ['table'] }, () => {
      if (typeof db?.prepare !== 'function' || typeof db.transaction !== 'function') {
        throw new InvalidOptionError('db', 'expected an open better-sqlite3 Database')
      }
      return betterSqlite3(db, options)
    })
    this.startCleanupTimer()
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
}
