import type { Pool, PoolClient } from 'pg'
import { yieldToEventLoop } from '../cleanup.js'
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
import { checkIdentifier, checkTableName, VERSION_TABLE } from './sql-names.js'

export interface PostgresStoreOptions extends BaseStoreOptions {
  /** Table name; a plain identifier. Default `sessions`. */
  table?: string
  /** Schema holding the table (created if missing); a plain identifier. Default `public`. */
  schema?: string
  /** Rows deleted per cleanup statement. Default 1000. */
  batchSize?: number
}

type Row = {
  id: string
  user_key: string
  created_at: string
  expires_at: string
  ip: string | null
  agent_os: string
  agent_browser: string
  meta: string
}

const COLUMNS = 'id, user_key, created_at, expires_at, ip, agent_os, agent_browser, meta'
const SCHEMA_VERSION = 1

function toSession(row: Row): Session {
  return {
    id: row.id,
    userKey: row.user_key,
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
    ip: row.ip,
    agent: { os: row.agent_os, browser: row.agent_browser },
    meta: JSON.parse(row.meta),
  }
}

/**
 * Sessions in a PostgreSQL table, over a `pg` Pool you created (and end). Atomic creates with
 * `ON CONFLICT DO NOTHING`, deletion events from `DELETE … RETURNING`, indexes on user key and
 * expiry, and a cleanup that several app instances can run at once (`SKIP LOCKED`): each
 * expired session is deleted and reported by one of them.
 *
 * @example
 * const store = new PostgresStore(new pg.Pool({ connectionString: process.env.DATABASE_URL }))
 * await store.ready
 */
export class PostgresStore extends BaseStore {
  readonly table: string
  /** Resolves once the table exists and its schema version is checked; methods wait for it. */
  readonly ready: Promise<void>
  readonly #pool: Pool
  readonly #t: string
  readonly #batchSize: number

  constructor(pool: Pool, options: PostgresStoreOptions = {}) {
    super('postgres', options)
    if (typeof pool?.query !== 'function' || typeof pool.connect !== 'function') {
      throw new InvalidOptionError('pool', 'expected a pg Pool')
    }
    const table = checkTableName(options.table ?? 'sessions')
    const schema = checkIdentifier('schema', options.schema ?? 'public')
    this.table = table
    this.#pool = pool
    this.#t = `"${schema}"."${table}"`
    this.#batchSize = checkBatchSize(options.batchSize, 1000)
    this.ready = this.#prepare(schema, table)
    this.ready.catch(() => {}) // reported through every method that awaits it
    this.startCleanupTimer(options)
  }

  /** Creates the table and indexes if missing, under an advisory lock so instances don't race. */
  async #prepare(schema: string, table: string): Promise<void> {
    const client = await this.#pool.connect().catch((e) => {
      throw storeFailure(this.layer, 'connecting', e)
    })
    try {
      await client.query('BEGIN')
      await client.query("SELECT pg_advisory_xact_lock(hashtext('sessionup schema'))")
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${schema}".${VERSION_TABLE} (table_name TEXT PRIMARY KEY, version INTEGER NOT NULL)`,
      )
      const found = await client.query(
        `SELECT version FROM "${schema}".${VERSION_TABLE} WHERE table_name = $1`,
        [table],
      )
      const version = found.rows[0]?.version as number | undefined
      const exists = await client.query(
        'SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2',
        [schema, table],
      )
      if (version === undefined && exists.rowCount) {
        throw new SessionupError(
          'INVALID_OPTION',
          `[postgres] table ${this.#t} exists but was not made by sessionup; pick another table name`,
        )
      }
      if (version !== undefined && version > SCHEMA_VERSION) {
        throw new SessionupError(
          'INVALID_OPTION',
          `[postgres] table ${this.#t} has schema version ${version}, newer than this sessionup (${SCHEMA_VERSION})`,
        )
      }
      if (version === undefined) await this.#createV1(client, schema, table)
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {})
      throw storeFailure(this.layer, `preparing table ${this.#t}`, error)
    } finally {
      client.release()
    }
  }

  async #createV1(client: PoolClient, schema: string, table: string): Promise<void> {
    // Times are epoch milliseconds in BIGINT; meta is JSON text (JSONB would reorder keys and
    // refuse some strings).
    await client.query(`CREATE TABLE ${this.#t} (
      id TEXT PRIMARY KEY,
      user_key TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      ip TEXT,
      agent_os TEXT NOT NULL,
      agent_browser TEXT NOT NULL,
      meta TEXT NOT NULL
    )`)
    await client.query(`CREATE INDEX "${table}_user_key" ON ${this.#t} (user_key, created_at)`)
    await client.query(`CREATE INDEX "${table}_expires_at" ON ${this.#t} (expires_at)`)
    await client.query(
      `INSERT INTO "${schema}".${VERSION_TABLE} (table_name, version) VALUES ($1, $2)`,
      [table, SCHEMA_VERSION],
    )
  }

  async #query(
    action: string,
    sql: string,
    params: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number }> {
    await this.ready
    try {
      const result = await this.#pool.query(sql, params)
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 }
    } catch (error) {
      throw storeFailure(this.layer, action, error)
    }
  }

  #emit(rows: Row[], reason: DeletionReason): void {
    if (rows.length > 0 && this.events.active) this.events.emit(rows.map(toSession), reason)
  }

  async create(session: Session): Promise<void> {
    checkSession(session)
    const s = session
    const { rowCount } = await this.#query(
      'create',
      `INSERT INTO ${this.#t} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
      [
        s.id,
        s.userKey,
        s.createdAt.getTime(),
        s.expiresAt.getTime(),
        s.ip,
        s.agent.os,
        s.agent.browser,
        JSON.stringify(s.meta),
      ],
    )
    if (rowCount === 0) throw new DuplicateIdError(this.layer)
  }

  async fetchById(id: string): Promise<Session | null> {
    checkKey('id', id)
    const { rows } = await this.#query(
      'fetchById',
      `SELECT ${COLUMNS} FROM ${this.#t} WHERE id = $1 AND expires_at > $2`,
      [id, this.now()],
    )
    return rows[0] ? toSession(rows[0]) : null
  }

  async fetchByUserKey(userKey: string): Promise<Session[]> {
    checkKey('userKey', userKey)
    // COLLATE "C": ties on createdAt order by id in code-point order, as in every other store.
    const sql = `SELECT ${COLUMNS} FROM ${this.#t} WHERE user_key = $1 AND expires_at > $2 ORDER BY created_at, id COLLATE "C"`
    const { rows } = await this.#query('fetchByUserKey', sql, [userKey, this.now()])
    return rows.map(toSession)
  }

  async deleteById(id: string): Promise<void> {
    checkKey('id', id)
    const { rows } = await this.#query(
      'deleteById',
      `DELETE FROM ${this.#t} WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    )
    this.#emit(rows, 'revoked')
  }

  async deleteByUserKey(userKey: string, ...exceptIds: string[]): Promise<void> {
    checkKey('userKey', userKey)
    for (const id of exceptIds) checkKey('exceptIds', id)
    const sql = `DELETE FROM ${this.#t} WHERE user_key = $1 AND NOT (id = ANY($2::text[])) RETURNING ${COLUMNS}`
    const { rows } = await this.#query('deleteByUserKey', sql, [userKey, exceptIds])
    this.#emit(rows, 'revoked')
  }

  async extend(id: string, expiresAt: Date): Promise<boolean> {
    checkKey('id', id)
    checkDate('expiresAt', expiresAt)
    const until = expiresAt.getTime()
    const sql = `UPDATE ${this.#t} SET expires_at = $1 WHERE id = $2 AND expires_at > $3 AND expires_at < $1`
    return (await this.#query('extend', sql, [until, id, this.now()])).rowCount > 0
  }

  /**
   * Deletes expired sessions in batches. `FOR UPDATE SKIP LOCKED` lets several instances clean
   * up at once without waiting on each other, and `RETURNING` reports only the rows a statement
   * itself deleted, so each session is reported once.
   */
  async deleteExpired(): Promise<number> {
    let total = 0
    for (;;) {
      const sql = `DELETE FROM ${this.#t} WHERE id IN (
        SELECT id FROM ${this.#t} WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
      ) RETURNING ${COLUMNS}`
      const { rows } = await this.#query('deleteExpired', sql, [this.now(), this.#batchSize])
      total += rows.length
      this.#emit(rows, 'expired')
      if (rows.length < this.#batchSize) return total
      await yieldToEventLoop()
    }
  }
}
