import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import { getSession, nodeSessions, requireSession } from '../src/http/node.js'
import { MemoryStore, SessionManager } from '../src/index.js'
import { cookiePair, FIREFOX_LINUX, partsOf } from './helpers.js'

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    })
  })
}

function makeManager() {
  return new SessionManager(new MemoryStore({ cleanupInterval: 0 }), { validate: true })
}

describe('node:http adapter', () => {
  const manager = makeManager()
  const sessions = nodeSessions(manager)
  let base = ''
  const server = createServer(async (req, res) => {
    if (req.url === '/login') {
      await sessions.init(req, res, 'alice')
      res.end('in')
    } else if (req.url === '/me') {
      await sessions.protect((rq, rs) => rs.end(requireSession(rq).userKey))(req, res)
    } else if (req.url === '/maybe') {
      await sessions.optional((rq, rs) => rs.end(getSession(rq)?.userKey ?? 'anonymous'))(req, res)
    } else if (req.url === '/logout') {
      await sessions.protect(async (rq, rs) => {
        await sessions.revoke(rq, rs)
        rs.end('out')
      })(req, res)
    }
  })
  before(async () => {
    base = await listen(server)
  })
  after(() => server.close())

  it('logs in, authenticates, and logs out over real HTTP', async () => {
    const headers = { 'user-agent': FIREFOX_LINUX }
    const login = await fetch(`${base}/login`, { headers })
    const setCookie = login.headers.get('set-cookie') ?? ''
    assert.match(
      setCookie,
      /^__Host-sessionup=[\w-]{22}\.[\w-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    )
    const cookie = cookiePair(setCookie)

    const me = await fetch(`${base}/me`, { headers: { ...headers, cookie } })
    assert.equal(await me.text(), 'alice')

    const denied = await fetch(`${base}/me`, { headers })
    assert.equal(denied.status, 401)
    assert.equal(denied.headers.get('content-type'), 'application/json; charset=utf-8')
    assert.deepEqual(await denied.json(), { error: 'unauthorized' })

    const otherBrowser = await fetch(`${base}/me`, { headers: { cookie, 'user-agent': 'curl/8' } })
    assert.equal(otherBrowser.status, 401, 'validate: a stolen cookie in another client fails')

    assert.equal(await (await fetch(`${base}/maybe`)).text(), 'anonymous')
    assert.equal(
      await (await fetch(`${base}/maybe`, { headers: { ...headers, cookie } })).text(),
      'alice',
    )

    const logout = await fetch(`${base}/logout`, { headers: { ...headers, cookie } })
    assert.match(logout.headers.get('set-cookie') ?? '', /^__Host-sessionup=; .*Max-Age=0$/)
    assert.equal((await fetch(`${base}/me`, { headers: { ...headers, cookie } })).status, 401)
  })
})

describe('Express 5 adapter', () => {
  const manager = makeManager()
  const sessions = nodeSessions(manager)
  const app = express()
  app.post('/login/:user', async (req, res) => {
    await sessions.init(req, res, req.params.user)
    res.sendStatus(204)
  })
  app.use('/account', sessions.auth)
  app.get('/account/sessions', async (req, res) => {
    res.json(await sessions.fetchAll(req))
  })
  app.post('/account/revoke-other', async (req, res) => {
    await sessions.revokeOther(req)
    res.sendStatus(204)
  })
  app.post('/account/revoke/:id', async (req, res) => {
    res.sendStatus((await sessions.revokeByIdExt(req, req.params.id)) ? 204 : 404)
  })
  app.post('/account/revoke-all', async (req, res) => {
    await sessions.revokeAll(req, res)
    res.sendStatus(204)
  })
  const server = createServer(app)
  let base = ''
  before(async () => {
    base = await listen(server)
  })
  after(() => server.close())

  async function login(user: string): Promise<string> {
    const res = await fetch(`${base}/login/${user}`, {
      method: 'POST',
      headers: { 'user-agent': FIREFOX_LINUX },
    })
    assert.equal(res.status, 204)
    return cookiePair(res.headers.get('set-cookie') ?? '')
  }
  const call = (path: string, cookie: string, method = 'GET') =>
    fetch(`${base}${path}`, { method, headers: { cookie, 'user-agent': FIREFOX_LINUX } })

  it('lists a user’s devices, revokes one by id, and refuses another user’s', async () => {
    const a = await login('alice')
    const b = await login('alice')
    const mallory = await login('mallory')
    const listed = (await (await call('/account/sessions', a)).json()) as Array<{
      id: string
      current: boolean
    }>
    assert.equal(listed.length, 2)
    const aId = partsOf(a).id
    const bId = partsOf(b).id
    assert.deepEqual(
      listed.filter((s) => s.current).map((s) => s.id),
      [aId],
    )
    assert.deepEqual(listed.map((s) => s.id).sort(), [aId, bId].sort())
    assert.equal((await call(`/account/revoke/${bId}`, mallory, 'POST')).status, 404)
    assert.equal((await call('/account/revoke/no-such-id', mallory, 'POST')).status, 404)
    assert.equal((await call('/account/sessions', b)).status, 200, 'still alive after the refusal')
    assert.equal((await call(`/account/revoke/${bId}`, a, 'POST')).status, 204)
    assert.equal((await call('/account/sessions', b)).status, 401)
  })

  it('revoke-other signs out the other devices; revoke-all signs out this one too', async () => {
    const a = await login('bob')
    const b = await login('bob')
    const c = await login('bob')
    assert.equal((await call('/account/revoke-other', a, 'POST')).status, 204)
    assert.equal((await call('/account/sessions', b)).status, 401)
    assert.equal((await call('/account/sessions', c)).status, 401)
    assert.equal((await call('/account/sessions', a)).status, 200)
    const all = await call('/account/revoke-all', a, 'POST')
    assert.match(all.headers.get('set-cookie') ?? '', /Max-Age=0/)
    assert.equal((await call('/account/sessions', a)).status, 401)
  })
})
