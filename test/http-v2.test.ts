import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, describe, it } from 'node:test'
import express from 'express'
import { Hono } from 'hono'
import {
  fetchSessions,
  getSession,
  requireSession,
  type SessionVariables,
} from '../src/http/fetch.js'
import { nodeSessions, requireSession as requireNode } from '../src/http/node.js'
import { MemoryStore, SessionManager } from '../src/index.js'
import { TestClock } from '../src/testing/index.js'
import { cookiePair, FIREFOX_LINUX, partsOf } from './helpers.js'

const MIN = 60_000

/** One answer, as a client sees it. */
interface Answer {
  status: number
  cookies: string[]
  text: string
}
type Call = (path: string, cookie?: string) => Promise<Answer>

/** The same routes on every adapter; each test drives them through `call`. */
interface Rig {
  call: Call
  clock: TestClock
  close(): void
}

function managerFor(clock: TestClock) {
  const store = new MemoryStore({ now: clock.now, cleanupInterval: 0 })
  const options = { now: clock.now, rotateEvery: 5 * MIN, activityInterval: 2 * MIN }
  return new SessionManager(store, options)
}

async function over(server: Server): Promise<(path: string, cookie?: string) => Promise<Answer>> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return async (path, cookie) => {
    const headers: Record<string, string> = { 'user-agent': FIREFOX_LINUX }
    if (cookie) headers.cookie = cookie
    const res = await fetch(`${base}${path}`, { headers, redirect: 'manual' })
    return { status: res.status, cookies: res.headers.getSetCookie(), text: await res.text() }
  }
}

async function nodeRig(): Promise<Rig> {
  const clock = new TestClock()
  const s = nodeSessions(managerFor(clock))
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => unknown> = {
    '/login': async (req, res) => {
      await s.init(req, res, 'alice')
      res.end('in')
    },
    '/me': s.protect((req, res) => res.end(requireNode(req).meta.device ?? 'me')),
    '/danger': s.protectFresh(10 * MIN, (_req, res) => res.end('done')),
    '/reauth': s.protect(async (req, res) => res.end(String(Boolean(await s.reauthenticate(req))))),
    '/rotate': s.protect(async (req, res) => res.end(String((await s.rotate(req, res)) !== null))),
    '/rename': s.protect(async (req, res) =>
      res.end((await s.updateMeta(req, { device: 'laptop' }))?.meta.device),
    ),
  }
  const server = createServer((req, res) => routes[req.url ?? '']?.(req, res))
  return { call: await over(server), clock, close: () => server.close() }
}

async function expressRig(): Promise<Rig> {
  const clock = new TestClock()
  const s = nodeSessions(managerFor(clock))
  const app = express()
  app.get('/login', async (req, res) => {
    await s.init(req, res, 'alice')
    res.send('in')
  })
  app.use(['/me', '/danger', '/reauth', '/rotate', '/rename'], s.auth)
  app.get('/me', (req, res) => void res.send(requireNode(req).meta.device ?? 'me'))
  app.get('/danger', s.requireFresh(10 * MIN), (_req, res) => void res.send('done'))
  app.get(
    '/reauth',
    async (req, res) => void res.send(String(Boolean(await s.reauthenticate(req)))),
  )
  app.get('/rotate', async (req, res) => void res.send(String((await s.rotate(req, res)) !== null)))
  app.get('/rename', async (req, res) => {
    res.send((await s.updateMeta(req, { device: 'laptop' }))?.meta.device)
  })
  const server = createServer(app)
  return { call: await over(server), clock, close: () => server.close() }
}

async function answerOf(res: Response): Promise<Answer> {
  return { status: res.status, cookies: res.headers.getSetCookie(), text: await res.text() }
}

function fetchRig(): Rig {
  const clock = new TestClock()
  const s = fetchSessions(managerFor(clock), { remoteAddress: () => '192.0.2.10' })
  const routes: Record<string, (req: Request) => Response | Promise<Response>> = {
    '/login': async (req) => {
      const { setCookie } = await s.init(req, 'alice')
      return new Response('in', { headers: { 'set-cookie': setCookie ?? '' } })
    },
    '/me': s.auth((req) => new Response(requireSession(req).meta.device ?? 'me')),
    '/danger': s.requireFresh(10 * MIN, () => new Response('done')),
    '/reauth': s.auth(async (req) => new Response(String(Boolean(await s.reauthenticate(req))))),
    '/rotate': s.auth(async (req) => {
      const rotated = await s.rotate(req)
      return new Response(String(rotated !== null), {
        headers: { 'set-cookie': rotated?.setCookie ?? '' },
      })
    }),
    '/rename': s.auth(
      async (req) => new Response((await s.updateMeta(req, { device: 'laptop' }))?.meta.device),
    ),
    // Response.redirect's headers are immutable: a rotation cookie must still get out.
    '/away': s.auth(async () => Response.redirect('http://x/elsewhere', 303)),
  }
  return {
    clock,
    close: () => {},
    call: async (path, cookie) => {
      const headers = cookie ? { cookie, 'user-agent': FIREFOX_LINUX } : undefined
      const route = routes[path] ?? (async () => new Response(null, { status: 404 }))
      return answerOf(await route(new Request(`http://x${path}`, { headers })))
    },
  }
}

function honoRig(): Rig {
  const clock = new TestClock()
  const s = fetchSessions(managerFor(clock), { remoteAddress: () => '192.0.2.10' })
  const app = new Hono<{ Variables: SessionVariables }>()
  app.get('/login', async (c) => {
    await s.init(c, 'alice')
    return c.text('in')
  })
  app.use('/a/*', s.hono.auth)
  app.get('/a/me', (c) => c.text(requireSession(c).meta.device ?? 'me'))
  app.get('/a/danger', s.hono.requireFresh(10 * MIN), (c) => c.text('done'))
  app.get('/a/reauth', async (c) => c.text(String(Boolean(await s.reauthenticate(c)))))
  app.get('/a/rotate', async (c) => c.text(String((await s.rotate(c)) !== null)))
  app.get('/a/rename', async (c) => {
    await s.updateMeta(c, { device: 'laptop' })
    return c.text(c.get('session')?.meta.device ?? 'stale', 200)
  })
  return {
    clock,
    close: () => {},
    call: async (path, cookie) => {
      const headers = cookie ? { cookie, 'user-agent': FIREFOX_LINUX } : undefined
      const to = path === '/login' ? path : `/a${path}`
      return answerOf(await app.request(to, { headers }))
    },
  }
}

/** The session cookie among an answer's Set-Cookie headers. */
const sessionCookie = (a: Answer) => a.cookies.find((c) => c.startsWith('__Host-sessionup='))

const RIGS: Array<[string, () => Rig | Promise<Rig>]> = [
  ['node:http', nodeRig],
  ['Express', expressRig],
  ['Fetch', fetchRig],
  ['Hono', honoRig],
]

for (const [name, make] of RIGS) {
  describe(`${name}: freshness, rotation and meta`, async () => {
    const rig = await make()
    after(() => rig.close())

    /** Calls a route like a browser: a Set-Cookie of the session replaces the cookie. */
    let cookie = ''
    const visit = async (path: string) => {
      const answer = await rig.call(path, cookie)
      const next = sessionCookie(answer)
      if (next) cookie = cookiePair(next)
      return answer
    }

    it('requireFresh answers 403 once the sign-in is old; reauthenticate makes it fresh again', async () => {
      await visit('/login')
      rig.clock.advance(9 * MIN)
      assert.equal((await visit('/danger')).text, 'done')
      rig.clock.advance(2 * MIN)
      const stale = await visit('/danger')
      assert.equal(stale.status, 403)
      assert.deepEqual(JSON.parse(stale.text), { error: 'reauthentication-required' })
      assert.equal((await visit('/me')).status, 200, 'other routes need no freshness')
      assert.equal((await visit('/reauth')).text, 'true')
      assert.equal((await visit('/danger')).text, 'done')
    })

    it('a rotation due with the renewal sends the new cookie, even on a refused request', async () => {
      await visit('/login')
      const before = cookie
      rig.clock.advance(11 * MIN) // past rotateEvery, and too old for /danger
      const refused = await visit('/danger')
      assert.equal(refused.status, 403)
      assert.ok(sessionCookie(refused), `the rotated cookie rides on the 403: ${refused.cookies}`)
      assert.notEqual(cookie, before)
      assert.equal(partsOf(cookie).id, partsOf(before).id, 'the same session')
      const again = await visit('/me')
      assert.equal(again.status, 200)
      assert.equal(sessionCookie(again), undefined, 'once per window')
    })

    it('rotate, updateMeta and reauthenticate work through the adapter', async () => {
      await visit('/login')
      const before = cookie
      assert.equal((await visit('/rotate')).text, 'true')
      assert.notEqual(cookie, before, 'rotate sent a new cookie')
      assert.equal((await visit('/rename')).text, 'laptop')
      assert.equal((await visit('/me')).text, 'laptop', 'stored')
    })
  })
}

describe('the last session cookie of a request wins, whatever the handler returns', () => {
  const setup = () => {
    const clock = new TestClock()
    const manager = managerFor(clock)
    return { clock, manager, s: fetchSessions(manager, { remoteAddress: () => '192.0.2.10' }) }
  }
  const shared = new Response(null, { status: 204 })

  it('Fetch: a login behind public, with a rotation due, leaves the login cookie last', async () => {
    const { clock, s } = setup()
    const first = (await s.init(new Request('http://x/'), 'alice')).setCookie ?? ''
    clock.advance(6 * MIN) // a rotation is due on the next request
    const login = s.public(async (req) => {
      const { setCookie } = await s.init(req, 'alice')
      return new Response(null, { status: 204, headers: { 'set-cookie': setCookie ?? '' } })
    })
    const res = await login(
      new Request('http://x/login', { headers: { cookie: cookiePair(first) } }),
    )
    const cookies = res.headers.getSetCookie().filter((c) => c.startsWith('__Host-sessionup='))
    assert.equal(cookies.length, 1, 'the handler’s login cookie only')
    const me = s.auth((req) => new Response(requireSession(req).userKey))
    const next = cookiePair(cookies[0] ?? '')
    assert.equal(
      await (await me(new Request('http://x/', { headers: { cookie: next } }))).text(),
      'alice',
    )
  })

  it('Fetch: a shared Response never carries one user’s cookie to the next visitor', async () => {
    const { clock, s } = setup()
    const { setCookie } = await s.init(new Request('http://x/'), 'alice')
    clock.advance(6 * MIN)
    const page = s.public(() => shared)
    const alice = await page(
      new Request('http://x/', { headers: { cookie: cookiePair(setCookie ?? '') } }),
    )
    assert.equal(alice.headers.getSetCookie().length, 1, 'alice gets her rotated cookie')
    assert.equal(shared.headers.getSetCookie().length, 0, 'on a copy')
    assert.equal((await page(new Request('http://x/'))).headers.getSetCookie().length, 0)
  })

  it('Hono: raw Responses from handlers keep the rotation, login and sign-out cookies', async () => {
    const { clock, s } = setup()
    const app = new Hono<{ Variables: SessionVariables }>()
    app.use('*', s.hono.public)
    app.post('/login', async (c) => {
      await s.init(c, 'alice')
      return Response.redirect('http://x/home', 303)
    })
    app.get('/raw', () => new Response('raw'))
    app.get('/json', () => Response.json({ ok: true }))
    app.post('/logout', async (c) => {
      await s.revoke(c)
      return new Response(null, { status: 204 })
    })
    const sessionOf = (res: Response) =>
      res.headers.getSetCookie().find((v) => v.startsWith('__Host-sessionup=')) ?? ''
    const login = await app.request('/login', { method: 'POST' })
    const cookie = cookiePair(sessionOf(login))
    assert.match(cookie, /^__Host-sessionup=[\w-]{22}\./, 'the login cookie survived the redirect')
    clock.advance(6 * MIN)
    const raw = await app.request('/raw', { headers: { cookie } })
    assert.ok(sessionOf(raw), 'the rotation cookie is on a raw Response')
    const rotated = cookiePair(sessionOf(raw))
    clock.advance(6 * MIN)
    assert.ok(sessionOf(await app.request('/json', { headers: { cookie: rotated } })))
    const out = await app.request('/logout', { method: 'POST', headers: { cookie: rotated } })
    assert.match(sessionOf(out), /Max-Age=0/, 'the clearing cookie too')
  })
})

describe('Fetch: a handler’s immutable Response still carries the rotated cookie', () => {
  it('Response.redirect', async () => {
    const rig = fetchRig()
    const cookie = cookiePair(sessionCookie(await rig.call('/login')) ?? '')
    rig.clock.advance(6 * MIN)
    const away = await rig.call('/away', cookie)
    assert.equal(away.status, 303)
    assert.ok(sessionCookie(away), 'copied into a new Response with the cookie')
    assert.equal(getSession(new Request('http://x/')), null)
  })
})
