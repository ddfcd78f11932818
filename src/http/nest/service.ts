import type { MetaPatch } from '../../manager.js'
import type { ListedSession, Session } from '../../session.js'
import type { AdapterCore, Issued, LoginOptions } from '../core.js'
import { viewOf } from '../node-request.js'
import { appendCookie, type NestRequest, type NestResponse, nodeRequest, slot } from './platform.js'

/**
 * The session operations for controllers, injected like any provider (`SessionupModule` exports
 * it). Each takes the request as `@Req()` gives it, and the response (`@Res({ passthrough: true
 * })`) where a cookie is written; Set-Cookie values are appended, never replacing the app's own
 * cookies, on Express and Fastify alike. On a request without a session (a `@Public()` route),
 * the operations on the current session do nothing.
 */
export class SessionupService {
  readonly #core: AdapterCore<NestRequest>

  /** Made by `SessionupModule`; inject it rather than constructing it. */
  constructor(core: AdapterCore<NestRequest>) {
    this.#core = core
  }

  #view(req: NestRequest) {
    return viewOf(nodeRequest(req), this.#core.readsBearer)
  }

  /** The session the guard attached to this request, or `undefined`. */
  get(req: NestRequest): Session | undefined {
    return slot.get(req)
  }

  /**
   * Logs `userKey` in: a Set-Cookie header on `res`, or for `transport: 'bearer'` the token in
   * the result (no cookie). Revokes a session the request carried.
   */
  async init(
    req: NestRequest,
    res: NestResponse,
    userKey: string,
    options?: LoginOptions,
  ): Promise<Issued> {
    const issued = await this.#core.init(req, this.#view(req), userKey, options)
    appendCookie(res, issued.setCookie)
    return issued
  }

  /**
   * Gives the request's session a new secret: a new cookie on `res`, or for a bearer request the
   * new token in the result; `null` without a live session.
   */
  async rotate(req: NestRequest, res: NestResponse): Promise<Issued | null> {
    const issued = await this.#core.rotate(req)
    appendCookie(res, issued?.setCookie)
    return issued
  }

  /** Moves the session's `authenticatedAt` to now (after the user re-entered their password). */
  reauthenticate(req: NestRequest): Promise<Session | null> {
    return this.#core.reauthenticate(req)
  }

  /** Sets (string) or removes (`null`) keys of the session's meta; `null` without a live session. */
  updateMeta(req: NestRequest, patch: MetaPatch): Promise<Session | null> {
    return this.#core.updateMeta(req, patch)
  }

  /** Revokes the request's session and clears its cookie (if it came as one); no-op without. */
  async revoke(req: NestRequest, res: NestResponse): Promise<void> {
    appendCookie(res, await this.#core.revoke(req))
  }

  /** Revokes every other session of the request's user. */
  revokeOther(req: NestRequest): Promise<void> {
    return this.#core.revokeOther(req)
  }

  /** Revokes every session of the request's user and clears the cookie. */
  async revokeAll(req: NestRequest, res: NestResponse): Promise<void> {
    appendCookie(res, await this.#core.revokeAll(req))
  }

  /**
   * Revokes a session of the request's user by id: `true` if revoked, `false` if the user has no
   * session with that id (missing and someone else's are answered alike).
   */
  revokeByIdExt(req: NestRequest, id: string): Promise<boolean> {
    return this.#core.revokeByIdExt(req, id)
  }

  /** The request user's live sessions, the current one marked; `[]` without a session. */
  fetchAll(req: NestRequest): Promise<ListedSession[]> {
    return this.#core.fetchAll(req)
  }
}
