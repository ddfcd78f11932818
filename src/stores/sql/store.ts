import { storeFailure } from '../../errors.js'
import type { Session } from '../../session.js'
import { BaseStore, type Removed, type StoreSpec } from '../base.js'
import { readMeta, sessionFields } from '../checks.js'
import type { SqlDialect } from './dialect.js'
import { prepareTable, type SchemaRun, type SqlRow, type TableName } from './schema.js'

type Maybe<T> = T | Promise<T>

/** A statement prepared once and run many times, with `?` placeholders. */
export interface SqlStatement {
  /** The rows it returns. */
  all(params: readonly unknown[]): Maybe<SqlRow[]>
  /** How many rows it changed. */
  run(params: readonly unknown[]): Maybe<number>
}

/** What an engine's driver gives the SQL core: statements, and a locked run of the schema steps. */
export interface SqlDriver {
  readonly dialect: SqlDialect
  readonly name: TableName
  prepare(sql: string): SqlStatement
  /** Runs the schema steps in one transaction under a lock that other processes respect. */
  migrate(steps: SchemaRun): Maybe<void>
}

/** A sessions-table row; integer columns may arrive as strings (pg's BIGINT). */
type Row = {
  id: string
  user_key: string
  created_at: number | string
  expires_at: number | string
  ip: string | null
  agent_os: string
  agent_browser: string
  meta: string
}

const COLUMNS = 'id, user_key, created_at, expires_at, ip, agent_os, agent_browser, meta'

/** The statements of the table, each written once for every dialect. */
function statements(d: SqlDialect, t: string) {
  const returning = ` RETURNING ${COLUMNS}`
  const expired = `SELECT id FROM ${t} WHERE expires_at <= ? ORDER BY expires_at LIMIT ? ${d.skipLocked}`
  return {
    insert: `INSERT INTO ${t} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    byId: `SELECT ${COLUMNS} FROM ${t} WHERE id = ? AND expires_at > ?`,
    byUser: `SELECT ${COLUMNS} FROM ${t} WHERE user_key = ? AND expires_at > ? ORDER BY created_at, ${d.idOrder}`,
    extend: `UPDATE ${t} SET expires_at = ? WHERE id = ? AND expires_at > ? AND expires_at < ?`,
    // Deletes come in pairs: with RETURNING when deletion listeners want the rows, and without,
    // which is cheaper, when nobody listens.
    deleteById: `DELETE FROM ${t} WHERE id = ?`,
    deleteOwned: `DELETE FROM ${t} WHERE id = ? AND user_key = ?`,
    deleteByUser: `DELETE FROM ${t} WHERE user_key = ?`,
    deleteByUserExcept: `DELETE FROM ${t} WHERE user_key = ? AND ${d.notInList}`,
    deleteExpired: `DELETE FROM ${t} WHERE id IN (${expired})`,
    returning,
  }
}
type StatementName = Exclude<keyof ReturnType<typeof statements>, 'returning'>

/**
 * The sessions table, written once for SQLite and PostgreSQL (lucia v3's adapter shape): the
 * rules live in `BaseStore`, the SQL here, and a driver file only runs statements.
 */
export abstract class SqlStore extends BaseStore<Row> {
  readonly table: string
  readonly #driver: SqlDriver
  readonly #sql: ReturnType<typeof statements>
  readonly #prepared = new Map<string, SqlStatement>()
  #ready = false
  #preparing: Promise<void> | undefined

  constructor(
    layer: string,
    options: object | undefined,
    spec: StoreSpec,
    driver: () => SqlDriver,
  ) {
    super(layer, options, spec)
    this.#driver = driver()
    this.table = this.#driver.name.table
    this.#sql = statements(this.#driver.dialect, this.#driver.name.qualified)
    const done = this.#migrate()
    if (done instanceof Promise) this.#track(done)
    else this.#ready = true
  }

  /** One attempt at the schema steps; failures name the table. */
  #migrate(): Maybe<void> {
    const action = `preparing table ${this.#driver.name.qualified}`
    try {
      const done = this.#driver.migrate(prepareTable(this.#driver.dialect, this.#driver.name))
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
    if (this.#ready) return Promise.resolve()
    this.#preparing ??= this.#track(Promise.resolve().then(() => this.#migrate()))
    return this.#preparing
  }

  #track(attempt: Promise<void>): Promise<void> {
    const tracked = attempt.then(
      () => {
        this.#ready = true
      },
      (error: unknown) => {
        this.#preparing = undefined
        throw error
      },
    )
    tracked.catch(() => {}) // every method awaiting it reports the failure
    this.#preparing = tracked
    return tracked
  }

  #statement(name: StatementName, returning = false): SqlStatement {
    const key = returning ? `${name}+` : name
    let statement = this.#prepared.get(key)
    if (!statement) {
      statement = this.#driver.prepare(this.#sql[name] + (returning ? this.#sql.returning : ''))
      this.#prepared.set(key, statement)
    }
    return statement
  }

  /** Runs `work` once the table is ready; synchronously when it already is. */
  #when<T>(work: () => Maybe<T>): Maybe<T> {
    return this.#ready ? work() : this.ready.then(work)
  }

  /** A delete that returns its rows when asked to, else how many it deleted. */
  #delete(name: StatementName, rows: boolean, params: unknown[]): Maybe<Removed<Row>> {
    return this.#when(() =>
      rows
        ? (this.#statement(name, true).all(params) as Maybe<Row[]>)
        : this.#statement(name).run(params),
    )
  }

  protected insert(s: Session): Maybe<boolean> {
    const params = [...sessionFields(s), JSON.stringify(s.meta)]
    return this.#when(() => then(this.#statement('insert').run(params), (n) => n === 1))
  }

  protected selectById(id: string, now: number): Maybe<Row | undefined> {
    return this.#when(() =>
      then(this.#statement('byId').all([id, now]), (rows) => rows[0] as Row | undefined),
    )
  }

  protected selectByUser(userKey: string, now: number): Maybe<Row[]> {
    return this.#when(() => this.#statement('byUser').all([userKey, now]) as Maybe<Row[]>)
  }

  protected removeById(id: string, owner: string | undefined, rows: boolean) {
    if (owner === undefined) return this.#delete('deleteById', rows, [id])
    return this.#delete('deleteOwned', rows, [id, owner])
  }

  protected removeByUser(userKey: string, except: readonly string[], rows: boolean) {
    if (except.length === 0) return this.#delete('deleteByUser', rows, [userKey])
    const list = this.#driver.dialect.except(except)
    return this.#delete('deleteByUserExcept', rows, [userKey, list])
  }

  protected extendExpiry(id: string, until: number, now: number): Maybe<boolean> {
    return this.#when(() =>
      then(this.#statement('extend').run([until, id, now, until]), (n) => n > 0),
    )
  }

  protected removeExpired(now: number, limit: number, rows: boolean) {
    return this.#delete('deleteExpired', rows, [now, limit])
  }

  protected decode(row: Row): Session {
    return {
      id: row.id,
      userKey: row.user_key,
      createdAt: new Date(Number(row.created_at)),
      expiresAt: new Date(Number(row.expires_at)),
      ip: row.ip,
      agent: { os: row.agent_os, browser: row.agent_browser },
      meta: row.meta === '{}' ? {} : readMeta(JSON.parse(row.meta)),
    }
  }
}

/** Maps a value that may still be a promise, without a promise where there was none. */
function then<T, U>(value: Maybe<T>, map: (value: T) => U): Maybe<U> {
  return value instanceof Promise ? value.then(map) : map(value)
}
