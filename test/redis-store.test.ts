import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import {
  type DeletionEvent,
  InvalidOptionError,
  type SessionRecord,
  StoreError,
} from '../src/index.js'
import { RedisStore } from '../src/stores/redis.js'
import { runStoreConformance, sessionRecord } from '../src/testing/index.js'
import { until } from './helpers.js'
import { redis, skipped } from './services.js'
import { writeRedisV1 } from './v1-fixtures.js'

const { url: URL, skip } = redis
const run = `sessionup-test:${randomBytes(6).toString('hex')}:`
let n = 0

async function dropPrefix(client: Redis, prefix: string) {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length > 0) await client.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

/**
 * Replaces a session's value, in its key and in the expiry index, with one whose JSON is torn.
 * A session Redis already expired lives on only in the index.
 */
async function corruptRecord(client: Redis, prefix: string, id: string) {
  const key = `${prefix}s:${id}`
  const members = await client.zrange(`${prefix}e`, 0, -1)
  const value = members.find((v) => v.includes(`["${id}",`))
  if (!value) throw new Error(`no session ${id} to corrupt`)
  const start = value.startsWith('2|') ? 2 : 0
  const expiresAt = value.slice(start, value.indexOf('|', start))
  const torn = `${expiresAt}|["torn`
  if ((await client.get(key)) !== null) await client.set(key, torn, 'KEEPTTL')
  await client.zrem(`${prefix}e`, value)
  await client.zadd(`${prefix}e`, expiresAt, torn)
}

const session = (id: string, userKey: string, ttl: number): SessionRecord =>
  sessionRecord({
    id,
    userKey,
    createdAt: new Date(Date.now() - 1_000),
    expiresAt: new Date(Date.now() + ttl),
    ip: null,
    agent: { os: '', browser: '' },
    meta: { k: 'v:with;separators=' },
  })

describe('RedisStore', () => {
  if (skip) return skipped(skip)
  let client: Redis
  before(() => {
    client = new Redis(URL, { lazyConnect: false })
  })
  after(async () => {
    await dropPrefix(client, run)
    await client.quit()
  })
  const fresh = (options: ConstructorParameters<typeof RedisStore>[1] = {}) =>
    new RedisStore(client, { prefix: `${run}${n++}:`, cleanupInterval: 0, ...options })

  describe('conformance (on the server’s clock)', () => {
    runStoreConformance(
      it,
      () => {
        const store = fresh()
        return {
          store,
          teardown: () => dropPrefix(client, store.prefix),
          corrupt: (id) => corruptRecord(client, store.prefix, id),
        }
      },
      {
        controllableClock: false,
        corruptible: true,
        v1: async (sessions) => {
          const store = fresh()
          await writeRedisV1(client, store.prefix, sessions)
          return { store, teardown: () => dropPrefix(client, store.prefix) }
        },
      },
    )
  })

  it('rejects a missing client and an empty prefix', () => {
    assert.throws(() => new RedisStore({} as Redis), InvalidOptionError)
    assert.throws(
      () => new RedisStore(client, { prefix: '' }),
      (e: unknown) => e instanceof InvalidOptionError && e.option === 'prefix',
    )
  })

  it('reports sessions Redis expired on its own as expired, at the next cleanup', async () => {
    const store = fresh()
    const events: DeletionEvent[] = []
    store.onDeletion((e) => {
      events.push(e)
    })
    await store.create(session('soon', 'u', 30))
    await store.create(session('later', 'u', 60_000))
    while ((await client.exists(`${store.prefix}s:soon`)) === 1)
      await new Promise((r) => setTimeout(r, 10))
    assert.equal(await store.fetchById('soon'), null)
    assert.equal(await store.deleteExpired(), 1)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(
      events.map((e) => [e.session.id, e.reason, e.session.meta.k]),
      [['soon', 'expired', 'v:with;separators=']],
    )
    assert.deepEqual(
      await client.zrange(`${store.prefix}u:u`, 0, -1),
      ['later'],
      'the user index no longer points at it',
    )
  })

  it('sessions written with lone surrogates (as round one could) stay revocable and cleanable', async () => {
    const store = fresh()
    const e = `${store.prefix}e`
    // What round one stored for such a session: JSON.stringify escapes the lone surrogate, which
    // the old scripts' cjson.decode refused.
    const raw = async (id: string, userKey: string, ttl: number) => {
      const at = Date.now() + ttl
      const value = `${at}|${JSON.stringify([id, userKey, 1, null, '', '', { m: 'x\ud800' }])}`
      if (ttl > 0) await client.set(`${store.prefix}s:${id}`, value, 'PXAT', at)
      await client.zadd(`${store.prefix}u:${userKey}`, 1, id)
      await client.zadd(e, at, value)
    }
    await raw('live', 'old\udc00user', 60_000)
    await raw('gone-1', 'other', -1)
    await raw('gone-2', 'old\udc00user', -1)
    await raw('gone-3', 'other', -1)
    const events: string[] = []
    store.onDeletion((event) => {
      events.push(event.session.id)
    })
    assert.equal((await store.fetchById('live'))?.meta.m, 'x\ud800')
    assert.equal(await store.deleteById('live'), true)
    assert.equal(await store.fetchById('live'), null)
    assert.equal(await store.touch('live', { expiresAt: new Date(Date.now() + 120_000) }), false)
    assert.equal(await store.deleteExpired(), 3, 'one batch, none of it lost')
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(events.sort(), ['gone-1', 'gone-2', 'gone-3', 'live'])
    assert.deepEqual(await client.zrange(e, 0, -1), [], 'no expiry entry left behind')
    assert.deepEqual(await client.zrange(`${store.prefix}u:other`, 0, -1), [])
    assert.deepEqual(await client.zrange(`${store.prefix}u:old\udc00user`, 0, -1), [])
  })

  it('keeps its indexes equal to a model through thousands of random operations', async () => {
    const store = fresh()
    const model = new Map<string, SessionRecord>()
    const random = (k: number) => Math.floor(Math.random() * k)
    for (let op = 0; op < 3_000; op++) {
      const user = `u${random(6)}`
      const ids = [...model.keys()]
      const id = ids[random(ids.length)] ?? 'none'
      const roll = random(100)
      if (roll < 45) {
        // Live for an hour, or already expired: nothing near the boundary, so no race with time.
        const s = session(`s${op}`, user, roll < 10 ? -5 : 3_600_000)
        await store.create(s)
        if (roll >= 10) model.set(s.id, s)
      } else if (roll < 65) {
        await store.deleteById(id)
        model.delete(id)
      } else if (roll < 75) {
        const keep = ids[random(ids.length)] ?? 'x'
        await store.deleteByUserKey(user, { except: [keep] })
        for (const [mid, s] of model) if (s.userKey === user && mid !== keep) model.delete(mid)
      } else if (roll < 85) {
        const until = new Date(Date.now() + 7_200_000)
        const touched = await store.touch(id, { expiresAt: until, meta: { op: String(op) } })
        const s = model.get(id)
        assert.equal(touched, s !== undefined, 'a live session is touched, a gone one is not')
        // Expiry never moves earlier (two renewals in one millisecond: the second keeps it).
        if (s && until > s.expiresAt) s.expiresAt = until
      } else if (roll < 90) {
        await store.deleteExpired()
      } else {
        const listed = await store.fetchByUserKey(user)
        const expected = [...model.values()]
          .filter((s) => s.userKey === user)
          .map((s) => s.id)
          .sort()
        assert.deepEqual(listed.map((s) => s.id).sort(), expected)
      }
    }
    await store.deleteExpired()
    const byUser = new Map<string, string[]>()
    for (const s of model.values())
      byUser.set(s.userKey, [...(byUser.get(s.userKey) ?? []), s.id].sort())
    for (let u = 0; u < 6; u++) {
      const members = (await client.zrange(`${store.prefix}u:u${u}`, 0, -1)).sort()
      assert.deepEqual(members, byUser.get(`u${u}`) ?? [], `user index of u${u}`)
    }
    const expiry = await client.zrange(`${store.prefix}e`, 0, -1)
    assert.equal(expiry.length, model.size, 'one expiry entry per live session')
    for (const s of model.values())
      assert.equal((await store.fetchById(s.id))?.expiresAt.getTime(), s.expiresAt.getTime())
  })

  it('migrate() rewrites every v1 value in v2 form, once, beside another migrating process', async () => {
    const store = fresh()
    const twin = new RedisStore(client, { prefix: store.prefix, cleanupInterval: 0 })
    const v1 = Array.from({ length: 40 }, (_, i) => ({
      id: `old-${i}`,
      userKey: `u${i % 3}`,
      createdAt: new Date(Date.now() - 5_000 + i),
      expiresAt: new Date(Date.now() + 600_000),
      ip: null,
      agent: { os: '', browser: '' },
      meta: { i: String(i), tricky: 'a|b\u001fc' },
    }))
    await writeRedisV1(client, store.prefix, v1)
    assert.deepEqual(await store.schemaStatus(), { version: 1, current: 2 })
    const before = await store.fetchById('old-7')
    const [a, b] = await Promise.all([store.migrate(), twin.migrate()])
    assert.deepEqual([a.to, b.to], [2, 2])
    const values = await client.mget(...v1.map((s) => `${store.prefix}s:${s.id}`))
    assert.ok(
      values.every((v) => v?.startsWith('2|')),
      'every key holds a v2 value',
    )
    const members = await client.zrange(`${store.prefix}e`, 0, -1)
    assert.equal(members.length, 40, 'one expiry entry each, none left in v1 form')
    assert.ok(members.every((v) => v.startsWith('2|')))
    assert.deepEqual(await store.fetchById('old-7'), before, 'the same record, read back')
    assert.deepEqual(await store.schemaStatus(), { version: 2, current: 2 })
    assert.deepEqual(await store.migrate(), { from: 2, to: 2 })
  })

  it('migrate() finds the keys of a prefix holding glob characters', async () => {
    const store = fresh({ prefix: `${run}glob[*?]\\:` })
    await writeRedisV1(client, store.prefix, [
      {
        id: 'g1',
        userKey: 'u',
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
        ip: null,
        agent: { os: '', browser: '' },
        meta: {},
      },
    ])
    assert.deepEqual(await store.schemaStatus(), { version: 1, current: 2 })
    await store.migrate()
    assert.ok((await client.get(`${store.prefix}s:g1`))?.startsWith('2|'), 'rewritten')
  })

  it('three concurrent cleaners delete each expired session once; every one hears of each once', async () => {
    const prefix = `${run}${n++}:`
    const clients = [0, 1, 2].map(() => new Redis(URL))
    const stores = clients.map(
      (c) => new RedisStore(c, { prefix, cleanupInterval: 0, batchSize: 50 }),
    )
    const heard = stores.map(() => new Set<string>())
    let twice = 0
    for (const [i, s] of stores.entries())
      s.onDeletion((e) => {
        if (heard[i]?.has(e.session.id)) twice++
        heard[i]?.add(e.session.id)
      })
    await Promise.all(stores.map((s) => s.following))
    for (let i = 0; i < 1_000; i++) await stores[0]?.create(session(`x${i}`, `u${i % 10}`, -1))
    const counts = await Promise.all(stores.map((s) => s.deleteExpired()))
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      1_000,
      'each deleted by one cleaner',
    )
    await until(() => heard.every((h) => h.size === 1_000), 'every store to hear every deletion')
    assert.equal(twice, 0, 'no session reported twice to one store')
    for (const s of stores) await s.close()
    for (const c of clients) await c.quit()
  })

  it('a stalled server gives a clear error, and the store works again after', async () => {
    const fast = new Redis(URL, { commandTimeout: 200, maxRetriesPerRequest: 0 })
    const store = new RedisStore(fast, { prefix: `${run}${n++}:`, cleanupInterval: 0 })
    await store.create(session('steady', 'u', 60_000))
    await client.client('PAUSE', 1_000, 'ALL')
    await assert.rejects(
      store.fetchById('steady'),
      (e: unknown) =>
        e instanceof StoreError && /\[redis\] fetchById failed: Command timed out/.test(e.message),
    )
    await new Promise((r) => setTimeout(r, 1_100))
    assert.equal((await store.fetchById('steady'))?.id, 'steady')
    fast.disconnect()
  })
})
