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
 * the most specific path first, so the first match is the one meant for this request. `name`
 * must be a cookie-name token (no '=', ';' or surrounding whitespace).
 */
export function readCookie(header: string | undefined | null, name: string): string | undefined {
  if (!header) return undefined
  let start = 0
  while (start < header.length) {
    let end = header.indexOf(';', start)
    if (end === -1) end = header.length
    // Each segment is looked at only up to its own ';', so the whole header is read once.
    const valueStart = valueStartIfNamed(header, start, end, name)
    if (valueStart !== -1) return unquote(header.slice(valueStart, end).trim())
    start = end + 1
  }
  return undefined
}

/**
 * Where the value begins if `header[start, end)` is `name=…` (whitespace allowed around the
 * name), else -1. Compares in place: a segment with another name costs no allocation.
 */
function valueStartIfNamed(header: string, start: number, end: number, name: string): number {
  let i = skipSpace(header, start, end)
  if (end - i < name.length || !header.startsWith(name, i)) return -1
  i = skipSpace(header, i + name.length, end)
  return i < end && header.charCodeAt(i) === EQUALS ? i + 1 : -1
}

const EQUALS = 0x3d
const SPACE = 0x20
/** What String#trim removes: JS whitespace and line terminators. */
const WHITESPACE = /\s/

function skipSpace(text: string, from: number, end: number): number {
  let i = from
  while (i < end && isSpace(text.charCodeAt(i))) i++
  return i
}

function isSpace(code: number): boolean {
  if (code === SPACE || (code >= 0x09 && code <= 0x0d)) return true
  // Beyond ASCII, trim also removes NBSP, BOM and the Unicode space separators.
  return code >= 0xa0 && WHITESPACE.test(String.fromCharCode(code))
}

function unquote(value: string): string {
  return value.length > 1 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value
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
