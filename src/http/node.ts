import type { IncomingMessage, ServerResponse } from 'node:http'
import { UnauthorizedError } from '../errors.js'
import type { SessionManager } from '../manager.js'
import type { RejectResponse } from '../options.js'
import type { Session } from '../session.js'
import {
  type Attached,
  adapterCore,
  type BindingOptions,
  checkBinding,
  freshness,
  type Need,
  type SessionSlot,
} from './core.js'
import { originOf, viewOf } from './node-request.js'
import { type SessionOperations, sessionOperations } from './operations.js'

export type { BindingOptions, Issued, LoginOptions } from './core.js'
export type { SessionOperations } from './operations.js'

/** A Connect / Express middleware. */
export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void

/** A plain `node:http` request handler. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown

// The session rides on the request under a private symbol: cheaper per request than a WeakMap
// entry, and invisible to JSON and to other code that does not hold the symbol.
const SESSION = Symbol('sessionup.session')
type Carrier = IncomingMessage & { [SESSION]?: Session | undefined }
const slot: SessionSlot<IncomingMessage> = {
  get: (req) => (req as Carrier)[SESSION],
  set: (req, session) => {
    ;(req as Carrier)[SESSION] = session
  },
  clear: (req) => {
    ;(req as Carrier)[SESSION] = undefined
  },
}

/** The session `auth` or `public` found for this request, or `null`. */
export function getSession(req: IncomingMessage): Session | null {
  return slot.get(req) ?? null
}

/** The request's session; throws `UnauthorizedError` if it has none (use behind `auth`). */
export function requireSession(req: IncomingMessage): Session {
  const session = slot.get(req)
  if (!session) throw new UnauthorizedError('missing-cookie')
  return session
}

function send(res: ServerResponse, answer: RejectResponse): void {
  res.writeHead(answer.status, answer.headers)
  res.end(answer.body)
}

export interface NodeSessions extends SessionOperations<IncomingMessage, ServerResponse> {
  /** Middleware: lets requests with a valid session through, answers others with `reject`. */
  auth: NodeMiddleware
  /** Middleware: attaches the session when there is one; never turns a request away. */
  public: NodeMiddleware
  /**
   * Middleware for sensitive routes: like `auth`, and the user must have proved who they are
   * (signed in, or `reauthenticate`) less than `maxAgeMs` ago; otherwise `reject` gets an
   * `UnauthorizedError` with reason `not-fresh` (default answer: 403, so the app can ask for
   * the password again). Never put it on the device list or sign-out routes.
   */
  requireFresh(maxAgeMs: number): NodeMiddleware
  /** Wraps a `node:http` handler in `auth`. */
  protect(handler: NodeHandler): NodeHandler
  /** Wraps a `node:http` handler in `requireFresh(maxAgeMs)`. */
  protectFresh(maxAgeMs: number, handler: NodeHandler): NodeHandler
  /** Wraps a `node:http` handler in `public`. */
  optional(handler: NodeHandler): NodeHandler
  /**
   * Middleware, the CSRF guard: answers 403 to a state-changing request from another origin
   * (not same-origin by `Sec-Fetch-Site` or `Origin`, and not in `trustedOrigins`).
   */
  csrf: NodeMiddleware
  /** Wraps a `node:http` handler in `csrf`. */
  sameOrigin(handler: NodeHandler): NodeHandler
}

/**
 * Binds a manager to `node:http`, Express and Connect. Set-Cookie headers are appended, never
 * replacing cookies set by other code. `options.transport` overrides the manager's for the
 * routes this binding guards (`'bearer'` for an API).
 *
 * @example
 * const sessions = nodeSessions(manager)
 * app.get('/me', sessions.auth, (req, res) => res.json(requireSession(req)))
 */
export function nodeSessions(manager: SessionManager, options: BindingOptions = {}): NodeSessions {
  checkBinding(options)
  const core = adapterCore(manager, slot, options.transport)
  const bearer = core.readsBearer

  const appendCookie = (res: ServerResponse, value: string | null | undefined) => {
    if (value) res.appendHeader('set-cookie', value)
  }

  /** Sends what `attach` decided; `true` if the request may go on, else it has been answered. */
  function admitted(res: ServerResponse, { rejected, setCookie }: Attached): boolean {
    appendCookie(res, setCookie)
    if (rejected) send(res, rejected)
    return rejected === null
  }

  // Both await `attach` themselves (no async helper between): a microtask turn less a request.
  function middleware(need: Need): NodeMiddleware {
    return function sessionupMiddleware(req, res, next) {
      let attaching: Promise<Attached>
      try {
        attaching = core.attach(req, viewOf(req, bearer), need)
      } catch (error) {
        return next(error)
      }
      attaching.then((attached) => {
        let ok: boolean
        try {
          ok = admitted(res, attached)
        } catch (error) {
          return next(error)
        }
        if (ok) next()
      }, next)
    }
  }

  const csrf: NodeMiddleware = function sessionupCsrf(req, res, next) {
    const refused = core.csrf(originOf(req))
    if (refused) send(res, refused)
    else next()
  }

  function wrap(handler: NodeHandler, need: Need): NodeHandler {
    return async function sessionupHandler(req, res) {
      if (admitted(res, await core.attach(req, viewOf(req, bearer), need))) return handler(req, res)
    }
  }

  return {
    auth: middleware('session'),
    public: middleware('optional'),
    requireFresh: (maxAgeMs) => middleware(freshness(maxAgeMs)),
    protect: (handler) => wrap(handler, 'session'),
    protectFresh: (maxAgeMs, handler) => wrap(handler, freshness(maxAgeMs)),
    optional: (handler) => wrap(handler, 'optional'),
    csrf,
    sameOrigin: (handler) =>
      function sessionupSameOrigin(req, res) {
        const refused = core.csrf(originOf(req))
        if (refused) return send(res, refused)
        return handler(req, res)
      },
    ...sessionOperations(core, (req) => viewOf(req, bearer), appendCookie),
  }
}
