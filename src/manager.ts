import { asError } from './cleanup.js'
import { clearingCookie, readCookie, serializeCookie } from './cookie.js'
import { InvalidArgumentError, InvalidOptionError, UnauthorizedError } from './errors.js'
import {
  DEFAULT_LIFETIME,
  type ManagerOptions,
  type RejectResponse,
  type ResolvedOptions,
  resolveOptions,
} from './options.js'
import { type ListedSession, parseAgent, type Session, sessionIdOf } from './session.js'
import type { Store } from './store.js'
import { isPossibleId } from './stores/checks.js'

/** What the manager needs to know of a request; adapters fill it from their request type. */
export interface RequestView {
  /** The raw Cookie header. */
  cookie: string | undefined | null
  /** The socket peer's address. */
  remoteAddress: string | undefined | null
  /** The raw X-Forwarded-For header; only read when `trustProxy` says so. */
  forwardedFor: string | undefined | null
  userAgent: string | undefined | null
}

export type AuthResult = { session: Session; error: null } | { session: null; error: Error }

export interface InitResult {
  session: Session
  /** The Set-Cookie header value to send with the response. */
  setCookie: string
}

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

  constructor(store: Store, options: ManagerOptions = {}) {
    if (typeof store?.fetchById !== 'function' || typeof store.create !== 'function') {
      throw new InvalidOptionError('store', 'expected a sessionup Store')
    }
    this.store = store
    this.#o = resolveOptions(options)
    this.#raw = { ...options }
  }

  /** A manager on the same store with some options changed (Go's `Clone`). */
  clone(overrides: ManagerOptions = {}): SessionManager {
    return new SessionManager(this.store, { ...this.#raw, ...overrides })
  }

  /** The session cookie's name. */
  get cookieName(): string {
    return this.#o.cookie.name
  }

  /** The client's address as the manager sees it (socket, or per `trustProxy`). */
  clientIp(req: RequestView): string | null {
    return this.#o.clientIp(req.remoteAddress ?? undefined, req.forwardedFor ?? undefined)
  }

  /**
   * Finds the live session of a request. Never throws: a missing or bad cookie, an unknown or
   * expired session or a client mismatch gives an `UnauthorizedError`; a store failure gives
   * that failure. Renews the session when `idleTimeout` says it is due.
   */
  async authenticate(req: RequestView): Promise<AuthResult> {
    const token = readCookie(req.cookie, this.#o.cookie.name)
    if (!token) return unauthorized('missing-cookie')
    if (!this.#o.tokenPattern.test(token)) return unauthorized('malformed-cookie')
    let session: Session | null
    try {
      session = await this.store.fetchById(sessionIdOf(token))
    } catch (error) {
      return { session: null, error: asError(error) }
    }
    const now = this.#o.now()
    if (!session || !this.#isLive(session, now)) return unauthorized('unknown-session')
    if (this.#o.validate && !this.#sameClient(session, req)) return unauthorized('client-mismatch')
    if (this.#o.idleTimeout !== undefined) await this.#renewIfDue(session, now, this.#o.idleTimeout)
    return { session, error: null }
  }

  /**
   * Logs `userKey` in: creates a session and returns it with the Set-Cookie value. A session the
   * request already carries is revoked first, so a planted cookie can never be logged in
   * (session fixation).
   */
  async init(
    req: RequestView,
    userKey: string,
    meta: Record<string, string> = {},
  ): Promise<InitResult> {
    if (typeof userKey !== 'string' || userKey.length === 0) {
      throw new InvalidArgumentError('userKey', 'expected a non-empty string')
    }
    const previous = readCookie(req.cookie, this.#o.cookie.name)
    if (previous && this.#o.tokenPattern.test(previous)) {
      await this.store.deleteById(sessionIdOf(previous))
    }
    const token = this.#o.generateToken()
    if (typeof token !== 'string' || !this.#o.tokenPattern.test(token)) {
      throw new InvalidOptionError(
        'generateToken',
        'returned something that is not 22–256 URL-safe characters',
      )
    }
    const createdAt = this.#o.now()
    const session: Session = {
      id: sessionIdOf(token),
      userKey,
      createdAt: new Date(createdAt),
      expiresAt: new Date(this.#initialExpiry(createdAt)),
      ip: this.#o.withIp ? this.clientIp(req) : null,
      agent: this.#o.withAgent ? { ...parseAgent(req.userAgent) } : { os: '', browser: '' },
      meta: { ...meta },
    }
    await this.store.create(session)
    await this.#evictBeyondLimit(session)
    const lifetime = this.#o.cookieLifetime
    const expires = lifetime === undefined ? undefined : new Date(createdAt + lifetime)
    return { session, setCookie: serializeCookie(this.#o.cookie, token, expires) }
  }

  /** Revokes the current session; returns the Set-Cookie value that clears the cookie. */
  async revoke(current: Session): Promise<string> {
    await this.store.deleteById(current.id)
    return this.clearCookie()
  }

  /**
   * Revokes any session by id (an admin action); resolves `true` if one was revoked, `false` if
   * there was none. A string that cannot be a session id (empty, too long, odd characters, as a
   * form may send) is simply not found.
   */
  async revokeById(id: string): Promise<boolean> {
    return possibleId(id) && this.store.deleteById(id)
  }

  /**
   * Revokes a session by id only if it belongs to the current session's user, in one atomic
   * store step. Resolves `true` if it was revoked, and `false` both when there is no such
   * session and when it is someone else's: the answer never tells whose a session is.
   */
  async revokeByIdExt(current: Session, id: string): Promise<boolean> {
    return possibleId(id) && this.store.deleteById(id, current.userKey)
  }

  /** Revokes every session of the current user except the current one. */
  revokeOther(current: Session): Promise<void> {
    return this.store.deleteByUserKey(current.userKey, current.id)
  }

  /** Revokes every session of the current user; returns the Set-Cookie value clearing the cookie. */
  async revokeAll(current: Session): Promise<string> {
    await this.store.deleteByUserKey(current.userKey)
    return this.clearCookie()
  }

  /** Revokes every session of `userKey` (an admin action, or after a password change). */
  revokeByUserKey(userKey: string): Promise<void> {
    return this.store.deleteByUserKey(userKey)
  }

  /** The current user's live sessions, oldest first, the current one marked. */
  async fetchAll(current: Session): Promise<ListedSession[]> {
    const sessions = await this.store.fetchByUserKey(current.userKey)
    return sessions.map((s) => ({ ...s, current: s.id === current.id }))
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
    this.reportError(error)
    try {
      return this.#o.reject(error)
    } catch (thrown) {
      this.reportError(asError(thrown))
      return { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' }
    }
  }

  /** Hands a failure to `onError` (unauthorized requests are not failures and are skipped). */
  reportError(error: Error): void {
    if (error instanceof UnauthorizedError) return
    try {
      this.#o.onError(error)
    } catch {
      // An error handler that throws must not turn one failure into a crash.
    }
  }

  #initialExpiry(createdAt: number): number {
    const { idleTimeout, lifetimeCap } = this.#o
    const first = idleTimeout ?? lifetimeCap ?? DEFAULT_LIFETIME
    return createdAt + Math.min(first, lifetimeCap ?? first)
  }

  #isLive(session: Session, now: number): boolean {
    if (now >= session.expiresAt.getTime()) return false
    const cap = this.#o.lifetimeCap
    // A cap shortened after the session was made still applies to it.
    return cap === undefined || now < session.createdAt.getTime() + cap
  }

  /**
   * The request comes from the client the session recorded: the same IP (an unknown IP never
   * matches), and the same OS and browser as parsed, even where the parser could name neither
   * (curl, okhttp): the binding is to what was recorded.
   */
  #sameClient(session: Session, req: RequestView): boolean {
    const ip = this.clientIp(req)
    if (session.ip === null || ip === null || session.ip !== ip) return false
    const agent = parseAgent(req.userAgent)
    return agent.os === session.agent.os && agent.browser === session.agent.browser
  }

  /** Renews at most once per half idle window: a write per request would cost more than reads. */
  async #renewIfDue(session: Session, now: number, idle: number): Promise<void> {
    if (session.expiresAt.getTime() - now > idle / 2) return
    const cap = this.#o.lifetimeCap
    const target = Math.min(
      now + idle,
      cap === undefined ? Number.POSITIVE_INFINITY : session.createdAt.getTime() + cap,
    )
    if (target <= session.expiresAt.getTime()) return
    try {
      if (await this.store.extend(session.id, new Date(target)))
        session.expiresAt = new Date(target)
    } catch (error) {
      // The session is valid now; a failed renewal only means it may expire sooner.
      this.reportError(asError(error))
    }
  }

  /**
   * Keeps the user's newest `maxSessionsPerUser` sessions. Only sessions older than the new one
   * are evicted, chosen from the whole list in the store's order (oldest first), so concurrent
   * logins pick the same victims and never evict each other's new sessions.
   */
  async #evictBeyondLimit(created: Session): Promise<void> {
    const max = this.#o.maxSessionsPerUser
    if (max === undefined) return
    const sessions = await this.store.fetchByUserKey(created.userKey)
    const position = sessions.findIndex((s) => s.id === created.id)
    const victims = sessions.slice(0, Math.max(0, sessions.length - max))
    for (const old of position === -1 ? [] : victims.slice(0, position)) {
      await this.store.deleteById(old.id)
    }
  }
}

function possibleId(id: unknown): boolean {
  if (typeof id !== 'string') throw new InvalidArgumentError('id', 'expected a string')
  return isPossibleId(id)
}

function unauthorized(reason: ConstructorParameters<typeof UnauthorizedError>[0]): AuthResult {
  return { session: null, error: new UnauthorizedError(reason) }
}
