import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Hono } from 'hono'
import {
  fetchSessions,
  getSession,
  requireSession,
  type SessionVariables,
} from '../src/http/fetch.js'
import { MemoryStore, SessionManager } from '../src/index.js'
import { cookiePair, partsOf } from './helpers.js'

const manager = new SessionManager(new MemoryStore({ cleanupInterval: 0 }))
const sessions = fetchSessions(manager, { remoteAddress: () => '192.0.2.10' })

describe('Fetch adapter', () => {
  const login = async (user: string) => {
    const { setCookie, session } = await sessions.init(new Request('http://x/login'), user)
    return { cookie: cookiePair(setCookie ?? ''), session }
  }
  const me = sessions.auth((req) => Response.json({ user: requireSession(req).userKey }))
  const maybe = sessions.public((req) => new Response(getSession(req)?.userKey ?? 'anonymous'))

  it('auth passes a request with a session and turns away one without', async () => {
    const { cookie, session } = await login('alice')
    assert.equal(session.ip, '192.0.2.10', 'the remoteAddress option feeds the session ip')
    const ok = await me(new Request('http://x/me', { headers: { cookie } }))
    assert.deepEqual(await ok.json(), { user: 'alice' })
    const denied = await me(new Request('http://x/me'))
    assert.equal(denied.status, 401)
    assert.deepEqual(await denied.json(), { error: 'unauthorized' })
    assert.equal(await (await maybe(new Request('http://x/'))).text(), 'anonymous')
    assert.equal(
      await (await maybe(new Request('http://x/', { headers: { cookie } }))).text(),
      'alice',
    )
  })

  it('revoke returns a clearing cookie and the session is gone', async () => {
    const { cookie } = await login('bob')
    const logout = sessions.auth(async (req) => {
      const clear = await sessions.revoke(req)
      return new Response(null, { status: 204, headers: { 'set-cookie': clear ?? '' } })
    })
    const res = await logout(new Request('http://x/logout', { headers: { cookie } }))
    assert.match(res.headers.get('set-cookie') ?? '', /Max-Age=0/)
    assert.equal((await me(new Request('http://x/me', { headers: { cookie } }))).status, 401)
  })
})

describe('Hono middleware', () => {
  const app = new Hono<{ Variables: SessionVariables }>()
  app.post('/login/:user', async (c) => {
    c.header('set-cookie', 'csrf=t0k3n; Path=/; SameSite=Strict')
    await sessions.init(c, c.req.param('user')) // appends its cookie, keeping the one above
    return c.body(null, 204)
  })
  app.use('/account/*', sessions.hono.auth)
  app.get('/account/me', (c) => c.json({ user: requireSession(c).userKey }))
  app.get('/account/devices', async (c) => c.json(await sessions.fetchAll(c)))
  app.post('/account/revoke-other', async (c) => {
    await sessions.revokeOther(c)
    return c.body(null, 204)
  })

  const sessionCookie = (res: Response) =>
    cookiePair(res.headers.getSetCookie().find((c) => c.startsWith('__Host-')) ?? '')

  it('login appends its cookie: one set earlier by the app stays', async () => {
    const login = await app.request('/login/erin', { method: 'POST' })
    const set = login.headers.getSetCookie()
    assert.equal(set.length, 2, set.join(' | '))
    assert.match(set[0] ?? '', /^csrf=t0k3n;/)
    assert.match(set[1] ?? '', /^__Host-sessionup=/)
  })

  it('logout through a Hono context appends the clearing cookie', async () => {
    const app2 = new Hono<{ Variables: SessionVariables }>()
    app2.post('/login', async (c) => {
      await sessions.init(c, 'frank')
      return c.body(null, 204)
    })
    app2.post('/logout', sessions.hono.auth, async (c) => {
      c.header('set-cookie', 'theme=dark; Path=/')
      await sessions.revoke(c)
      return c.body(null, 204)
    })
    const cookie = sessionCookie(await app2.request('/login', { method: 'POST' }))
    const out = await app2.request('/logout', { method: 'POST', headers: { cookie } })
    const set = out.headers.getSetCookie()
    assert.equal(set.length, 2, set.join(' | '))
    assert.match(set[1] ?? '', /^__Host-sessionup=; .*Max-Age=0/)
    const again = await app2.request('/logout', { method: 'POST', headers: { cookie } })
    assert.equal(again.status, 401)
  })

  it('sets c.get("session") and rejects requests without a session', async () => {
    const login = await app.request('/login/carol', { method: 'POST' })
    const cookie = sessionCookie(login)
    const me = await app.request('/account/me', { headers: { cookie } })
    assert.deepEqual(await me.json(), { user: 'carol' })
    const denied = await app.request('/account/me')
    assert.equal(denied.status, 401)
    assert.deepEqual(await denied.json(), { error: 'unauthorized' })
  })

  it('lists and revokes the other devices', async () => {
    const cookies = []
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/login/dave', { method: 'POST' })
      cookies.push(sessionCookie(res))
    }
    const [a, b] = cookies as [string, string, string]
    const devices = (await (
      await app.request('/account/devices', { headers: { cookie: b } })
    ).json()) as Array<{ id: string; current: boolean }>
    assert.equal(devices.length, 3)
    const current = devices.filter((d) => d.current).map((d) => d.id)
    assert.deepEqual(current, [partsOf(b).id])
    await app.request('/account/revoke-other', { method: 'POST', headers: { cookie: b } })
    assert.equal((await app.request('/account/me', { headers: { cookie: a } })).status, 401)
    assert.equal((await app.request('/account/me', { headers: { cookie: b } })).status, 200)
  })
})
