import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
// Node's own parsers are the oracle here; the code under test must not use them.
import { BlockList, isIP } from 'node:net'
import { describe, it } from 'node:test'
import { createClientIpResolver } from '../src/client-ip.js'
import { InvalidOptionError, normalizeIp, type TrustProxy } from '../src/index.js'

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n)
  }
}

const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/

/** What normalizeIp must return, by Node's isIP and the WHATWG URL printer (RFC 5952). */
function expectedIp(raw: string): string | null {
  let ip = raw.trim()
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1)
  if (ip.includes('%')) return null // Node accepts zone ids; we do not.
  const family = isIP(ip)
  if (family !== 6) return family === 4 ? ip : null
  const printed = new URL(`http://[${ip}]`).hostname.slice(1, -1)
  const mapped = MAPPED_HEX.exec(printed)
  if (!mapped) return printed
  const high = Number.parseInt(mapped[1] ?? '', 16)
  const low = Number.parseInt(mapped[2] ?? '', 16)
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`
}

const pick = <T>(random: (n: number) => number, list: readonly T[]): T =>
  list[random(list.length)] as T

/** Address-shaped text: mostly valid IPv4 and IPv6 in all spellings, with some near misses. */
function addressLike(random: (n: number) => number): string {
  const odd = (list: string[], usual: () => string) => () =>
    random(10) === 0 ? pick(random, list) : usual()
  const octet = odd(['256', '01', '00', '1000', ''], () => `${random(256)}`)
  const quad = () => Array.from({ length: random(10) === 0 ? 3 : 4 }, octet).join('.')
  if (random(4) === 0) return quad()
  const hex = () => random(65536).toString(16).padStart(random(5), '0')
  const group = odd(['00000', '', 'g', '12345'], () => (random(2) === 0 ? '0' : hex()))
  const groups = Array.from({ length: 7 + random(3) }, group)
  if (random(3) === 0) groups.splice(-2, 2, quad())
  if (random(2) === 0) {
    const at = random(groups.length)
    groups.splice(at, 1 + random(groups.length - at), '')
  }
  let text = groups.join(':')
  if (text.startsWith(':') || text === '') text = `:${text}`
  if (text.endsWith(':')) text = `${text}:`
  if (random(4) === 0) text = text.toUpperCase()
  return pick(random, [text, text, text, `[${text}]`, ` ${text} `, `${text}%eth0`, `${text}:80`])
}

/** Any text: characters that matter to the parser, and every other UTF-16 code unit too. */
function noise(random: (n: number) => number): string {
  const alphabet = '0123456789abcdefABCDEFgx:.%[]/ \t'
  let text = ''
  for (let i = random(48); i > 0; i--) {
    text +=
      random(10) === 0
        ? String.fromCharCode(random(65536))
        : (alphabet[random(alphabet.length)] ?? '')
  }
  return text
}

describe('client IP', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    const resolve = createClientIpResolver(false)
    assert.equal(resolve('10.0.0.2', '1.2.3.4'), '10.0.0.2')
  })

  it('with a hop count, takes that many addresses from the right', () => {
    const one = createClientIpResolver(1)
    assert.equal(one('10.0.0.2', 'spoofed, 203.0.113.9'), '203.0.113.9')
    assert.equal(one('10.0.0.2', undefined), '10.0.0.2', 'no header: the socket')
    const two = createClientIpResolver(2)
    assert.equal(two('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.1'), '203.0.113.9')
    assert.equal(createClientIpResolver(0)('10.0.0.2', '1.1.1.1'), '10.0.0.2')
  })

  it('with a list, takes the rightmost address that is not a trusted proxy', () => {
    const resolve = createClientIpResolver(['10.0.0.0/8', '::1'])
    assert.equal(resolve('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.1.2.3'), '203.0.113.9')
    assert.equal(resolve('::1', '203.0.113.9'), '203.0.113.9')
    assert.equal(resolve('198.51.100.1', '203.0.113.9'), '198.51.100.1', 'untrusted peer')
    assert.equal(resolve('10.0.0.2', '10.0.0.3'), '10.0.0.3', 'all trusted: the leftmost')
    assert.equal(resolve('10.0.0.2', 'garbage, 10.0.0.3'), null, 'unparsable hop: unknown')
  })

  it('normalizes IPv4-mapped IPv6 and IPv6 spellings', () => {
    assert.equal(normalizeIp('::ffff:192.0.2.1'), '192.0.2.1')
    assert.equal(normalizeIp('[2001:DB8:0:0::1]'), '2001:db8::1')
    assert.equal(normalizeIp('not an ip'), null)
    const resolve = createClientIpResolver(['192.0.2.1'])
    assert.equal(resolve('::ffff:192.0.2.1', '203.0.113.9'), '203.0.113.9')
  })

  it('treats a zone id as unknown instead of throwing', () => {
    assert.equal(normalizeIp('fe80::1%eth0'), null)
    assert.equal(createClientIpResolver(1)('10.0.0.2', 'fe80::1%eth0'), null)
    assert.equal(createClientIpResolver(['10.0.0.0/8'])('10.0.0.2', 'fe80::1%eth0'), null)
    assert.equal(createClientIpResolver(false)('fe80::1%25eth0', undefined), null)
  })

  it('prints RFC 5952 text, and IPv4-mapped addresses in either spelling as IPv4', () => {
    const cases: Array<[string, string | null]> = [
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['::ffff:1.2.3.4', '1.2.3.4'],
      ['::ffff:102:304', '1.2.3.4'],
      ['::FFFF:0102:0304', '1.2.3.4'],
      ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
      ['::ffff:0:0', '0.0.0.0'],
      ['::ffff', '::ffff'],
      ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
      ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
      ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
      ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      ['::1:2:3:4:5:6:7', '0:1:2:3:4:5:6:7'],
      ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
      [' [::1]\t', '::1'],
      ['0.0.0.0', '0.0.0.0'],
      ['255.255.255.255', '255.255.255.255'],
    ]
    const invalid =
      `1.2.3.04 256.1.1.1 1.2.3 1.2.3.4.5 1.2.3.4:80 [::1]:443 ::ffff:1.2.3.04 0x1.2.3.4
      1:2:3:4:5:6:7:8:9 1:2:3:4:5:6::1.2.3.4 1:2:3:4:5:6:7:1.2.3.4 ::1:2:3:4:5:6:7:8 1::2::3 :1::
      1:::2 1: 12345:: [::1 [] ０.1.2.3`.split(/\s+/)
    for (const input of [...invalid, '', ' ']) cases.push([input, null])
    for (const [input, output] of cases) {
      assert.equal(normalizeIp(input), output, JSON.stringify(input))
      assert.equal(expectedIp(input), output, `the oracle, on ${JSON.stringify(input)}`)
    }
  })

  it("agrees with Node's isIP and the URL parser on random address-like text", () => {
    const seed = 5952
    const random = seededRandom(seed)
    let valid = 0
    for (let round = 0; round < 50_000; round++) {
      const text = random(5) === 0 ? noise(random) : addressLike(random)
      const expected = expectedIp(text)
      if (expected !== null) valid++
      assert.equal(normalizeIp(text), expected, `seed ${seed}/${round}: ${JSON.stringify(text)}`)
    }
    assert.ok(valid > 10_000, `only ${valid} valid addresses were tried`)
  })

  it('never throws, whatever the text', () => {
    const random = seededRandom(1)
    const inputs = [
      ...Array.from({ length: 5_000 }, () =>
        random(2) === 0 ? noise(random) : addressLike(random),
      ),
      ...['a', ':', '::', '1:', '1.', '0', '[', ']', '%', ' ', ',', '\uffff'].map((unit) =>
        unit.repeat(100_000),
      ),
    ]
    const settings: TrustProxy[] = [false, 1, 3, ['10.0.0.0/8', '::/0']]
    const resolvers = settings.map(createClientIpResolver)
    for (const text of inputs) {
      assert.equal(normalizeIp(text), expectedIp(text), JSON.stringify(text.slice(0, 40)))
      for (const resolve of resolvers) {
        resolve(text, text)
        resolve('10.0.0.1', `${text}, 10.0.0.2`)
      }
    }
  })

  it("matches trusted ranges as Node's BlockList does, IPv4 inside IPv6 included", () => {
    const random = seededRandom(96)
    for (let round = 0; round < 3_000; round++) {
      const [entry, oracle] = randomRange(random)
      const resolve = createClientIpResolver([entry])
      for (let probe = 0; probe < 20; probe++) {
        const peer = nearbyAddress(random, entry)
        const ip = expectedIp(peer)
        if (ip === null) continue
        const trusted = oracle.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4')
        const expected = trusted ? '203.0.113.9' : ip
        assert.equal(resolve(peer, '203.0.113.9'), expected, `${entry} ∋ ${peer}?`)
      }
    }
  })

  it('rejects a trustProxy entry that is not an address or range, naming the option', () => {
    const bad = ['', '10.0.0.0/', '10.0.0.0/ 8', '10.0.0.0/0x8', '10.0.0.0/8/8', '1.2.3.4/33']
    bad.push('::/129', '::ffff:1.2.3.4/64', 'fe80::1%eth0', '1.2.3.04', '10.0.0.0/-1', 'garbage')
    for (const entry of bad) {
      assert.throws(
        () => createClientIpResolver([entry]),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.option === 'trustProxy' &&
          error.message.includes(`"${entry}" is not an IP address or CIDR range`),
        JSON.stringify(entry),
      )
    }
    assert.throws(() => createClientIpResolver([42 as unknown as string]), /every entry must be/)
  })

  it('reads a mapped entry with an IPv4 or an IPv6 prefix length as the same range', () => {
    for (const entry of ['::ffff:10.0.0.0/8', '::ffff:a00:0/104', '[::ffff:10.0.0.0]/104']) {
      const resolve = createClientIpResolver([entry])
      assert.equal(resolve('10.9.9.9', '203.0.113.9'), '203.0.113.9', entry)
      assert.equal(resolve('::ffff:10.9.9.9', '203.0.113.9'), '203.0.113.9', entry)
      assert.equal(resolve('11.0.0.1', '203.0.113.9'), '11.0.0.1', entry)
    }
  })

  it('uses no node: modules, so it runs on any runtime', () => {
    for (const file of ['../src/client-ip.ts', '../src/ip.ts']) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8')
      assert.doesNotMatch(source, /from '(node:|net'|fs')/, file)
    }
  })
})

/** A random CIDR entry and the BlockList the old code built from it. */
function randomRange(random: (n: number) => number): [string, BlockList] {
  const list = new BlockList()
  const v4 = `${random(256)}.${random(256)}.${random(4) * 64}.0`
  const style = random(3)
  if (style === 0) {
    const bits = random(33)
    list.addSubnet(v4, bits, 'ipv4')
    return [`${v4}/${bits}`, list]
  }
  if (style === 1) {
    // The IPv6 spelling of an IPv4 range, with an IPv6 prefix length.
    const bits = 96 + random(33)
    list.addSubnet(`::ffff:${v4}`, bits, 'ipv6')
    return [`::ffff:${v4}/${bits}`, list]
  }
  // Mostly zero words, so IPv4 addresses (as ::ffff:a.b.c.d) often fall in short prefixes.
  const words = Array.from({ length: 8 }, () => (random(3) === 0 ? random(65536) : 0).toString(16))
  const v6 = words.join(':')
  const bits = random(129)
  list.addSubnet(v6, bits, 'ipv6')
  return [`${v6}/${bits}`, list]
}

/** An address that often shares a prefix with `entry`, in IPv4, mapped or plain IPv6 form. */
function nearbyAddress(random: (n: number) => number, entry: string): string {
  const base = entry.split('/')[0] ?? ''
  const v4 = `${random(3) === 0 ? random(256) : 10}.${random(256)}.${random(256)}.${random(256)}`
  if (random(3) === 0) return pick(random, [v4, `::ffff:${v4}`, `[::ffff:${v4}]`])
  if (base.includes('.')) {
    const near = base.replace(/^(::ffff:)?(\d+\.\d+\.)\d+\.0$/, `$2${random(256)}.${random(256)}`)
    return random(2) === 0 ? near : `::ffff:${near}`
  }
  const words = base.split(':')
  const at = random(words.length)
  words[at] = random(2) === 0 ? random(65536).toString(16) : '0'
  return words.join(':')
}
