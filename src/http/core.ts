import type {
  AuthResult,
  InitOptions,
  InitResult,
  MetaPatch,
  RequestView,
  SessionManager,
} from '../manager.js'
import { checkMaxAge } from '../manager-input.js'
import type { RejectResponse } from '../options.js'
import type { ListedSession, Session } from '../session.js'

/** Where an adapter keeps the session it found, on its own request type. */
export interface SessionSlot<Req> {
  get(req: Req): Session | undefined
  set(req: Req, session: Session): void
  clear(req: Req): void
}

/**
 * What a route needs: nothing (`public`), a session (`auth`), or a session whose user proved
 * who they are within the last `freshWithin` ms (`requireFresh`).
 */
export type Need = 'optional' | 'session' | { freshWithin: number }

export function freshness(maxAgeMs: number): Need {
  checkMaxAge(maxAgeMs)
  return { freshWithin: maxAgeMs }
}

export interface Attached {
  /** The response to send instead of going on, or `null` to go on. */
  rejected: RejectResponse | null
  /**
   * A Set-Cookie value to send whatever the response (the session's secret was rotated with
   * this request): dropping it would sign the client out when the old secret's grace ends.
   */
  setCookie: string | undefined
}

/**
 * The per-request rules every adapter shares, so an adapter only maps its request and response
 * types: authenticate and attach (or reject), log in, rotate, re-authenticate, edit meta, and
 * the revocations, each a no-op on a request without a session. Set-Cookie values come back for
 * the adapter to append.
 */
export interface AdapterCore<Req> {
  /**
   * Attaches the request's session (authenticating it unless an earlier middleware did) and
   * checks what the route needs. Never rejects: a failure becomes the response to send (503 for
   * a store failure, by default).
   */
  attach(req: Req, view: RequestView, need: Need): Promise<Attached>
  /** Logs `userKey` in and attaches the new session; the Set-Cookie value is in the result. */
  init(req: Req, view: RequestView, userKey: string, options?: InitOptions): Promise<InitResult>
  /** Rotates the request's secret; the new Set-Cookie value, or `null` without a live session. */
  rotate(req: Req): Promise<string | null>
  reauthenticate(req: Req): Promise<Session | null>
  updateMeta(req: Req, patch: MetaPatch): Promise<Session | null>
  /** Revokes the request's session; the clearing Set-Cookie value, or `null` without one. */
  revoke(req: Req): Promise<string | null>
  revokeOther(req: Req): Promise<void>
  /** Revokes all the user's sessions; the clearing Set-Cookie value, or `null` without one. */
  revokeAll(req: Req): Promise<string | null>
  /** `true` if the user's session `id` was revoked; `false` if none of theirs has that id. */
  revokeByIdExt(req: Req, id: string): Promise<boolean>
  fetchAll(req: Req): Promise<ListedSession[]>
  /**
   * The last session Set-Cookie value sessionup made for this request (a rotation, a login, a
   * rotate, a clearing cookie), so an adapter can make sure that one reaches the client.
   */
  lastCookie(req: Req): string | undefined
  /** Whether a Set-Cookie value is the session cookie's. */
  isSessionCookie(value: string): boolean
}

export function adapterCore<Req extends object>(
  manager: SessionManager,
  slot: SessionSlot<Req>,
): AdapterCore<Req> {
  const issued = new WeakMap<Req, string>()
  const issue = <T extends string | null | undefined>(req: Req, value: T): T => {
    if (value) issued.set(req, value)
    return value
  }
  const prefix = `${manager.cookieName}=`

  /** Runs a revocation that ends the request's own session; its clearing cookie, or `null`. */
  async function signOut(req: Req, revoke: (session: Session) => Promise<string>) {
    const session = slot.get(req)
    if (!session) return null
    const clearing = await revoke(session)
    slot.clear(req)
    return issue(req, clearing)
  }

  /** Runs a change of the request's session and attaches what it gives back (`null`: it ended). */
  async function change<T extends { id: string }>(
    req: Req,
    run: (session: Session) => Promise<T | null>,
    attach: (result: T) => Session,
  ): Promise<T | null> {
    const session = slot.get(req)
    if (!session) return null
    const result = await run(session)
    if (result) slot.set(req, attach(result))
    else slot.clear(req)
    return result
  }

  return {
    async attach(req, view, need) {
      let session = slot.get(req)
      let setCookie: string | undefined
      if (!session) {
        // Awaited here rather than in a helper: one async function and microtask turn less.
        let result: AuthResult
        try {
          result = await manager.authenticate(view)
        } catch (error) {
          result = {
            session: null,
            error: error instanceof Error ? error : new Error(String(error)),
          }
        }
        if (!result.session) {
          if (need !== 'optional') return { rejected: manager.rejection(result.error), setCookie }
          manager.reportError(result.error)
          return { rejected: null, setCookie }
        }
        session = result.session
        setCookie = issue(req, result.setCookie)
        slot.set(req, session)
      }
      const stale = typeof need === 'object' && manager.checkFresh(session, need.freshWithin)
      if (stale) return { rejected: manager.rejection(stale), setCookie }
      return { rejected: null, setCookie }
    },
    async init(req, view, userKey, options) {
      const result = await manager.init(view, userKey, options)
      slot.set(req, result.session)
      issue(req, result.setCookie)
      return result
    },
    async rotate(req) {
      const rotated = await change(
        req,
        (s) => manager.rotate(s).then((r) => r && { id: s.id, ...r }),
        (r) => r.session,
      )
      return issue(req, rotated?.setCookie ?? null)
    },
    reauthenticate: (req) =>
      change(
        req,
        (s) => manager.reauthenticate(s),
        (s) => s,
      ),
    updateMeta: (req, patch) =>
      change(
        req,
        (s) => manager.updateMeta(s, patch),
        (s) => s,
      ),
    revoke: (req) => signOut(req, (session) => manager.revoke(session)),
    async revokeOther(req) {
      const session = slot.get(req)
      if (session) await manager.revokeOther(session)
    },
    revokeAll: (req) => signOut(req, (session) => manager.revokeAll(session)),
    async revokeByIdExt(req, id) {
      const session = slot.get(req)
      return session ? manager.revokeByIdExt(session, id) : false
    },
    async fetchAll(req) {
      const session = slot.get(req)
      return session ? manager.fetchAll(session) : []
    },
    lastCookie: (req) => issued.get(req),
    isSessionCookie: (value) => value.startsWith(prefix),
  }
}
