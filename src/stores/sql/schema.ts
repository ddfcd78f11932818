import { InvalidOptionError } from '../../errors.js'
import { SCHEMA_VERSION } from '../base.js'
import { changesTable, createChanges } from './changes.js'
import type { SqlDialect } from './dialect.js'
import { VERSION_TABLE } from './names.js'

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

/** What the schema steps found, and whether the table is now current. */
export interface SchemaOutcome {
  /** The version found: `null` for no table yet. */
  from: number | null
  /** The version the table is at after the run. */
  to: number | null
}

/**
 * The schema steps as a generator of statements, so one runner serves a synchronous driver
 * (better-sqlite3 runs it to the end inside one transaction) and an asynchronous one (pg awaits
 * each answer inside its transaction), each under its engine's lock.
 */
export type SchemaRun = Generator<Ask, SchemaOutcome, SqlRow[]>

const ask = (sql: string, params: unknown[] = []): Ask => ({ sql, params })

type Column = readonly [name: string, type: 'text' | 'integer', notNull: boolean, init?: string]

/** Columns of version 1, in order. */
const COLUMNS_V1: readonly Column[] = [
  ['id', 'text', true],
  ['user_key', 'text', true],
  ['created_at', 'integer', true],
  ['expires_at', 'integer', true],
  ['ip', 'text', false],
  ['agent_os', 'text', true],
  ['agent_browser', 'text', true],
  ['meta', 'text', true],
]

/**
 * Columns version 2 appends. Nullable, or with a constant default, so adding them to a v1 table
 * rewrites no row (SQLite and PostgreSQL 11+ only change the table's definition); a v1 row reads
 * with its v1 meaning (see `unflatten`).
 */
const COLUMNS_V2: readonly Column[] = [
  ['deadline', 'integer', false],
  ['idle_timeout', 'integer', false],
  ['persistent', 'integer', true, '0'],
  ['last_active_at', 'integer', false],
  ['authenticated_at', 'integer', false],
  ['rotated_at', 'integer', false],
  ['secret_hash', 'text', false],
  ['previous_secret_hash', 'text', false],
  ['previous_secret_expires_at', 'integer', false],
  ['version', 'integer', true, '0'],
]

const COLUMNS = [...COLUMNS_V1, ...COLUMNS_V2]
const SHAPES: ReadonlyArray<readonly [number, readonly Column[]]> = [
  [1, COLUMNS_V1],
  [2, COLUMNS],
]

function definition(d: SqlDialect, [name, type, notNull, init]: Column): string {
  const sqlType = type === 'text' ? d.text : d.integer
  const key = name === 'id' ? ' PRIMARY KEY' : ''
  return `${name} ${sqlType}${notNull ? ' NOT NULL' : ''}${init ? ` DEFAULT ${init}` : ''}${key}`
}

function* createTable(d: SqlDialect, n: TableName): Generator<Ask, void, SqlRow[]> {
  // Times are integer epoch milliseconds: no zone, no text comparison. Meta is JSON text
  // (PostgreSQL's JSONB would reorder keys and refuse some strings).
  const columns = COLUMNS.map((c) => definition(d, c))
  yield ask(`CREATE TABLE ${n.qualified} (${columns.join(', ')})${d.tableOptions}`)
  yield ask(`CREATE INDEX "${n.table}_user_key" ON ${n.qualified} (user_key, created_at, id)`)
  yield ask(`CREATE INDEX "${n.table}_expires_at" ON ${n.qualified} (expires_at)`)
}

/** Which version's columns the table has, or `null` for a table that is not ours. */
function shapeOf(d: SqlDialect, rows: SqlRow[]): number | null {
  for (const [version, columns] of SHAPES) {
    const same =
      rows.length === columns.length &&
      rows.every((row, i) => {
        const [name, type, notNull] = columns[i] as Column
        return (
          row.name === name &&
          row.type === (type === 'text' ? d.text : d.integer) &&
          Number(row.not_null) === (notNull ? 1 : 0)
        )
      })
    if (same) return version
  }
  return null
}

/**
 * Brings a sessions table to this version when `write` is set: creates what is missing (and
 * only that, so a role without CREATE can open a prepared database), migrates a v1 table in
 * place, recreates a table whose version row outlived it, and refuses a table of another shape
 * or of a newer sessionup. With `changes`, the change log beside it is part of being current.
 * Without `write` it only reports. Writes nothing when everything is already current.
 */
export function* prepareTable(
  d: SqlDialect,
  n: TableName,
  write: boolean,
  changes: boolean,
): SchemaRun {
  const hasVersionTable = (yield ask(d.tableExists, [VERSION_TABLE, n.schema])).length > 0
  const found = hasVersionTable
    ? yield ask(`SELECT version FROM ${n.versionTable} WHERE table_name = ?`, [n.table])
    : []
  const recorded = found[0] === undefined ? undefined : Number(found[0].version)
  if (recorded !== undefined && recorded > SCHEMA_VERSION) {
    throw new InvalidOptionError(
      'table',
      `${n.qualified} has schema version ${recorded}, newer than this sessionup (${SCHEMA_VERSION}); upgrade sessionup`,
    )
  }
  const exists = (yield ask(d.tableExists, [n.table, n.schema])).length > 0
  const shape = exists ? shapeOf(d, yield ask(d.columns, [n.table, n.schema])) : null
  if (exists && shape === null) {
    throw new InvalidOptionError(
      'table',
      `${n.qualified} exists but is not a sessionup sessions table (its columns differ); pick another table name`,
    )
  }
  const from = exists ? shape : null
  const c = changesTable(n)
  const logMissing = changes && (yield ask(d.tableExists, [c.name, n.schema])).length === 0
  const current = from === SCHEMA_VERSION && recorded === SCHEMA_VERSION && !logMissing
  if (current) return { from, to: from }
  // A v2 table made before the change log existed reads as v2 but is not yet current.
  if (!write) return { from, to: from === SCHEMA_VERSION && logMissing ? null : from }
  if (d.schemaExists !== null && (yield ask(d.schemaExists, [n.schema])).length === 0) {
    yield ask(`CREATE SCHEMA "${n.schema}"`)
  }
  if (!hasVersionTable) {
    yield ask(
      `CREATE TABLE ${n.versionTable} (table_name ${d.text} NOT NULL PRIMARY KEY, version INTEGER NOT NULL)`,
    )
  }
  if (!exists) yield* createTable(d, n)
  else if (from === 1) {
    for (const column of COLUMNS_V2) {
      yield ask(`ALTER TABLE ${n.qualified} ADD COLUMN ${definition(d, column)}`)
    }
  }
  if (logMissing) yield* createChanges(d, n)
  yield ask(
    `INSERT INTO ${n.versionTable} (table_name, version) VALUES (?, ?)
     ON CONFLICT (table_name) DO UPDATE SET version = excluded.version`,
    [n.table, SCHEMA_VERSION],
  )
  return { from, to: SCHEMA_VERSION }
}
