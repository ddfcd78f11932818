import Bowser from 'bowser'

/** The parsed user agent of the client that created a session. Empty strings mean "unknown". */
export interface SessionAgent {
  os: string
  browser: string
}

/**
 * One login of one user on one client, as the manager hands it to an app.
 *
 * `id` is a random public handle that stays the same for the session's whole life (rotation
 * changes only the secret): safe to show in a "your devices" list and to put in a "sign out this
 * device" form, because the cookie's secret part is needed to use the session.
 */
export interface Session {
  id: string
  userKey: string
  createdAt: Date
  /** The session is live while `now < expiresAt`. */
  expiresAt: Date
  /** No renewal or rotation moves `expiresAt` past this; `null`: no deadline. */
  deadline: Date | null
  /** Unused for this many ms the session expires; use renews it. `null`: no idle limit. */
  idleTimeout: number | null
  /** When the session was last seen in use; written with renewals, so at most once per window. */
  lastActiveAt: Date
  /** When the user last proved who they are: sign-in, or `reauthenticate`. */
  authenticatedAt: Date
  /** The cookie carries `Expires` (a remembered session, or `expiresIn`); else it ends with the browser. */
  persistent: boolean
  /** The client's IP when the session was created, or `null` if not recorded. */
  ip: string | null
  agent: SessionAgent
  meta: Record<string, string>
}

/**
 * A session as a store keeps it: the public fields, and what the manager needs to check a cookie
 * and to rotate it. Stores never see a secret, only its SHA-256.
 */
export interface SessionRecord extends Session {
  /**
   * SHA-256 (base64url) of the cookie's current secret. `null` for a session made by sessionup
   * 0.1 (schema v1): its cookie is the v1 token itself, and its id is that token's SHA-256.
   */
  secretHash: string | null
  /** SHA-256 of the secret before the last rotation, accepted until `previousSecretExpiresAt`. */
  previousSecretHash: string | null
  previousSecretExpiresAt: Date | null
  /** When the current secret was issued (creation, or the last rotation). */
  rotatedAt: Date
  /** Grows by one with every write of the record, for compare-and-set updates (`touch`). */
  version: number
}

/** A session as `fetchAll` lists it: `current` is true for the session of the request. */
export interface ListedSession extends Session {
  current: boolean
}

const UNKNOWN_AGENT: SessionAgent = Object.freeze({ os: '', browser: '' })
const agentCache = new Map<string, SessionAgent>()
const AGENT_CACHE_LIMIT = 500

/**
 * Parses a User-Agent header into OS and browser names (not versions, so that a browser update
 * does not count as a different client). Results are cached: a server sees few distinct agents.
 */
export function parseAgent(header: string | undefined | null): SessionAgent {
  if (!header) return UNKNOWN_AGENT
  const cached = agentCache.get(header)
  if (cached) return cached
  const parsed = Bowser.parse(header)
  const agent = Object.freeze({ os: parsed.os.name ?? '', browser: parsed.browser.name ?? '' })
  if (agentCache.size >= AGENT_CACHE_LIMIT) agentCache.clear()
  agentCache.set(header, agent)
  return agent
}

const date = (d: Date): Date => new Date(d.getTime())
const maybeDate = (d: Date | null): Date | null => (d === null ? null : date(d))

/** The public fields of a record, sharing nothing mutable with it; no hash leaves through it. */
export function publicSession(r: Session): Session {
  return {
    id: r.id,
    userKey: r.userKey,
    createdAt: date(r.createdAt),
    expiresAt: date(r.expiresAt),
    deadline: maybeDate(r.deadline),
    idleTimeout: r.idleTimeout,
    lastActiveAt: date(r.lastActiveAt),
    authenticatedAt: date(r.authenticatedAt),
    persistent: r.persistent,
    ip: r.ip,
    agent: { os: r.agent.os, browser: r.agent.browser },
    meta: copyMeta(r.meta),
  }
}

/**
 * The public fields of a record that the caller alone holds (a fresh read from one of this
 * package's stores), taken over as they are: its dates, agent and meta are not copied a second
 * time. No hash leaves through it.
 */
export function takePublic(r: Session): Session {
  return {
    id: r.id,
    userKey: r.userKey,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    deadline: r.deadline,
    idleTimeout: r.idleTimeout,
    lastActiveAt: r.lastActiveAt,
    authenticatedAt: r.authenticatedAt,
    persistent: r.persistent,
    ip: r.ip,
    agent: r.agent,
    meta: r.meta,
  }
}

/**
 * A copy of meta whose every key is a plain own property, "__proto__" included (assignment
 * would set the prototype instead).
 */
export function copyMeta(meta: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of Object.keys(meta)) defineMeta(out, key, meta[key] as string)
  return out
}

/** Sets `meta[key]` as a plain own property, whatever the key ("__proto__" included). */
export function defineMeta(meta: Record<string, string>, key: string, value: string): void {
  // defineProperty is a runtime call in V8, several times slower than an assignment, which does
  // the same for a key found nowhere on the object or its prototype. Keys that are found there
  // ("__proto__", an own key, or "toString" under frozen intrinsics, where assigning throws) are
  // defined.
  if (key in meta) {
    Object.defineProperty(meta, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  } else {
    meta[key] = value
  }
}
