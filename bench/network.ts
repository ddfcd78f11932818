// Redis and PostgreSQL stores against raw client commands doing the same work, on the local
// servers. Run: npm run bench:network   (REDIS_URL / DATABASE_URL, defaults to localhost)
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { SessionRecord as Session } from '../src/index.js'
import { PostgresStore } from '../src/stores/postgres.js'
import { flatten } from '../src/stores/record.js'
import { RedisStore } from '../src/stores/redis.js'
import { encode } from '../src/stores/redis-layout.js'
import { COLUMNS } from '../src/stores/sql/statements.js'
import { compare, type Pair, session, table, us, x } from './lib.js'

const N = Number(process.env.SIZE ?? 10_000)
const PER_USER = 5
const HOUR = 3_600_000
const run = randomBytes(4).toString('hex')

async function redisBench(): Promise<Record<string, Pair>> {
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  const prefix = `sessionup-bench-${run}:`
  const store = new RedisStore(client, { prefix, cleanupInterval: 0 })
  for (let i = 0; i < N; i += 500) {
    await Promise.all(
      Array.from({ length: 500 }, (_, k) =>
        store.create(session(`s-${i + k}`, `user-${Math.floor((i + k) / PER_USER)}`)),
      ),
    )
  }
  const users = N / PER_USER
  const rnd = (i: number) => (i * 7919) % N
  // The value the store writes (redis-layout.ts): v2's leading fields, then the JSON parts.
  const raw = (s: Session) => encode(s)
  const r: Record<string, Pair> = {}
  r['fetchById (hit)'] = await compare(
    5,
    2000,
    (i) => store.fetchById(`s-${rnd(i)}`),
    (i) => client.get(`${prefix}s:s-${rnd(i)}`),
  )
  r.fetchByUserKey = await compare(
    5,
    1000,
    (i) => store.fetchByUserKey(`user-${rnd(i) % users}`),
    async (i) => {
      const ids = await client.zrange(`${prefix}u:user-${rnd(i) % users}`, 0, -1)
      return client.mget(...ids.map((id) => `${prefix}s:${id}`))
    },
  )
  r.create = await compare(
    5,
    500,
    (i) => store.create(session(`o-${i}`, `nu-${i}`)),
    (i) => {
      const s = session(`f-${i}`, `nu-${i}`)
      const v = raw(s)
      return client
        .multi()
        .set(`${prefix}s:${s.id}`, v, 'PXAT', s.expiresAt.getTime())
        .zadd(`${prefix}u:${s.userKey}`, s.createdAt.getTime(), s.id)
        .zadd(`${prefix}e`, s.expiresAt.getTime(), v)
        .exec()
    },
  )
  r.deleteById = await compare(
    5,
    500,
    (i) => store.deleteById(`o-${i}`),
    async (i) => {
      const v = await client.get(`${prefix}s:f-${i}`)
      return client
        .multi()
        .del(`${prefix}s:f-${i}`)
        .zrem(`${prefix}e`, v ?? '')
        .zrem(`${prefix}u:nu-${i}`, `f-${i}`)
        .exec()
    },
  )
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length) await client.del(...keys)
    cursor = next
  } while (cursor !== '0')
  await client.quit()
  return r
}

async function postgresBench(): Promise<Record<string, Pair>> {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    max: 4,
  })
  const schema = `sessionup_bench_${run}`
  const store = new PostgresStore(pool, { schema, cleanupInterval: 0 })
  await store.ready
  const t = `"${schema}"."sessions"`
  // Whole v2 rows (statements.ts order: the v1 columns but meta, then v2's, then meta).
  const cols = COLUMNS
  await pool.query(
    `INSERT INTO ${t} (${cols}) SELECT 's-' || i, 'user-' || (i / ${PER_USER}), 1, ${Date.now() + HOUR}, '192.0.2.1', 'Linux', 'Firefox', NULL, NULL, 0, 1, 1, 1, '${'x'.repeat(43)}', NULL, NULL, 1, '{}' FROM generate_series(0, ${N - 1}) i`,
  )
  await pool.query(`ANALYZE ${t}`)
  const users = N / PER_USER
  const rnd = (i: number) => (i * 7919) % N
  const r: Record<string, Pair> = {}
  r['fetchById (hit)'] = await compare(
    5,
    1000,
    (i) => store.fetchById(`s-${rnd(i)}`),
    (i) =>
      pool.query({
        text: `SELECT ${cols} FROM ${t} WHERE id = $1 AND expires_at > $2`,
        values: [`s-${rnd(i)}`, Date.now()],
        rowMode: 'array', // as the store reads rows
      }),
  )
  r.fetchByUserKey = await compare(
    5,
    1000,
    (i) => store.fetchByUserKey(`user-${rnd(i) % users}`),
    (i) =>
      pool.query({
        text: `SELECT ${cols} FROM ${t} WHERE user_key = $1 AND expires_at > $2 ORDER BY created_at, id COLLATE "C"`,
        values: [`user-${rnd(i) % users}`, Date.now()],
        rowMode: 'array',
      }),
  )
  r.create = await compare(
    5,
    300,
    (i) => store.create(session(`o-${i}`, `nu-${i}`)),
    (i) => {
      const s = session(`f-${i}`, `nu-${i}`)
      const values = [...flatten(s), JSON.stringify(s.meta)]
      return pool.query(
        `INSERT INTO ${t} (${cols}) VALUES (${values.map((_, k) => `$${k + 1}`).join(', ')}) ON CONFLICT (id) DO NOTHING`,
        values,
      )
    },
  )
  r.deleteById = await compare(
    5,
    300,
    (i) => store.deleteById(`o-${i}`),
    (i) => pool.query(`DELETE FROM ${t} WHERE id = $1 RETURNING ${cols}`, [`f-${i}`]),
  )
  await pool.query(`DROP SCHEMA ${schema} CASCADE`)
  await pool.end()
  return r
}

const results = { Redis: await redisBench(), PostgreSQL: await postgresBench() }
const ops = ['fetchById (hit)', 'fetchByUserKey', 'create', 'deleteById']
console.log(
  table(
    ['operation', 'Redis: ours / raw µs', 'ratio', 'PostgreSQL: ours / raw µs', 'ratio'],
    ops.map((op) => {
      const redis = results.Redis[op]
      const postgres = results.PostgreSQL[op]
      return [
        op,
        `${us(redis?.oursNs ?? 0)} / ${us(redis?.floorNs ?? 0)}`,
        x(redis?.ratio ?? 0),
        `${us(postgres?.oursNs ?? 0)} / ${us(postgres?.floorNs ?? 0)}`,
        x(postgres?.ratio ?? 0),
      ]
    }),
  ),
)
console.log(
  `\n${N.toLocaleString('en')} stored sessions; each call awaited before the next (one connection's round trip).`,
)
