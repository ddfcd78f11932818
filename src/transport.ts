import { readCookie } from './cookie.js'
import { InvalidOptionError, type UnauthorizedReason } from './errors.js'

/**
 * How a client carries its session: the cookie (browsers), an `Authorization: Bearer <token>`
 * header (API and mobile clients), or either. The token is the same `<id>.<secret>` either way,
 * checked by the same rules.
 */
export type Transport = 'cookie' | 'bearer' | 'both'

/** The two ways a session reached the server. */
export type Carrier = 'cookie' | 'bearer'

/**
 * What a `'both'` route does with a request carrying the session cookie and a bearer token:
 * refuse it (`'reject'`, the default: two credentials may name two users, and a browser adds
 * the cookie on its own), or read only one of them.
 */
export type MixedCredentials = 'reject' | 'prefer-bearer' | 'prefer-cookie'

/** Per-route settings an adapter binding passes to `authenticate` and `init`. */
export interface RouteOptions {
  /** Overrides the manager's `transport` for this call. */
  transport?: Transport
}

/** The transport of one call: the route's, checked, else the manager's. */
export function routeTransport(manager: Transport, route: RouteOptions | undefined): Transport {
  return route?.transport === undefined
    ? manager
    : checkTransport('route.transport', route.transport)
}

const TRANSPORTS: readonly string[] = ['cookie', 'bearer', 'both']
const MIXED: readonly string[] = ['reject', 'prefer-bearer', 'prefer-cookie']

/** A `transport` option (of the manager, or of an adapter binding), checked. */
export function checkTransport(name: string, value: unknown): Transport {
  if (typeof value === 'string' && TRANSPORTS.includes(value)) return value as Transport
  throw new InvalidOptionError(name, "expected 'cookie', 'bearer' or 'both'")
}

export function checkMixed(value: unknown): MixedCredentials {
  if (value === undefined) return 'reject'
  if (typeof value === 'string' && MIXED.includes(value)) return value as MixedCredentials
  throw new InvalidOptionError(
    'mixedCredentials',
    "expected 'reject', 'prefer-bearer' or 'prefer-cookie'",
  )
}

// RFC 6750 §2.1: the scheme is case-insensitive, then one or more spaces, then a token68.
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
const SCHEME = /^bearer(?: |$)/i

/**
 * The bearer token of an Authorization header: the token; `''` when the header is a Bearer one
 * that holds no well-formed token (two headers folded into one, spaces inside, nothing); or
 * `undefined` without a Bearer header (none, or another scheme such as Basic).
 */
export function readBearer(header: string | undefined | null): string | undefined {
  if (!header || !SCHEME.test(header)) return undefined
  return BEARER.exec(header)?.[1] ?? ''
}

/** The token a request presents, and how; or why it presents none that can be read. */
export type Credential =
  | { token: string; carrier: Carrier; reason?: undefined }
  | { token?: undefined; carrier: Carrier | null; reason: UnauthorizedReason }

/** The parts of a request the credential rules read. */
export interface CredentialView {
  cookie: string | undefined | null
  authorization?: string | undefined | null
}

/**
 * Picks the request's credential under `transport`. A route that reads one carrier ignores the
 * other (a cookie-only route never looks at Authorization), so only `'both'` can see two, and
 * then `mixed` decides.
 */
export function readCredential(
  req: CredentialView,
  transport: Transport,
  mixed: MixedCredentials,
  cookieName: string,
): Credential {
  const cookie = transport === 'bearer' ? undefined : readCookie(req.cookie, cookieName)
  const bearer = transport === 'cookie' ? undefined : readBearer(req.authorization)
  if (bearer === '') return { carrier: 'bearer', reason: 'malformed-token' }
  if (cookie !== undefined && bearer !== undefined) {
    if (mixed === 'reject') return { carrier: null, reason: 'conflicting-credentials' }
    return mixed === 'prefer-bearer'
      ? { token: bearer, carrier: 'bearer' }
      : { token: cookie, carrier: 'cookie' }
  }
  if (bearer !== undefined) return { token: bearer, carrier: 'bearer' }
  if (cookie !== undefined) return { token: cookie, carrier: 'cookie' }
  if (transport === 'bearer') return { carrier: 'bearer', reason: 'missing-token' }
  return { carrier: transport === 'cookie' ? 'cookie' : null, reason: 'missing-cookie' }
}
