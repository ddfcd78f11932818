import { UnauthorizedError } from '../errors.js'
import type { InitResult, RequestView, SessionManager } from '../manager.js'
import type { RejectResponse } from '../options.js'
import type { ListedSession, Session } from '../session.js'
import { adapterCore, type SessionSlot } from './core.js'

const sessions = new WeakMap<Request, Session>()
const slot: SessionSlot<Request> = {
  get: (req) => sessions.get(req),
  set: (req, session) => {
    sessions.set(req, session)
  },
  clear: (req) => {
    sessions.delete(req)
  },
}

/** The session `auth` or `public` found for this request, or `null`. */
export function getSession(req: RequestOrContext): Session | null {
  return sessions.get(requestOf(req)) ?? null
}

/** The request's session; throws `UnauthorizedError` if it has none (use behind `auth`). */
export function requireSession(req: RequestOrContext): Session {
  const session = sessions.get(requestOf(req))
  if (!session) throw new UnauthorizedError('missing-cookie')
  return session
}

/**
 * Hono's `Variables`: `new Hono<{ Variables: SessionVariables }>()`. `c.get('session')` is
 * `undefined` where no sessionup middleware ran or `public` found no session; behind `auth`,
 * `requireSession(c)` gives it without the `undefined`.
 */
export type SessionVariables = { session: Session | undefined }

// biome-ignore lint/suspicious/noExplicitAny: handler arguments after the request are the framework's own
type Rest = any[]
export type FetchHandler<A extends Rest> = (
  req: Request,
  ...rest: A
) => Response | Promise<Response>

/** The part of a Hono `Context` the adapter uses (structural, so hono stays optional). */
export interface HonoLikeContext {
  req: { raw: Request }
  env?: unknown
  header?: (name: string, value: string, options?: { append?: boolean }) => void
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
  /**
   * Logs `userKey` in. With a Hono context the Set-Cookie header is appended to its response
   * (other cookies stay); with a `Request`, send `setCookie` on your `Response`.
   */
  init(req: RequestOrContext, userKey: string, meta?: Record<string, string>): Promise<InitResult>
  /**
   * Revokes the request's session. The clearing Set-Cookie value is returned (`null` without a
   * session), and appended for you with a Hono context.
   */
  revoke(req: RequestOrContext): Promise<string | null>
  /** Revokes every other session of the request's user. */
  revokeOther(req: RequestOrContext): Promise<void>
  /** Revokes every session of the request's user; the cookie is cleared as by `revoke`. */
  revokeAll(req: RequestOrContext): Promise<string | null>
  /**
   * Revokes a session of the request's user by id: `true` if revoked, `false` if the user has
   * no session with that id (missing and someone else's are answered alike).
   */
  revokeByIdExt(req: RequestOrContext, id: string): Promise<boolean>
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

function toResponse(answer: RejectResponse): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers })
}

/** Appends a Set-Cookie value to a Hono context's response; a `Request` has none to append to. */
function appendCookie(input: RequestOrContext, value: string | null): void {
  if (value !== null && !(input instanceof Request)) {
    input.header?.('set-cookie', value, { append: true })
  }
}

/**
 * Binds a manager to Fetch-API handlers (`(req: Request) => Response`) and Hono.
 *
 * @example
 * const sessions = fetchSessions(manager)
 * export default { fetch: sessions.auth((req) => Response.json(requireSession(req))) }
 */
export function fetchSessions(
  manager: SessionManager,
  options: FetchSessionsOptions = {},
): FetchSessions {
  const remoteAddress = options.remoteAddress ?? nodeSocketAddress
  const core = adapterCore(manager, slot)

  function viewOf(req: Request, rest: Rest): RequestView {
    return {
      cookie: req.headers.get('cookie'),
      remoteAddress: remoteAddress(req, ...rest),
      forwardedFor: req.headers.get('x-forwarded-for'),
      userAgent: req.headers.get('user-agent'),
    }
  }

  function wrap<A extends Rest>(handler: FetchHandler<A>, required: boolean): FetchHandler<A> {
    return async function sessionupHandler(req, ...rest) {
      const rejected = await core.attach(req, viewOf(req, rest), required)
      return rejected ? toResponse(rejected) : handler(req, ...rest)
    }
  }

  function honoMiddleware(required: boolean): HonoMiddleware {
    return async function sessionupHono(c, next) {
      const req = c.req.raw
      const rejected = await core.attach(req, viewOf(req, [c]), required)
      if (rejected) return toResponse(rejected)
      const session = sessions.get(req)
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
      const result = await core.init(req, viewOf(req, req === input ? [] : [input]), userKey, meta)
      appendCookie(input, result.setCookie)
      return result
    },
    async revoke(input) {
      const clearing = await core.revoke(requestOf(input))
      appendCookie(input, clearing)
      return clearing
    },
    revokeOther: (input) => core.revokeOther(requestOf(input)),
    async revokeAll(input) {
      const clearing = await core.revokeAll(requestOf(input))
      appendCookie(input, clearing)
      return clearing
    },
    revokeByIdExt: (input, id) => core.revokeByIdExt(requestOf(input), id),
    fetchAll: (input) => core.fetchAll(requestOf(input)),
  }
}
