import type { Database } from 'better-sqlite3'
import { SessionupError } from '../errors.js'
import { VERSION_TABLE } from './sql-names.js'

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = 1
/** Columns of version 1, in order, with their declared types and NOT NULL flags. */
const COLUMNS_V1: ReadonlyArray<readonly [string, string, boolean]> = [
  ['id', 'TEXT', true],
  ['user_key', 'TEXT', true],
  ['created_at', 'INTEGER', true],
  ['expires_at', 'INTEGER', true],
  ['ip', 'TEXT', false],
  ['agent_os', 'TEXT', true],
  ['agent_browser', 'TEXT', true],
  ['meta', 'TEXT', true],
]

function createV1(db: Database, table: string): void {
  // Times are integer epoch milliseconds: no zone, no text comparison. WITHOUT ROWID keeps a
  // row in the primary-key b-tree, so a fetch by id is one lookup.
  db.exec(`
    CREATE TABLE "${table}" (
      id TEXT NOT NULL PRIMARY KEY,
      user_key TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      ip TEXT,
      agent_os TEXT NOT NULL,
      agent_browser TEXT NOT NULL,
      meta TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX "${table}_user_key" ON "${table}" (user_key, created_at, id);
    CREATE INDEX "${table}_expires_at" ON "${table}" (expires_at);
  `)
}

/**
 * Steps from version N-1 to N, applied in order to bring an older table up to date. Version 1
 * is created directly; later changes of the table add their step here.
 */
const MIGRATIONS: ReadonlyArray<(db: Database, table: string) => void> = []

function shapeMatchesV1(db: Database, table: string): boolean {
  const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as Array<{
    name: string
    type: string
    notnull: number
  }>
  return (
    columns.length === COLUMNS_V1.length &&
    columns.every((c, i) => {
      const [name, type, notNull] = COLUMNS_V1[i] ?? []
      return c.name === name && c.type.toUpperCase() === type && c.notnull === (notNull ? 1 : 0)
    })
  )
}

/**
 * Creates the table and its indexes if missing, migrates an older version, and refuses a table
 * it does not know: one of another shape, or one written by a newer sessionup. Runs in one
 * immediate transaction so processes starting together do not race.
 */
export function prepareSchema(db: Database, table: string): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (
      table_name TEXT NOT NULL PRIMARY KEY,
      version INTEGER NOT NULL
    )`)
    const recorded = db
      .prepare(`SELECT version FROM ${VERSION_TABLE} WHERE table_name = ?`)
      .pluck()
      .get(table) as number | undefined
    const exists =
      db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(table) !==
      undefined
    let version = recorded ?? 0
    if (recorded === undefined && exists) {
      if (!shapeMatchesV1(db, table)) throw unknownShape(table)
      version = 1
    } else if (recorded !== undefined && !exists) {
      version = 0
    }
    if (version > SCHEMA_VERSION) {
      throw new SessionupError(
        'INVALID_OPTION',
        `[sqlite] table "${table}" has schema version ${version}, newer than this sessionup (${SCHEMA_VERSION}); upgrade sessionup`,
      )
    }
    if (version === 0) createV1(db, table)
    for (let v = Math.max(version, 1); v < SCHEMA_VERSION; v++) MIGRATIONS[v - 1]?.(db, table)
    if (version >= 1 && version === SCHEMA_VERSION && !shapeMatchesV1(db, table)) {
      throw unknownShape(table)
    }
    db.prepare(
      `INSERT INTO ${VERSION_TABLE} (table_name, version) VALUES (?, ?)
       ON CONFLICT (table_name) DO UPDATE SET version = excluded.version`,
    ).run(table, SCHEMA_VERSION)
  }).immediate()
}

function unknownShape(table: string): SessionupError {
  return new SessionupError(
    'INVALID_OPTION',
    `[sqlite] table "${table}" exists but is not a sessionup sessions table (its columns differ); pick another table name`,
  )
}
