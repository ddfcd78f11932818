import { asError } from './cleanup.js'
import { serializeCookie } from './cookie.js'
import { ConflictError, InvalidOptionError } from './errors.js'
import type { Lifecycle } from './lifecycle.js'
import { type InitResult, type MetaPatch, mergeMeta, type RequestView } from './manager-input.js'
import type { ResolvedOptions } from './options.js'
import {
  currentHash,
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
import { proofs } from './proof.js'
import type { Session, SessionRecord } from './session.js'
import type { SessionPatch, Store } from './store.js'
import { formatToken, generateSessionId, hashSecret, parseToken } from './token.js'
import { readCredential, type Transport } from './transport.js'

/** Attempts of a compare-and-set write (rotate, updateMeta) before giving up. */
const CAS_ATTEMPTS = 10

/** What a compare-and-set write does with the record it read: a patch and its result, or refuse. */
type Build<T> = (
  r: SessionRecord,
  l: Lifetime,
  now: number,
) => { patch: SessionPatch; result: () => T } | null

/**
 * The manager's writes to a live session — creation, renewal, rotation, compare-and-set edits —
 * and the cookies they make. Every change goes through the store's conditional `touch`, so none
 * of them can bring back a revoked or expired session.
 */
export class SessionWrites {
  /**
   * The hash of the secret that proved each session object handed out (by `authenticate`,
   * `init`, `rotate`, …). `rotate` refuses a session proved by a secret that is no longer the
   * current one: a rotated-out secret, in its grace window, must not mint a new current one.
   */
  readonly #proofs = proofs()

  constructor(
    private readonly store: Store,
    private readonly o: ResolvedOptions,
    private readonly report: (error: Error) => void,
    private readonly events: Lifecycle,
  ) {}

  prove(session: Session, hash: string): Session {
    this.#proofs.set(session, hash)
    return session
  }

  #inherit(from: Session, to: Session): Session {
    const proof = this.#proofs.get(from)
    return proof === undefined ? to : this.prove(to, proof)
  }

  /** Stores a new session of `userKey` and makes its cookie; evicts beyond `maxSessionsPerUser`. */
  async create(
    userKey: string,
    meta: Record<string, string>,
    remember: boolean | number | undefined,
    client: Pick<SessionRecord, 'ip' | 'agent'>,
    secret: string,
  ): Promise<InitResult> {
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
    const session = this.prove(sessionView(record, lifetime), currentHash(record))
    this.events.emit('created', session)
    return { session, ...this.issue(record.id, secret, lifetime) }
  }

  /**
   * A new secret for the session, the old one kept for the grace window; `null` if it is not
   * live, or `current` was proved by a secret that is no longer the current one.
   */
  rotate(current: Session): Promise<InitResult | null> {
    const proof = this.#proofs.get(current)
    return this.compareAndSet(current.id, (record, lifetime, now) => {
      if (proof !== undefined && proof !== currentHash(record)) return null
      const secret = this.newSecret()
      const patch: SessionPatch = { secret: rotation(record, secret, now, this.o.rotationGrace) }
      if (record.secretHash === null) patch.lifetime = storedLifetime(lifetime)
      const result = () => {
        const session = this.prove(sessionView(record, lifetime), patch.secret?.hash ?? '')
        this.events.emit('rotated', session)
        return { session, ...this.issue(record.id, secret, lifetime) }
      }
      return { patch, result }
    })
  }

  /** `authenticatedAt` moved to now, if the session is live by the manager's rules; else `null`. */
  async reauthenticate(current: Session): Promise<Session | null> {
    const record = await this.store.fetchById(current.id)
    const now = this.o.now()
    const lifetime = record && lifetimeOf(this.o, record)
    if (!record || !lifetime || !isLive(this.o, record, lifetime, now)) return null
    const authenticatedAt = new Date(now)
    if (!(await this.store.touch(current.id, { authenticatedAt }))) return null
    return this.#inherit(current, { ...sessionView(record, lifetime), authenticatedAt })
  }

  /** The patch merged into the stored meta under compare-and-set; `null` if not live. */
  async updateMeta(current: Session, patch: MetaPatch): Promise<Session | null> {
    mergeMeta({}, patch) // a bad patch is refused before any store call
    return this.compareAndSet(current.id, (record, lifetime) => {
      const meta = mergeMeta(record.meta, patch)
      const result = () => this.#inherit(current, { ...sessionView(record, lifetime), meta })
      return { patch: { meta }, result }
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

  /** The token for a new secret, as a Set-Cookie value and as a bearer token. */
  issue(id: string, secret: string, lifetime: Lifetime): { setCookie: string; token: string } {
    return { setCookie: this.cookie(id, secret, lifetime), token: formatToken(id, secret) }
  }

  cookie(id: string, secret: string, lifetime: Lifetime): string {
    const expires =
      lifetime.persistent && lifetime.deadline !== null ? new Date(lifetime.deadline) : undefined
    return serializeCookie(this.o.cookie, formatToken(id, secret), expires)
  }

  /**
   * Revokes the session a login request carries (its cookie, or bearer token where `transport`
   * reads one), once the secret proves it (not by id alone).
   */
  async revokeCarried(req: RequestView, transport: Transport): Promise<void> {
    const { token } = readCredential(req, transport, this.o.mixedCredentials, this.o.cookie.name)
    const claimed = token && parseToken(token, this.o.secretPattern, this.o.v1Pattern)
    if (!claimed) return
    const record = await this.store.fetchById(claimed.id)
    if (record && secretMatch(record, claimed.secret, this.o.now())) {
      await this.store.deleteById(record.id, { reason: 'replaced' })
    }
  }

  /**
   * The renewal write: `lastActiveAt`, a later expiry within the idle window (never past the
   * deadline), and with `rotate` a rotation in the same write. Updates `session` and returns the
   * new cookie if it rotated. A failure only means the session may expire sooner.
   */
  async renew(
    record: SessionRecord,
    session: Session,
    lifetime: Lifetime,
    now: number,
    rotate: boolean,
  ): Promise<string | undefined> {
    const patch: SessionPatch = { lastActiveAt: new Date(now) }
    if (lifetime.idleTimeout !== null) {
      const deadline = lifetime.deadline ?? Number.POSITIVE_INFINITY
      const target = Math.min(now + lifetime.idleTimeout, deadline)
      if (target > record.expiresAt.getTime()) patch.expiresAt = new Date(target)
    }
    const secret = rotate ? this.newSecret() : undefined
    if (secret !== undefined) {
      patch.secret = rotation(record, secret, now, this.o.rotationGrace)
      patch.ifVersion = record.version // of two racing rotations, one is written
      if (record.secretHash === null) patch.lifetime = storedLifetime(lifetime)
    }
    try {
      if (!(await this.store.touch(record.id, patch))) return undefined
    } catch (error) {
      this.report(asError(error))
      return undefined
    }
    session.lastActiveAt = new Date(now)
    if (patch.expiresAt) session.expiresAt = patch.expiresAt
    this.events.emit('renewed', session)
    if (secret === undefined || !patch.secret) return undefined
    this.events.emit('rotated', session)
    // The response carries the new secret: this request may rotate again (an app's own rotate).
    this.prove(session, patch.secret.hash)
    return this.cookie(record.id, secret, lifetime)
  }

  /**
   * Reads the live session, builds a write from it, and writes it if nothing changed in between
   * (`ifVersion`); on a conflict, waits a little (random, growing) and reads again. `null` if
   * the session is not live or `build` refuses.
   */
  async compareAndSet<T>(id: string, build: Build<T>): Promise<T | null> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      if (attempt > 0) await backOff(attempt)
      const record = await this.store.fetchById(id)
      const now = this.o.now()
      const lifetime = record && lifetimeOf(this.o, record)
      if (!record || !lifetime || !isLive(this.o, record, lifetime, now)) return null
      const write = build(record, lifetime, now)
      if (!write) return null
      if (await this.store.touch(id, { ...write.patch, ifVersion: record.version })) {
        return write.result()
      }
    }
    throw new ConflictError(
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
      await this.store.deleteById(old.id, { reason: 'evicted' })
    }
  }
}

/** Up to 2^attempt ms (at most 64), at random, so racing writers stop colliding. */
function backOff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(64, 2 ** attempt)
  return new Promise((resolve) => setTimeout(resolve, ms))
}
