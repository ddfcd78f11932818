import { readCookie } from './cookie.js'
import { InvalidOptionError } from './errors.js'
import { readBearer } from './transport.js'

/** The CSRF guard's configuration, checked: the extra origins it lets through. */
export interface CsrfRule {
  trusted: ReadonlySet<string>
}

/** The parts of a request the CSRF guard reads; adapters fill it from their request type. */
export interface OriginView {
  method: string | undefined | null
  /** The Origin header. */
  origin: string | undefined | null
  /** The Sec-Fetch-Site header, which browsers set and page scripts cannot. */
  secFetchSite: string | undefined | null
  /** The Host header (`:authority` in HTTP/2). */
  host: string | undefined | null
  cookie: string | undefined | null
  authorization?: string | undefined | null
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

/** Whether the CSRF guard lets a method through without looking further (it changes nothing). */
export const isSafeMethod = (method: string | undefined | null): boolean =>
  SAFE.has(method?.toUpperCase() ?? 'GET')

/** `trustedOrigins`, each checked to be exactly an origin: scheme, host and optional port. */
export function resolveTrustedOrigins(origins: unknown): CsrfRule {
  if (origins === undefined) return { trusted: new Set() }
  if (!Array.isArray(origins)) {
    throw new InvalidOptionError('trustedOrigins', 'expected an array of origins')
  }
  const trusted = new Set<string>()
  for (const [i, origin] of origins.entries()) trusted.add(checkOrigin(i, origin))
  return { trusted }
}

function checkOrigin(i: number, origin: unknown): string {
  const name = `trustedOrigins[${i}]`
  if (typeof origin !== 'string') throw new InvalidOptionError(name, 'expected a string')
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    throw new InvalidOptionError(name, `"${origin}" is not a URL (expected https://host[:port])`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidOptionError(name, `"${origin}" is not an http or https origin`)
  }
  // `new URL` accepts paths, queries, credentials and wildcards-as-hostnames; an origin has none.
  if (url.origin !== origin.toLowerCase().replace(/\/$/, '') || origin.includes('*')) {
    throw new InvalidOptionError(
      name,
      `"${origin}" is not an origin: give the scheme, host and port only (${url.origin})`,
    )
  }
  return url.origin
}

/**
 * Whether a request must be refused as a cross-site request forgery. Safe methods pass, and so
 * do requests that carry a bearer token and no session cookie (nothing a browser adds on its
 * own). Otherwise the browser's `Sec-Fetch-Site` decides when present (`same-origin` and `none`
 * pass; `same-site` and `cross-site` only from a trusted origin), else the Origin header: the
 * request's own host or a trusted origin pass, `null` and any other origin do not. A request
 * with neither header passes: browsers send Origin on every state-changing request they make
 * (Chrome 79+, Firefox 70+, Safari), so one without is not a browser's.
 */
export function isForged(rule: CsrfRule, req: OriginView, cookieName: string): boolean {
  if (isSafeMethod(req.method)) return false
  const bearer = readBearer(req.authorization)
  if (bearer && readCookie(req.cookie, cookieName) === undefined) return false
  const site = req.secFetchSite?.toLowerCase()
  const origin = req.origin?.toLowerCase()
  if (site === 'same-origin' || site === 'none') return false
  if (origin === undefined || origin === '') return site !== undefined && site !== ''
  if (rule.trusted.has(origin)) return false
  if (site) return true
  return !sameHost(origin, req.host)
}

/** The Origin names the host the request was sent to (the scheme is not known behind proxies). */
function sameHost(origin: string, host: string | undefined | null): boolean {
  if (!host || origin === 'null') return false
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  const target = host.toLowerCase()
  const fallback = url.protocol === 'https:' ? ':443' : ':80'
  return url.host === target || `${url.host}${url.port ? '' : fallback}` === target
}
