import { InvalidOptionError } from '../../errors.js'
import type { SqlDialect } from './dialect.js'
import { VERSION_TABLE } from './names.js'

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 1

/** Where a sessions table lives, as names and as quoted SQL. */
export interface TableName {
  schema: string
  table: string
  /** `"schema"."table"`, or `"table"` where the engine has one schema. */
  qualified: string
  /** The version table beside it, quoted the same way. */
  versionTable: string
}

/** One statement the runner wants run; it is answered with the rows it returns. */
export interface Ask {
  sql: string
  params: unknown[]
}
export type SqlRow = Record<string, unknown>

/**
 * The schema steps as a generator of statements, so one runner serves a synchronous driver
 * (better-sqlite3 runs it to the end inside one transaction) and an asynchronous one (pg awaits
 * each answer inside its transaction), each under its engine's lock.
 */
export type SchemaRun = Generator<Ask, void, SqlRow[]>

const ask = (sql: string, params: unknown[] = []): Ask => ({ sql, params })

/** Columns of version 1, in order: name, type family, NOT NULL. */
const COLUMNS_V1: ReadonlyArray<readonly [string, 'text' | 'integer', boolean]> = [
  ['id', 'text', true],
  ['user_key', 'text', true],
  ['created_at', 'integer', true],
  ['expires_at', 'integer', true],
  ['ip', 'text', false],
  ['agent_os', 'text', true],
  ['agent_browser', 'text', true],
  ['meta', 'text', true],
]

function* createV1(d: SqlDialect, n: TableName): SchemaRun {
  // Times are integer epoch milliseconds: no zone, no text comparison. Meta is JSON text
  // (PostgreSQL's JSONB would reorder keys and refuse some strings).
  const columns = COLUMNS_V1.map(
    ([name, type, notNull]) =>
      `${name} ${type === 'text' ? d.text : d.integer}${notNull ? ' NOT NULL' : ''}${name === 'id' ? ' PRIMARY KEY' : ''}`,
  )
  yield ask(`CREATE TABLE ${n.qualified} (${columns.join(', ')})${d.tableOptions}`)
  yield ask(`CREATE INDEX "${n.table}_user_key" ON ${n.qualified} (user_key, created_at, id)`)
  yield ask(`CREATE INDEX "${n.table}_expires_at" ON ${n.qualified} (expires_at)`)
}

function shapeMatches(d: SqlDialect, rows: SqlRow[]): boolean {
  return (
    rows.length === COLUMNS_V1.length &&
    rows.every((row, i) => {
      const [name, type, notNull] = COLUMNS_V1[i] as (typeof COLUMNS_V1)[number]
      return (
        row.name === name &&
        row.type === (type === 'text' ? d.text : d.integer) &&
        Number(row.not_null) === (notNull ? 1 : 0)
      )
    })
  )
}

/**
 * Brings a sessions table to this version: creates what is missing (and only that, so a role
 * without CREATE can open a prepared database), recreates a table whose version row outlived
 * it, and refuses a table of another shape or of a newer sessionup. Writes nothing when the
 * table is already current.
 */
export function* prepareTable(d: SqlDialect, n: TableName): SchemaRun {
  if (d.schemaExists !== null && (yield ask(d.schemaExists, [n.schema])).length === 0) {
    yield ask(`CREATE SCHEMA "${n.schema}"`)
  }
  if ((yield ask(d.tableExists, [VERSION_TABLE, n.schema])).length === 0) {
    yield ask(
      `CREATE TABLE ${n.versionTable} (table_name ${d.text} NOT NULL PRIMARY KEY, version INTEGER NOT NULL)`,
    )
  }
  const found = yield ask(`SELECT version FROM ${n.versionTable} WHERE table_name = ?`, [n.table])
  const recorded = found[0] === undefined ? undefined : Number(found[0].version)
  if (recorded !== undefined && recorded > SCHEMA_VERSION) {
    throw new InvalidOptionError(
      'table',
      `${n.qualified} has schema version ${recorded}, newer than this sessionup (${SCHEMA_VERSION}); upgrade sessionup`,
    )
  }
  if ((yield ask(d.tableExists, [n.table, n.schema])).length === 0) {
    yield* createV1(d, n)
  } else if (!shapeMatches(d, yield ask(d.columns, [n.table, n.schema]))) {
    throw new InvalidOptionError(
      'table',
      `${n.qualified} exists but is not a sessionup sessions table (its columns differ); pick another table name`,
    )
  }
  if (recorded !== SCHEMA_VERSION) {
    yield ask(
      `INSERT INTO ${n.versionTable} (table_name, version) VALUES (?, ?)
       ON CONFLICT (table_name) DO UPDATE SET version = excluded.version`,
      [n.table, SCHEMA_VERSION],
    )
  }
}
