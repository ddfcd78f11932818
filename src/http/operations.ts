import type { MetaPatch, RequestView } from '../manager.js'
import type { ListedSession, Session } from '../session.js'
import type { AdapterCore, Issued, LoginOptions } from './core.js'

/**
 * The session operations an adapter offers on its request type `Req`, with `Res` where one
 * writes a cookie (node's `ServerResponse`, Fastify's reply). Set-Cookie values are appended to
 * `Res`, never replacing cookies set by other code.
 */
export interface SessionOperations<Req, Res> {
  /**
   * Logs `userKey` in: a Set-Cookie header on the response, or for `transport: 'bearer'` the
   * token in the result (no cookie). Revokes a session the request carried.
   */
  init(req: Req, res: Res, userKey: string, options?: LoginOptions): Promise<Issued>
  /**
   * Gives the request's session a new secret: a new cookie on the response, or for a bearer
   * request the new token in the result; `null` without a live session.
   */
  rotate(req: Req, res: Res): Promise<Issued | null>
  /** Moves the session's `authenticatedAt` to now (after the user re-entered their password). */
  reauthenticate(req: Req): Promise<Session | null>
  /** Sets (string) or removes (`null`) keys of the session's meta; `null` without a live session. */
  updateMeta(req: Req, patch: MetaPatch): Promise<Session | null>
  /** Revokes the request's session and clears its cookie (if it came as one); no-op without. */
  revoke(req: Req, res: Res): Promise<void>
  /** Revokes every other session of the request's user. */
  revokeOther(req: Req): Promise<void>
  /** Revokes every session of the request's user and clears the cookie. */
  revokeAll(req: Req, res: Res): Promise<void>
  /**
   * Revokes a session of the request's user by id: `true` if revoked, `false` if the user has
   * no session with that id (missing and someone else's are answered alike).
   */
  revokeByIdExt(req: Req, id: string): Promise<boolean>
  /** The request user's live sessions, the current one marked; `[]` without a session. */
  fetchAll(req: Req): Promise<ListedSession[]>
}

/**
 * The operations over the adapter core: `view` reads a request for the manager, `append` adds
 * a Set-Cookie value (when there is one) to the response.
 */
export function sessionOperations<Req extends object, Res>(
  core: AdapterCore<Req>,
  view: (req: Req) => RequestView,
  append: (res: Res, value: string | null | undefined) => void,
): SessionOperations<Req, Res> {
  return {
    async init(req, res, userKey, options) {
      const issued = await core.init(req, view(req), userKey, options)
      append(res, issued.setCookie)
      return issued
    },
    async rotate(req, res) {
      const issued = await core.rotate(req)
      append(res, issued?.setCookie)
      return issued
    },
    reauthenticate: (req) => core.reauthenticate(req),
    updateMeta: (req, patch) => core.updateMeta(req, patch),
    async revoke(req, res) {
      append(res, await core.revoke(req))
    },
    revokeOther: (req) => core.revokeOther(req),
    async revokeAll(req, res) {
      append(res, await core.revokeAll(req))
    },
    revokeByIdExt: (req, id) => core.revokeByIdExt(req, id),
    fetchAll: (req) => core.fetchAll(req),
  }
}
