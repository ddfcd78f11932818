import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify'
import { requireSession, sessionup } from '../../src/http/fastify.js'
import type { SessionManager } from '../../src/index.js'
import type { MakeApp } from '../adapter-list.js'

const FRESH = 10 * 60_000
const query = (request: FastifyRequest, name: string) =>
  String((request.query as Record<string, unknown>)[name] ?? '')

/** The standard app's routes on a Fastify scope where the plugin is registered. */
export function standardRoutes(app: FastifyInstance): void {
  const s = app.sessions
  app.post('/login', async (request, reply) => {
    reply.header('set-cookie', 'theme=dark; Path=/')
    await s.init(request, reply, query(request, 'user'))
    return 'in'
  })
  app.post('/api/login', async (request, reply) => {
    const { token } = await s.init(request, reply, query(request, 'user'), { transport: 'bearer' })
    return { token }
  })
  app.get('/me', { onRequest: s.auth }, async (request) => requireSession(request).userKey)
  app.get('/maybe', { onRequest: s.public }, async (request) => {
    return request.session?.userKey ?? 'anonymous'
  })
  app.get('/sessions', { onRequest: s.auth }, async (request) =>
    (await s.fetchAll(request)).map(({ id, current }) => ({ id, current })),
  )
  app.post('/logout', { onRequest: s.auth }, async (request, reply) => {
    await s.revoke(request, reply)
    return 'out'
  })
  app.post('/logout-other', { onRequest: s.auth }, async (request) => {
    await s.revokeOther(request)
    return 'out'
  })
  app.post('/logout-all', { onRequest: s.auth }, async (request, reply) => {
    await s.revokeAll(request, reply)
    return 'out'
  })
  app.post('/revoke', { onRequest: s.auth }, async (request) =>
    String(await s.revokeByIdExt(request, query(request, 'id'))),
  )
  app.post('/danger', { onRequest: s.requireFresh(FRESH) }, async () => 'done')
  app.post('/rotate', { onRequest: s.auth }, async (request, reply) => ({
    token: (await s.rotate(request, reply))?.token ?? null,
  }))
  // The plugin runs the CSRF guard on every route of the scope; /form needs only `auth`.
  app.post('/form', { onRequest: s.auth }, async () => 'changed')
}

/** Listens on a free loopback port; the base URL and a close. */
export async function serve(app: FastifyInstance) {
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  return { url, close: () => app.close() }
}

/** The standard app on Fastify 5, the plugin registered at the root. */
export const fastifyApp: MakeApp = async (manager: SessionManager) => {
  const app = Fastify()
  await app.register(sessionup, { manager })
  standardRoutes(app)
  return serve(app)
}
