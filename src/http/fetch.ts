import { UnauthorizedError } from '../errors.js'
import type { RequestView, SessionManager } from '../manager.js'
import type { ListedSession, Session } from '../session.js'

const current = new WeakMap<Request, Session>()

/** The session `auth` or `public` found for this request, or `null`. */
export function getSession(req: RequestOrContext): Session | null {
  return current.get(requestOf(req)) ?? null
}

/** The request's session; throws `UnauthorizedError` if it has none (use behind `auth`). */
export function requireSession(req: RequestOrContext): Session {
  const session = current.get(requestOf(req))
  if (!session) throw new UnauthorizedError('missing-cookie')
  return session
}

/** Hono's `Variables` for `c.get('session')`: `new Hono<{ Variables: SessionVariables }>()`. */
export type SessionVariables = { session: Session }

// biome-ignore lint/suspicious/noExplicitAny: handler arguments after the request are the framework's own
type Rest = any[]
export type FetchHandler<A extends Rest> = (
  req: Request,
  ...rest: A
) => Response | Promise<Response>

/** The part of a Hono `Context` the middleware uses (structural, so hono stays optional). */
export interface HonoLikeContext {
  req: { raw: Request }
  env?: unknown
}
export type HonoMiddleware = (
  c: HonoLikeContext,
  next: () => Promise<void>,
) => Promise<Response | undefined>

export interface FetchSessionsOptions {
  /**
   * The client's socket address; Fetch `Request`s do not carry one. Receives the request and the
   * handler's other arguments (for Hono: the context). Default: the `incoming` socket that
   * `@hono/node-server` puts in `c.env`, else unknown (`null` IP: `validate` then fails closed).
   */
  remoteAddress?: (req: Request, ...rest: Rest) => string | undefined
}

/** A Fetch `Request`, or a Hono context (its request and socket are read from it). */
export type RequestOrContext = Request | HonoLikeContext

export interface FetchSessions {
  auth<A extends Rest>(handler: FetchHandler<A>): FetchHandler<A>
  public<A extends Rest>(handler: FetchHandler<A>): FetchHandler<A>
  /** Hono middleware: `app.use('/account/*', sessions.hono.auth)`; sets `c.get('session')`. */
  hono: { auth: HonoMiddleware; public: HonoMiddleware }
  /** Logs `userKey` in; returns the session and the Set-Cookie value to send. */
  init(
    req: RequestOrContext,
    userKey: string,
    meta?: Record<string, string>,
  ): Promise<{ session: Session; setCookie: string }>
  /** Revokes the request's session; the Set-Cookie value clears the cookie (`null` without one). */
  revoke(req: RequestOrContext): Promise<string | null>
  /** Revokes every other session of the request's user. */
  revokeOther(req: RequestOrContext): Promise<void>
  /** Revokes every session of the request's user; the Set-Cookie value clears the cookie. */
  revokeAll(req: RequestOrContext): Promise<string | null>
  /** Revokes a session of the request's user by id; `NotOwnerError` if it is someone else's. */
  revokeByIdExt(req: RequestOrContext, id: string): Promise<void>
  /** The request user's live sessions, the current one marked; `[]` without a session. */
  fetchAll(req: RequestOrContext): Promise<ListedSession[]>
}

function requestOf(input: RequestOrContext): Request {
  return input instanceof Request ? input : input.req.raw
}

function nodeSocketAddress(
  _req: Request,
  c?: { env?: { incoming?: { socket?: { remoteAddress?: string } } } },
) {
  return c?.env?.incoming?.socket?.remoteAddress
}

/**
 * Binds a manager to Fetch-API handlers (`(req: Request) => Response`) and Hono.
 *
 * @example
 * const sessions = fetchSessions(manager)
 * export default { fetch: sessions.auth((req) => Response.json(getSession(req))) }
 */
export function fetchSessions(
  manager: SessionManager,
  options: FetchSessionsOptions = {},
): FetchSessions {
  const remoteAddress = options.remoteAddress ?? nodeSocketAddress

  function viewOf(req: Request, rest: Rest): RequestView {
    return {
      cookie: req.headers.get('cookie'),
      remoteAddress: remoteAddress(req, ...rest),
      forwardedFor: req.headers.get('x-forwarded-for'),
      userAgent: req.headers.get('user-agent'),
    }
  }

  /** Attaches the session; returns the rejection Response when `required` and there is none. */
  async function attach(req: Request, rest: Rest, required: boolean): Promise<Response | null> {
    const { session, error } = await manager.authenticate(viewOf(req, rest))
    if (session) {
      current.set(req, session)
      return null
    }
    if (!required) {
      manager.reportError(error)
      return null
    }
    const answer = manager.rejection(error)
    return new Response(answer.body, { status: answer.status, headers: answer.headers })
  }

  function wrap<A extends Rest>(handler: FetchHandler<A>, required: boolean): FetchHandler<A> {
    return async function sessionupHandler(req, ...rest) {
      return (await attach(req, rest, required)) ?? handler(req, ...rest)
    }
  }

  function honoMiddleware(required: boolean): HonoMiddleware {
    return async function sessionupHono(c, next) {
      const rejected = await attach(c.req.raw, [c], required)
      if (rejected) return rejected
      const session = current.get(c.req.raw)
      if (session)
        (c as unknown as { set(key: string, value: unknown): void }).set('session', session)
      await next()
      return undefined
    }
  }

  return {
    auth: (handler) => wrap(handler, true),
    public: (handler) => wrap(handler, false),
    hono: { auth: honoMiddleware(true), public: honoMiddleware(false) },
    async init(input, userKey, meta) {
      const req = requestOf(input)
      const result = await manager.init(viewOf(req, req === input ? [] : [input]), userKey, meta)
      current.set(req, result.session)
      return result
    },
    async revoke(input) {
      const req = requestOf(input)
      const session = current.get(req)
      if (!session) return null
      current.delete(req)
      return manager.revoke(session)
    },
    async revokeOther(input) {
      const req = requestOf(input)
      const session = current.get(req)
      if (session) await manager.revokeOther(session)
    },
    async revokeAll(input) {
      const req = requestOf(input)
      const session = current.get(req)
      if (!session) return null
      current.delete(req)
      return manager.revokeAll(session)
    },
    async revokeByIdExt(input, id) {
      const session = current.get(requestOf(input))
      if (session) await manager.revokeByIdExt(session, id)
    },
    async fetchAll(input) {
      const req = requestOf(input)
      const session = current.get(req)
      return session ? manager.fetchAll(session) : []
    },
  }
}
