import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
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

  // copyMeta assigns ordinary keys and defines the ones Object.prototype has, which an
  // assignment would not make own properties (or, with frozen intrinsics, would throw on).
  const prototypeKeys =
    '{"__proto__":"p","toString":"t","constructor":"c","hasOwnProperty":"h","plain":"x"}'

  it('keeps meta keys that Object.prototype has as plain own keys', async () => {
    const store = new MemoryStore({ cleanupInterval: 0 })
    const meta = JSON.parse(prototypeKeys) as Record<string, string>
    const t = Date.now()
    const s = sessionRecord({
      id: 'proto-keys',
      userKey: 'u',
      createdAt: new Date(t),
      expiresAt: new Date(t + 60_000),
      meta,
    })
    await store.create(s)
    const got = await store.fetchById(s.id)
    assert.deepEqual(Object.entries(got?.meta ?? {}), Object.entries(meta))
    assert.equal(Object.getPrototypeOf(got?.meta), Object.prototype)
  })

  it('copies those keys with a frozen Object.prototype too', () => {
    const session = new URL('../src/session.ts', import.meta.url).href
    const code = `Object.freeze(Object.prototype)
      const { copyMeta } = await import(${JSON.stringify(session)})
      const copy = copyMeta(JSON.parse(${JSON.stringify(prototypeKeys)}))
      console.log(JSON.stringify([Object.entries(copy), Object.getPrototypeOf(copy) === Object.prototype]))`
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      {
        encoding: 'utf8',
      },
    )
    assert.deepEqual(JSON.parse(out), [Object.entries(JSON.parse(prototypeKeys)), true])
  })
})
