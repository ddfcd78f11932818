import type { OriginView } from '../csrf.js'
import { InvalidArgumentError, InvalidOptionError } from '../errors.js'
import type { AuthResult, InitOptions, MetaPatch, RequestView, SessionManager } from '../manager.js'
import { checkMaxAge } from '../manager-input.js'
import type { RejectResponse } from '../options.js'
import type { ListedSession, Session } from '../session.js'
import { type Carrier, checkTransport, type Transport } from '../transport.js'

/** Options of an adapter binding (`nodeSessions(manager, options)` and the others). */
export interface BindingOptions {
  /** How clients of these routes carry the session; default: the manager's `transport`. */
  transport?: Transport
}

/** `init`'s options in an adapter: the manager's, and how the new session goes to the client. */
export interface LoginOptions extends InitOptions {
  /**
   * `'cookie'`: a Set-Cookie header (browsers); `'bearer'`: no cookie, the token comes back in
   * the result for the app to hand over. Default: `'bearer'` on a bearer-only binding, else
   * `'cookie'`.
   */
  transport?: Carrier
}

/**
 * A session just issued (login, rotation): the Set-Cookie value for a cookie client, or the
 * token for a bearer client; the other is `null`.
 */
export interface Issued {
  session: Session
  setCookie: string | null
  token: string | null
}

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
  /** Logs `userKey` in and attaches the new session, delivered as `options.transport` says. */
  init(req: Req, view: RequestView, userKey: string, options?: LoginOptions): Promise<Issued>
  /**
   * Rotates the request's secret, delivered as the session came (a cookie, or a token); `null`
   * without a live session.
   */
  rotate(req: Req): Promise<Issued | null>
  reauthenticate(req: Req): Promise<Session | null>
  updateMeta(req: Req, patch: MetaPatch): Promise<Session | null>
  /**
   * Revokes the request's session; the clearing Set-Cookie value, or `null` without a session
   * or when it came as a bearer token (no cookie to clear).
   */
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
  /** Whether these routes read the Authorization header (`RequestView.authorization`). */
  readsBearer: boolean
  /** The CSRF guard: the 403 to send, or `null` to go on. */
  csrf(req: OriginView): RejectResponse | null
}

export function adapterCore<Req extends object>(
  manager: SessionManager,
  slot: SessionSlot<Req>,
  binding?: Transport,
): AdapterCore<Req> {
  const transport = binding === undefined ? manager.transport : checkTransport('transport', binding)
  const route = { transport }
  // How each request's session came: a bearer client gets no cookies, set or cleared.
  const carriers = new WeakMap<Req, Carrier>()
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
    return carriers.get(req) === 'bearer' ? null : issue(req, clearing)
  }

  /** The result of a login or rotation, as the client takes it. */
  function deliver(req: Req, carrier: Carrier, session: Session, setCookie: string, token: string) {
    carriers.set(req, carrier)
    if (carrier === 'bearer') return { session, setCookie: null, token }
    return { session, setCookie: issue(req, setCookie), token: null }
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
          result = await manager.authenticate(view, route)
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
        carriers.set(req, result.carrier)
      }
      const stale = typeof need === 'object' && manager.checkFresh(session, need.freshWithin)
      if (stale) return { rejected: manager.rejection(stale), setCookie }
      return { rejected: null, setCookie }
    },
    async init(req, view, userKey, options = {}) {
      const { transport: delivery, ...rest } = checkLogin(options)
      const result = await manager.init(view, userKey, rest, route)
      slot.set(req, result.session)
      const carrier = delivery ?? (transport === 'bearer' ? 'bearer' : 'cookie')
      return deliver(req, carrier, result.session, result.setCookie, result.token)
    },
    async rotate(req) {
      const rotated = await change(
        req,
        (s) => manager.rotate(s).then((r) => r && { id: s.id, ...r }),
        (r) => r.session,
      )
      if (!rotated) return null
      const carrier = carriers.get(req) ?? 'cookie'
      return deliver(req, carrier, rotated.session, rotated.setCookie, rotated.token)
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
    readsBearer: transport !== 'cookie',
    csrf(req) {
      const refused = manager.checkOrigin(req)
      return refused && manager.rejection(refused)
    },
  }
}

/** An adapter's options: `names` are the keys it knows besides `transport`. */
export function checkBinding(options: unknown, ...names: string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidOptionError('options', 'expected an object of the binding options')
  }
  for (const key of Object.keys(options)) {
    if (key !== 'transport' && !names.includes(key)) {
      throw new InvalidOptionError(key, 'unknown option of the adapter binding')
    }
  }
}

function checkLogin(options: unknown): LoginOptions {
  if (typeof options !== 'object' || options === null) return options as LoginOptions
  const { transport } = options as LoginOptions
  if (transport !== undefined && transport !== 'cookie' && transport !== 'bearer') {
    throw new InvalidArgumentError('options.transport', "expected 'cookie' or 'bearer'")
  }
  return options as LoginOptions
}
