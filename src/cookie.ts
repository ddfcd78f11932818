/** Attributes of the session cookie, checked once when the manager is built. */
export interface CookieAttributes {
  name: string
  domain: string | undefined
  path: string
  secure: boolean
  httpOnly: boolean
  sameSite: 'Strict' | 'Lax' | 'None'
}

/** RFC 6265 cookie-name characters (an HTTP token). */
export const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** A path: starts with '/', printable ASCII without ';'. */
export const COOKIE_PATH = /^\/[\x20-\x3a\x3c-\x7e]*$/
/** A host name: dot-separated labels of letters, digits and inner hyphens; one leading dot allowed. */
export const COOKIE_DOMAIN =
  /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/

/**
 * The value of the first cookie called `name` in a Cookie header, or `undefined`. Browsers send
 * the most specific path first, so the first match is the one meant for this request.
 */
export function readCookie(header: string | undefined | null, name: string): string | undefined {
  if (!header) return undefined
  let start = 0
  while (start < header.length) {
    let end = header.indexOf(';', start)
    if (end === -1) end = header.length
    const eq = header.indexOf('=', start)
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim()
      if (value.length > 1 && value.startsWith('"') && value.endsWith('"'))
        value = value.slice(1, -1)
      return value
    }
    start = end + 1
  }
  return undefined
}

/** A Set-Cookie header value. `expires` omitted = a browser-session cookie. */
export function serializeCookie(attrs: CookieAttributes, value: string, expires?: Date): string {
  let out = `${attrs.name}=${value}; Path=${attrs.path}`
  if (attrs.domain) out += `; Domain=${attrs.domain}`
  if (expires) out += `; Expires=${expires.toUTCString()}`
  if (attrs.httpOnly) out += '; HttpOnly'
  if (attrs.secure) out += '; Secure'
  out += `; SameSite=${attrs.sameSite}`
  return out
}

/** A Set-Cookie header value that makes the browser drop the session cookie now. */
export function clearingCookie(attrs: CookieAttributes): string {
  return `${serializeCookie(attrs, '', new Date(0))}; Max-Age=0`
}
