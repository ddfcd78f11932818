import { createHash, randomBytes } from 'node:crypto'
import Bowser from 'bowser'

/** The parsed user agent of the client that created a session. Empty strings mean "unknown". */
export interface SessionAgent {
  os: string
  browser: string
}

/**
 * One login of one user on one client, as a store keeps it.
 *
 * `id` is SHA-256 of the cookie token (base64url): a public handle, safe to show in a
 * "your devices" list or to put in a "revoke" button, because it cannot be turned back into a
 * cookie.
 */
export interface Session {
  id: string
  userKey: string
  createdAt: Date
  expiresAt: Date
  /** The client's IP when the session was created, or `null` if not recorded. */
  ip: string | null
  agent: SessionAgent
  meta: Record<string, string>
}

/** A session as `fetchAll` lists it: `current` is true for the session of the request. */
export interface ListedSession extends Session {
  current: boolean
}

/** 32 bytes from the CSPRNG, base64url: 43 characters, 256 bits. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The id under which a store keeps the session of `token`. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}

/** Tokens of the default generator are exactly this. */
export const DEFAULT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/
/** What a custom generator may produce: URL- and cookie-safe characters, 22 to 256 of them. */
export const CUSTOM_TOKEN_PATTERN = /^[A-Za-z0-9._~-]{22,256}$/

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

/** A copy that shares nothing mutable with the original. */
export function copySession(session: Session): Session {
  return {
    id: session.id,
    userKey: session.userKey,
    createdAt: new Date(session.createdAt.getTime()),
    expiresAt: new Date(session.expiresAt.getTime()),
    ip: session.ip,
    agent: { os: session.agent.os, browser: session.agent.browser },
    meta: { ...session.meta },
  }
}
