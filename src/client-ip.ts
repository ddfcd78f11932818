import { InvalidOptionError } from './errors.js'
import { formatIp, type IpRange, inRange, isIpv4Mapped, readIp } from './ip.js'

/**
 * Which proxies may tell us the client's address through `X-Forwarded-For`.
 *
 * - `false` (default): the header is ignored; the client is the socket's peer.
 * - a number `n`: exactly `n` proxies stand in front of the app; each appends the address it
 *   received from, so the client is the `n`-th address from the right of socket + header.
 * - a list of addresses or CIDR ranges (`'10.0.0.0/8'`, `'::1'`): walking from the socket
 *   leftwards through the header, the client is the first address not in the list.
 */
export type TrustProxy = false | number | readonly string[]

/** Resolves a request's client address from its socket peer and `X-Forwarded-For` header. */
export type ClientIpResolver = (
  remoteAddress: string | undefined,
  forwardedFor: string | undefined,
) => string | null

// Per-request parsing reads into this one buffer. Nothing here awaits, so no two calls share it.
const scratch = new Uint8Array(16)

/**
 * Canonical text of an IP address, or `null` if it is not one: IPv4-mapped IPv6 as IPv4, IPv6
 * in RFC 5952 form. Surrounding whitespace and brackets are allowed; zone ids are not.
 */
export function normalizeIp(raw: string | undefined | null): string | null {
  const text = unwrap(raw)
  const family = readIp(text, scratch)
  return family === 0 ? null : canonicalText(text, family, scratch)
}

/** The address text without surrounding whitespace or brackets ('' for none). */
function unwrap(raw: string | undefined | null): string {
  const text = raw ? raw.trim() : ''
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
}

/** Canonical text of an address `readIp` just read from `text` into `bytes`. */
function canonicalText(text: string, family: 4 | 6, bytes: Uint8Array): string {
  // IPv4 text that readIp accepts (no leading zeros) is already canonical: no need to print.
  return family === 4 ? text : formatIp(bytes)
}

export function createClientIpResolver(trustProxy: TrustProxy): ClientIpResolver {
  if (trustProxy === false) return (remote) => normalizeIp(remote)
  if (typeof trustProxy === 'number') {
    if (!Number.isInteger(trustProxy) || trustProxy < 0) {
      throw new InvalidOptionError('trustProxy', 'a hop count must be a whole number ≥ 0')
    }
    return hopCountResolver(trustProxy)
  }
  if (!Array.isArray(trustProxy)) {
    throw new InvalidOptionError('trustProxy', 'expected false, a hop count or a list of addresses')
  }
  return trustedListResolver(trustProxy.map(parseTrustedRange))
}

function chainOf(remote: string | undefined, forwardedFor: string | undefined): string[] {
  const chain = forwardedFor ? forwardedFor.split(',') : []
  chain.push(remote ?? '')
  return chain
}

function hopCountResolver(hops: number): ClientIpResolver {
  return (remote, forwardedFor) => {
    const chain = chainOf(remote, forwardedFor)
    // With more hops configured than addresses present, the leftmost is the best we have.
    const index = Math.max(0, chain.length - 1 - hops)
    return normalizeIp(chain[index])
  }
}

function trustedListResolver(trusted: readonly IpRange[]): ClientIpResolver {
  return (remote, forwardedFor) => {
    const chain = chainOf(remote, forwardedFor)
    for (let i = chain.length - 1; i >= 0; i--) {
      const text = unwrap(chain[i])
      const family = readIp(text, scratch)
      // An unparsable hop means the chain cannot be trusted past this point.
      if (family === 0) return null
      if (i === 0 || !isTrusted(scratch, trusted)) return canonicalText(text, family, scratch)
    }
    return null
  }
}

function isTrusted(address: Uint8Array, trusted: readonly IpRange[]): boolean {
  for (const range of trusted) if (inRange(address, range)) return true
  return false
}

/**
 * One `trustProxy` entry: an address, or a range `address/bits`. Ranges are held as IPv6, so an
 * IPv4 range also holds the IPv4-mapped addresses and an IPv6 range such as '::/0' holds IPv4
 * ones, as Node's BlockList did.
 */
function parseTrustedRange(entry: unknown): IpRange {
  if (typeof entry !== 'string') {
    throw new InvalidOptionError('trustProxy', 'every entry must be an address or CIDR string')
  }
  const range = rangeOf(entry)
  if (range === null) {
    throw new InvalidOptionError('trustProxy', `"${entry}" is not an IP address or CIDR range`)
  }
  return range
}

function rangeOf(entry: string): IpRange | null {
  const slash = entry.indexOf('/')
  const bytes = new Uint8Array(16)
  const family = readIp(unwrap(slash === -1 ? entry : entry.slice(0, slash)), bytes)
  if (family === 0) return null
  if (slash === -1) return { bytes, bits: 128 }
  const bits = prefixAsIpv6(family, bytes, parsePrefixLength(entry.slice(slash + 1)))
  return bits === null ? null : { bytes, bits }
}

/** The prefix length counted over all 128 bits, or null if it does not fit the address. */
function prefixAsIpv6(family: 4 | 6, bytes: Uint8Array, bits: number): number | null {
  if (bits < 0 || bits > 128) return null
  if (family === 6 && !isIpv4Mapped(bytes)) return bits
  // '::ffff:10.0.0.0/8' has always meant 10.0.0.0/8 here, so an IPv4-mapped address takes an
  // IPv4 prefix length as well as its IPv6 one ('::ffff:10.0.0.0/104').
  if (bits <= 32) return 96 + bits
  return family === 6 && bits >= 96 ? bits : null
}

/** One to three decimal digits, or -1: no signs, spaces, hex or empty prefix. */
function parsePrefixLength(text: string): number {
  if (text.length === 0 || text.length > 3) return -1
  let bits = 0
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30
    if (digit < 0 || digit > 9) return -1
    bits = bits * 10 + digit
  }
  return bits
}
