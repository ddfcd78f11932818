import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nodeSessions } from '../src/http/node.js'
import {
  InvalidOptionError,
  readBearer,
  type SessionEvent,
  SessionManager,
  UnauthorizedError,
} from '../src/index.js'
import { listen } from './apps/serve.js'
import { cookiePair, setup, view } from './helpers.js'

const reasonOf = (result: { error: Error | null }) =>
  result.error instanceof UnauthorizedError ? result.error.reason : result.error

describe('bearer tokens', () => {
  it('readBearer takes an RFC 6750 header only; a malformed Bearer one is told apart', () => {
    assert.equal(readBearer('Bearer abc.DEF-_~+/='), 'abc.DEF-_~+/=')
    assert.equal(readBearer('bearer   abc'), 'abc', 'the scheme is case-insensitive')
    assert.equal(readBearer('Bearer a b'), '', 'two tokens')
    assert.equal(readBearer('Bearer a, Bearer b'), '', 'two headers folded into one')
    assert.equal(readBearer('Bearer'), '')
    assert.equal(readBearer('Basic dXNlcjpwdw=='), undefined, 'another scheme')
    assert.equal(readBearer('Bearerabc'), undefined)
    assert.equal(readBearer(undefined), undefined)
  })

  it('each transport reads its own carrier and ignores the other', async () => {
    const { manager } = setup()
    const { setCookie, token } = await manager.init(view(), 'alice')
    const cookie = cookiePair(setCookie)
    const authorization = `Bearer ${token}`
    const cookieOnly = await manager.authenticate(view({ authorization }))
    assert.equal(reasonOf(cookieOnly), 'missing-cookie', 'the default route never reads the header')
    const ok = await manager.authenticate(view({ cookie }), { transport: 'cookie' })
    assert.equal(ok.session?.userKey, 'alice')
    const bearer = { transport: 'bearer' } as const
    const viaToken = await manager.authenticate(view({ authorization, cookie: 'x=1' }), bearer)
    assert.equal(viaToken.session?.userKey, 'alice')
    assert.equal(viaToken.session ? viaToken.carrier : null, 'bearer')
    const noToken = await manager.authenticate(view({ cookie }), bearer)
    assert.equal(reasonOf(noToken), 'missing-token', 'a bearer route ignores the cookie')
  })

  it("'both' refuses a cookie and a token together unless told which to prefer", async () => {
    const { manager, store } = setup({ transport: 'both' })
    const alice = await manager.init(view(), 'alice')
    const bob = await manager.init(view(), 'bob')
    const req = view({ cookie: cookiePair(alice.setCookie), authorization: `Bearer ${bob.token}` })
    const events: SessionEvent[] = []
    manager.subscribe((e) => {
      events.push(e)
    })
    assert.equal(reasonOf(await manager.authenticate(req)), 'conflicting-credentials')
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(events.at(-1)?.type, 'rejected')
    const prefer = (mixedCredentials: 'prefer-bearer' | 'prefer-cookie') =>
      new SessionManager(store, { now: () => Date.UTC(2026, 10, 22, 12), mixedCredentials })
        .clone({ transport: 'both' })
        .authenticate(req)
    assert.equal((await prefer('prefer-bearer')).session?.userKey, 'bob')
    assert.equal((await prefer('prefer-cookie')).session?.userKey, 'alice')
  })

  it('a malformed or unknown token is refused with the bearer carrier for the challenge', async () => {
    const { manager } = setup({ transport: 'bearer' })
    for (const authorization of ['Bearer a b', 'Bearer not-a-token', `Bearer ${'a'.repeat(40)}`]) {
      const result = await manager.authenticate(view({ authorization }))
      assert.ok(result.error instanceof UnauthorizedError)
      assert.equal(result.error.carrier, 'bearer', authorization)
    }
  })

  it('a bearer session renews but never rotates on its own; explicit rotation gives a token', async () => {
    const { manager, clock } = setup({ transport: 'bearer', rotateEvery: 60_000 })
    const { token } = await manager.init(view(), 'alice')
    clock.advance(2 * 3600_000)
    const later = await manager.authenticate(view({ authorization: `Bearer ${token}` }))
    assert.equal(later.session?.userKey, 'alice')
    assert.equal(later.session && later.setCookie, undefined, 'no rotation for a bearer client')
    const rotated = later.session && (await manager.rotate(later.session))
    assert.ok(rotated && rotated.token !== token)
    const next = await manager.authenticate(view({ authorization: `Bearer ${rotated.token}` }))
    assert.equal(next.session?.id, later.session?.id)
  })

  it('a bearer login revokes the token the request carried (no fixation), not a cookie', async () => {
    const { manager } = setup({ transport: 'both' })
    const planted = await manager.init(view(), 'mallory')
    const cookieSession = await manager.init(view(), 'alice')
    const req = view({ authorization: `Bearer ${planted.token}` })
    await manager.init(req, 'alice', {}, { transport: 'bearer' })
    const old = await manager.authenticate(view({ authorization: `Bearer ${planted.token}` }))
    assert.equal(reasonOf(old), 'unknown-session')
    const cookie = cookiePair(cookieSession.setCookie)
    assert.equal((await manager.authenticate(view({ cookie }))).session?.userKey, 'alice')
  })

  it('bad transport options name the option', () => {
    const { store } = setup()
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ transport: 'header' }, /transport/],
      [{ mixedCredentials: 'allow' }, /mixedCredentials/],
    ]
    for (const [options, name] of cases) {
      assert.throws(
        () => new SessionManager(store, options),
        (e: unknown) => {
          return e instanceof InvalidOptionError && name.test(e.message)
        },
      )
    }
    const { manager } = setup()
    assert.throws(() => nodeSessions(manager, { transport: 'token' as never }), /transport/)
    assert.throws(() => nodeSessions(manager, { trasnport: 'bearer' } as never), /trasnport/)
    assert.rejects(manager.authenticate(view(), { transport: 'x' as never }), /route.transport/)
  })

  it('a bearer-only binding hands out tokens and never writes a cookie', async () => {
    const { manager } = setup()
    const api = nodeSessions(manager, { transport: 'bearer' })
    const server = await listen(async (req, res) => {
      try {
        const smoke = req.url === '/smoke' ? { transport: 'smoke' as never } : {}
        res.end(JSON.stringify(await api.init(req, res, 'alice', smoke)))
      } catch (error) {
        res.writeHead(400).end(String(error))
      }
    })
    try {
      const res = await fetch(`${server.url}/login`, { method: 'POST' })
      assert.deepEqual(res.headers.getSetCookie(), [])
      const issued = await res.json()
      assert.equal(issued.setCookie, null)
      assert.match(issued.token, /^[\w-]+\.[\w-]+$/)
      const smoke = await fetch(`${server.url}/smoke`, { method: 'POST' })
      assert.match(await smoke.text(), /options\.transport/)
    } finally {
      await server.close()
    }
  })
})
