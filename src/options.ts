import { type ClientIpResolver, createClientIpResolver, type TrustProxy } from './client-ip.js'
import { COOKIE_DOMAIN, COOKIE_NAME, COOKIE_PATH, type CookieAttributes } from './cookie.js'
import { InvalidOptionError, UnauthorizedError } from './errors.js'
import { CUSTOM_TOKEN_PATTERN, DEFAULT_TOKEN_PATTERN, generateToken } from './session.js'

/** What the `auth` middleware answers when a request has no valid session. */
export interface RejectResponse {
  status: number
  headers: Record<string, string>
  body: string
}

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
   * Fixed lifetime in ms; the cookie gets an Expires attribute. Unset: a browser-session cookie,
   * and the store keeps the session 24 h (or per `idleTimeout` / `absoluteTimeout`).
   */
  expiresIn?: number
  /** Sessions unused for this many ms expire; use renews them (at most once per half window). */
  idleTimeout?: number
  /** No session lives longer than this many ms from its creation, however often it is used. */
  absoluteTimeout?: number
  /** Record the client IP on new sessions. Default `true`. */
  withIp?: boolean
  /** Record the client's OS and browser on new sessions. Default `true`. */
  withAgent?: boolean
  /** Reject requests whose IP or OS/browser differ from the session's (fails closed). Default `false`. */
  validate?: boolean
  /** Which proxies' `X-Forwarded-For` to believe. Default `false`: the socket address only. */
  trustProxy?: TrustProxy
  /** Makes cookie tokens; must return 22–256 URL-safe characters. Default: 256 random bits. */
  generateToken?: () => string
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

/**
 * The default `reject`: 401 `{"error":"unauthorized"}` for a request without a valid session,
 * and 503 `{"error":"unavailable"}` when the store failed, so clients do not read an outage as
 * "logged out". The body never carries the cause.
 */
export function defaultReject(error?: Error): RejectResponse {
  const headers = { 'content-type': 'application/json; charset=utf-8' }
  if (error === undefined || error instanceof UnauthorizedError) {
    return { status: 401, headers, body: '{"error":"unauthorized"}' }
  }
  return {
    status: 503,
    headers: { ...headers, 'retry-after': '5' },
    body: '{"error":"unavailable"}',
  }
}

function defaultOnError(error: Error): void {
  if (!(error instanceof UnauthorizedError)) console.error(error)
}

/** Options checked and filled in: what the manager runs on. */
export interface ResolvedOptions {
  cookie: CookieAttributes
  /** When set, the cookie is persistent and expires this many ms after the session's creation. */
  cookieLifetime: number | undefined
  idleTimeout: number | undefined
  /** The longest a session may live: min(expiresIn, absoluteTimeout), if either is set. */
  lifetimeCap: number | undefined
  withIp: boolean
  withAgent: boolean
  validate: boolean
  clientIp: ClientIpResolver
  generateToken: () => string
  tokenPattern: RegExp
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
  'idleTimeout',
  'absoluteTimeout',
  'withIp',
  'withAgent',
  'validate',
  'trustProxy',
  'generateToken',
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
  const custom = options.generateToken
  return {
    cookie,
    cookieLifetime: expiresIn === undefined ? undefined : lifetimeCap,
    idleTimeout: duration(options, 'idleTimeout'),
    lifetimeCap,
    withIp,
    withAgent,
    validate,
    clientIp: createClientIpResolver(options.trustProxy ?? false),
    generateToken: fn(options, 'generateToken') ?? generateToken,
    tokenPattern: custom ? CUSTOM_TOKEN_PATTERN : DEFAULT_TOKEN_PATTERN,
    reject: fn(options, 'reject') ?? defaultReject,
    onError: fn(options, 'onError') ?? defaultOnError,
    maxSessionsPerUser: positiveInteger(options, 'maxSessionsPerUser'),
    now: fn(options, 'now') ?? Date.now,
  }
}

function resolveCookie(options: ManagerOptions): CookieAttributes {
  const secure = flag(options, 'secure', true)
  const httpOnly = flag(options, 'httpOnly', true)
  const path = options.path ?? '/'
  if (typeof path !== 'string' || !COOKIE_PATH.test(path)) {
    throw new InvalidOptionError(
      'path',
      'must start with "/" and hold no ";" or control characters',
    )
  }
  const domain = options.domain
  if (domain !== undefined && (typeof domain !== 'string' || !COOKIE_DOMAIN.test(domain))) {
    throw new InvalidOptionError('domain', 'must be a host name (letters, digits, "-" and ".")')
  }
  const sameSite = resolveSameSite(options.sameSite)
  if (sameSite === 'None' && !secure) {
    throw new InvalidOptionError(
      'sameSite',
      '"none" needs secure: true, or browsers drop the cookie',
    )
  }
  const hostOnly = secure && path === '/' && domain === undefined
  const name =
    options.cookieName ??
    (hostOnly ? '__Host-sessionup' : secure ? '__Secure-sessionup' : 'sessionup')
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) {
    throw new InvalidOptionError(
      'cookieName',
      'must be a non-empty HTTP token (no spaces, ";", "=" or control characters)',
    )
  }
  // Browsers match these prefixes case-insensitively (RFC 6265bis): '__host-sid' on the wrong
  // path is dropped exactly like '__Host-sid'.
  const lowerName = name.toLowerCase()
  if (lowerName.startsWith('__host-') && !hostOnly) {
    throw new InvalidOptionError(
      'cookieName',
      '"__Host-" needs secure: true, path "/" and no domain',
    )
  }
  if (lowerName.startsWith('__secure-') && !secure) {
    throw new InvalidOptionError('cookieName', '"__Secure-" needs secure: true')
  }
  return { name, domain, path, secure, httpOnly, sameSite }
}

function resolveSameSite(value: unknown): CookieAttributes['sameSite'] {
  if (value === undefined) return 'Strict'
  const lower = typeof value === 'string' ? value.toLowerCase() : ''
  if (lower === 'strict') return 'Strict'
  if (lower === 'lax') return 'Lax'
  if (lower === 'none') return 'None'
  throw new InvalidOptionError(
    'sameSite',
    `expected "strict", "lax" or "none", got ${String(value)}`,
  )
}

function flag(options: ManagerOptions, key: keyof ManagerOptions, fallback: boolean): boolean {
  const value = options[key] ?? fallback
  if (typeof value !== 'boolean') throw new InvalidOptionError(key, 'expected true or false')
  return value
}

function duration(options: ManagerOptions, key: keyof ManagerOptions): number | undefined {
  const value = options[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionError(
      key,
      `expected a positive, finite number of milliseconds, got ${String(value)}`,
    )
  }
  return value
}

function positiveInteger(options: ManagerOptions, key: keyof ManagerOptions): number | undefined {
  const value = options[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(key, `expected a whole number ≥ 1, got ${String(value)}`)
  }
  return value
}

function fn<K extends 'generateToken' | 'reject' | 'onError' | 'now'>(
  options: ManagerOptions,
  key: K,
): ManagerOptions[K] {
  const value = options[key]
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(key, 'expected a function')
  }
  return value
}
