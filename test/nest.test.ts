import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Module } from '@nestjs/common'
import { Reflector } from '@nestjs/core'
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js'
import { adapterCore } from '../src/http/core.js'
import {
  OptionalAuth,
  Public,
  SessionupGuard,
  SessionupModule,
  SessionupRejection,
} from '../src/http/nest/index.js'
import { slot } from '../src/http/nest/platform.js'
import { InvalidOptionError, MemoryStore, SessionManager } from '../src/index.js'
import { defaultReject } from '../src/reject.js'
import { nestApp } from './apps/nest.js'
import { CountingStore, cookiePair, setup } from './helpers.js'

const SESSION = '__Host-sessionup='
type App = Awaited<ReturnType<typeof nestApp>>
const opened: App[] = []
after(() => Promise.all(opened.map((app) => app.close())))

/** The standard app (test/apps/nest.ts) on one platform, with these module imports. */
async function open(imports: Parameters<typeof nestApp>[0], platform: 'express' | 'fastify') {
  const app = await nestApp(imports, platform)
  opened.push(app)
  const call = (method: string, path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { method, headers, redirect: 'manual' })
  const login = async (user: string) => {
    const res = await call('POST', `/login?user=${user}`)
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(SESSION))
    assert.ok(cookie, `a session cookie (${res.status})`)
    return cookiePair(cookie)
  }
  return { call, login }
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`Nest (${platform}): the module, the guard and the decorators`, () => {
    it('forRootAsync builds the manager in a factory that is injected a provider', async () => {
      const store = new MemoryStore({ cleanupInterval: 0 })
      const STORE = Symbol('store')
      class StoreModule {}
      Module({ providers: [{ provide: STORE, useValue: store }], exports: [STORE] })(StoreModule)
      let made = 0
      const { call, login } = await open(
        [
          SessionupModule.forRootAsync({
            imports: [StoreModule],
            inject: [STORE],
            useFactory: async (injected: MemoryStore) => {
              made++
              return { manager: new SessionManager(injected) }
            },
          }),
        ],
        platform,
      )
      const cookie = await login('ada')
      assert.equal(await (await call('GET', '/me', { cookie })).text(), 'ada')
      assert.equal(made, 1, 'the factory ran once')
      assert.equal((await store.fetchByUserKey('ada')).length, 1, 'on the injected store')
    })

    it('@Public gives no session and reads no store; @OptionalAuth attaches a valid one', async () => {
      const { store, manager } = setup()
      const { call, login } = await open([SessionupModule.forRoot({ manager })], platform)
      const cookie = await login('bo')
      const reads = store.calls.fetchById
      const unseen = await call('GET', '/open', { cookie })
      assert.equal(await unseen.text(), 'none', '@CurrentSession() is undefined on @Public')
      assert.equal(store.calls.fetchById, reads, 'no lookup on a @Public route')
      assert.equal(await (await call('GET', '/open')).text(), 'none')
      assert.equal(await (await call('GET', '/maybe', { cookie })).text(), 'bo')
      assert.ok(store.calls.fetchById > reads, '@OptionalAuth looks the session up')
    })

    it('a store outage: 503 behind the guard, anonymous on @OptionalAuth, unseen on @Public', async () => {
      class DownStore extends CountingStore {
        down = false
        override async fetchById(id: string) {
          if (this.down) throw new Error('ECONNREFUSED')
          return super.fetchById(id)
        }
      }
      const store = new DownStore({ cleanupInterval: 0 })
      const manager = new SessionManager(store, { onError: () => {} })
      const { call, login } = await open([SessionupModule.forRoot({ manager })], platform)
      const cookie = await login('cy')
      store.down = true
      const me = await call('GET', '/me', { cookie })
      assert.equal(me.status, 503)
      assert.equal(me.headers.get('retry-after'), '5')
      assert.equal(me.headers.get('content-type'), 'application/json; charset=utf-8')
      assert.equal(await me.text(), '{"error":"unavailable"}', 'the body as the manager made it')
      assert.equal(await (await call('GET', '/maybe', { cookie })).text(), 'anonymous')
      assert.equal(await (await call('GET', '/open', { cookie })).text(), 'none')
    })

    it('a custom reject answer is sent as it is, not as Nest’s JSON error', async () => {
      const page = '<p>Please <a href="/login">sign in</a></p>'
      const reject = () => ({ status: 401, headers: { 'content-type': 'text/html' }, body: page })
      const { manager } = setup({ reject })
      const { call } = await open([SessionupModule.forRoot({ manager })], platform)
      const res = await call('GET', '/me')
      assert.equal(res.status, 401)
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/)
      assert.equal(await res.text(), page)
    })

    it('the CSRF guard covers @Public routes (login CSRF), and csrf: false turns it off', async () => {
      const evil = { origin: 'https://evil.example' }
      const on = await open([SessionupModule.forRoot({ manager: setup().manager })], platform)
      const forged = await on.call('POST', '/login?user=mallory', evil)
      assert.equal(forged.status, 403)
      assert.deepEqual(forged.headers.getSetCookie(), [], 'no session made')
      const manager = setup().manager
      const off = await open([SessionupModule.forRoot({ manager, csrf: false })], platform)
      assert.equal((await off.call('POST', '/login?user=mallory', evil)).status, 200)
    })

    it('a rotation while authenticating reaches the client, on a refusal too', async () => {
      const { clock, manager } = setup({ rotateEvery: 60_000 })
      const { call, login } = await open([SessionupModule.forRoot({ manager })], platform)
      const cookie = await login('di')
      clock.advance(11 * 60_000)
      const stale = await call('POST', '/danger', { cookie })
      assert.equal(stale.status, 403)
      const rotated = stale.headers.getSetCookie().find((c) => c.startsWith(SESSION))
      assert.ok(rotated, 'the new cookie comes with the 403')
      assert.notEqual(cookiePair(rotated), cookie)
      const next = cookiePair(rotated)
      assert.equal(await (await call('GET', '/me', { cookie: next })).text(), 'di')
    })
  })
}

describe('Nest: options and the rejection', () => {
  it('forRoot refuses unknown options and a missing manager when the module starts', async () => {
    const manager = setup().manager
    const unknown = { manager, guard: false } as Parameters<typeof SessionupModule.forRoot>[0]
    await assert.rejects(nestApp([SessionupModule.forRoot(unknown)], 'express'), InvalidOptionError)
    const none = {} as Parameters<typeof SessionupModule.forRoot>[0]
    await assert.rejects(nestApp([SessionupModule.forRoot(none)], 'express'), /"manager"/)
    const csrf = { manager, csrf: 'yes' } as unknown as Parameters<
      typeof SessionupModule.forRoot
    >[0]
    await assert.rejects(nestApp([SessionupModule.forRoot(csrf)], 'express'), /"csrf"/)
  })

  it('refuses other contexts (a WebSocket gateway) unless the handler is marked', async () => {
    const guard = new SessionupGuard(
      { core: adapterCore(setup().manager, slot), csrf: true },
      new Reflector(),
    )
    class Gateway {
      closed() {}
      open() {}
      maybe() {}
    }
    const mark = (name: 'open' | 'maybe', decorator: MethodDecorator) =>
      decorator(
        Gateway.prototype,
        name,
        Object.getOwnPropertyDescriptor(Gateway.prototype, name) ?? {},
      )
    mark('open', Public())
    mark('maybe', OptionalAuth())
    const allows = (handler: () => void) => {
      const context = new ExecutionContextHost([{ client: 'socket' }, {}], Gateway, handler)
      context.setType('ws')
      return guard.canActivate(context)
    }
    assert.equal(await allows(Gateway.prototype.closed), false, 'unmarked: refused')
    assert.equal(await allows(Gateway.prototype.open), true)
    assert.equal(await allows(Gateway.prototype.maybe), true)
  })

  it('SessionupRejection is an HttpException with the manager’s status and body', () => {
    const rejection = new SessionupRejection(defaultReject())
    assert.equal(rejection.getStatus(), 401)
    assert.deepEqual(rejection.getResponse(), { error: 'unauthorized' })
  })
})
