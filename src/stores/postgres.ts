import { createHash } from 'node:crypto'
import type { Pool } from 'pg'
import { InvalidOptionError } from '../errors.js'
import type { BaseStoreOptions } from './base.js'
import { checkAutoMigrate, checkFlag } from './base-options.js'
import { handsOutCopies } from './copies.js'
import { listen } from './pg-listen.js'
import type { CacheOptions } from './read-cache.js'
import { channelOf } from './sql/changes.js'
import { postgresDialect } from './sql/dialect.js'
import { tableName } from './sql/names.js'
import type { SchemaOutcome, SchemaRun, SqlRow } from './sql/schema.js'
import { type SqlDriver, SqlStore } from './sql/store.js'

export interface PostgresStoreOptions extends BaseStoreOptions {
  /** Table name; a plain identifier. Default `sessions`. */
  table?: string
  /** Schema holding the table (created if missing); a plain identifier. Default `public`. */
  schema?: string
  /** Rows deleted per cleanup statement. Default 1000. */
  batchSize?: number
  /**
   * Create or migrate the table on first use. Default `true`. With `false` the schema is never
   * changed behind your back: until `store.migrate()` has run, every method rejects naming this
   * option.
   */
  autoMigrate?: boolean
  /**
   * Run the store's statements as named prepared statements, parsed and planned once per
   * connection (about twice as fast for a fetch by id here). Default `true`; set `false` behind
   * a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean
  /**
   * Log each deletion in `<table>_changes`, in the same statement, whose trigger NOTIFYs the
   * listening instances: deletion listeners in every instance hear of it. A store with listeners
   * holds one connection of its own (the pool's settings, outside the pool) for `LISTEN`.
   * Default `true`; `false` keeps deletion events in the instance that deleted.
   */
  changeLog?: boolean
  /**
   * Answer `fetchById` from memory. Other instances' revocations, expiries and updates reach the
   * cache by `NOTIFY` (each `touch` announces its id), so the store then holds its `LISTEN`
   * connection for as long as it is open; while that connection is down, every read goes to
   * PostgreSQL. Needs `changeLog`. Off by default.
   */
  cache?: CacheOptions
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … (our statements hold no `?` in literals). */
function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

/** pg under the SQL core. */
function pgPool(pool: Pool, options: PostgresStoreOptions): SqlDriver {
  const prepared = checkFlag('preparedStatements', options.preparedStatements, true)
  return {
    dialect: postgresDialect,
    name: tableName(options, 'public'),
    prepare(sql) {
      const text = numbered(sql)
      // A name per text: pg prepares it on each connection the first time, then reuses it.
      const name = prepared
        ? `sessionup_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`
        : undefined
      return {
        rows: async (params) =>
          (await pool.query({ name, text, values: params as unknown[], rowMode: 'array' })).rows,
        run: async (params) =>
          (await pool.query({ name, text, values: params as unknown[] })).rowCount ?? 0,
      }
    },
    async atomic(steps) {
      if (steps.length === 1 && steps[0]) {
        const { sql, params } = steps[0]
        return (await pool.query({ text: numbered(sql), values: params, rowMode: 'array' })).rows
      }
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        let rows: unknown[][] = []
        for (const { sql, params } of steps) {
          rows = (await client.query({ text: numbered(sql), values: params, rowMode: 'array' }))
            .rows
        }
        await client.query('COMMIT')
        return rows
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
    watch(wake, report, touched) {
      return listen(pool, channelOf(tableName(options, 'public')), wake, report, touched)
    },
    announce(update) {
      const channel = channelOf(tableName(options, 'public'))
      return `WITH u AS (${update} RETURNING id) SELECT pg_notify('${channel}', 'u' || id) FROM u`
    },
    async migrate(steps: SchemaRun): Promise<SchemaOutcome> {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        // One instance prepares at a time; the others then find everything in place.
        await client.query("SELECT pg_advisory_xact_lock(hashtext('sessionup schema'))")
        let step = steps.next()
        while (!step.done) {
          const result = await client.query(numbered(step.value.sql), step.value.params)
          step = steps.next(result.rows as SqlRow[])
        }
        await client.query('COMMIT')
        return step.value
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        client.release()
      }
    },
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
export class PostgresStore extends SqlStore {
  constructor(pool: Pool, options: PostgresStoreOptions = {}) {
    super(
      'postgres',
      options,
      {
        batchSize: 1000,
        options: ['table', 'schema', 'autoMigrate', 'preparedStatements', 'changeLog', 'cache'],
      },
      () => {
        if (typeof pool?.query !== 'function' || typeof pool.connect !== 'function') {
          throw new InvalidOptionError('pool', 'expected a pg Pool')
        }
        return pgPool(pool, options)
      },
      checkAutoMigrate(options?.autoMigrate),
      checkFlag('changeLog', options?.changeLog, true),
    )
    handsOutCopies(this, new.target === PostgresStore)
    if (this.cache && options.changeLog === false) {
      throw new InvalidOptionError(
        'cache',
        "needs changeLog: other instances' changes reach the cache through it",
      )
    }
    this.opened()
  }
}
