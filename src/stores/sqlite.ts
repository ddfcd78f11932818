import type { Database, Statement } from 'better-sqlite3'
import { type CleanupHandle, startCleanup } from '../cleanup.js'
import { InvalidOptionError } from '../errors.js'
import type { BaseStoreOptions } from './base.js'
import { checkAutoMigrate, checkFlag } from './base-options.js'
import { handsOutCopies } from './copies.js'
import { pollWatch } from './feed.js'
import type { CacheOptions } from './read-cache.js'
import { sqliteDialect } from './sql/dialect.js'
import { tableName } from './sql/names.js'
import type { SchemaOutcome, SchemaRun, SqlRow } from './sql/schema.js'
import { type SqlDriver, SqlStore } from './sql/store.js'

export interface SQLiteStoreOptions extends BaseStoreOptions {
  /** Table name; a plain identifier. Default `sessions`. */
  table?: string
  /**
   * Create or migrate the table when the store is opened. Default `true`. With `false` the
   * schema is never changed behind your back: until `store.migrate()` has run, every method
   * rejects naming this option.
   */
  autoMigrate?: boolean
  /** Rows deleted per cleanup batch; the event loop runs between batches. Default 250. */
  batchSize?: number
  /**
   * Log each deletion in `<table>_changes`, in the same transaction, so that deletion listeners
   * in every process sharing the file hear of it (within about 10 ms: listening processes poll
   * `PRAGMA data_version`, which costs about 2 µs). Default `true`; `false` keeps deletion events
   * in the process that deleted.
   */
  changeLog?: boolean
  /**
   * Answer `fetchById` from memory, exactly: each hit first reads `PRAGMA data_version` (about
   * 1 µs), which moves only when another connection has committed; when it has, the hit is
   * checked against the row's version before it is used. This store's own writes forget what
   * they change before they resolve. Off by default.
   */
  cache?: CacheOptions
}

/** better-sqlite3 under the SQL core: statements run synchronously, so no call waits on I/O. */
function betterSqlite3(db: Database, options: SQLiteStoreOptions): SqlDriver {
  const name = tableName(options, null)
  const cache = new Map<string, Statement>()
  const prepared = (sql: string) => {
    let statement = cache.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      cache.set(sql, statement)
    }
    return statement
  }
  return {
    dialect: sqliteDialect,
    name,
    prepare(sql) {
      const statement = db.prepare(sql)
      const arrays = statement.reader ? statement.raw(true) : statement
      return {
        rows: (params) => arrays.all(...params) as unknown[][],
        run: (params) => statement.run(...params).changes,
      }
    },
    atomic(steps) {
      return db
        .transaction(() => {
          let rows: unknown[][] = []
          for (const step of steps) {
            const statement = prepared(step.sql)
            if (statement.reader) rows = statement.raw(true).all(...step.params) as unknown[][]
            else statement.run(...step.params)
          }
          return rows
        })
        .immediate()
    },
    watch(wake, report) {
      // Moves only when another connection commits: this process's own writes leave it alone.
      const dataVersion = db.prepare('PRAGMA data_version').pluck()
      return pollWatch(() => dataVersion.get(), wake, report)
    },
    migrate(steps: SchemaRun): SchemaOutcome {
      // BEGIN IMMEDIATE takes the write lock first, so processes starting together queue up.
      return db
        .transaction(() => {
          let step = steps.next()
          while (!step.done) {
            const statement = db.prepare(step.value.sql)
            const params = step.value.params
            let rows: SqlRow[] = []
            if (statement.reader) rows = statement.all(...params) as SqlRow[]
            else statement.run(...params)
            step = steps.next(rows)
          }
          return step.value
        })
        .immediate()
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
  readonly #db: Database
  #dataVersion: Statement | undefined
  #version: Statement | undefined

  constructor(db: Database, options: SQLiteStoreOptions = {}) {
    super(
      'sqlite',
      options,
      { batchSize: 250, options: ['table', 'autoMigrate', 'changeLog', 'cache'] },
      () => {
        if (typeof db?.prepare !== 'function' || typeof db.transaction !== 'function') {
          throw new InvalidOptionError('db', 'expected an open better-sqlite3 Database')
        }
        return betterSqlite3(db, options)
      },
      checkAutoMigrate(options?.autoMigrate),
      checkFlag('changeLog', options?.changeLog, true),
    )
    handsOutCopies(this, new.target === SQLiteStore)
    this.#db = db
    this.opened()
  }

  protected override get cacheNeedsFeed(): boolean {
    return false
  }

  /** Moves when another connection (process) has committed; this one's writes leave it. */
  protected override cacheStamp(): number {
    this.#dataVersion ??= this.#db.prepare('PRAGMA data_version').pluck()
    return this.#dataVersion.get() as number
  }

  protected override cacheRecheck(id: string, version: number, now: number): boolean {
    this.#version ??= this.#db
      .prepare(`SELECT version FROM "${this.table}" WHERE id = ? AND expires_at > ?`)
      .pluck()
    return this.#version.get(id, now) === version
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
