import type { OriginView } from '../csrf.js'
import { UnauthorizedError } from '../errors.js'
import type { RequestView, SessionManager } from '../manager.js'
import type { RejectResponse } from '../options.js'
import type { Session } from '../session.js'
import { adapterCore, checkBinding, freshness, type Need, type SessionSlot } from './core.js'
import type {
  FetchHandler,
  FetchSessions,
  FetchSessionsOptions,
  HonoMiddleware,
  RequestOrContext,
  Rest,
} from './fetch-types.js'

export type { Issued, LoginOptions } from './core.js'
export type {
  FetchHandler,
  FetchSessions,
  FetchSessionsOptions,
  HonoLikeContext,
  HonoMiddleware,
  RequestOrContext,
  SessionVariables,
} from './fetch-types.js'

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

function requestOf(input: RequestOrContext): Request {
  return input instanceof Request ? input : input.req.raw
}

function nodeSocketAddress(
  _req: Request,
  c?: { env?: { incoming?: { socket?: { remoteAddress?: string } } } },
) {
  return c?.env?.incoming?.socket?.remoteAddress
}

function originOf(req: Request): OriginView {
  const { headers } = req
  return {
    method: req.method,
    origin: headers.get('origin'),
    secFetchSite: headers.get('sec-fetch-site'),
    host: headers.get('host') ?? new URL(req.url).host,
    cookie: headers.get('cookie'),
    authorization: headers.get('authorization'),
  }
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
  checkBinding(options, 'remoteAddress')
  const remoteAddress = options.remoteAddress ?? nodeSocketAddress
  const core = adapterCore(manager, slot, options.transport)
  const bearer = core.readsBearer

  function viewOf(req: Request, rest: Rest): RequestView {
    const { headers } = req
    return {
      cookie: headers.get('cookie'),
      remoteAddress: remoteAddress(req, ...rest),
      forwardedFor: headers.get('x-forwarded-for'),
      userAgent: headers.get('user-agent'),
      authorization: bearer ? headers.get('authorization') : undefined,
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

  const honoCsrf: HonoMiddleware = async function sessionupHonoCsrf(c, next) {
    const refused = core.csrf(originOf(c.req.raw))
    if (!refused) return next().then(() => undefined)
    if (c.body) return c.body(refused.body, refused.status, refused.headers)
    return toResponse(refused)
  }

  return {
    auth: (handler) => wrap(handler, 'session'),
    public: (handler) => wrap(handler, 'optional'),
    requireFresh: (maxAgeMs, handler) => wrap(handler, freshness(maxAgeMs)),
    csrf: (handler) =>
      async function sessionupCsrf(req, ...rest) {
        const refused = core.csrf(originOf(req))
        return refused ? toResponse(refused) : handler(req, ...rest)
      },
    hono: {
      auth: honoMiddleware('session'),
      public: honoMiddleware('optional'),
      requireFresh: (maxAgeMs) => honoMiddleware(freshness(maxAgeMs)),
      csrf: honoCsrf,
    },
    async init(input, userKey, options) {
      const req = requestOf(input)
      const view = viewOf(req, req === input ? [] : [input])
      const result = await core.init(req, view, userKey, options)
      appendCookie(input, result.setCookie)
      return result
    },
    async rotate(input) {
      const issued = await core.rotate(requestOf(input))
      appendCookie(input, issued?.setCookie)
      refreshContext(input)
      return issued
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
