import { type ClientIpResolver, createClientIpResolver, type TrustProxy } from './client-ip.js'
import type { CookieAttributes } from './cookie.js'
import { type CsrfRule, resolveTrustedOrigins } from './csrf.js'
import { InvalidOptionError, UnauthorizedError } from './errors.js'
import { duration, flag, fn, positiveInteger, resolveCookie } from './option-values.js'
import { defaultReject, type RejectResponse } from './reject.js'
import {
  CUSTOM_SECRET_PATTERN,
  DEFAULT_SECRET_PATTERN,
  generateSecret,
  V1_CUSTOM_PATTERN,
  V1_DEFAULT_PATTERN,
} from './token.js'
import { checkMixed, checkTransport, type MixedCredentials, type Transport } from './transport.js'

export { defaultReject, type RejectResponse } from './reject.js'

export interface ManagerOptions {
  /** Default: `__Host-sessionup` (or `__Secure-sessionup` with a Domain or a narrower Path, or `sessionup` when not Secure). */
  cookieName?: string
  /** Default: none (a host-only cookie). */
  domain?: string
  /** Default: `/`. */
  path?: string
  /** Default: `true`. */
  secure?: boolean
  /** Default: `true`. */
  httpOnly?: boolean
  /** Default: `'strict'`. `'none'` requires `secure`. */
  sameSite?: 'strict' | 'lax' | 'none'
  /**
   * Fixed lifetime in ms of a new session; the cookie gets an Expires attribute. Unset: a
   * browser-session cookie, and the store keeps the session 24 h (or per `idleTimeout` /
   * `absoluteTimeout`). A remembered session (`init(…, { remember })`) has its own lifetime.
   */
  expiresIn?: number
  /**
   * Whether ordinary (not remembered) sessions get a persistent cookie, whose `Expires` is their
   * deadline. Default: `true` when `expiresIn` is set (as in Go), else `false`. Set `false` with
   * `expiresIn` to cap sessions on the server while their cookie ends with the browser — the
   * usual pairing with "Keep me signed in".
   */
  persistent?: boolean
  /** New sessions unused for this many ms expire; use renews them (at most once per half window). */
  idleTimeout?: number
  /**
   * No session lives longer than this many ms from its creation, however often it is used:
   * remembered sessions and sessions made before this option was set (or shortened) included.
   */
  absoluteTimeout?: number
  /** The lifetime in ms of `init(…, { remember: true })`. Default 30 days. */
  rememberFor?: number
  /**
   * How often, at most, a session's `lastActiveAt` is written: its renewal window. Default: half
   * the session's idle window when it has one (the renewal that keeps it alive), else 1 hour.
   * With `idleTimeout`, it must be shorter than that.
   */
  activityInterval?: number
  /**
   * Rotate a session's secret (a new cookie) once it is this many ms old, in the renewal write
   * (a rotation due inside a renewal window brings that write forward). Unset: only `rotate()`.
   */
  rotateEvery?: number
  /**
   * How long in ms the secret before a rotation keeps working, so requests already in flight
   * with the old cookie are not turned away. Default 60 s; `0`: refused at once.
   */
  rotationGrace?: number
  /** Record the client IP on new sessions. Default `true`. */
  withIp?: boolean
  /** Record the client's OS and browser on new sessions. Default `true`. */
  withAgent?: boolean
  /** Reject requests whose IP or OS/browser differ from the session's (fails closed). Default `false`. */
  validate?: boolean
  /** Which proxies' `X-Forwarded-For` to believe. Default `false`: the socket address only. */
  trustProxy?: TrustProxy
  /**
   * How clients carry the session: `'cookie'` (default), `'bearer'` (`Authorization: Bearer
   * <token>`, for API and mobile clients; no cookie is written for them) or `'both'`. An adapter
   * binding can override it for its routes.
   */
  transport?: Transport
  /** On a `'both'` route, a request with the cookie and a bearer token: default `'reject'`. */
  mixedCredentials?: MixedCredentials
  /**
   * Origins besides the request's own that the CSRF guard lets send state-changing requests
   * (`https://app.example.com`: scheme, host and port, nothing else). Default: none.
   */
  trustedOrigins?: readonly string[]
  /**
   * Makes the secret part of cookie tokens (the cookie is `<id>.<secret>`); must return 22–256
   * characters of `A–Z a–z 0–9 _ ~ -`. Default: 256 random bits, base64url.
   */
  generateSecret?: () => string
  /** Builds the response of `auth` for a request without a valid session. */
  reject?: (error: Error) => RejectResponse
  /** Receives store failures that did not reject a request (public routes, renewals). */
  onError?: (error: Error) => void
  /** When a user has more sessions than this, creating one more revokes the oldest. */
  maxSessionsPerUser?: number
  /** The clock, in epoch ms. For tests; default `Date.now`. */
  now?: () => number
}

export const DEFAULT_LIFETIME = 24 * 60 * 60_000
export const DEFAULT_REMEMBER = 30 * 24 * 60 * 60_000
export const DEFAULT_ACTIVITY_INTERVAL = 60 * 60_000
export const DEFAULT_ROTATION_GRACE = 60_000

function defaultOnError(error: Error): void {
  if (!(error instanceof UnauthorizedError)) console.error(error)
}

/** Options checked and filled in: what the manager runs on. */
export interface ResolvedOptions {
  cookie: CookieAttributes
  /** New sessions get a persistent cookie (`expiresIn` is set). */
  persistent: boolean
  idleTimeout: number | undefined
  /** The longest a new session may live: min(expiresIn, absoluteTimeout), if either is set. */
  lifetimeCap: number | undefined
  absoluteTimeout: number | undefined
  rememberFor: number
  activityInterval: number | undefined
  rotateEvery: number | undefined
  rotationGrace: number
  withIp: boolean
  withAgent: boolean
  validate: boolean
  clientIp: ClientIpResolver
  transport: Transport
  mixedCredentials: MixedCredentials
  csrf: CsrfRule
  generateSecret: () => string
  secretPattern: RegExp
  /** What a cookie of sessionup 0.1 looks like, under the same generator option. */
  v1Pattern: RegExp
  reject: (error: Error) => RejectResponse
  onError: (error: Error) => void
  maxSessionsPerUser: number | undefined
  now: () => number
}

const KNOWN = new Set([
  'cookieName',
  'domain',
  'path',
  'secure',
  'httpOnly',
  'sameSite',
  'expiresIn',
  'persistent',
  'idleTimeout',
  'absoluteTimeout',
  'rememberFor',
  'activityInterval',
  'rotateEvery',
  'rotationGrace',
  'withIp',
  'withAgent',
  'validate',
  'trustProxy',
  'transport',
  'mixedCredentials',
  'trustedOrigins',
  'generateSecret',
  'reject',
  'onError',
  'maxSessionsPerUser',
  'now',
])

export function resolveOptions(options: ManagerOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'expected an object')
  }
  for (const key of Object.keys(options)) {
    if (key === 'generateToken') {
      throw new InvalidOptionError(key, 'renamed generateSecret: it makes the part after the dot')
    }
    if (!KNOWN.has(key)) throw new InvalidOptionError(key, 'unknown option')
  }
  const cookie = resolveCookie(options)
  const expiresIn = duration(options, 'expiresIn')
  const absoluteTimeout = duration(options, 'absoluteTimeout')
  const caps = [expiresIn, absoluteTimeout].filter((v): v is number => v !== undefined)
  const lifetimeCap = caps.length > 0 ? Math.min(...caps) : undefined
  const withIp = flag(options, 'withIp', true)
  const withAgent = flag(options, 'withAgent', true)
  const validate = flag(options, 'validate', false)
  if (validate && !(withIp && withAgent)) {
    throw new InvalidOptionError('validate', 'needs withIp and withAgent, or every request fails')
  }
  const idleTimeout = duration(options, 'idleTimeout')
  const activityInterval = duration(options, 'activityInterval')
  if (
    idleTimeout !== undefined &&
    activityInterval !== undefined &&
    activityInterval >= idleTimeout
  ) {
    throw new InvalidOptionError(
      'activityInterval',
      'must be shorter than idleTimeout, or sessions in use expire before they are renewed',
    )
  }
  const persistent = flag(options, 'persistent', expiresIn !== undefined)
  if (persistent && lifetimeCap === undefined) {
    throw new InvalidOptionError(
      'persistent',
      "needs expiresIn or absoluteTimeout: the cookie's Expires is the session's deadline",
    )
  }
  const custom = fn(options, 'generateSecret')
  return {
    cookie,
    persistent,
    idleTimeout,
    lifetimeCap,
    absoluteTimeout,
    rememberFor: duration(options, 'rememberFor') ?? DEFAULT_REMEMBER,
    activityInterval,
    rotateEvery: duration(options, 'rotateEvery'),
    rotationGrace: duration(options, 'rotationGrace', true) ?? DEFAULT_ROTATION_GRACE,
    withIp,
    withAgent,
    validate,
    clientIp: createClientIpResolver(options.trustProxy ?? false),
    transport:
      options.transport === undefined ? 'cookie' : checkTransport('transport', options.transport),
    mixedCredentials: checkMixed(options.mixedCredentials),
    csrf: resolveTrustedOrigins(options.trustedOrigins),
    generateSecret: custom ?? generateSecret,
    secretPattern: custom ? CUSTOM_SECRET_PATTERN : DEFAULT_SECRET_PATTERN,
    v1Pattern: custom ? V1_CUSTOM_PATTERN : V1_DEFAULT_PATTERN,
    reject: fn(options, 'reject') ?? defaultReject,
    onError: fn(options, 'onError') ?? defaultOnError,
    maxSessionsPerUser: positiveInteger(options, 'maxSessionsPerUser'),
    now: fn(options, 'now') ?? Date.now,
  }
}
