import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fastifyCookie from '@fastify/cookie'
import Fastify, { type FastifyInstance } from 'fastify'
import { type FastifySessionsOptions, requireSession, sessionup } from '../src/http/fastify.js'
import { InvalidOptionError, MemoryStore, SessionManager } from '../src/index.js'
import { serve, standardRoutes } from './apps/fastify.js'

const managerFor = (cookieName?: string) =>
  new SessionManager(new MemoryStore({ cleanupInterval: 0 }), cookieName ? { cookieName } : {})
const pair = (setCookie: string) => setCookie.slice(0, setCookie.indexOf(';'))
const cookiesOf = (res: { headers: Record<string, unknown> }): string[] => {
  const value = res.headers['set-cookie']
  return value === undefined ? [] : ([] as string[]).concat(value as string | string[])
}

async function loginInject(app: FastifyInstance, url = '/login?user=ann') {
  const res = await app.inject({ method: 'POST', url })
  assert.equal(res.statusCode, 200, res.body)
  const session = cookiesOf(res).find((c) => !c.startsWith('theme=') && !c.startsWith('pref='))
  assert.ok(session, 'a session cookie')
  return pair(session)
}

describe('Fastify plugin', () => {
  it('serves the standard app through inject() as over a socket', async () => {
    const app = Fastify()
    await app.register(sessionup, { manager: managerFor() })
    standardRoutes(app)
    const cookie = await loginInject(app)
    const me = await app.inject({ url: '/me', headers: { cookie } })
    assert.equal(me.body, 'ann')
    assert.equal((await app.inject({ url: '/me' })).statusCode, 401)
    await app.close()
  })

  it('appends its cookie next to @fastify/cookie’s and the route’s own', async () => {
    const app = Fastify()
    await app.register(fastifyCookie)
    await app.register(sessionup, { manager: managerFor() })
    app.post('/login', async (request, reply) => {
      reply.setCookie('pref', 'compact', { path: '/' })
      reply.header('set-cookie', 'theme=dark; Path=/')
      await app.sessions.init(request, reply, 'bea')
      return 'in'
    })
    const res = await app.inject({ method: 'POST', url: '/login' })
    const names = cookiesOf(res).map((c) => c.slice(0, c.indexOf('=')))
    assert.deepEqual(names.sort(), ['__Host-sessionup', 'pref', 'theme'])
    await app.close()
  })

  it('keeps two managers in two scopes apart', async () => {
    const app = Fastify()
    const scope = (prefix: string, cookieName: string) =>
      app.register(
        async (inner) => {
          await inner.register(sessionup, { manager: managerFor(cookieName) })
          standardRoutes(inner)
        },
        { prefix },
      )
    await scope('/shop', '__Host-shop')
    await scope('/admin', '__Host-admin')
    await app.ready()
    assert.equal(app.hasDecorator('sessions'), false, 'the root scope has no sessions')
    const shop = await loginInject(app, '/shop/login?user=cy')
    assert.ok(shop.startsWith('__Host-shop='))
    assert.equal((await app.inject({ url: '/shop/me', headers: { cookie: shop } })).body, 'cy')
    const admin = await app.inject({ url: '/admin/me', headers: { cookie: shop } })
    assert.equal(admin.statusCode, 401, 'a shop cookie is nothing to the admin scope')
    await app.close()
  })

  it('guards a whole scope with one hook, as onRequest or preHandler', async () => {
    for (const stage of ['onRequest', 'preHandler'] as const) {
      const app = Fastify()
      await app.register(sessionup, { manager: managerFor() })
      app.post('/login', async (request, reply) => {
        await app.sessions.init(request, reply, 'dee')
        return 'in'
      })
      await app.register(async (api) => {
        api.addHook(stage, api.sessions.auth)
        api.get('/api/a', async (request) => `a:${requireSession(request).userKey}`)
        api.get('/api/b', async (request) => `b:${request.session?.userKey}`)
      })
      const cookie = await loginInject(app)
      assert.equal((await app.inject({ url: '/api/a', headers: { cookie } })).body, 'a:dee')
      assert.equal((await app.inject({ url: '/api/b', headers: { cookie } })).body, 'b:dee')
      assert.equal((await app.inject({ url: '/api/b' })).statusCode, 401, stage)
      await app.close()
    }
  })

  it('runs the CSRF guard on every route unless told not to', async () => {
    const forged = { origin: 'https://evil.example' }
    for (const csrf of [true, false]) {
      const app = Fastify()
      await app.register(sessionup, { manager: managerFor(), csrf })
      app.post('/open', async () => 'ok')
      app.post('/guarded', { onRequest: app.sessions.csrf }, async () => 'ok')
      app.get('/read', async () => 'ok')
      const open = await app.inject({ method: 'POST', url: '/open', headers: forged })
      assert.equal(open.statusCode, csrf ? 403 : 200)
      const guarded = await app.inject({ method: 'POST', url: '/guarded', headers: forged })
      assert.equal(guarded.statusCode, 403)
      assert.equal(guarded.json().error, 'cross-origin-request')
      assert.equal((await app.inject({ url: '/read', headers: forged })).statusCode, 200)
      await app.close()
    }
  })

  it('works over a real listening server with keep-alive', async () => {
    const app = Fastify()
    await app.register(sessionup, { manager: managerFor() })
    standardRoutes(app)
    const { url, close } = await serve(app)
    try {
      const login = await fetch(`${url}/login?user=eli`, { method: 'POST' })
      const cookie = pair(login.headers.getSetCookie().find((c) => c.startsWith('__Host')) ?? '')
      for (let i = 0; i < 3; i++) {
        assert.equal(await (await fetch(`${url}/me`, { headers: { cookie } })).text(), 'eli')
      }
    } finally {
      await close()
    }
  })

  it('refuses bad options with an error naming the option', async () => {
    const cases: [unknown, string][] = [
      [{}, 'manager'],
      [{ manager: {} }, 'manager'],
      [{ manager: managerFor(), csrf: 'yes' }, 'csrf'],
      [{ manager: managerFor(), transport: 'carrier-pigeon' }, 'transport'],
      [{ manager: managerFor(), cookies: true }, 'cookies'],
    ]
    for (const [options, name] of cases) {
      const app = Fastify()
      await assert.rejects(
        async () => {
          await app.register(sessionup, options as FastifySessionsOptions).ready()
        },
        (error: Error) => {
          assert.ok(error instanceof InvalidOptionError, String(error))
          assert.match(error.message, new RegExp(name))
          return true
        },
      )
      await app.close()
    }
  })
})
