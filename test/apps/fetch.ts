import { Hono } from 'hono'
import {
  fetchSessions,
  getSession,
  requireSession,
  type SessionVariables,
} from '../../src/http/fetch.js'
import type { SessionManager } from '../../src/index.js'
import type { MakeApp } from '../adapter-list.js'
import { fetchListener, listen, param } from './serve.js'

const FRESH = 10 * 60_000
type Handler = (req: Request) => Response | Promise<Response>

/** The standard app as plain Fetch handlers, served over node:http. */
export const fetchApp: MakeApp = async (manager: SessionManager) => {
  const s = fetchSessions(manager, { remoteAddress: () => '127.0.0.1' })
  const routes: Record<string, Handler> = {
    'POST /login': async (req) => {
      const { setCookie } = await s.init(req, param(req.url, 'user'))
      const headers = new Headers({ 'set-cookie': 'theme=dark; Path=/' })
      if (setCookie) headers.append('set-cookie', setCookie)
      return new Response('in', { headers })
    },
    'POST /api/login': async (req) => {
      const { token } = await s.init(req, param(req.url, 'user'), { transport: 'bearer' })
      return Response.json({ token })
    },
    'GET /me': s.auth((req) => new Response(requireSession(req).userKey)),
    'GET /maybe': s.public((req) => new Response(getSession(req)?.userKey ?? 'anonymous')),
    'GET /sessions': s.auth(async (req) =>
      Response.json((await s.fetchAll(req)).map(({ id, current }) => ({ id, current }))),
    ),
    'POST /logout': s.auth(async (req) => withCookie('out', await s.revoke(req))),
    'POST /logout-other': s.auth(async (req) => {
      await s.revokeOther(req)
      return new Response('out')
    }),
    'POST /logout-all': s.auth(async (req) => withCookie('out', await s.revokeAll(req))),
    'POST /revoke': s.auth(
      async (req) => new Response(String(await s.revokeByIdExt(req, param(req.url, 'id')))),
    ),
    'POST /danger': s.requireFresh(FRESH, () => new Response('done')),
    'POST /rotate': s.auth(async (req) => {
      const issued = await s.rotate(req)
      const res = Response.json({ token: issued?.token ?? null })
      if (issued?.setCookie) res.headers.append('set-cookie', issued.setCookie)
      return res
    }),
    'POST /form': s.csrf(s.auth(() => new Response('changed'))),
  }
  return listen(
    fetchListener((req) => {
      const method = req.method === 'HEAD' ? 'GET' : req.method
      const route = routes[`${method} ${new URL(req.url).pathname}`]
      return route ? route(req) : new Response(null, { status: 404 })
    }),
  )
}

function withCookie(body: string, setCookie: string | null): Response {
  return new Response(body, { headers: setCookie ? { 'set-cookie': setCookie } : {} })
}

/** The standard app on Hono, its middleware per route. */
export const honoApp: MakeApp = async (manager: SessionManager) => {
  const s = fetchSessions(manager, { remoteAddress: () => '127.0.0.1' })
  const app = new Hono<{ Variables: SessionVariables }>()
  app.post('/login', async (c) => {
    c.header('set-cookie', 'theme=dark; Path=/', { append: true })
    await s.init(c, c.req.query('user') ?? '')
    return c.text('in')
  })
  app.post('/api/login', async (c) => {
    const { token } = await s.init(c, c.req.query('user') ?? '', { transport: 'bearer' })
    return c.json({ token })
  })
  app.get('/me', s.hono.auth, (c) => c.text(requireSession(c).userKey))
  app.get('/maybe', s.hono.public, (c) => c.text(c.get('session')?.userKey ?? 'anonymous'))
  app.get('/sessions', s.hono.auth, async (c) =>
    c.json((await s.fetchAll(c)).map(({ id, current }) => ({ id, current }))),
  )
  app.post('/logout', s.hono.auth, async (c) => {
    await s.revoke(c)
    return c.text('out')
  })
  app.post('/logout-other', s.hono.auth, async (c) => {
    await s.revokeOther(c)
    return c.text('out')
  })
  app.post('/logout-all', s.hono.auth, async (c) => {
    await s.revokeAll(c)
    return c.text('out')
  })
  app.post('/revoke', s.hono.auth, async (c) =>
    c.text(String(await s.revokeByIdExt(c, c.req.query('id') ?? ''))),
  )
  app.post('/danger', s.hono.requireFresh(FRESH), (c) => c.text('done'))
  app.post('/rotate', s.hono.auth, async (c) =>
    c.json({ token: (await s.rotate(c))?.token ?? null }),
  )
  app.post('/form', s.hono.csrf, s.hono.auth, (c) => c.text('changed'))
  return listen(fetchListener((req) => app.fetch(req)))
}
