import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, describe, it } from 'node:test'
import express from 'express'
import { Hono } from 'hono'
import { fetchSessions } from '../src/http/fetch.js'
import { nodeSessions } from '../src/http/node.js'
import { type ManagerOptions, MemoryStore, SessionManager } from '../src/index.js'

/** A store whose engine is down: every lookup fails. */
class DownStore extends MemoryStore {
  override async fetchById(): Promise<never> {
    throw new Error('ECONNREFUSED 10.0.0.9:5432')
  }
}

const cookie = `__Host-sessionup=${'a'.repeat(43)}`

function managerWith(options: ManagerOptions = {}) {
  const errors: Error[] = []
  const manager = new SessionManager(new DownStore({ cleanupInterval: 0 }), {
    onError: (e) => errors.push(e),
    ...options,
  })
  return { manager, errors }
}

const throwingReject = {
  reject: () => {
    throw new Error('reject template broke')
  },
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler)
  after(() => server.close())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Each adapter answers one request through `auth` on a manager; the Response it gives. */
const adapters: Record<string, (manager: SessionManager) => Promise<Response>> = {
  async 'node:http protect'(manager) {
    const sessions = nodeSessions(manager)
    const base = await serve(sessions.protect((_req, res) => res.end('in')))
    return fetch(base, { headers: { cookie } })
  },
  async 'Express auth'(manager) {
    const app = express()
    app.use(nodeSessions(manager).auth)
    app.get('/', (_req, res) => {
      res.send('in')
    })
    const base = await serve(app)
    return fetch(base, { headers: { cookie } })
  },
  async 'Fetch auth'(manager) {
    const handler = fetchSessions(manager).auth(() => new Response('in'))
    return handler(new Request('http://x/', { headers: { cookie } }))
  },
  async 'Hono auth'(manager) {
    const app = new Hono()
    app.use('*', fetchSessions(manager).hono.auth)
    app.get('/', (c) => c.text('in'))
    return app.request('/', { headers: { cookie } })
  },
}

for (const [name, request] of Object.entries(adapters)) {
  describe(`${name}: failures`, () => {
    it('a store outage answers 503, not "logged out", and reaches onError', async () => {
      const { manager, errors } = managerWith()
      const res = await request(manager)
      assert.equal(res.status, 503)
      assert.deepEqual(await res.json(), { error: 'unavailable' })
      assert.match(String(errors[0]), /ECONNREFUSED/)
    })

    it('a reject option that throws gives a 500; the request does not hang', async () => {
      const { manager, errors } = managerWith(throwingReject)
      const res = await request(manager)
      assert.equal(res.status, 500)
      assert.deepEqual(
        errors.map((e) => e.message),
        ['ECONNREFUSED 10.0.0.9:5432', 'reject template broke'],
      )
    })
  })
}
