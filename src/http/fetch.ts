import { UnauthorizedError } from '../errors.js'
import type { InitOptions, InitResult, MetaPatch, RequestView, SessionManager } from '../manager.js'
import type { RejectResponse } from '../options.js'
import type { ListedSession, Session } from '../session.js'
import { adapterCore, freshness, type Need, type SessionSlot } from './core.js'

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
  /** The response so far (after `next()`, the handler's). */
  res?: Response
  /** A response carrying the headers set through `header` (so earlier cookies are kept). */
  body?: (data: string, status: number, headers: Record<string, string>) => Response
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
  /**
   * Like `auth`, and the user must have proved who they are less than `maxAgeMs` ago; otherwise
   * `reject` gets reason `not-fresh` (default answer: 403). Never on the device list.
   */
  requireFresh<A extends Rest>(maxAgeMs: number, handler: FetchHandler<A>): FetchHandler<A>
  /** Hono middleware: `app.use('/account/*', sessions.hono.auth)`; sets `c.get('session')`. */
  hono: {
    auth: HonoMiddleware
    public: HonoMiddleware
    requireFresh(maxAgeMs: number): HonoMiddleware
  }
  /**
   * Logs `userKey` in. With a Hono context the Set-Cookie header is appended to its response
   * (other cookies stay); with a `Request`, send `setCookie` on your `Response`.
   */
  init(req: RequestOrContext, userKey: string, options?: InitOptions): Promise<InitResult>
  /**
   * Gives the request's session a new secret: the new Set-Cookie value (appended for you with a
   * Hono context), or `null` without a live session.
   */
  rotate(req: RequestOrContext): Promise<string | null>
  /** Moves the session's `authenticatedAt` to now (after the user re-entered their password). */
  reauthenticate(req: RequestOrContext): Promise<Session | null>
  /** Sets (string) or removes (`null`) keys of the session's meta; `null` without a live session. */
  updateMeta(req: RequestOrContext, patch: MetaPatch): Promise<Session | null>
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
function appendCookie(input: RequestOrContext, value: string | null | undefined): void {
  if (value && !(input instanceof Request)) {
    input.header?.('set-cookie', value, { append: true })
  }
}

/** Keeps a Hono context's `c.get('session')` equal to the request's session after a change. */
function refreshContext(input: RequestOrContext): void {
  if (input instanceof Request) return
  const c = input as unknown as { set?(key: string, value: unknown): void }
  c.set?.('session', sessions.get(input.req.raw))
}

/**
 * The response with a Set-Cookie value added, always on a copy: a handler may return one shared
 * `Response` (a module-level 204, a cached page) whose headers must never carry a user's cookie
 * to the next visitor; `Response.redirect()` ones are immutable besides.
 */
function withCookie(response: Response, value: string | undefined): Response {
  if (!value || response.type === 'error') return response
  const copy = new Response(response.body, response)
  copy.headers.append('set-cookie', value)
  return copy
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

  /** Whether a response already sets the session cookie (the handler's is the newest then). */
  function setsSession(headers: Headers): boolean {
    return headers.getSetCookie().some((value) => core.isSessionCookie(value))
  }

  function wrap<A extends Rest>(handler: FetchHandler<A>, need: Need): FetchHandler<A> {
    return async function sessionupHandler(req, ...rest) {
      const { rejected } = await core.attach(req, viewOf(req, rest), need)
      const response = rejected ? toResponse(rejected) : await handler(req, ...rest)
      // The last cookie sessionup made for this request — a rotation while authenticating, or a
      // login, rotate or sign-out the handler ran — unless the handler already set one.
      if (setsSession(response.headers)) return response
      return withCookie(response, core.lastCookie(req))
    }
  }

  function honoMiddleware(need: Need): HonoMiddleware {
    return async function sessionupHono(c, next) {
      const req = c.req.raw
      const { rejected } = await core.attach(req, viewOf(req, [c]), need)
      if (rejected) {
        const last = core.lastCookie(req)
        appendCookie(c, last)
        // Through the context, so cookies set by earlier middleware (a rotation) go out too.
        if (c.body) return c.body(rejected.body, rejected.status, rejected.headers)
        return withCookie(toResponse(rejected), last)
      }
      const session = sessions.get(req)
      if (session)
        (c as unknown as { set(key: string, value: unknown): void }).set('session', session)
      await next()
      // Hono drops headers set through the context when a handler returns a Response of its
      // own; after the handler, make sure the last session cookie made here is on the response.
      const last = core.lastCookie(req)
      if (last && c.res && !setsSession(c.res.headers)) appendCookie(c, last)
      return undefined
    }
  }

  return {
    auth: (handler) => wrap(handler, 'session'),
    public: (handler) => wrap(handler, 'optional'),
    requireFresh: (maxAgeMs, handler) => wrap(handler, freshness(maxAgeMs)),
    hono: {
      auth: honoMiddleware('session'),
      public: honoMiddleware('optional'),
      requireFresh: (maxAgeMs) => honoMiddleware(freshness(maxAgeMs)),
    },
    async init(input, userKey, options) {
      const req = requestOf(input)
      const view = viewOf(req, req === input ? [] : [input])
      const result = await core.init(req, view, userKey, options)
      appendCookie(input, result.setCookie)
      return result
    },
    async rotate(input) {
      const setCookie = await core.rotate(requestOf(input))
      appendCookie(input, setCookie)
      refreshContext(input)
      return setCookie
    },
    async reauthenticate(input) {
      const session = await core.reauthenticate(requestOf(input))
      refreshContext(input)
      return session
    },
    async updateMeta(input, patch) {
      const session = await core.updateMeta(requestOf(input), patch)
      refreshContext(input)
      return session
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
