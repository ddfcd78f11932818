import type { IncomingMessage, ServerResponse } from 'node:http'
import { UnauthorizedError } from '../errors.js'
import type { RequestView, SessionManager } from '../manager.js'
import type { ListedSession, Session } from '../session.js'

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
const current = {
  get: (req: IncomingMessage) => (req as Carrier)[SESSION],
  set: (req: IncomingMessage, session: Session) => {
    ;(req as Carrier)[SESSION] = session
  },
  delete: (req: IncomingMessage) => {
    ;(req as Carrier)[SESSION] = undefined
  },
}

/** The session `auth` or `public` found for this request, or `null`. */
export function getSession(req: IncomingMessage): Session | null {
  return current.get(req) ?? null
}

/** The request's session; throws `UnauthorizedError` if it has none (use behind `auth`). */
export function requireSession(req: IncomingMessage): Session {
  const session = current.get(req)
  if (!session) throw new UnauthorizedError('missing-cookie')
  return session
}

function viewOf(req: IncomingMessage): RequestView {
  const forwarded = req.headers['x-forwarded-for']
  return {
    cookie: req.headers.cookie,
    remoteAddress: req.socket.remoteAddress,
    forwardedFor: Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
    userAgent: req.headers['user-agent'],
  }
}

export interface NodeSessions {
  /** Middleware: lets requests with a valid session through, answers others with `reject`. */
  auth: NodeMiddleware
  /** Middleware: attaches the session when there is one; never turns a request away. */
  public: NodeMiddleware
  /** Wraps a `node:http` handler in `auth`. */
  protect(handler: NodeHandler): NodeHandler
  /** Wraps a `node:http` handler in `public`. */
  optional(handler: NodeHandler): NodeHandler
  /** Logs `userKey` in on this response (Set-Cookie); revokes a session the request carried. */
  init(
    req: IncomingMessage,
    res: ServerResponse,
    userKey: string,
    meta?: Record<string, string>,
  ): Promise<Session>
  /** Revokes the request's session and clears its cookie; a no-op without a session. */
  revoke(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Revokes every other session of the request's user. */
  revokeOther(req: IncomingMessage): Promise<void>
  /** Revokes every session of the request's user and clears the cookie. */
  revokeAll(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Revokes a session of the request's user by id; `NotOwnerError` if it is someone else's. */
  revokeByIdExt(req: IncomingMessage, id: string): Promise<void>
  /** The request user's live sessions, the current one marked; `[]` without a session. */
  fetchAll(req: IncomingMessage): Promise<ListedSession[]>
}

/**
 * Binds a manager to `node:http`, Express and Connect.
 *
 * @example
 * const sessions = nodeSessions(manager)
 * app.get('/me', sessions.auth, (req, res) => res.json(getSession(req)))
 */
export function nodeSessions(manager: SessionManager): NodeSessions {
  async function attach(
    req: IncomingMessage,
    res: ServerResponse,
    required: boolean,
  ): Promise<boolean> {
    const { session, error } = await manager.authenticate(viewOf(req))
    if (session) {
      current.set(req, session)
      return true
    }
    if (!required) {
      manager.reportError(error)
      return true
    }
    const answer = manager.rejection(error)
    res.writeHead(answer.status, answer.headers)
    res.end(answer.body)
    return false
  }

  function middleware(required: boolean): NodeMiddleware {
    return function sessionupMiddleware(req, res, next) {
      attach(req, res, required).then((go) => go && next(), next)
    }
  }

  function wrap(handler: NodeHandler, required: boolean): NodeHandler {
    return async function sessionupHandler(req, res) {
      if (await attach(req, res, required)) return handler(req, res)
    }
  }

  return {
    auth: middleware(true),
    public: middleware(false),
    protect: (handler) => wrap(handler, true),
    optional: (handler) => wrap(handler, false),
    async init(req, res, userKey, meta) {
      const { session, setCookie } = await manager.init(viewOf(req), userKey, meta)
      current.set(req, session)
      res.appendHeader('set-cookie', setCookie)
      return session
    },
    async revoke(req, res) {
      const session = current.get(req)
      if (!session) return
      res.appendHeader('set-cookie', await manager.revoke(session))
      current.delete(req)
    },
    async revokeOther(req) {
      const session = current.get(req)
      if (session) await manager.revokeOther(session)
    },
    async revokeAll(req, res) {
      const session = current.get(req)
      if (!session) return
      res.appendHeader('set-cookie', await manager.revokeAll(session))
      current.delete(req)
    },
    async revokeByIdExt(req, id) {
      const session = current.get(req)
      if (session) await manager.revokeByIdExt(session, id)
    },
    async fetchAll(req) {
      const session = current.get(req)
      return session ? manager.fetchAll(session) : []
    },
  }
}
