// Network stores for bench/v2.ts: Redis (REDIS_URL) and PostgreSQL (DATABASE_URL), each with
// the data twice under names of this run, removed afterwards.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { SessionPatch } from '../src/index.js'
import { PostgresStore } from '../src/stores/postgres.js'
import { RedisStore } from '../src/stores/redis.js'
import { encode } from '../src/stores/redis-layout.js'
import { type Baseline, type Data, fill, rawUpdate } from './v2-data.js'
import type { RawWrite, Subject } from './v2-run.js'

const run = randomBytes(4).toString('hex')

/**
 * A v2 value (redis-layout.ts) with the patch's leading fields rewritten and the version one
 * up: the bytes the store's TOUCH script writes for that patch.
 */
function patchValue(value: string, p: SessionPatch): string {
  const f: string[] = []
  let pos = 0
  for (let k = 0; k < 12; k++) {
    const bar = value.indexOf('|', pos)
    f.push(value.slice(pos, bar))
    pos = bar + 1
  }
  if (p.expiresAt) f[1] = String(p.expiresAt.getTime())
  f[2] = String(Number(f[2]) + 1)
  if (p.lastActiveAt) f[3] = String(p.lastActiveAt.getTime())
  if (p.secret) {
    f[5] = String(p.secret.rotatedAt.getTime())
    f[9] = p.secret.hash
    f[10] = p.secret.previousHash
    f[11] = String(p.secret.previousExpiresAt.getTime())
  }
  return `${f.join('|')}|${value.slice(pos)}`
}

async function removeKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length) await client.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

/**
 * Redis. The floor is the write alone, in one round trip: a MULTI of `SET s:<id> V' PXAT`,
 * `ZREM e V` and `ZADD e V'`, with V' made from its own copy of V (no read, no check, no
 * script). The store's TOUCH script reads V on the server and checks it first.
 */
export async function redisSubject(data: Data, baseline: Baseline): Promise<Subject> {
  const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  const p2 = `sessionup-bench-v2-${run}:`
  const p1 = `sessionup-bench-v1-${run}:`
  const v2 = new RedisStore(client, { prefix: p2, cleanupInterval: 0 })
  const v1 = new baseline.RedisStore(client, { prefix: p1, cleanupInterval: 0 })
  await fill(data.v2, (s) => v2.create(s), 500)
  await fill(data.v1, (s) => v1.create(s), 500)
  const values = data.v2.map(encode) // what create stored
  const write: RawWrite = async (id, idx, p) => {
    const old = values[idx] as string
    const next = patchValue(old, p)
    const expiry = Number(next.slice(2, next.indexOf('|', 2)))
    const replies = await client
      .multi()
      .set(`${p2}s:${id}`, next, 'PXAT', expiry)
      .zrem(`${p2}e`, old)
      .zadd(`${p2}e`, expiry, next)
      .exec()
    values[idx] = next
    // ZREM found the old value: the floor's copy was right, so it wrote what the store would.
    return replies?.[1]?.[1] === 1
  }
  return {
    name: 'Redis',
    floorWritesStore: true,
    v2,
    v1,
    floor: () => write,
    upgrade: async () => new RedisStore(client, { prefix: p1, cleanupInterval: 0 }),
    perRound: { read: 1000, write: 500 },
    async teardown() {
      await v2.close()
      await v1.close()
      await removeKeys(client, p2)
      await removeKeys(client, p1)
      await client.quit()
    },
  }
}

/** PostgreSQL: one schema of this run, a table per version; the floor the UPDATE through the pool. */
export async function postgresSubject(data: Data, baseline: Baseline): Promise<Subject> {
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    max: 4,
  })
  const schema = `sessionup_bench_v2_${run}`
  const v2 = new PostgresStore(pool, { schema, table: 'sessions_v2', cleanupInterval: 0 })
  await v2.ready
  const v1 = new baseline.PostgresStore(pool, { schema, table: 'sessions_v1', cleanupInterval: 0 })
  await v1.ready
  await fill(data.v2, (s) => v2.create(s), 16)
  await fill(data.v1, (s) => v1.create(s), 16)
  for (const t of ['sessions_v2', 'sessions_v1']) await pool.query(`ANALYZE "${schema}"."${t}"`)
  return {
    name: 'PostgreSQL',
    floorWritesStore: true,
    v2,
    v1,
    floor(shape) {
      const { sql, params } = rawUpdate(shape, `"${schema}"."sessions_v2"`, (k) => `$${k}`)
      return async (id, _idx, p, now) => (await pool.query(sql, params(id, p, now))).rowCount === 1
    },
    async upgrade() {
      const store = new PostgresStore(pool, { schema, table: 'sessions_v1', cleanupInterval: 0 })
      await store.ready
      return store
    },
    perRound: { read: 500, write: 300 },
    async teardown() {
      await v2.close()
      await v1.close()
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`)
      await pool.end()
    },
  }
}
