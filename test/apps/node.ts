import type { IncomingMessage, ServerResponse } from 'node:http'
import express from 'express'
import { getSession, nodeSessions, requireSession } from '../../src/http/node.js'
import type { SessionManager } from '../../src/index.js'
import type { MakeApp } from '../adapter-list.js'
import { listen, param } from './serve.js'

const FRESH = 10 * 60_000
type Handler = (req: IncomingMessage, res: ServerResponse) => unknown
const json = (res: ServerResponse, value: unknown) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify(value))
}

/** The standard app on bare node:http: a route table of wrapped handlers. */
export const nodeApp: MakeApp = async (manager: SessionManager) => {
  const s = nodeSessions(manager)
  const routes: Record<string, Handler> = {
    'POST /login': async (req, res) => {
      res.appendHeader('set-cookie', 'theme=dark; Path=/')
      await s.init(req, res, param(req.url, 'user'))
      res.end('in')
    },
    'POST /api/login': async (req, res) => {
      const { token } = await s.init(req, res, param(req.url, 'user'), { transport: 'bearer' })
      json(res, { token })
    },
    'GET /me': s.protect((req, res) => res.end(requireSession(req).userKey)),
    'GET /maybe': s.optional((req, res) => res.end(getSession(req)?.userKey ?? 'anonymous')),
    'GET /sessions': s.protect(async (req, res) => {
      json(
        res,
        (await s.fetchAll(req)).map(({ id, current }) => ({ id, current })),
      )
    }),
    'POST /logout': s.protect(async (req, res) => {
      await s.revoke(req, res)
      res.end('out')
    }),
    'POST /logout-other': s.protect(async (req, res) => {
      await s.revokeOther(req)
      res.end('out')
    }),
    'POST /logout-all': s.protect(async (req, res) => {
      await s.revokeAll(req, res)
      res.end('out')
    }),
    'POST /revoke': s.protect(async (req, res) => {
      res.end(String(await s.revokeByIdExt(req, param(req.url, 'id'))))
    }),
    'POST /danger': s.protectFresh(FRESH, (_req, res) => res.end('done')),
    'POST /rotate': s.protect(async (req, res) =>
      json(res, { token: (await s.rotate(req, res))?.token ?? null }),
    ),
    'POST /form': s.sameOrigin(s.protect((_req, res) => res.end('changed'))),
  }
  return listen(async (req, res) => {
    const method = req.method === 'HEAD' ? 'GET' : req.method
    const route = routes[`${method} ${new URL(req.url ?? '/', 'http://x').pathname}`]
    if (route) await route(req, res)
    else res.writeHead(404).end()
  })
}

/** The standard app on Express 5, the middleware mounted per route. */
export const expressApp: MakeApp = async (manager: SessionManager) => {
  const s = nodeSessions(manager)
  const app = express()
  const user = (req: express.Request) => String(req.query.user ?? '')
  app.post('/login', async (req, res) => {
    res.cookie('theme', 'dark')
    await s.init(req, res, user(req))
    res.send('in')
  })
  app.post('/api/login', async (req, res) => {
    res.json({ token: (await s.init(req, res, user(req), { transport: 'bearer' })).token })
  })
  app.get('/me', s.auth, (req, res) => void res.send(requireSession(req).userKey))
  app.get('/maybe', s.public, (req, res) => void res.send(getSession(req)?.userKey ?? 'anonymous'))
  app.get('/sessions', s.auth, async (req, res) => {
    res.json((await s.fetchAll(req)).map(({ id, current }) => ({ id, current })))
  })
  app.post('/logout', s.auth, async (req, res) => {
    await s.revoke(req, res)
    res.send('out')
  })
  app.post('/logout-other', s.auth, async (req, res) => {
    await s.revokeOther(req)
    res.send('out')
  })
  app.post('/logout-all', s.auth, async (req, res) => {
    await s.revokeAll(req, res)
    res.send('out')
  })
  app.post('/revoke', s.auth, async (req, res) => {
    res.send(String(await s.revokeByIdExt(req, String(req.query.id ?? ''))))
  })
  app.post('/danger', s.requireFresh(FRESH), (_req, res) => void res.send('done'))
  app.post('/rotate', s.auth, async (req, res) => {
    res.json({ token: (await s.rotate(req, res))?.token ?? null })
  })
  app.post('/form', s.csrf, s.auth, (_req, res) => void res.send('changed'))
  return listen(app)
}
