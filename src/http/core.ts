import type { InitResult, RequestView, SessionManager } from '../manager.js'
import type { RejectResponse } from '../options.js'
import type { ListedSession, Session } from '../session.js'

/** Where an adapter keeps the session it found, on its own request type. */
export interface SessionSlot<Req> {
  get(req: Req): Session | undefined
  set(req: Req, session: Session): void
  clear(req: Req): void
}

/**
 * The per-request rules every adapter shares, so an adapter only maps its request and response
 * types: authenticate and attach (or reject), log in, and the revocations, each a no-op on a
 * request without a session. Set-Cookie values come back for the adapter to append.
 */
export interface AdapterCore<Req> {
  /**
   * Authenticates the request and attaches its session. Resolves `null` when the request may
   * go on, or the response to send when `required` and there is no valid session. Never
   * rejects: a failure becomes that response (503 for a store failure, by default).
   */
  attach(req: Req, view: RequestView, required: boolean): Promise<RejectResponse | null>
  /** Logs `userKey` in and attaches the new session; the Set-Cookie value is in the result. */
  init(
    req: Req,
    view: RequestView,
    userKey: string,
    meta?: Record<string, string>,
  ): Promise<InitResult>
  /** Revokes the request's session; the clearing Set-Cookie value, or `null` without one. */
  revoke(req: Req): Promise<string | null>
  revokeOther(req: Req): Promise<void>
  /** Revokes all the user's sessions; the clearing Set-Cookie value, or `null` without one. */
  revokeAll(req: Req): Promise<string | null>
  /** `true` if the user's session `id` was revoked; `false` if none of theirs has that id. */
  revokeByIdExt(req: Req, id: string): Promise<boolean>
  fetchAll(req: Req): Promise<ListedSession[]>
}

export function adapterCore<Req>(
  manager: SessionManager,
  slot: SessionSlot<Req>,
): AdapterCore<Req> {
  /** Runs a revocation that ends the request's own session; its clearing cookie, or `null`. */
  async function signOut(req: Req, revoke: (session: Session) => Promise<string>) {
    const session = slot.get(req)
    if (!session) return null
    const clearing = await revoke(session)
    slot.clear(req)
    return clearing
  }

  return {
    async attach(req, view, required) {
      let result: Awaited<ReturnType<SessionManager['authenticate']>>
      try {
        result = await manager.authenticate(view)
      } catch (error) {
        result = { session: null, error: error instanceof Error ? error : new Error(String(error)) }
      }
      if (result.session) {
        slot.set(req, result.session)
        return null
      }
      if (!required) {
        manager.reportError(result.error)
        return null
      }
      return manager.rejection(result.error)
    },
    async init(req, view, userKey, meta) {
      const result = await manager.init(view, userKey, meta)
      slot.set(req, result.session)
      return result
    },
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
  }
}
