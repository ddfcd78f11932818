import { storeFailure } from '../../errors.js'
import type { SessionRecord } from '../../session.js'
import type { SchemaStatus, SessionPatch } from '../../store.js'
import { BaseStore, type Deletion, type Removed, SCHEMA_VERSION, type StoreSpec } from '../base.js'
import type { ChangeFeed, Watching } from '../feed.js'
import { flatten, unflatten } from '../record.js'
import {
  CHANGE_RETENTION_MS,
  changeOf,
  changeStatements,
  loggedDelete,
  sqlChangeSource,
} from './changes.js'
import type { SqlDialect } from './dialect.js'
import { Readiness, then } from './readiness.js'
import {
  type Ask,
  prepareTable,
  type SchemaOutcome,
  type SchemaRun,
  type TableName,
} from './schema.js'
import {
  type DeleteName,
  deleteConditions,
  META_COLUMN,
  statements,
  touchStatement,
} from './statements.js'

type Maybe<T> = T | Promise<T>

/** A row as an array, in the order of `COLUMNS`; integers may arrive as strings (pg's BIGINT). */
type Row = unknown[]

/** A statement prepared once and run many times, with `?` placeholders. */
export interface SqlStatement {
  /** The rows it returns, each an array of its columns. */
  rows(params: readonly unknown[]): Maybe<Row[]>
  /** How many rows it changed. */
  run(params: readonly unknown[]): Maybe<number>
}

/** What an engine's driver gives the SQL core: statements, and a locked run of the schema steps. */
export interface SqlDriver {
  readonly dialect: SqlDialect
  readonly name: TableName
  prepare(sql: string): SqlStatement
  /** Runs the schema steps in one transaction under a lock that other processes respect. */
  migrate(steps: SchemaRun): Maybe<SchemaOutcome>
  /** Runs the steps in one write transaction; the rows of the last one, as arrays. */
  atomic(steps: readonly Ask[]): Maybe<Row[]>
  /**
   * Calls `wake` whenever another connection may have added to the change log, until stopped;
   * for a driver's `seqs`, with the seqs it was told of; `touched(id)` for each announced update.
   */
  watch(
    wake: (seq?: number, row?: unknown[]) => void,
    report: (error: Error) => void,
    touched?: (id: string) => void,
  ): Watching
  /**
   * PostgreSQL: wraps an `UPDATE` so that it also announces each updated id to the listening
   * instances (for their read caches), in the same statement; its rows are the updated ids.
   */
  announce?(update: string): string
}

type StatementName = Exclude<keyof ReturnType<typeof statements>, 'returning'>

/**
 * The sessions table, written once for SQLite and PostgreSQL (lucia v3's adapter shape): the
 * rules live in `BaseStore`, the SQL here and in `statements.ts`, and a driver file only runs
 * statements.
 */
export abstract class SqlStore extends BaseStore<Row> {
  readonly table: string
  readonly #driver: SqlDriver
  readonly #sql: ReturnType<typeof statements>
  readonly #prepared = new Map<string, SqlStatement>()
  readonly #readiness: Readiness
  readonly #logged: boolean
  readonly #where: ReturnType<typeof deleteConditions>

  constructor(
    layer: string,
    options: object | undefined,
    spec: StoreSpec,
    driver: () => SqlDriver,
    autoMigrate: boolean,
    changeLog: boolean,
  ) {
    super(layer, options, spec)
    this.#driver = driver()
    this.#logged = changeLog
    this.table = this.#driver.name.table
    this.#sql = statements(this.#driver.dialect, this.#driver.name.qualified)
    this.#where = deleteConditions(this.#driver.dialect, this.#driver.name.qualified)
    this.#readiness = new Readiness(
      (write) => this.#run(write),
      autoMigrate,
      this.#driver.name.qualified,
    )
  }

  /** One run of the schema steps; failures name the table. */
  #run(write: boolean): Maybe<SchemaOutcome> {
    const action = `preparing table ${this.#driver.name.qualified}`
    try {
      const done = this.#driver.migrate(
        prepareTable(this.#driver.dialect, this.#driver.name, write, this.#logged),
      )
      return done instanceof Promise
        ? done.catch((error: unknown) => {
            throw storeFailure(this.layer, action, error)
          })
        : done
    } catch (error) {
      throw storeFailure(this.layer, action, error)
    }
  }

  /**
   * Resolves once the table is in place. A failed attempt is not kept: the next call (or the
   * next `ready`) tries again, so a store made while the database was down recovers.
   */
  get ready(): Promise<void> {
    return this.#readiness.ready
  }

  /** Migrates the table to this version in place (several processes may run it at once). */
  override async migrate(): Promise<{ from: number | null; to: number }> {
    return { from: await this.#readiness.migrate(), to: SCHEMA_VERSION }
  }

  override async schemaStatus(): Promise<SchemaStatus> {
    const outcome = await this.#run(false)
    return { version: outcome.from, current: SCHEMA_VERSION }
  }

  #statementFor(sql: string): SqlStatement {
    let statement = this.#prepared.get(sql)
    if (!statement) {
      statement = this.#driver.prepare(sql)
      this.#prepared.set(sql, statement)
    }
    return statement
  }

  #statement(name: StatementName, returning = false): SqlStatement {
    return this.#statementFor(this.#sql[name] + (returning ? this.#sql.returning : ''))
  }

  /** Runs `work` once the table is ready; synchronously when it already is. */
  #when<T>(work: () => Maybe<T>): Maybe<T> {
    return this.#readiness.when(work)
  }

  /**
   * A delete that returns its rows when asked to, else how many it deleted; with the change log,
   * it also logs the rows, in the same transaction.
   */
  #delete(name: DeleteName, d: Deletion, params: unknown[]): Maybe<Removed<Row>> {
    if (this.#logged) {
      const { dialect, name: table } = this.#driver
      const steps = loggedDelete(dialect, table.qualified, table, this.#where[name], params, d)
      return this.#when(() =>
        then(this.#driver.atomic(steps), (rows) => (d.rows ? rows : rows.length)),
      )
    }
    return this.#when(() =>
      d.rows ? this.#statement(name, true).rows(params) : this.#statement(name).run(params),
    )
  }

  /** Follows the change log, if this store writes one. */
  protected override changeFeed(): ChangeFeed | undefined {
    if (!this.#logged) return undefined
    const query = (sql: string, params: unknown[]) =>
      this.#when(() => this.#statementFor(sql).rows(params))
    const source = sqlChangeSource(this.#driver.name, query, (row) => this.decode(row))
    const decode = (row: Row) => this.decode(row)
    return this.feedFrom({
      ...source,
      watch: (wake, report, touched) =>
        this.#driver.watch((seq, row) => wake(seq, row && changeOf(row, decode)), report, touched),
    })
  }

  /** Drops change rows older than the retention (cleanup calls it after each pass). */
  protected override trimChanges(now: number): Maybe<void> {
    if (!this.#logged) return
    const trim = changeStatements(this.#driver.name).trim
    return this.#when(() =>
      then(this.#statementFor(trim).run([now - CHANGE_RETENTION_MS]), () => {}),
    )
  }

  protected insert(s: SessionRecord): Maybe<boolean> {
    const params = [...flatten(s), JSON.stringify(s.meta)]
    return this.#when(() => then(this.#statement('insert').run(params), (n) => n === 1))
  }

  protected selectById(id: string, now: number): Maybe<Row | undefined> {
    return this.#when(() => then(this.#statement('byId').rows([id, now]), (rows) => rows[0]))
  }

  protected selectByUser(userKey: string, now: number): Maybe<Row[]> {
    return this.#when(() => this.#statement('byUser').rows([userKey, now]))
  }

  protected update(id: string, patch: SessionPatch, now: number): Maybe<boolean> {
    const { sql, params } = touchStatement(
      this.#driver.dialect,
      this.#driver.name.qualified,
      id,
      patch,
      now,
    )
    const announce = this.#logged ? this.#driver.announce : undefined
    if (announce) {
      const statement = this.#statementFor(announce(sql))
      return this.#when(() => then(statement.rows(params), (rows) => rows.length > 0))
    }
    return this.#when(() => then(this.#statementFor(sql).run(params), (n) => n > 0))
  }

  protected removeById(id: string, owner: string | undefined, d: Deletion) {
    if (owner === undefined) return this.#delete('deleteById', d, [id])
    return this.#delete('deleteOwned', d, [id, owner])
  }

  protected removeByUser(userKey: string, except: readonly string[], d: Deletion) {
    if (except.length === 0) return this.#delete('deleteByUser', d, [userKey])
    const list = this.#driver.dialect.except(except)
    return this.#delete('deleteByUserExcept', d, [userKey, list])
  }

  protected removeExpired(now: number, limit: number, d: Deletion) {
    return this.#delete('deleteExpired', d, [now, limit])
  }

  protected decode(row: Row): SessionRecord {
    const meta = row[META_COLUMN]
    if (typeof meta !== 'string') throw new TypeError('meta is not text')
    return unflatten(row, meta === '{}' ? {} : JSON.parse(meta))
  }
}
