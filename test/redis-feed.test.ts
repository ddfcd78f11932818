import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { Redis } from 'ioredis'
import type { DeletionEvent } from '../src/index.js'
import { RedisStore } from '../src/stores/redis.js'
import { sessionRecord } from '../src/testing/index.js'
import { eventually, until } from './helpers.js'
import { redis, skipped } from './services.js'

const live = (id: string, userKey = 'u') =>
  sessionRecord({ id, userKey, createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) })

describe('Redis change stream', () => {
  if (redis.skip) return skipped(redis.skip)

  it('a killed reading connection comes back and delivers what was deleted meanwhile', async () => {
    const prefix = `sessionup-feed-${randomBytes(4).toString('hex')}:`
    const [ca, cb, admin] = [new Redis(redis.url), new Redis(redis.url), new Redis(redis.url)]
    const a = new RedisStore(ca, { prefix, cleanupInterval: 0 })
    const b = new RedisStore(cb, { prefix, cleanupInterval: 0 })
    b.onError(() => {}) // a lost connection may be reported
    const heard: DeletionEvent[] = []
    b.onDeletion((e) => {
      heard.push(e)
    })
    try {
      await b.following
      for (const id of ['before', 'during', 'after']) await a.create(live(id))
      await a.deleteById('before', { reason: 'logout' })
      await until(() => heard.length === 1, 'the first deletion')
      const clients = String(await admin.client('LIST'))
      const readers = [...clients.matchAll(/id=(\d+) .*cmd=xread/g)].map((m) => m[1])
      assert.equal(readers.length >= 1, true, `a client blocked in XREAD:\n${clients}`)
      for (const id of readers) await admin.client('KILL', 'ID', id as string)
      await a.deleteById('during', { reason: 'admin' })
      await a.deleteByUserKey('u', { reason: 'all-sessions' })
      await until(() => heard.length === 3, 'the deletions made around the kill', 10_000)
      assert.deepEqual(
        heard.map((e) => [e.session.id, e.revokeReason]),
        [
          ['before', 'logout'],
          ['during', 'admin'],
          ['after', 'all-sessions'],
        ],
      )
      assert.ok((await admin.xlen(`${prefix}c`)) >= 3, 'the stream holds the deletions')
    } finally {
      await b.close()
      await a.close()
      const keys = await admin.keys(`${prefix}*`)
      if (keys.length > 0) await admin.del(...keys)
      await Promise.all([ca.quit(), cb.quit(), admin.quit()])
    }
  })

  it("the app's client quitting ends the store's own reading connection too", async () => {
    const prefix = `sessionup-feed-${randomBytes(4).toString('hex')}:`
    const name = `feed-quit-${randomBytes(3).toString('hex')}`
    const [client, admin] = [new Redis(redis.url, { connectionName: name }), new Redis(redis.url)]
    const store = new RedisStore(client, { prefix, cleanupInterval: 0 })
    store.onDeletion(() => {})
    await store.following
    const named = async () =>
      [...String(await admin.client('LIST')).matchAll(new RegExp(`name=${name} `, 'g'))].length
    assert.equal(await named(), 2, "the app's connection and the store's duplicate")
    await client.quit()
    assert.equal(
      await eventually(named, (n) => n === 0),
      0,
      'nothing of the store is left connected',
    )
    await admin.quit()
  })

  it('changeLog: false writes no stream', async () => {
    const prefix = `sessionup-feed-${randomBytes(4).toString('hex')}:`
    const client = new Redis(redis.url)
    const store = new RedisStore(client, { prefix, cleanupInterval: 0, changeLog: false })
    try {
      await store.create(live('x'))
      assert.equal(await store.deleteById('x'), true)
      assert.equal(await client.exists(`${prefix}c`), 0)
    } finally {
      const keys = await client.keys(`${prefix}*`)
      if (keys.length > 0) await client.del(...keys)
      await client.quit()
    }
  })
})
