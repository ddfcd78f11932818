// The Fastify servers of the HTTP benchmark (bench/http-server.ts starts them): bare Fastify,
// Fastify + sessionup, and Fastify + @fastify/session on express-session-better-sqlite3, the
// same kind of store on better-sqlite3 that the sessionup SQLite variant uses. Each answers an
// authenticated GET /me with {"user": …}, 401 without a session.
import type { RequestListener } from 'node:http'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import expressSession from 'express-session'
import sqliteSessionStore from 'express-session-better-sqlite3'
import Fastify, { type FastifyInstance } from 'fastify'
import type { SessionManager } from 'sessionup'
import {
  FASTIFY_SESSION_SECRET,
  IDLE,
  SESSIONS,
  sessionAt,
  tokenOf,
  type Where,
} from './http-data.js'

// By a computed name: @fastify/session's type augmentation of `request.session` would clash
// with sessionup's in this one TypeScript program, and the bench needs neither's types here.
const untyped = (name: string) => import(name) as Promise<{ default: unknown }>

/** A Fastify app and the request listener it serves with (it never listens itself). */
function app(): { fastify: FastifyInstance; listener: () => RequestListener } {
  let handler: RequestListener | undefined
  const fastify = Fastify({
    serverFactory(h) {
      handler = h
      return { on() {} } as never
    },
  })
  return { fastify, listener: () => handler as RequestListener }
}

export async function bareFastify(): Promise<RequestListener> {
  const { fastify, listener } = app()
  fastify.get('/me', async () => ({ user: 'bench-user' }))
  await fastify.ready()
  return listener()
}

export async function sessionupFastify(manager: SessionManager): Promise<RequestListener> {
  const { sessionup } = await import('sessionup/fastify')
  const { fastify, listener } = app()
  await fastify.register(sessionup, { manager })
  fastify.get('/me', { onRequest: fastify.sessions.auth }, async (request) => ({
    user: request.session?.userKey,
  }))
  await fastify.ready()
  return listener()
}

interface PeerSession {
  get(key: string): unknown
  set(key: string, value: unknown): void
}

/**
 * Fastify + @fastify/session: a session per stored sessionup session (the same users and meta),
 * saved through the plugin itself, its id the sessionup token, so the load's cookie is that
 * token signed with the plugin's secret. Not rolling, nothing saved unless changed: a GET /me
 * reads and never writes, as sessionup's does.
 */
export async function peerFastify(where: Where): Promise<RequestListener> {
  const [cookie, session] = await Promise.all([
    untyped('@fastify/cookie'),
    untyped('@fastify/session'),
  ])
  const db = new Database(join(where.dir, 'fastify-session.db'), { timeout: 5_000 })
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const Store = sqliteSessionStore(expressSession, db)
  const { fastify, listener } = app()
  await fastify.register(cookie.default as never)
  await fastify.register(session.default as never, {
    secret: FASTIFY_SESSION_SECRET,
    cookieName: 'sid',
    cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: IDLE },
    rolling: false,
    saveUninitialized: false,
    store: new Store(),
    idGenerator: (request: { headers: Record<string, string> }) =>
      request.headers['x-bench-id'] ?? crypto.randomUUID(),
  })
  const sessionOf = (request: unknown) => (request as { session: PeerSession }).session
  fastify.post('/login', async (request) => {
    const i = Number((request.query as { i: string }).i)
    const record = sessionAt(i, where.t0)
    const s = sessionOf(request)
    s.set('user', record.userKey)
    s.set('meta', record.meta)
    return 'in'
  })
  fastify.get('/me', async (request, reply) => {
    const user = sessionOf(request).get('user')
    if (user === undefined) return reply.code(401).send({ error: 'unauthorized' })
    return { user }
  })
  await fastify.ready()
  const began = performance.now()
  for (let i = 0; i < SESSIONS; i++) {
    const res = await fastify.inject({
      method: 'POST',
      url: `/login?i=${i}`,
      headers: { 'x-bench-id': tokenOf(i) },
    })
    if (res.statusCode !== 200) throw new Error(`@fastify/session login ${i}: ${res.statusCode}`)
  }
  const ms = Math.round(performance.now() - began)
  console.error(`@fastify/session: ${SESSIONS} sessions stored in ${ms} ms`)
  return listener()
}
