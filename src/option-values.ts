import { COOKIE_DOMAIN, COOKIE_NAME, COOKIE_PATH, type CookieAttributes } from './cookie.js'
import { InvalidOptionError } from './errors.js'
import type { ManagerOptions } from './options.js'

export function resolveCookie(options: ManagerOptions): CookieAttributes {
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

export function flag(
  options: ManagerOptions,
  key: keyof ManagerOptions,
  fallback: boolean,
): boolean {
  const value = options[key] ?? fallback
  if (typeof value !== 'boolean') throw new InvalidOptionError(key, 'expected true or false')
  return value
}

/** 100 years of milliseconds: the longest duration an option may give. */
const MAX_DURATION = 100 * 366 * 24 * 60 * 60_000

export function duration(
  options: ManagerOptions,
  key: keyof ManagerOptions,
  zeroAllowed = false,
): number | undefined {
  const value = options[key]
  if (value === undefined) return undefined
  // Whole milliseconds (stores keep times as integers), and few enough that now + the duration
  // is still a date: Date ends at 8.64e15 ms.
  const ok = typeof value === 'number' && Number.isSafeInteger(value) && value <= MAX_DURATION
  if (!ok || value < 0 || (value === 0 && !zeroAllowed)) {
    const what = zeroAllowed ? '0 or a positive' : 'a positive'
    throw new InvalidOptionError(
      key,
      `expected ${what} whole number of milliseconds, at most 100 years, got ${String(value)}`,
    )
  }
  return value
}

export function positiveInteger(
  options: ManagerOptions,
  key: keyof ManagerOptions,
): number | undefined {
  const value = options[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(key, `expected a whole number ≥ 1, got ${String(value)}`)
  }
  return value
}

export function fn<K extends 'generateSecret' | 'reject' | 'onError' | 'now'>(
  options: ManagerOptions,
  key: K,
): ManagerOptions[K] {
  const value = options[key]
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidOptionError(key, 'expected a function')
  }
  return value
}
