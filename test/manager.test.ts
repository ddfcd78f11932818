import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { MemoryStore, SessionManager, UnauthorizedError } from '../src/index.js'
import {
  CHROME_WINDOWS,
  cookiePair,
  FIREFOX_LINUX,
  partsOf,
  setup,
  tokenOf,
  view,
} from './helpers.js'

const HOUR = 3_600_000

describe('SessionManager.init', () => {
  it('sets a secure cookie <id>.<secret> with a 256-bit secret, and stores only its SHA-256', async () => {
    const { manager, store, clock } = setup()
    const { session, setCookie } = await manager.init(view(), 'alice', { meta: { role: 'admin' } })
    const token = tokenOf(setCookie)
    const { id, secret } = partsOf(setCookie)
    assert.match(token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
    assert.equal(Buffer.from(secret, 'base64url').length, 32)
    assert.equal(Buffer.from(id, 'base64url').length, 16, 'a random 128-bit public id')
    assert.equal(session.id, id)
    const record = await store.fetchById(id)
    assert.equal(record?.secretHash, createHash('sha256').update(secret).digest('base64url'))
    assert.ok(!JSON.stringify(record).includes(secret), 'the secret is stored nowhere')
    assert.ok(!JSON.stringify(session).includes('secretHash'), 'the app sees no hash')
    assert.equal(
      setCookie,
      `__Host-sessionup=${token}; Path=/; HttpOnly; Secure; SameSite=Strict`,
      'browser-session cookie by default, with every secure attribute',
    )
    const stored = await store.fetchById(session.id)
    assert.equal(stored?.userKey, 'alice')
    assert.deepEqual(stored?.meta, { role: 'admin' })
    assert.equal(stored?.expiresAt.getTime(), clock.now() + 24 * HOUR, 'kept 24 h as in Go')
    assert.equal(stored?.ip, '198.51.100.4')
    assert.deepEqual(stored?.agent, { os: 'Linux', browser: 'Firefox' })
    assert.equal(await store.fetchById(secret), null, 'the secret is not a key')
  })

  it('gives every login a different token', async () => {
    const { manager } = setup()
    const tokens = new Set<string>()
    for (let i = 0; i < 50; i++) tokens.add(tokenOf((await manager.init(view(), 'a')).setCookie))
    assert.equal(tokens.size, 50)
  })

  it('with expiresIn, the cookie expires with the session', async () => {
    const { manager, clock } = setup({ expiresIn: 2 * HOUR })
    const { session, setCookie } = await manager.init(view(), 'alice')
    const expires = new Date(clock.now() + 2 * HOUR)
    assert.equal(session.expiresAt.getTime(), expires.getTime())
    assert.match(setCookie, new RegExp(`; Expires=${expires.toUTCString()};`))
  })

  it('records no ip or agent when told not to', async () => {
    const { manager } = setup({ withIp: false, withAgent: false })
    const { session } = await manager.init(view(), 'alice')
    assert.equal(session.ip, null)
    assert.deepEqual(session.agent, { os: '', browser: '' })
  })

  it('revokes the session the request already carries (no fixation)', async () => {
    const { manager, store } = setup()
    const first = await manager.init(view(), 'alice')
    const second = await manager.init(view({ cookie: cookiePair(first.setCookie) }), 'alice')
    assert.equal(await store.fetchById(first.session.id), null)
    assert.ok(await store.fetchById(second.session.id))
  })

  it('evicts the oldest sessions beyond maxSessionsPerUser', async () => {
    const { manager, store, clock } = setup({ maxSessionsPerUser: 2 })
    const made = []
    for (let i = 0; i < 4; i++) {
      made.push((await manager.init(view(), 'alice')).session)
      clock.advance(1_000)
    }
    await manager.init(view(), 'bob')
    const left = (await store.fetchByUserKey('alice')).map((s) => s.id)
    assert.deepEqual(left, [made[2]?.id, made[3]?.id])
    assert.equal((await store.fetchByUserKey('bob')).length, 1)
  })

  it('rejects a bad user key, bad meta and a broken token generator', async () => {
    const { manager } = setup()
    await assert.rejects(manager.init(view(), ''), /invalid userKey/)
    await assert.rejects(
      manager.init(view(), 'a', { meta: { n: 5 as unknown as string } }),
      /options.meta\["n"\]/,
    )
    const broken = manager.clone({ generateSecret: () => 'short;' })
    await assert.rejects(broken.init(view(), 'a'), /generateSecret/)
  })
})

describe('SessionManager.authenticate', () => {
  it('finds the session of a valid cookie', async () => {
    const { manager } = setup()
    const { session, setCookie } = await manager.init(view(), 'alice')
    const result = await manager.authenticate(view({ cookie: `a=b; ${cookiePair(setCookie)}` }))
    assert.equal(result.session?.id, session.id)
  })

  it('turns away a missing, malformed, unknown or expired cookie', async () => {
    const { manager, store, clock } = setup({ expiresIn: HOUR })
    const { session, setCookie } = await manager.init(view(), 'alice')
    const reasonOf = async (cookie?: string) => {
      const { error } = await manager.authenticate(view({ cookie }))
      assert.ok(error instanceof UnauthorizedError)
      return error.reason
    }
    assert.equal(await reasonOf(undefined), 'missing-cookie')
    const before = store.calls.fetchById
    assert.equal(await reasonOf('__Host-sessionup=not-a-token'), 'malformed-cookie')
    assert.equal(await reasonOf(`__Host-sessionup=${'x'.repeat(42)};`), 'malformed-cookie')
    assert.equal(store.calls.fetchById, before, 'no store call for a malformed cookie')
    assert.equal(
      await reasonOf(`__Host-sessionup=${session.id}`),
      'malformed-cookie',
      'an id alone',
    )
    const wrongSecret = `__Host-sessionup=${session.id}.${'A'.repeat(43)}`
    assert.equal(await reasonOf(wrongSecret), 'unknown-session', 'the id with another secret')
    assert.equal(
      await reasonOf(`__Host-sessionup=${'B'.repeat(43)}`),
      'unknown-session',
      'v1-shaped',
    )
    clock.set(session.expiresAt.getTime())
    assert.equal(await reasonOf(cookiePair(setCookie)), 'unknown-session')
  })

  it('with validate, fails closed on a different or missing ip or agent', async () => {
    const { manager } = setup({ validate: true })
    const { setCookie } = await manager.init(view({ remoteAddress: '::ffff:198.51.100.4' }), 'a')
    const cookie = cookiePair(setCookie)
    const ok = await manager.authenticate(view({ cookie, remoteAddress: '198.51.100.4' }))
    assert.ok(ok.session, 'IPv4-mapped IPv6 equals its IPv4')
    const cases = [
      view({ cookie, remoteAddress: '198.51.100.5' }),
      view({ cookie, userAgent: CHROME_WINDOWS }),
      view({ cookie, remoteAddress: undefined }),
      view({ cookie, userAgent: undefined }),
    ]
    for (const req of cases) {
      const { error } = await manager.authenticate(req)
      assert.ok(error instanceof UnauthorizedError && error.reason === 'client-mismatch')
    }
  })

  it('with validate, a client the agent parser cannot name is bound to what was recorded', async () => {
    const { manager } = setup({ validate: true })
    for (const agent of ['curl/8.5.0', 'okhttp/4.12.0', undefined]) {
      const made = await manager.init(view({ userAgent: agent }), 'tool')
      assert.deepEqual(made.session.agent, { os: '', browser: '' })
      const cookie = cookiePair(made.setCookie)
      const same = await manager.authenticate(view({ cookie, userAgent: agent }))
      assert.ok(same.session, `${agent}: the same client passes`)
      const other = await manager.authenticate(view({ cookie, userAgent: FIREFOX_LINUX }))
      assert.equal((other.error as UnauthorizedError).reason, 'client-mismatch')
    }
  })

  it('reports a store failure as the error, never throwing', async () => {
    class BrokenStore extends MemoryStore {
      override async fetchById(): Promise<never> {
        throw new Error('disk on fire: /var/db/secret.sqlite')
      }
    }
    const errors: Error[] = []
    const manager = new SessionManager(new BrokenStore({ cleanupInterval: 0 }), {
      onError: (e) => errors.push(e),
    })
    const cookie = `__Host-sessionup=${'a'.repeat(43)}`
    const { error } = await manager.authenticate(view({ cookie }))
    assert.match(String(error), /disk on fire/)
    const answer = manager.rejection(error as Error)
    assert.deepEqual(
      [answer.status, answer.body],
      [503, '{"error":"unavailable"}'],
      'an outage is not "logged out", and no driver text is in the response',
    )
    assert.equal(errors.length, 1, 'the failure reaches onError')
    const missing = manager.rejection((await manager.authenticate(view())).error as Error)
    assert.equal(missing.status, 401, 'no cookie: unauthorized')
  })

  it('a reject option that throws is reported and answered with a 500', () => {
    const errors: Error[] = []
    const { manager } = setup({
      reject: () => {
        throw new Error('template missing')
      },
      onError: (e) => errors.push(e),
    })
    const answer = manager.rejection(new Error('store down'))
    assert.equal(answer.status, 500)
    assert.equal(answer.body, '')
    assert.deepEqual(
      errors.map((e) => e.message),
      ['store down', 'template missing'],
    )
  })
})

describe('idle and absolute timeouts', () => {
  it('renews at most once per half idle window, and only then', async () => {
    const { manager, store, clock } = setup({ idleTimeout: 10 * 60_000 })
    const { session, setCookie } = await manager.init(view(), 'alice')
    const cookie = cookiePair(setCookie)
    assert.equal(session.expiresAt.getTime(), clock.now() + 10 * 60_000)
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000)
      assert.ok((await manager.authenticate(view({ cookie }))).session)
    }
    assert.equal(store.calls.touch, 0, 'no write before half the window has passed')
    clock.advance(60_001)
    assert.ok((await manager.authenticate(view({ cookie }))).session)
    assert.equal(store.calls.touch, 1)
    const renewed = await store.fetchById(session.id)
    assert.equal(renewed?.expiresAt.getTime(), clock.now() + 10 * 60_000)
    clock.advance(60_000)
    await manager.authenticate(view({ cookie }))
    assert.equal(store.calls.touch, 1, 'fresh again: no second write')
    clock.advance(10 * 60_000)
    assert.ok((await manager.authenticate(view({ cookie }))).error, 'idle too long: expired')
  })

  it('never renews past the absolute timeout', async () => {
    const { manager, clock } = setup({ idleTimeout: 10 * 60_000, absoluteTimeout: 25 * 60_000 })
    const start = clock.now()
    const { setCookie } = await manager.init(view(), 'alice')
    const cookie = cookiePair(setCookie)
    let last = null
    while (clock.now() < start + 30 * 60_000) {
      clock.advance(4 * 60_000)
      last = await manager.authenticate(view({ cookie }))
      if (last.session) assert.ok(last.session.expiresAt.getTime() <= start + 25 * 60_000)
    }
    assert.ok(last?.error, 'dead after the absolute timeout despite steady use')
  })

  it('a renewal never revives a revoked session', async () => {
    const { manager, store, clock } = setup({ idleTimeout: 10 * 60_000 })
    const { session, setCookie } = await manager.init(view(), 'alice')
    clock.advance(6 * 60_000)
    await manager.revokeById(session.id)
    const result = await manager.authenticate(view({ cookie: cookiePair(setCookie) }))
    assert.ok(result.error)
    assert.equal(await store.fetchById(session.id), null)
  })
})

describe('revocation and listing', () => {
  async function threeDevices() {
    const ctx = setup()
    const a = await ctx.manager.init(view(), 'alice')
    ctx.clock.advance(1)
    const b = await ctx.manager.init(view({ userAgent: CHROME_WINDOWS }), 'alice')
    ctx.clock.advance(1)
    const c = await ctx.manager.init(view(), 'alice')
    const bob = await ctx.manager.init(view(), 'bob')
    return { ...ctx, a: a.session, b: b.session, c: c.session, bob: bob.session }
  }

  it('fetchAll lists the user’s sessions oldest first with only the current one marked', async () => {
    const { manager, a, b, c } = await threeDevices()
    const listed = await manager.fetchAll(b)
    assert.deepEqual(
      listed.map((s) => [s.id, s.current]),
      [
        [a.id, false],
        [b.id, true],
        [c.id, false],
      ],
    )
    assert.deepEqual(listed[1]?.agent, { os: 'Windows', browser: 'Chrome' })
  })

  it('revokeOther keeps only the current session; other users untouched', async () => {
    const { manager, store, b, bob } = await threeDevices()
    await manager.revokeOther(b)
    assert.deepEqual(
      (await store.fetchByUserKey('alice')).map((s) => s.id),
      [b.id],
    )
    assert.ok(await store.fetchById(bob.id))
  })

  it('revoke and revokeAll return a cookie-clearing header', async () => {
    const { manager, store, a, b } = await threeDevices()
    const cleared = await manager.revoke(a)
    assert.match(cleared, /^__Host-sessionup=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT;/)
    assert.match(cleared, /Max-Age=0/)
    assert.equal(await store.fetchById(a.id), null)
    await manager.revokeAll(b)
    assert.deepEqual(await store.fetchByUserKey('alice'), [])
  })

  it('revokeByIdExt revokes only the owner’s sessions', async () => {
    const { manager, store, a, c, bob } = await threeDevices()
    assert.equal(await manager.revokeByIdExt(a, bob.id), false, 'not yours: false')
    assert.ok(await store.fetchById(bob.id), 'another user’s session survives')
    assert.equal(await manager.revokeByIdExt(a, c.id), true)
    assert.equal(await store.fetchById(c.id), null)
    assert.equal(await manager.revokeByIdExt(a, 'missing-id'), false, 'missing: false, alike')
    for (const impossible of ['', 'x'.repeat(9_000), 'nul\0id', 'sp ace', '\ud800']) {
      assert.equal(await manager.revokeByIdExt(a, impossible), false, 'not an id: not found')
      assert.equal(await manager.revokeById(impossible), false)
    }
  })

  it('revokeByUserKey revokes every session of a user', async () => {
    const { manager, store, bob } = await threeDevices()
    await manager.revokeByUserKey('alice')
    assert.deepEqual(await store.fetchByUserKey('alice'), [])
    assert.ok(await store.fetchById(bob.id))
  })
})

describe('clone', () => {
  it('shares the store and changes only the given options', async () => {
    const { manager, store } = setup()
    const other = manager.clone({ cookieName: 'admin_session', secure: false })
    assert.equal(other.store, store)
    assert.equal(other.cookieName, 'admin_session')
    assert.equal(manager.cookieName, '__Host-sessionup')
    const { setCookie } = await other.init(view(), 'root')
    assert.doesNotMatch(setCookie, /Secure/)
    assert.match(setCookie, /HttpOnly; SameSite=Strict$/)
  })
})
