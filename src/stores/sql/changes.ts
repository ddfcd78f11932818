import type { SessionRecord } from '../../session.js'
import type { Change, ChangeSource } from '../feed.js'
import type { SqlDialect } from './dialect.js'
import { then } from './readiness.js'
import type { Ask, SqlRow, TableName } from './schema.js'
import { COLUMNS } from './statements.js'

/**
 * The change log beside a sessions table: one row per deleted session (revoked or expired), written
 * in the same transaction as the delete, so that other processes sharing the database learn of
 * it. Rows carry the writer's `origin` (a process skips its own), the deleted row as a JSON array
 * in `COLUMNS` order, and are trimmed by cleanup after `CHANGE_RETENTION_MS`.
 */

export { CHANGE_RETENTION_MS } from '../feed.js'

/** The quoted name of a table's change log: `<table>_changes`, in the same schema. */
export function changesTable(n: TableName): { name: string; qualified: string } {
  const name = `${n.table}_changes`
  const plain = n.qualified === `"${n.table}"` // SQLite: one schema per connection
  const qualified = plain ? `"${name}"` : `"${n.schema}"."${name}"`
  return { name, qualified }
}

/** The PostgreSQL channel a change log's trigger notifies (names are plain identifiers). */
export function channelOf(n: TableName): string {
  return `sessionup_${n.schema}_${n.table}`
}

/** The statements that create the change log (and, in PostgreSQL, its notifying trigger). */
export function* createChanges(d: SqlDialect, n: TableName): Generator<Ask, void, SqlRow[]> {
  const c = changesTable(n)
  const seq =
    d.name === 'sqlite'
      ? 'seq INTEGER PRIMARY KEY AUTOINCREMENT'
      : 'seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY'
  yield {
    sql: `CREATE TABLE ${c.qualified} (${seq}, at ${d.integer} NOT NULL, kind ${d.text} NOT NULL, reason ${d.text}, origin ${d.text} NOT NULL, row ${d.text} NOT NULL)`,
    params: [],
  }
  yield { sql: `CREATE INDEX "${c.name}_at" ON ${c.qualified} (at)`, params: [] }
  if (d.name !== 'postgres') return
  // Each committed change row wakes the listeners, in commit order, with the change itself
  // (seq, at, kind, reason, origin, row) when it fits in a notification, else with its seq only.
  const fn = `"${n.schema}"."${c.name}_notify"`
  const change =
    'json_build_array(NEW.seq, NEW.at, NEW.kind, NEW.reason, NEW.origin, NEW.row)::text'
  yield {
    sql: `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE payload text := ${change}; BEGIN IF octet_length(payload) > 7900 THEN payload := NEW.seq::text; END IF; PERFORM pg_notify('${channelOf(n)}', payload); RETURN NULL; END $$`,
    params: [],
  }
  yield {
    sql: `CREATE TRIGGER "${c.name}_notify" AFTER INSERT ON ${c.qualified} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    params: [],
  }
}

/** What one logged delete records beside the rows. */
export interface ChangeTag {
  at: number
  kind: 'revoked' | 'expired'
  reason: string | null
  origin: string
}

/**
 * The steps of a delete that logs what it deleted, in one transaction, returning the deleted rows.
 * SQLite logs the rows first and then deletes the same rows (its writer lock keeps anyone from
 * changing them in between); PostgreSQL does both in one statement.
 */
export function loggedDelete(
  d: SqlDialect,
  t: string,
  n: TableName,
  where: string,
  params: readonly unknown[],
  tag: ChangeTag,
): Ask[] {
  const c = changesTable(n).qualified
  const head = `INSERT INTO ${c} (at, kind, reason, origin, row)`
  const logged = [tag.at, tag.kind, tag.reason, tag.origin]
  if (d.name === 'sqlite') {
    return [
      {
        sql: `${head} SELECT ?, ?, ?, ?, json_array(${COLUMNS}) FROM ${t} WHERE ${where}`,
        params: [...logged, ...params],
      },
      { sql: `DELETE FROM ${t} WHERE ${where} RETURNING ${COLUMNS}`, params: [...params] },
    ]
  }
  return [
    {
      sql: `WITH d AS (DELETE FROM ${t} WHERE ${where} RETURNING ${COLUMNS}), l AS (${head} SELECT ?, ?, ?, ?, json_build_array(${COLUMNS})::text FROM d) SELECT ${COLUMNS} FROM d`,
      params: [...params, ...logged],
    },
  ]
}

/** Reading and trimming the log. */
export function changeStatements(n: TableName) {
  const c = changesTable(n).qualified
  return {
    head: `SELECT coalesce(max(seq), 0) FROM ${c}`,
    after: `SELECT seq, at, kind, reason, origin, row FROM ${c} WHERE seq > ? ORDER BY seq LIMIT ?`,
    bySeq: `SELECT seq, at, kind, reason, origin, row FROM ${c} WHERE seq = ANY(?::bigint[]) ORDER BY seq`,
    trim: `DELETE FROM ${c} WHERE at < ?`,
    dataVersion: 'PRAGMA data_version',
  }
}

type Maybe<T> = T | Promise<T>
type Row = unknown[]

/** A change from its columns (seq, at, kind, reason, origin, row as JSON text). */
export function changeOf(r: Row, decode: (row: Row) => SessionRecord): Change {
  return {
    seq: Number(r[0]),
    at: Number(r[1]),
    kind: r[2] === 'expired' ? 'expired' : 'revoked',
    reason: (r[3] ?? null) as Change['reason'],
    origin: String(r[4]),
    record: () => decode(JSON.parse(String(r[5])) as Row),
  }
}

/** Reading the change log through `query` (rows as arrays); the driver adds `watch`. */
export function sqlChangeSource(
  n: TableName,
  query: (sql: string, params: unknown[]) => Maybe<Row[]>,
  decode: (row: Row) => SessionRecord,
): Omit<ChangeSource, 'watch'> {
  const sql = changeStatements(n)
  const change = (r: Row) => changeOf(r, decode)
  return {
    head: () => then(query(sql.head, []), (rows) => Number(rows[0]?.[0] ?? 0)),
    after: (seq, limit) => then(query(sql.after, [seq, limit]), (rows) => rows.map(change)),
    // PostgreSQL only: its notifications name seqs that may have committed out of order.
    bySeq: (seqs) => then(query(sql.bySeq, [seqs]), (rows) => rows.map(change)),
  }
}
