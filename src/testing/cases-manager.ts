import assert from 'node:assert/strict'
import { UnauthorizedError } from '../errors.js'
import { type RequestView, SessionManager } from '../manager.js'
import type { ManagerOptions } from '../options.js'
import type { SessionPatch, Store } from '../store.js'
import type { Case, Fixture } from './harness.js'

const MIN = 60_000
const AGENT = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'

/** A manager over the store under test, on the suite's clock. */
export function managerOver(fx: Fixture, options: ManagerOptions = {}): SessionManager {
  return new SessionManager(fx.store, { now: fx.clock.now, ...options })
}

/** A request carrying `cookie` (a Set-Cookie value or a `name=value` pair). */
export function request(cookie?: string): RequestView {
  return {
    cookie: cookie?.split(';')[0],
    remoteAddress: '198.51.100.9',
    forwardedFor: undefined,
    userAgent: AGENT,
  }
}

/** Why a request was turned away, or 'ok'. */
export async function outcome(manager: SessionManager, cookie: string): Promise<string> {
  const { error } = await manager.authenticate(request(cookie))
  if (!error) return 'ok'
  return error instanceof UnauthorizedError ? error.reason : `failure: ${error.message}`
}

/** The store with its `touch` calls counted (a wrapper: stores keep private fields). */
export function countingTouches(store: Store): { store: Store; touches: SessionPatch[] } {
  const touches: SessionPatch[] = []
  const wrapped: Store = {
    create: (s) => store.create(s),
    fetchById: (id) => store.fetchById(id),
    fetchByUserKey: (key) => store.fetchByUserKey(key),
    touch: (id, patch) => {
      touches.push(patch)
      return store.touch(id, patch)
    },
    deleteById: (id, options) => store.deleteById(id, options),
    deleteByUserKey: (key, options) => store.deleteByUserKey(key, options),
    deleteExpired: () => store.deleteExpired(),
    onDeletion: (listener) => store.onDeletion(listener),
    onError: (listener) => store.onError(listener),
    close: () => store.close(),
  }
  return { store: wrapped, touches }
}

/** The manager's rules over each store: rotation, renewal, lifetimes, freshness and meta. */
export const managerCases: Case[] = [
  {
    name: 'manager: a rotated-out secret works until the grace window ends, to the millisecond',
    async run(fx) {
      const manager = managerOver(fx, { rotationGrace: 60_000 })
      const first = await manager.init(request(), 'rotor', { meta: { k: 'v' } })
      const t = fx.clock.now()
      const second = await manager.rotate(first.session)
      assert.ok(second, 'a live session rotates')
      assert.equal(second.session.id, first.session.id, 'the id stays')
      assert.deepEqual(second.session.meta, { k: 'v' })
      assert.equal(second.session.deadline?.getTime(), first.session.deadline?.getTime())
      assert.notEqual(second.setCookie, first.setCookie)
      fx.clock.set(t + 59_999)
      assert.equal(await outcome(manager, first.setCookie), 'ok', 'in flight: still accepted')
      assert.equal(await outcome(manager, second.setCookie), 'ok')
      fx.clock.set(t + 60_000)
      assert.equal(await outcome(manager, first.setCookie), 'unknown-session', 'grace is over')
      assert.equal(await outcome(manager, second.setCookie), 'ok')
    },
  },
  {
    name: 'manager: concurrent rotations leave exactly one current secret',
    async run(fx) {
      const manager = managerOver(fx, { rotationGrace: 0 })
      const { session, setCookie } = await manager.init(request(), 'racer')
      const results = await Promise.all(Array.from({ length: 4 }, () => manager.rotate(session)))
      const cookies = results.map((r) => r?.setCookie ?? '')
      const working = []
      for (const cookie of [setCookie, ...cookies]) working.push(await outcome(manager, cookie))
      assert.equal(working.filter((w) => w === 'ok').length, 1, working.join(', '))
      const auto = managerOver(fx, { rotateEvery: MIN, rotationGrace: 0, activityInterval: MIN })
      const fresh = await auto.init(request(), 'racer')
      fx.clock.advance(2 * MIN)
      const both = await Promise.all([1, 2].map(() => auto.authenticate(request(fresh.setCookie))))
      assert.ok(
        both.every((r) => r.session),
        'both requests are served',
      )
      const rotatedBy = both.flatMap((r) => (r.session && r.setCookie ? [r.setCookie] : []))
      assert.equal(rotatedBy.length, 1, 'one of two racing renewals rotates')
      assert.equal(await outcome(auto, rotatedBy[0] ?? ''), 'ok')
      assert.equal(await outcome(auto, fresh.setCookie), 'unknown-session')
    },
  },
  {
    name: 'manager: renewals and rotations never move expiry past the deadline',
    async run(fx) {
      const options = { idleTimeout: 10 * MIN, expiresIn: 30 * MIN, rotateEvery: 5 * MIN }
      const manager = managerOver(fx, options)
      const { session, setCookie } = await manager.init(request(), 'bounded')
      const deadline = session.deadline?.getTime()
      assert.equal(deadline, session.createdAt.getTime() + 30 * MIN)
      let cookie = setCookie
      let rotations = 0
      for (let step = 1; step <= 4; step++) {
        fx.clock.advance(6 * MIN)
        const result = await manager.authenticate(request(cookie))
        assert.ok(result.session, `step ${step}: ${result.error?.message}`)
        if (result.setCookie) {
          cookie = result.setCookie
          rotations++
        }
        const stored = await fx.store.fetchById(session.id)
        assert.ok(stored && stored.expiresAt.getTime() <= (deadline ?? 0), `step ${step}`)
        assert.equal(stored.deadline?.getTime(), deadline, 'the deadline never moves')
      }
      assert.ok(rotations >= 2, `rotated with the renewals (${rotations})`)
      fx.clock.set((deadline ?? 0) - 1)
      assert.equal(await outcome(manager, cookie), 'ok')
      fx.clock.set(deadline ?? 0)
      assert.equal(await outcome(manager, cookie), 'unknown-session', 'the deadline holds')
    },
  },
  {
    name: 'manager: lastActiveAt is written at most once per renewal window',
    async run(fx) {
      const { store, touches } = countingTouches(fx.store)
      const manager = new SessionManager(store, { now: fx.clock.now, idleTimeout: 20 * MIN })
      const { session, setCookie } = await manager.init(request(), 'active')
      for (let i = 0; i < 20; i++) {
        fx.clock.advance(29_000) // 9 min 40 s in all: inside the 10-minute window
        assert.equal(await outcome(manager, setCookie), 'ok')
      }
      assert.equal(touches.length, 0, 'no write inside the window')
      fx.clock.advance(20_000)
      const renewed = await manager.authenticate(request(setCookie))
      assert.equal(touches.length, 1, 'one write once the window has passed')
      assert.equal(renewed.session?.lastActiveAt.getTime(), fx.clock.now())
      const stored = await fx.store.fetchById(session.id)
      assert.equal(stored?.lastActiveAt.getTime(), fx.clock.now())
      assert.equal(stored?.expiresAt.getTime(), fx.clock.now() + 20 * MIN)
      for (let i = 0; i < 10; i++) await outcome(manager, setCookie)
      assert.equal(touches.length, 1, 'and none again until the next window')
    },
  },
  {
    name: 'manager: updateMeta merges into what is stored and never revives a session',
    async run(fx) {
      const manager = managerOver(fx)
      const { session } = await manager.init(request(), 'editor', { meta: { a: '1' } })
      const keys = ['b', 'c', 'd', 'e', 'f']
      await Promise.all(keys.map((k) => manager.updateMeta(session, { [k]: k.toUpperCase() })))
      const merged = (await fx.store.fetchById(session.id))?.meta
      assert.deepEqual(merged, { a: '1', b: 'B', c: 'C', d: 'D', e: 'E', f: 'F' })
      const removed = await manager.updateMeta(session, { a: null, b: 'b2' })
      assert.deepEqual(removed?.meta, { b: 'b2', c: 'C', d: 'D', e: 'E', f: 'F' })
      await manager.revoke(session)
      assert.equal(await manager.updateMeta(session, { back: 'again' }), null)
      assert.equal(await manager.reauthenticate(session), null)
      assert.equal(await manager.rotate(session), null)
      assert.equal(await fx.store.fetchById(session.id), null, 'still revoked')
    },
  },
  {
    name: 'manager: reauthenticate moves authenticatedAt, and isFresh follows it',
    async run(fx) {
      const manager = managerOver(fx, { expiresIn: 60 * MIN })
      const { session, setCookie } = await manager.init(request(), 'stepper')
      fx.clock.advance(10 * MIN)
      assert.equal(manager.isFresh(session, 10 * MIN), false, 'signed in 10 min ago')
      assert.equal(manager.isFresh(session, 10 * MIN + 1), true)
      const again = await manager.reauthenticate(session)
      assert.equal(again?.authenticatedAt.getTime(), fx.clock.now())
      assert.equal(again?.id, session.id)
      assert.equal(again?.deadline?.getTime(), session.deadline?.getTime(), 'same lifetime')
      const read = await manager.authenticate(request(setCookie))
      assert.equal(read.session?.authenticatedAt.getTime(), fx.clock.now(), 'stored')
      assert.equal(manager.isFresh(read.session ?? session, 10 * MIN), true)
    },
  },
  {
    name: 'manager: remember gives a persistent cookie and a lifetime of its own',
    async run(fx) {
      const manager = managerOver(fx, { idleTimeout: 30 * MIN })
      const kept = await manager.init(request(), 'keeper', { remember: true })
      const plain = await manager.init(request(), 'keeper')
      const t = fx.clock.now()
      const expires = new Date(t + 30 * 24 * 60 * MIN).toUTCString()
      assert.match(kept.setCookie, new RegExp(`; Expires=${expires};`))
      assert.doesNotMatch(plain.setCookie, /Expires=/, 'the manager’s policy: a browser session')
      assert.equal(kept.session.idleTimeout, null)
      assert.equal(kept.session.persistent, true)
      assert.equal(plain.session.idleTimeout, 30 * MIN)
      const week = await manager.init(request(), 'keeper', { remember: 7 * 24 * 60 * MIN })
      assert.equal(week.session.deadline?.getTime(), t + 7 * 24 * 60 * MIN)
      fx.clock.advance(31 * MIN)
      assert.equal(await outcome(manager, plain.setCookie), 'unknown-session', 'idle too long')
      assert.equal(await outcome(manager, kept.setCookie), 'ok', 'remembered: no idle limit')
      assert.equal(await outcome(manager, week.setCookie), 'ok')
    },
  },
]
