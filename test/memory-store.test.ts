import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryStore } from '../src/index.js'
import { runStoreConformance, sessionRecord, TestClock } from '../src/testing/index.js'

describe('MemoryStore conformance', () => {
  runStoreConformance(it, ({ now }) => ({ store: new MemoryStore({ now, cleanupInterval: 0 }) }))
})

describe('MemoryStore', () => {
  it('deletes a large backlog in slices, yielding to the event loop', async () => {
    const clock = new TestClock()
    const store = new MemoryStore({ now: clock.now, cleanupInterval: 0 })
    const t = clock.now()
    for (let i = 0; i < 50_000; i++) {
      await store.create(
        sessionRecord({
          id: `s${i}`,
          userKey: `u${i % 100}`,
          createdAt: new Date(t),
          expiresAt: new Date(t + (i % 2 === 0 ? 1_000 : 100_000)),
          ip: null,
          agent: { os: '', browser: '' },
          meta: {},
        }),
      )
    }
    clock.advance(1_000)
    let ticks = 0
    const timer = setInterval(() => ticks++, 0)
    const deleted = await store.deleteExpired()
    clearInterval(timer)
    assert.equal(deleted, 25_000)
    assert.ok(ticks > 0, 'timers ran while the cleanup was in progress')
    assert.equal((await store.fetchByUserKey('u1')).length, 500)
  })
})
