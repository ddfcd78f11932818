import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidOptionError, type SessionRecord, SessionupError, StoreError } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { runStoreConformance, sessionRecord, TestClock } from '../src/testing/index.js'
import { corruptRecord, indexProblems, tempEnv } from './lmdb-helpers.js'
import { writeLmdbV1 } from './v1-fixtures.js'

describe('LMDBStore conformance', () => {
  runStoreConformance(
    it,
    ({ now }) => {
      const env = tempEnv()
      return {
        store: new LMDBStore(env.root, { bucket: 'sessions', now, cleanupInterval: 0 }),
        teardown: env.remove,
        corrupt: (id) => corruptRecord(env.root, 'sessions', id),
      }
    },
    {
      corruptible: true,
      v1: async (sessions, { now }) => {
        const env = tempEnv()
        await writeLmdbV1(env.root, 'sessions', sessions)
        const store = new LMDBStore(env.root, { bucket: 'sessions', now, cleanupInterval: 0 })
        return { store, teardown: env.remove }
      },
    },
  )
})

const make = (id: string, userKey: string, createdAt: number, expiresAt: number): SessionRecord =>
  sessionRecord({
    id,
    userKey,
    createdAt: new Date(createdAt),
    expiresAt: new Date(expiresAt),
    ip: null,
    agent: { os: '', browser: '' },
    meta: {},
  })

describe('LMDBStore: where the Go Bolt store fell short', () => {
  it('requires a bucket name and a valid interval', async () => {
    const env = tempEnv()
    try {
      for (const bucket of [undefined, '', 5]) {
        assert.throws(
          () => new LMDBStore(env.root, { bucket: bucket as string }),
          (e: unknown) => e instanceof InvalidOptionError && e.option === 'bucket',
        )
      }
      for (const cleanupInterval of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(
          () => new LMDBStore(env.root, { bucket: 'b', cleanupInterval }),
          (e: unknown) => e instanceof InvalidOptionError && e.option === 'cleanupInterval',
        )
      }
      assert.throws(() => new LMDBStore({} as never, { bucket: 'b' }), InvalidOptionError)
    } finally {
      await env.remove()
    }
  })

  it('keeps both indexes equal to the records through any interleaving of operations', async () => {
    const env = tempEnv()
    const clock = new TestClock(1_000_000)
    const store = new LMDBStore(env.root, {
      bucket: 'model',
      now: clock.now,
      cleanupInterval: 0,
      batchSize: 7,
    })
    try {
      const ids: string[] = []
      let seq = 0
      const random = (n: number) => Math.floor(Math.random() * n)
      for (let op = 0; op < 1_500; op++) {
        const roll = random(100)
        const user = `u${random(8)}`
        const id = ids[random(ids.length)] ?? 'none'
        // Many operations in flight at once: lmdb-js batches them into shared commits.
        const batch: Promise<unknown>[] = []
        if (roll < 40) {
          const fresh = `s${seq++}`
          ids.push(fresh)
          batch.push(
            store.create(
              make(fresh, user, clock.now() - random(50), clock.now() + random(200) - 20),
            ),
          )
        } else if (roll < 55) batch.push(store.deleteById(id))
        else if (roll < 62)
          batch.push(store.touch(id, { expiresAt: new Date(clock.now() + random(400)) }))
        else if (roll < 70)
          batch.push(store.touch(id, { meta: { n: String(op) }, ifVersion: random(3) }))
        else if (roll < 78)
          batch.push(store.deleteByUserKey(user, { except: [ids[random(ids.length)] ?? 'x'] }))
        else if (roll < 86) batch.push(store.deleteExpired())
        else clock.advance(random(30))
        if (op % 5 === 0) await Promise.allSettled(batch)
        else void Promise.allSettled(batch)
      }
      await store.deleteById('flush') // one more write: every earlier one has committed
      await new Promise((r) => setTimeout(r, 50))
      assert.deepEqual(indexProblems(env.root, 'model'), [])
    } finally {
      await env.remove()
    }
  })

  it('refuses a bucket holding data that is not its own', async () => {
    const env = tempEnv()
    try {
      const foreign = env.root.openDB('users', {})
      await foreign.put('alice', { name: 'Alice' })
      assert.throws(
        () => new LMDBStore(env.root, { bucket: 'users' }),
        (e: unknown) => e instanceof SessionupError && /not sessionup's/.test(e.message),
      )
      assert.equal((foreign.get('alice') as { name: string }).name, 'Alice', 'left untouched')
    } finally {
      await env.remove()
    }
  })

  it('close() waits for a running pass, never hangs with failing cleanup, and leaves the database open', async () => {
    const env = tempEnv()
    const store = new LMDBStore(env.root, { bucket: 'sessions', cleanupInterval: 1 })
    const errors: Error[] = []
    const keepAlive = setInterval(() => {}, 1_000)
    try {
      // Nobody reads errors (the Go store's unread channel): cleanup still runs and close() returns.
      store.onError((e) => errors.push(e))
      await store.create(make('x', 'u', Date.now() - 10, Date.now() - 1))
      const records = { start: ['s'], end: ['t'] } // the session records, not the change log
      while (
        (await env.root
          .openDB('sessions', { keyEncoding: 'ordered-binary' })
          .getKeysCount(records)) > 0
      )
        await new Promise((r) => setTimeout(r, 2))
      await store.close()
      await store.close()
      await store.create(make('after', 'u', Date.now(), Date.now() + 60_000))
      assert.ok(await store.fetchById('after'), 'the root database is still open and usable')
      assert.deepEqual(errors, [])
    } finally {
      clearInterval(keepAlive)
      await env.remove()
    }
  })

  it('reports cleanup failures to the listener (never lost, never fatal)', async () => {
    const env = tempEnv()
    const store = new LMDBStore(env.root, { bucket: 'sessions', cleanupInterval: 1 })
    const errors: Error[] = []
    store.onError((e) => errors.push(e))
    const keepAlive = setInterval(() => {}, 1_000)
    try {
      await env.root.close() // every pass now fails
      while (errors.length < 2) await new Promise((r) => setTimeout(r, 2))
      assert.ok(
        errors.every(
          (e) => e instanceof StoreError && /\[lmdb\] deleteExpired failed/.test(e.message),
        ),
      )
      await store.close()
    } finally {
      clearInterval(keepAlive)
      await env.remove()
    }
  })
})
