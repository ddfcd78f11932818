import type { MetaPatch } from '../manager.js'
import type { ListedSession, Session } from '../session.js'
import type { Transport } from '../transport.js'
import type { Issued, LoginOptions } from './core.js'

// The Fetch and Hono adapter's public types (fetch.ts builds them).

/**
 * Hono's `Variables`: `new Hono<{ Variables: SessionVariables }>()`. `c.get('session')` is
 * `undefined` where no sessionup middleware ran or `public` found no session; behind `auth`,
 * `requireSession(c)` gives it without the `undefined`.
 */
export type SessionVariables = { session: Session | undefined }

// biome-ignore lint/suspicious/noExplicitAny: handler arguments after the request are the framework's own
export type Rest = any[]
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
  /** How clients of these routes carry the session; default: the manager's `transport`. */
  transport?: Transport
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
  /**
   * The CSRF guard: answers 403 to a state-changing request from another origin (not
   * same-origin by `Sec-Fetch-Site` or `Origin`, and not in `trustedOrigins`).
   */
  csrf<A extends Rest>(handler: FetchHandler<A>): FetchHandler<A>
  /** Hono middleware: `app.use('/account/*', sessions.hono.auth)`; sets `c.get('session')`. */
  hono: {
    auth: HonoMiddleware
    public: HonoMiddleware
    requireFresh(maxAgeMs: number): HonoMiddleware
    /** `app.use(sessions.hono.csrf)`: the CSRF guard. */
    csrf: HonoMiddleware
  }
  /**
   * Logs `userKey` in. For a cookie client, with a Hono context the Set-Cookie header is
   * appended to its response (other cookies stay); with a `Request`, send `setCookie` on your
   * `Response`. For `transport: 'bearer'`, `token` is what to give the client (no cookie).
   */
  init(req: RequestOrContext, userKey: string, options?: LoginOptions): Promise<Issued>
  /**
   * Gives the request's session a new secret, delivered as it came: a Set-Cookie value
   * (appended for you with a Hono context) or, for a bearer request, the new token; `null`
   * without a live session.
   */
  rotate(req: RequestOrContext): Promise<Issued | null>
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
