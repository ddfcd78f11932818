import { type AuthContext, authContext, authenticate, clientIpOf } from './authenticate.js'
import { clearingCookie } from './cookie.js'
import { isForged, type OriginView } from './csrf.js'
import { InvalidOptionError, UnauthorizedError } from './errors.js'
import { Lifecycle, type SessionEventListener, type SubscribeOptions } from './lifecycle.js'
import {
  type AuthResult,
  checkCurrent,
  checkInitOptions,
  checkMaxAge,
  checkUserKeyArgument,
  type InitOptions,
  type InitResult,
  type MetaPatch,
  possibleId,
  type RequestView,
} from './manager-input.js'
import { liveListing, rejectionOf, reportTo } from './manager-reply.js'
import {
  type ManagerOptions,
  type RejectResponse,
  type ResolvedOptions,
  resolveOptions,
} from './options.js'
import { type ListedSession, parseAgent, type Session } from './session.js'
import { SessionWrites } from './session-writes.js'
import type { Store, Unsubscribe } from './store.js'
import { type RouteOptions, routeTransport, type Transport } from './transport.js'

export type {
  AuthResult,
  InitOptions,
  InitResult,
  MetaPatch,
  RequestView,
} from './manager-input.js'
export type { RouteOptions } from './transport.js'

/**
 * The framework-neutral core: it decides, stores persist, adapters translate HTTP.
 *
 * @example
 * const manager = new SessionManager(new MemoryStore(), { expiresIn: 7 * 24 * 3600_000 })
 */
export class SessionManager {
  readonly store: Store
  readonly #raw: ManagerOptions
  readonly #o: ResolvedOptions
  readonly #writes: SessionWrites
  readonly #events: Lifecycle
  readonly #auth: AuthContext

  constructor(store: Store, options: ManagerOptions = {}) {
    if (typeof store?.fetchById !== 'function' || typeof store.touch !== 'function') {
      throw new InvalidOptionError('store', 'expected a sessionup Store (of this version)')
    }
    this.store = store
    this.#o = resolveOptions(options)
    this.#raw = { ...options }
    const report = (error: Error) => this.reportError(error)
    this.#events = new Lifecycle(store, report, this.#o.now)
    this.#writes = new SessionWrites(store, this.#o, report, this.#events)
    this.#auth = authContext(store, this.#o, this.#writes, this.#events)
  }

  /**
   * Subscribes to the lifecycle stream: `created`, `renewed`, `rotated`, `revoked` (with the
   * reason), `expired` (`idle` or `absolute`) and `rejected` (with the reason). `options` narrow
   * it (`types`, `userKey`, `filter`). Each listener gets its events in order, under the same
   * bounds as the store's deletion listeners; `unsubscribe(true)` waits for its running calls.
   */
  subscribe(listener: SessionEventListener, options?: SubscribeOptions): Unsubscribe {
    return this.#events.subscribe(listener, options)
  }

  /** A manager on the same store with some options changed (Go's `Clone`). */
  clone(overrides: ManagerOptions = {}): SessionManager {
    return new SessionManager(this.store, { ...this.#raw, ...overrides })
  }

  /** The session cookie's name. */
  get cookieName(): string {
    return this.#o.cookie.name
  }

  /** How clients carry the session unless a route says otherwise (the `transport` option). */
  get transport(): Transport {
    return this.#o.transport
  }

  /** The client's address as the manager sees it (socket, or per `trustProxy`). */
  clientIp(req: RequestView): string | null {
    return clientIpOf(this.#o, req)
  }

  /**
   * Finds the live session of a request. Never throws: a missing or bad cookie, an unknown,
   * revoked or expired session, a secret that does not match, or a client mismatch gives an
   * `UnauthorizedError`; a store failure gives that failure. When the renewal window has passed
   * it renews the session (and rotates its secret when due, giving `setCookie` to send; never
   * for a bearer token, whose client has no Set-Cookie to read it from). `route.transport` says
   * which credential to read (default: the manager's `transport`).
   */
  authenticate(req: RequestView, route?: RouteOptions): Promise<AuthResult> {
    if (route?.transport === undefined) return authenticate(this.#auth, req)
    try {
      return authenticate(this.#auth, req, routeTransport(this.#o.transport, route))
    } catch (error) {
      return Promise.reject(error) // a bad route option, as a rejection like every other failure
    }
  }

  /**
   * The CSRF guard: `null` if the request may go on, else the `cross-origin` error to answer
   * with (default 403), after a `rejected` event. Safe methods and bearer-only requests pass;
   * otherwise `Sec-Fetch-Site` or `Origin` must say same-origin or name a `trustedOrigins` entry.
   */
  checkOrigin(req: OriginView): UnauthorizedError | null {
    if (!isForged(this.#o.csrf, req, this.#o.cookie.name)) return null
    this.#events.rejected('cross-origin')
    return new UnauthorizedError('cross-origin')
  }

  /**
   * Logs `userKey` in: creates a session and returns it with the Set-Cookie value and the bare
   * token (send one of the two: the cookie to a browser, the token to a bearer client). A
   * session the request already carries (per `route.transport`) is revoked first, so a planted
   * cookie can never be logged in (session fixation).
   */
  async init(
    req: RequestView,
    userKey: string,
    options?: InitOptions,
    route?: RouteOptions,
  ): Promise<InitResult> {
    checkUserKeyArgument(userKey)
    const { meta = {}, remember } = checkInitOptions(options)
    const transport = routeTransport(this.#o.transport, route)
    const secret = this.#writes.newSecret() // a broken generator fails before anything is revoked
    await this.#writes.revokeCarried(req, transport)
    const client = {
      ip: this.#o.withIp ? this.clientIp(req) : null,
      agent: this.#o.withAgent ? { ...parseAgent(req.userAgent) } : { os: '', browser: '' },
    }
    return this.#writes.create(userKey, meta, remember, client, secret)
  }

  /**
   * Issues a new secret for the current session — same id, user, meta and deadline — and returns
   * the Set-Cookie value and the bare token carrying it. The old secret keeps working for
   * `rotationGrace` (default 60 s), so requests already in flight are not turned away. Resolves `null` if the session is
   * no longer live. Atomic: of concurrent rotations, each is applied whole, one after another.
   */
  async rotate(current: Session): Promise<InitResult | null> {
    checkCurrent(current)
    return this.#writes.rotate(current)
  }

  /**
   * Records that the user just proved who they are again (entered their password, passed a
   * second factor): moves `authenticatedAt` to now, keeping the session's id and lifetime.
   * Resolves the updated session, or `null` if it is no longer live. Pair it with `rotate` when
   * the session gains rights.
   */
  async reauthenticate(current: Session): Promise<Session | null> {
    checkCurrent(current)
    return this.#writes.reauthenticate(current)
  }

  /**
   * `null` if the session is fresh (`isFresh`), else the `not-fresh` error to answer with; it
   * then emits a `rejected` event. The adapters' `requireFresh` uses it.
   */
  checkFresh(session: Session, maxAgeMs: number): UnauthorizedError | null {
    if (this.isFresh(session, maxAgeMs)) return null
    this.#events.rejected('not-fresh', session)
    return new UnauthorizedError('not-fresh')
  }

  /** Whether the session's user proved who they are less than `maxAgeMs` ago. */
  isFresh(session: Session, maxAgeMs: number): boolean {
    checkCurrent(session, 'session')
    checkMaxAge(maxAgeMs)
    return this.#o.now() < session.authenticatedAt.getTime() + maxAgeMs
  }

  /**
   * Changes the session's meta: a string sets a key, `null` removes it. A conditional write that
   * merges into what the store holds (concurrent updates of other keys are kept) and never
   * brings back a revoked or expired session: resolves the updated session, or `null`.
   */
  async updateMeta(current: Session, patch: MetaPatch): Promise<Session | null> {
    checkCurrent(current)
    return this.#writes.updateMeta(current, patch)
  }

  /** Revokes the current session; returns the Set-Cookie value that clears the cookie. */
  async revoke(current: Session): Promise<string> {
    checkCurrent(current)
    await this.store.deleteById(current.id, { reason: 'logout' })
    return this.clearCookie()
  }

  /**
   * Revokes any session by id (an admin action); resolves `true` if one was revoked, `false` if
   * there was none. A string that cannot be a session id (empty, too long, odd characters, as a
   * form may send) is simply not found.
   */
  async revokeById(id: string): Promise<boolean> {
    return possibleId(id) && this.store.deleteById(id, { reason: 'admin' })
  }

  /**
   * Revokes a session by id only if it belongs to the current session's user, in one atomic
   * store step. Resolves `true` if it was revoked, and `false` both when there is no such
   * session and when it is someone else's: the answer never tells whose a session is.
   */
  async revokeByIdExt(current: Session, id: string): Promise<boolean> {
    checkCurrent(current) // without a user key this would be an unchecked delete by id
    return possibleId(id) && this.store.deleteById(id, { owner: current.userKey, reason: 'by-id' })
  }

  /** Revokes every session of the current user except the current one. */
  async revokeOther(current: Session): Promise<void> {
    checkCurrent(current)
    return this.store.deleteByUserKey(current.userKey, {
      except: [current.id],
      reason: 'other-sessions',
    })
  }

  /** Revokes every session of the current user; returns the Set-Cookie value clearing the cookie. */
  async revokeAll(current: Session): Promise<string> {
    checkCurrent(current)
    await this.store.deleteByUserKey(current.userKey, { reason: 'all-sessions' })
    return this.clearCookie()
  }

  /** Revokes every session of `userKey` (an admin action, or after a password change). */
  revokeByUserKey(userKey: string): Promise<void> {
    return this.store.deleteByUserKey(userKey, { reason: 'by-user-key' })
  }

  /** The current user's live sessions, oldest first, the current one marked. Never needs freshness. */
  async fetchAll(current: Session): Promise<ListedSession[]> {
    checkCurrent(current)
    return liveListing(this.#o, await this.store.fetchByUserKey(current.userKey), current.id)
  }

  /** A Set-Cookie value that removes the session cookie from the browser. */
  clearCookie(): string {
    return clearingCookie(this.#o.cookie)
  }

  /**
   * The response for a request that `auth` turns away; reports store failures to `onError`.
   * Never throws: a `reject` option that throws is reported and answered with a bare 500.
   */
  rejection(error: Error): RejectResponse {
    return rejectionOf(this.#o, error)
  }

  /** Hands a failure to `onError` (unauthorized requests are not failures and are skipped). */
  reportError(error: Error): void {
    reportTo(this.#o, error)
  }
}
