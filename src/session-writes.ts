import { asError } from './cleanup.js'
import { readCookie, serializeCookie } from './cookie.js'
import { InvalidOptionError, SessionupError } from './errors.js'
import { type InitResult, type MetaPatch, mergeMeta, type RequestView } from './manager-input.js'
import type { ResolvedOptions } from './options.js'
import {
  firstExpiry,
  isLive,
  type Lifetime,
  lifetimeOf,
  newLifetime,
  rotation,
  secretMatch,
  sessionView,
  storedLifetime,
} from './policy.js'
import { publicSession, type Session, type SessionRecord } from './session.js'
import type { SessionPatch, Store } from './store.js'
import { formatToken, generateSessionId, hashSecret, parseToken } from './token.js'

/** Attempts of a compare-and-set write (rotate, updateMeta) before giving up. */
const CAS_ATTEMPTS = 10

/**
 * The manager's writes to a live session — renewal, rotation, compare-and-set edits — and the
 * cookies they make. Every one goes through the store's conditional `touch`, so none of them
 * can bring back a revoked or expired session.
 */
export class SessionWrites {
  constructor(
    private readonly store: Store,
    private readonly o: ResolvedOptions,
    private readonly report: (error: Error) => void,
  ) {}

  /** Stores a new session of `userKey` and makes its cookie; evicts beyond `maxSessionsPerUser`. */
  async create(
    userKey: string,
    meta: Record<string, string>,
    remember: boolean | number | undefined,
    client: Pick<SessionRecord, 'ip' | 'agent'>,
  ): Promise<InitResult> {
    const secret = this.newSecret()
    const now = this.o.now()
    const lifetime = newLifetime(this.o, now, remember)
    const at = new Date(now)
    const record: SessionRecord = {
      id: generateSessionId(),
      userKey,
      createdAt: at,
      expiresAt: new Date(firstExpiry(lifetime, now)),
      ...storedLifetime(lifetime),
      lastActiveAt: at,
      authenticatedAt: at,
      ...client,
      meta,
      secretHash: hashSecret(secret),
      previousSecretHash: null,
      previousSecretExpiresAt: null,
      rotatedAt: at,
      version: 1,
    }
    await this.store.create(record)
    await this.#evictBeyondLimit(record)
    return {
      session: sessionView(record, lifetime),
      setCookie: this.cookie(record.id, secret, lifetime),
    }
  }

  /** A new secret for the session, the old one kept for the grace window; `null` if not live. */
  rotate(id: string): Promise<InitResult | null> {
    return this.compareAndSet(id, (record, lifetime, now) => {
      const secret = this.newSecret()
      const patch: SessionPatch = { secret: rotation(record, secret, now, this.o.rotationGrace) }
      if (record.secretHash === null) patch.lifetime = storedLifetime(lifetime)
      const result = () => ({
        session: sessionView(record, lifetime),
        setCookie: this.cookie(record.id, secret, lifetime),
      })
      return { patch, result }
    })
  }

  /** `authenticatedAt` moved to now, in one conditional write; `null` if not live. */
  async reauthenticate(current: Session): Promise<Session | null> {
    const now = this.o.now()
    if (!(await this.store.touch(current.id, { authenticatedAt: new Date(now) }))) return null
    return { ...publicSession(current), authenticatedAt: new Date(now) }
  }

  /** The patch merged into the stored meta under compare-and-set; `null` if not live. */
  async updateMeta(id: string, patch: MetaPatch): Promise<Session | null> {
    mergeMeta({}, patch) // a bad patch is refused before any store call
    return this.compareAndSet(id, (record, lifetime) => {
      const meta = mergeMeta(record.meta, patch)
      return { patch: { meta }, result: () => ({ ...sessionView(record, lifetime), meta }) }
    })
  }

  newSecret(): string {
    const secret = this.o.generateSecret()
    if (typeof secret !== 'string' || !this.o.secretPattern.test(secret)) {
      throw new InvalidOptionError(
        'generateSecret',
        'returned something that is not 22–256 characters of A–Z a–z 0–9 _ ~ -',
      )
    }
    return secret
  }

  cookie(id: string, secret: string, lifetime: Lifetime): string {
    const expires =
      lifetime.persistent && lifetime.deadline !== null ? new Date(lifetime.deadline) : undefined
    return serializeCookie(this.o.cookie, formatToken(id, secret), expires)
  }

  /** Revokes the session a login request carries, once its cookie proves it (not by id alone). */
  async revokeCarried(req: RequestView): Promise<void> {
    const token = readCookie(req.cookie, this.o.cookie.name)
    const claimed = token && parseToken(token, this.o.secretPattern, this.o.v1Pattern)
    if (!claimed) return
    const record = await this.store.fetchById(claimed.id)
    if (record && secretMatch(record, claimed.secret, this.o.now())) {
      await this.store.deleteById(record.id)
    }
  }

  /**
   * The renewal write, at most once per renewal window: `lastActiveAt`, a later expiry within the
   * idle window (never past the deadline), and — when the request used the current secret and
   * `rotateEvery` has passed, or to upgrade a v1 session — a rotation in the same write. Returns
   * the new cookie if it rotated. A failure only means the session may expire sooner.
   */
  async renew(
    record: SessionRecord,
    session: Session,
    lifetime: Lifetime,
    now: number,
    usedCurrent: boolean,
  ): Promise<string | undefined> {
    const patch: SessionPatch = { lastActiveAt: new Date(now) }
    if (lifetime.idleTimeout !== null) {
      const target = Math.min(
        now + lifetime.idleTimeout,
        lifetime.deadline ?? Number.POSITIVE_INFINITY,
      )
      if (target > record.expiresAt.getTime()) patch.expiresAt = new Date(target)
    }
    const v1 = record.secretHash === null
    const every = this.o.rotateEvery
    const due = v1 || (every !== undefined && now - record.rotatedAt.getTime() >= every)
    const secret = usedCurrent && due ? this.newSecret() : undefined
    if (secret !== undefined) {
      patch.secret = rotation(record, secret, now, this.o.rotationGrace)
      patch.ifVersion = record.version // of two racing rotations, one is written
      if (v1) patch.lifetime = storedLifetime(lifetime)
    }
    try {
      if (!(await this.store.touch(record.id, patch))) return undefined
    } catch (error) {
      this.report(asError(error))
      return undefined
    }
    session.lastActiveAt = new Date(now)
    if (patch.expiresAt) session.expiresAt = patch.expiresAt
    return secret === undefined ? undefined : this.cookie(record.id, secret, lifetime)
  }

  /**
   * Reads the live session, builds a write from it, and writes it if nothing changed in between
   * (`ifVersion`); on a conflict, reads again. `null` if the session is not live.
   */
  async compareAndSet<T>(
    id: string,
    build: (r: SessionRecord, l: Lifetime, now: number) => { patch: SessionPatch; result: () => T },
  ): Promise<T | null> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const record = await this.store.fetchById(id)
      const now = this.o.now()
      const lifetime = record && lifetimeOf(this.o, record)
      if (!record || !lifetime || !isLive(this.o, record, lifetime, now)) return null
      const { patch, result } = build(record, lifetime, now)
      if (await this.store.touch(id, { ...patch, ifVersion: record.version })) return result()
    }
    throw new SessionupError(
      'STORE_FAILURE',
      `session ${id} changed on each of ${CAS_ATTEMPTS} attempts to update it`,
    )
  }

  /**
   * Keeps the user's newest `maxSessionsPerUser` sessions. Only sessions older than the new one
   * are evicted, chosen from the whole list in the store's order (oldest first), so concurrent
   * logins pick the same victims and never evict each other's new sessions.
   */
  async #evictBeyondLimit(created: Session): Promise<void> {
    const max = this.o.maxSessionsPerUser
    if (max === undefined) return
    const sessions = await this.store.fetchByUserKey(created.userKey)
    const position = sessions.findIndex((s) => s.id === created.id)
    const victims = sessions.slice(0, Math.max(0, sessions.length - max))
    for (const old of position === -1 ? [] : victims.slice(0, position)) {
      await this.store.deleteById(old.id)
    }
  }
}
