import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  expiryReason,
  InvalidArgumentError,
  type SessionEvent,
  SessionManager,
  type SubscribeOptions,
} from '../src/index.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { cookiePair, partsOf, setup, view } from './helpers.js'
import { tempDb } from './sqlite-helpers.js'

const MIN = 60_000

/** Every event a listener gets, after the queue has been delivered. */
function record(manager: SessionManager, options?: SubscribeOptions) {
  const events: SessionEvent[] = []
  const unsubscribe = manager.subscribe((e) => {
    events.push(e)
  }, options)
  const summary = () => events.map((e) => `${e.type}${'reason' in e ? `:${e.reason}` : ''}`)
  return { events, unsubscribe, summary }
}

const settle = () => new Promise((r) => setImmediate(r))
const withCookie = (setCookie: string) => view({ cookie: cookiePair(setCookie) })

describe('lifecycle events', () => {
  it('created, renewed and rotated, each with the session and the time', async () => {
    const { manager, clock } = setup({ idleTimeout: 30 * MIN, rotateEvery: 40 * MIN })
    const start = clock.now()
    const { events, summary } = record(manager)
    const { session, setCookie } = await manager.init(view(), 'alice', { meta: { a: '1' } })
    clock.advance(20 * MIN) // past the renewal window, not yet due to rotate
    assert.ok((await manager.authenticate(withCookie(setCookie))).session)
    const rotated = await manager.rotate(session)
    assert.ok(rotated)
    clock.advance(25 * MIN) // renewed again; 25 min since the rotation: not due
    assert.equal((await manager.authenticate(withCookie(rotated.setCookie))).setCookie, undefined)
    clock.advance(20 * MIN) // 45 min since the rotation: due, done with the renewal
    const auth = await manager.authenticate(withCookie(rotated.setCookie))
    assert.ok(auth.setCookie, 'rotated with the renewal')
    await settle()
    assert.deepEqual(summary(), ['created', 'renewed', 'rotated', 'renewed', 'renewed', 'rotated'])
    assert.equal(events[0]?.session?.id, session.id)
    assert.deepEqual(events[0]?.session?.meta, { a: '1' })
    assert.deepEqual(
      events.map((e) => (e.at.getTime() - start) / MIN),
      [0, 20, 20, 45, 65, 65],
    )
    const secrets = [setCookie, rotated.setCookie, auth.setCookie].map((c) => partsOf(c).secret)
    const text = JSON.stringify(events)
    for (const secret of secrets) assert.ok(!text.includes(secret), 'no event carries a secret')
    assert.ok(!text.includes('Hash'), 'nor a hash')
  })

  it('revoked, with the reason of each path', async () => {
    const { manager, clock } = setup({ maxSessionsPerUser: 2 })
    const { events, summary } = record(manager, { types: ['revoked'] })
    const login = (user = 'alice') => {
      clock.advance(1) // oldest first, whatever the random ids
      return manager.init(view(), user)
    }
    const a = await login()
    await login()
    await login() // evicts a
    const b = await login('bob')
    await manager.init(withCookie(b.setCookie), 'bob') // replaces b
    const [c, d] = [await login('carol'), await login('carol')]
    await manager.revokeOther(d.session)
    await manager.revokeByIdExt(d.session, (await login('carol')).session.id)
    await manager.revokeAll(d.session)
    const e = await login('dave')
    await manager.revoke(e.session)
    await login('erin')
    await manager.revokeByUserKey('erin')
    const f = await login('frank')
    await manager.revokeById(f.session.id)
    await manager.store.deleteById((await login('gina')).session.id)
    await settle()
    assert.deepEqual(summary(), [
      'revoked:evicted',
      'revoked:replaced',
      'revoked:other-sessions',
      'revoked:by-id',
      'revoked:all-sessions',
      'revoked:logout',
      'revoked:by-user-key',
      'revoked:admin',
      'revoked:admin', // a store delete that gives no reason
    ])
    assert.equal(events[0]?.session?.id, a.session.id)
    assert.equal(events[2]?.session?.id, c.session.id)
  })

  it('expired: idle or absolute, from cleanup', async () => {
    const { manager, clock, store } = setup({ idleTimeout: 10 * MIN, expiresIn: 60 * MIN })
    const { events, summary } = record(manager)
    const idle = await manager.init(view(), 'alice')
    clock.advance(5 * MIN)
    const fixed = await manager.clone({ idleTimeout: undefined }).init(view(), 'bob')
    const busy = await manager.init(view(), 'carol')
    for (let t = 0; t < 6; t++) {
      clock.advance(9 * MIN)
      await manager.authenticate(withCookie(busy.setCookie))
    }
    clock.advance(10 * MIN) // busy: 65 min old, past its deadline
    assert.equal(await store.deleteExpired(), 3)
    await settle()
    const expired = events.filter((e) => e.type === 'expired')
    const byUser = Object.fromEntries(expired.map((e) => [e.session?.userKey, e.reason]))
    assert.deepEqual(byUser, { alice: 'idle', bob: 'absolute', carol: 'absolute' })
    assert.ok(summary().includes('renewed'))
    assert.equal(expiryReason(idle.session), 'idle')
    assert.equal(expiryReason(fixed.session), 'absolute')
  })

  it('rejected, with each reason (and the session only when one was found)', async () => {
    const { manager, clock } = setup({ validate: true })
    const { events, summary } = record(manager, { types: ['rejected'] })
    const { session, setCookie } = await manager.init(view(), 'alice')
    await manager.authenticate(view())
    await manager.authenticate(view({ cookie: '__Host-sessionup=not a token' }))
    await manager.authenticate(
      view({ cookie: `__Host-sessionup=${'A'.repeat(22)}.${'B'.repeat(43)}` }),
    )
    await manager.authenticate({ ...withCookie(setCookie), remoteAddress: '203.0.113.9' })
    clock.advance(11 * MIN)
    assert.ok(manager.checkFresh(session, 10 * MIN), 'stale')
    assert.equal(manager.checkFresh(session, 20 * MIN), null)
    await settle()
    assert.deepEqual(summary(), [
      'rejected:missing-cookie',
      'rejected:malformed-cookie',
      'rejected:unknown-session',
      'rejected:client-mismatch',
      'rejected:not-fresh',
    ])
    assert.deepEqual(
      events.map((e) => e.session?.id ?? null),
      [null, null, null, session.id, session.id],
    )
  })

  it('rejected: store-failure when the store cannot answer', async () => {
    const file = tempDb()
    try {
      const manager = new SessionManager(new SQLiteStore(file.db, { cleanupInterval: 0 }))
      const { setCookie } = await manager.init(view(), 'alice')
      const { summary } = record(manager, { types: ['rejected'] })
      file.db.close()
      const result = await manager.authenticate(withCookie(setCookie))
      assert.equal(result.session, null)
      await settle()
      assert.deepEqual(summary(), ['rejected:store-failure'])
    } finally {
      file.remove()
    }
  })

  it('filters by user and by a predicate; unsubscribe stops delivery', async () => {
    const { manager } = setup()
    const alices = record(manager, { userKey: 'alice' })
    const logouts = record(manager, {
      filter: (e) => e.type === 'revoked' && e.reason === 'logout',
    })
    const a = await manager.init(view(), 'alice')
    const b = await manager.init(view(), 'bob')
    await manager.revoke(b.session)
    await manager.authenticate(view()) // a rejection has no user: alice's listener skips it
    await settle()
    assert.deepEqual(alices.summary(), ['created'])
    assert.deepEqual(logouts.summary(), ['revoked:logout'])
    await alices.unsubscribe()
    await logouts.unsubscribe(true)
    await manager.revoke(a.session)
    await settle()
    assert.equal(alices.events.length + logouts.events.length, 2, 'nothing after unsubscribe')
  })

  it('a throwing listener or filter is reported, not thrown; bad options are refused', async () => {
    const reported: Error[] = []
    const { manager } = setup({ onError: (e) => reported.push(e) })
    manager.subscribe(() => {
      throw new Error('listener broke')
    })
    manager.subscribe(() => {}, {
      filter: () => {
        throw new Error('filter broke')
      },
    })
    await manager.init(view(), 'alice')
    await settle()
    assert.deepEqual(reported.map((e) => e.message).sort(), ['filter broke', 'listener broke'])
    const refuses = (options: unknown, name: string) =>
      assert.throws(
        () => manager.subscribe(() => {}, options as SubscribeOptions),
        (e: unknown) => e instanceof InvalidArgumentError && e.argument === name,
      )
    refuses({ types: ['deleted'] }, 'options.types')
    refuses({ userKey: '' }, 'options.userKey')
    refuses({ filter: 'x' }, 'options.filter')
    refuses('all', 'options')
    assert.throws(() => manager.subscribe('x' as never), InvalidArgumentError)
  })
})
