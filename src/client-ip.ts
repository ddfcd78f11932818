import { BlockList, isIP } from 'node:net'
import { InvalidOptionError } from './errors.js'

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

/** Canonical text of an IP address: IPv4-mapped IPv6 as IPv4, IPv6 compressed and lower-case. */
export function normalizeIp(raw: string | undefined | null): string | null {
  if (!raw) return null
  let ip = raw.trim()
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1)
  const family = isIP(ip)
  if (family === 4) return ip
  if (family !== 6) return null
  const lower = ip.toLowerCase()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  if (mapped?.[1] && isIP(mapped[1]) === 4) return mapped[1]
  // The WHATWG URL parser prints IPv6 hosts in their one canonical form.
  return new URL(`http://[${lower}]`).hostname.slice(1, -1)
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
  return trustedListResolver(buildBlockList(trustProxy))
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

function trustedListResolver(trusted: BlockList): ClientIpResolver {
  return (remote, forwardedFor) => {
    const chain = chainOf(remote, forwardedFor)
    for (let i = chain.length - 1; i >= 0; i--) {
      const ip = normalizeIp(chain[i])
      // An unparsable hop means the chain cannot be trusted past this point.
      if (ip === null) return null
      if (i === 0 || !trusted.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')) return ip
    }
    return null
  }
}

function buildBlockList(entries: readonly string[]): BlockList {
  const list = new BlockList()
  for (const entry of entries) {
    if (typeof entry !== 'string') {
      throw new InvalidOptionError('trustProxy', 'every entry must be an address or CIDR string')
    }
    const [address, prefix, extra] = entry.split('/')
    const ip = normalizeIp(address)
    const family = ip === null ? 0 : isIP(ip)
    const bits = prefix === undefined ? undefined : Number(prefix)
    const maxBits = family === 6 ? 128 : 32
    if (
      ip === null ||
      extra !== undefined ||
      (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > maxBits))
    ) {
      throw new InvalidOptionError('trustProxy', `"${entry}" is not an IP address or CIDR range`)
    }
    const type = family === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(ip, type)
    else list.addSubnet(ip, bits, type)
  }
  return list
}
