/**
 * What differs between the SQL engines. Everything else — the table, its statements, the schema
 * runner — is written once in `store.ts` and `schema.ts`, with `?` placeholders that a driver
 * numbers where its engine wants `$1`.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres'
  /** Column types, as the engine reports them back (upper-cased) when the table is inspected. */
  readonly text: string
  readonly integer: string
  /** Appended to CREATE TABLE. */
  readonly tableOptions: string
  /** `id` is not among the ids of the one parameter `except(ids)` makes. */
  readonly notInList: string
  except(ids: readonly string[]): unknown
  /** The two-argument smallest and largest of (SQLite's scalar min/max). */
  readonly least: string
  readonly greatest: string
  /** Orders ids by code point, whatever the database's collation. */
  readonly idOrder: string
  /** Lets concurrent cleaners skip rows another one has locked. */
  readonly skipLocked: string
  /** Rows, one per existing table `name` in `schema` (params: name, schema). */
  readonly tableExists: string
  /** Rows (name, type, not_null as 0/1) of a table's columns in order (params: name, schema). */
  readonly columns: string
  /** Rows, one if `schema` exists (params: schema); null where schemas are not a thing. */
  readonly schemaExists: string | null
}

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  text: 'TEXT',
  integer: 'INTEGER',
  // The row lives in the primary-key b-tree, so a fetch by id is one lookup.
  tableOptions: ' WITHOUT ROWID',
  notInList: 'id NOT IN (SELECT value FROM json_each(?))',
  except: (ids) => JSON.stringify(ids),
  least: 'min',
  greatest: 'max',
  idOrder: 'id',
  skipLocked: '',
  tableExists: `SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ? AND ? = 'main'`,
  columns: 'SELECT name, upper(type) AS type, "notnull" AS not_null FROM pragma_table_info(?, ?)',
  schemaExists: null,
}

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  text: 'TEXT',
  integer: 'BIGINT',
  tableOptions: '',
  notInList: 'NOT (id = ANY(?::text[]))',
  except: (ids) => ids,
  least: 'LEAST',
  greatest: 'GREATEST',
  idOrder: 'id COLLATE "C"',
  skipLocked: 'FOR UPDATE SKIP LOCKED',
  tableExists: 'SELECT 1 FROM pg_catalog.pg_tables WHERE tablename = ? AND schemaname = ?',
  columns: `SELECT column_name AS name, upper(data_type) AS type,
    CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null
    FROM information_schema.columns WHERE table_name = ? AND table_schema = ?
    ORDER BY ordinal_position`,
  schemaExists: 'SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?',
}
