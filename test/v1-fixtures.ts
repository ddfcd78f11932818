// Databases as sessionup 0.1 (schema v1) left them, written the way its code wrote them: its
// CREATE statements and version row for SQLite and PostgreSQL, its key layout for LMDB, its
// values and sorted sets for Redis. The migration tests fill these, then open this version's
// stores over them.
import type Database from 'better-sqlite3'
import type { Redis } from 'ioredis'
import type { RootDatabase } from 'lmdb'
import type pg from 'pg'
import type { V1Session } from '../src/testing/index.js'

type Row = [string, string, number, number, string | null, string, string, string]

const rowOf = (s: V1Session): Row => [
  s.id,
  s.userKey,
  s.createdAt.getTime(),
  s.expiresAt.getTime(),
  s.ip,
  s.agent.os,
  s.agent.browser,
  JSON.stringify(s.meta),
]

/** v1's table, for SQLite (`integer` INTEGER, WITHOUT ROWID) or PostgreSQL (BIGINT). */
function v1Schema(qualified: string, table: string, integer: string, rowid: string): string[] {
  return [
    `CREATE TABLE ${qualified} (id TEXT NOT NULL PRIMARY KEY, user_key TEXT NOT NULL, created_at ${integer} NOT NULL, expires_at ${integer} NOT NULL, ip TEXT, agent_os TEXT NOT NULL, agent_browser TEXT NOT NULL, meta TEXT NOT NULL)${rowid}`,
    `CREATE INDEX "${table}_user_key" ON ${qualified} (user_key, created_at, id)`,
    `CREATE INDEX "${table}_expires_at" ON ${qualified} (expires_at)`,
  ]
}

const INSERT = (qualified: string, p: (n: number) => string) =>
  `INSERT INTO ${qualified} (id, user_key, created_at, expires_at, ip, agent_os, agent_browser, meta) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8].map(p).join(', ')})`

export function writeSqliteV1(
  db: Database.Database,
  sessions: readonly V1Session[],
  table = 'sessions',
) {
  db.transaction(() => {
    for (const sql of v1Schema(`"${table}"`, table, 'INTEGER', ' WITHOUT ROWID')) db.exec(sql)
    db.exec(
      'CREATE TABLE sessionup_schema (table_name TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL)',
    )
    db.prepare('INSERT INTO sessionup_schema (table_name, version) VALUES (?, 1)').run(table)
    const insert = db.prepare(INSERT(`"${table}"`, () => '?'))
    for (const s of sessions) insert.run(...rowOf(s))
  })()
}

export async function writePostgresV1(
  pool: pg.Pool,
  schema: string,
  sessions: readonly V1Session[],
  table = 'sessions',
) {
  const qualified = `"${schema}"."${table}"`
  await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
  for (const sql of v1Schema(qualified, table, 'BIGINT', '')) await pool.query(sql)
  await pool.query(
    `CREATE TABLE IF NOT EXISTS "${schema}".sessionup_schema (table_name TEXT NOT NULL PRIMARY KEY, version INTEGER NOT NULL)`,
  )
  await pool.query(
    `INSERT INTO "${schema}".sessionup_schema (table_name, version) VALUES ($1, 1)`,
    [table],
  )
  for (const s of sessions)
    await pool.query(
      INSERT(qualified, (n) => `$${n}`),
      rowOf(s),
    )
}

/** v1's LMDB layout: ['s', id] and ['u', userKey, createdAt, id] → record, ['e', at, id] → true. */
export async function writeLmdbV1(
  root: RootDatabase,
  bucket: string,
  sessions: readonly V1Session[],
) {
  const db = root.openDB(bucket, {
    keyEncoding: 'ordered-binary',
    encoding: 'msgpack',
    cache: false,
  })
  await db.transaction(() => {
    db.put(['v'], 1)
    for (const s of sessions) {
      const [id, userKey, createdAt, expiresAt, ip, os, browser] = rowOf(s)
      const record = [userKey, createdAt, expiresAt, ip, os, browser, Object.entries(s.meta).flat()]
      db.put(['s', id], record)
      db.put(['u', userKey, createdAt, id], record)
      db.put(['e', expiresAt, id], true)
    }
  })
}

/** v1's Redis values ("<expiresAt>|" JSON) with the user and expiry sorted sets, as its CREATE. */
export async function writeRedisV1(client: Redis, prefix: string, sessions: readonly V1Session[]) {
  for (const s of sessions) {
    const [id, userKey, createdAt, expiresAt, ip, os, browser] = rowOf(s)
    const value = `${expiresAt}|${JSON.stringify([id, userKey, createdAt, ip, os, browser, s.meta])}`
    await client.set(`${prefix}s:${id}`, value, 'PXAT', expiresAt)
    await client.zadd(`${prefix}u:${userKey}`, createdAt, id)
    await client.zadd(`${prefix}e`, expiresAt, value)
  }
}
