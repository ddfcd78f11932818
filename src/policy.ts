import { DEFAULT_ACTIVITY_INTERVAL, DEFAULT_LIFETIME, type ResolvedOptions } from './options.js'
import { publicSession, type Session, type SessionRecord, takePublic } from './session.js'
import type { SessionPatch } from './store.js'
import { hashSecret, sameHash } from './token.js'

/** How long a session may live, as epoch ms and ms: the part of a record the manager decides. */
export interface Lifetime {
  deadline: number | null
  idleTimeout: number | null
  persistent: boolean
}

/**
 * A new session's lifetime: the manager's policy, or with `remember` its own — a persistent
 * cookie for `rememberFor` (or the given ms), with no idle limit. `absoluteTimeout` caps both.
 */
export function newLifetime(
  o: ResolvedOptions,
  createdAt: number,
  remember: boolean | number | undefined,
): Lifetime {
  if (remember === undefined || remember === false) return managerPolicy(o, createdAt)
  const wanted = remember === true ? o.rememberFor : remember
  const length = Math.min(wanted, o.absoluteTimeout ?? wanted)
  return { deadline: createdAt + length, idleTimeout: null, persistent: true }
}

function managerPolicy(o: ResolvedOptions, createdAt: number): Lifetime {
  const idleTimeout = o.idleTimeout ?? null
  const cap = o.lifetimeCap ?? (idleTimeout === null ? DEFAULT_LIFETIME : undefined)
  return {
    deadline: cap === undefined ? null : createdAt + cap,
    idleTimeout,
    persistent: o.persistent,
  }
}

/**
 * The lifetime the manager applies to a stored session: its own, or for a v1 session (which
 * recorded none) the manager's policy, as sessionup 0.1 applied it.
 */
export function lifetimeOf(o: ResolvedOptions, r: SessionRecord): Lifetime {
  if (r.secretHash === null) return managerPolicy(o, r.createdAt.getTime())
  return {
    deadline: r.deadline === null ? null : r.deadline.getTime(),
    idleTimeout: r.idleTimeout,
    persistent: r.persistent,
  }
}

/** When a new session first expires: after one idle window, never past its deadline. */
export function firstExpiry(l: Lifetime, createdAt: number): number {
  const deadline = l.deadline ?? Number.POSITIVE_INFINITY
  return l.idleTimeout === null ? deadline : Math.min(createdAt + l.idleTimeout, deadline)
}

/** Live by the store's expiry, its deadline, and the manager's `absoluteTimeout` today. */
export function isLive(o: ResolvedOptions, r: SessionRecord, l: Lifetime, now: number): boolean {
  if (now >= r.expiresAt.getTime()) return false
  if (l.deadline !== null && now >= l.deadline) return false
  return o.absoluteTimeout === undefined || now < r.createdAt.getTime() + o.absoluteTimeout
}

/**
 * The renewal window: at most one write of `lastActiveAt` (and expiry) per window. Half the idle
 * window keeps a session in use alive with one write per half window; without one, activity is
 * recorded hourly by default.
 */
export function renewalWindow(o: ResolvedOptions, l: Lifetime): number {
  if (l.idleTimeout === null) return o.activityInterval ?? DEFAULT_ACTIVITY_INTERVAL
  return Math.min(l.idleTimeout / 2, o.activityInterval ?? Number.POSITIVE_INFINITY)
}

/**
 * The stored hash a cookie's secret matches — the current one, or the previous one inside its
 * grace window — or `null`. Compared in constant time.
 */
export function secretMatch(
  r: SessionRecord,
  secret: string,
  now: number,
): { hash: string; current: boolean } | null {
  const hash = hashSecret(secret)
  // A v1 session's secret is its v1 token, whose hash is its id.
  if (sameHash(hash, currentHash(r))) return { hash, current: true }
  const until = r.previousSecretExpiresAt
  if (until !== null && now < until.getTime() && sameHash(hash, r.previousSecretHash)) {
    return { hash, current: false }
  }
  return null
}

/** The hash of a session's current secret (a v1 session's: its id). */
export function currentHash(r: SessionRecord): string {
  return r.secretHash ?? r.id
}

/** Whether a rotation is due: a v1 session (to upgrade it), or `rotateEvery` has passed. */
export function rotationDue(o: ResolvedOptions, r: SessionRecord, now: number): boolean {
  if (r.secretHash === null) return true
  return o.rotateEvery !== undefined && now - r.rotatedAt.getTime() >= o.rotateEvery
}

/** The patch that replaces a session's secret, keeping the old one for the grace window. */
export function rotation(
  r: SessionRecord,
  secret: string,
  now: number,
  grace: number,
): Required<SessionPatch>['secret'] {
  return {
    hash: hashSecret(secret),
    previousHash: currentHash(r),
    previousExpiresAt: new Date(now + grace),
    rotatedAt: new Date(now),
  }
}

/** A lifetime as the store keeps it (`touch`'s `lifetime`). */
export function storedLifetime(l: Lifetime): Required<SessionPatch>['lifetime'] {
  return {
    deadline: l.deadline === null ? null : new Date(l.deadline),
    idleTimeout: l.idleTimeout,
    persistent: l.persistent,
  }
}

/**
 * The session an app sees: public fields only, with the lifetime the manager applies. `owned`:
 * the record is a fresh read no one else holds (`readsAreCopies`), so its objects are taken over
 * rather than copied; the caller must not change them afterwards.
 */
export function sessionView(r: SessionRecord, l: Lifetime, owned = false): Session {
  const s = owned ? takePublic(r) : publicSession(r)
  if (r.secretHash === null) Object.assign(s, storedLifetime(l))
  return s
}
