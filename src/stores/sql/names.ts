import { InvalidOptionError } from '../../errors.js'
import type { TableName } from './schema.js'

/** Where each sessionup table's schema version is recorded (one row per table), in every SQL store. */
export const VERSION_TABLE = 'sessionup_schema'

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * Accepts only a plain identifier, so the name can go into SQL quoted but unescaped (the Go
 * stores put names there unchecked).
 */
export function checkIdentifier(option: string, name: unknown): string {
  if (typeof name !== 'string' || !PLAIN_IDENTIFIER.test(name)) {
    throw new InvalidOptionError(
      option,
      `${JSON.stringify(name)} is not a plain identifier (letters, digits, "_", not starting with a digit, at most 63)`,
    )
  }
  return name
}

/** A table name: a plain identifier, and none SQLite reserves or our version table uses. */
export function checkTableName(table: unknown): string {
  const name = checkIdentifier('table', table)
  if (/^sqlite_/i.test(name) || name.toLowerCase() === VERSION_TABLE) {
    throw new InvalidOptionError('table', `"${name}" is a reserved name`)
  }
  return name
}

/**
 * The checked, quoted names of a sessions table. `schema` is null for an engine with one schema
 * per connection (SQLite's `main`).
 */
export function tableName(
  options: { table?: unknown; schema?: unknown },
  schemaDefault: string | null,
): TableName {
  const table = checkTableName(options.table ?? 'sessions')
  if (schemaDefault === null) {
    return { schema: 'main', table, qualified: `"${table}"`, versionTable: VERSION_TABLE }
  }
  const schema = checkIdentifier('schema', options.schema ?? schemaDefault)
  return {
    schema,
    table,
    qualified: `"${schema}"."${table}"`,
    versionTable: `"${schema}".${VERSION_TABLE}`,
  }
}
