/**
 * IP addresses as bytes, in plain TypeScript so the core needs no `node:net`: parsing IPv4
 * dotted quads and the RFC 4291 IPv6 text forms, printing RFC 5952 text, and prefix matching.
 * Every address is held as 16 bytes, IPv4 as IPv4-mapped IPv6 (`::ffff:a.b.c.d`), so one
 * comparison serves both families. Nothing here throws; text that is not an address gives 0.
 */

/** How an address was written: 4 for IPv4, 6 for IPv6, 0 for not an address. */
export type IpFamily = 0 | 4 | 6

/** An address range: a 16-byte address and how many leading bits must match it. */
export interface IpRange {
  bytes: Uint8Array
  bits: number
}

const COLON = 0x3a
const DOT = 0x2e
const ZERO = 0x30

/**
 * Reads an address into `out` (16 bytes, reusable: every byte is written on success; IPv4 lands
 * as `::ffff:a.b.c.d`) and says how it was written. Strict: no brackets, spaces, zone ids (`%eth0`), ports, or leading zeros
 * in IPv4 parts (`1.2.3.04` could be read as octal).
 */
export function readIp(text: string, out: Uint8Array): IpFamily {
  if (text.includes(':')) return readIpv6(text, out) ? 6 : 0
  if (!readIpv4(text, 0, out, 12)) return 0
  for (let i = 0; i < 10; i++) out[i] = 0
  out[10] = 0xff
  out[11] = 0xff
  return 4
}

/** Whether the 16 bytes hold an IPv4 address (`::ffff:0:0/96`). */
export function isIpv4Mapped(bytes: Uint8Array): boolean {
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return false
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false
  return true
}

/** Canonical text of 16 bytes: IPv4 (also when written as IPv6) dotted, others RFC 5952. */
export function formatIp(bytes: Uint8Array): string {
  if (isIpv4Mapped(bytes)) {
    return `${byte(bytes, 12)}.${byte(bytes, 13)}.${byte(bytes, 14)}.${byte(bytes, 15)}`
  }
  const gap = longestZeroRun(bytes)
  const gapEnd = gap === -1 ? -1 : gap + zeroRunAt(bytes, gap)
  let text = ''
  for (let g = 0; g < 8; g++) {
    if (g === gap) {
      text += '::'
      g = gapEnd - 1
      continue
    }
    if (g > 0 && g !== gapEnd) text += ':'
    text += word(bytes, g).toString(16)
  }
  return text
}

/** Whether the 16-byte address lies in the range. */
export function inRange(address: Uint8Array, range: IpRange): boolean {
  const whole = range.bits >> 3
  for (let i = 0; i < whole; i++) if (address[i] !== range.bytes[i]) return false
  const rest = range.bits & 7
  if (rest === 0) return true
  const mask = (0xff00 >> rest) & 0xff
  return ((byte(address, whole) ^ byte(range.bytes, whole)) & mask) === 0
}

/** Reads four decimal parts from `text[start]` to its end into `out[at…at+3]`. */
function readIpv4(text: string, start: number, out: Uint8Array, at: number): boolean {
  let i = start
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (codeAt(text, i) !== DOT) return false
      i++
    }
    const first = i
    let value = 0
    while (i - first < 4) {
      const digit = codeAt(text, i) - ZERO
      if (digit < 0 || digit > 9) break
      value = value * 10 + digit
      i++
    }
    const length = i - first
    const leadingZero = length > 1 && codeAt(text, first) === ZERO
    if (length === 0 || value > 255 || leadingZero) return false
    out[at + part] = value
  }
  return i === text.length
}

/** Reads up to eight ':'-separated groups, one '::' and an IPv4 tail into `out`. */
function readIpv6(text: string, out: Uint8Array): boolean {
  let groups = 0
  let gap = -1
  let i = 0
  if (codeAt(text, 0) === COLON) {
    if (codeAt(text, 1) !== COLON) return false
    gap = 0
    i = 2
  }
  while (i < text.length) {
    if (groups === 8) return false
    const first = i
    let value = 0
    // One digit more than a group may hold, to tell '12345' from '1234'.
    while (i - first < 5) {
      const digit = hexValue(codeAt(text, i))
      if (digit === -1) break
      value = value * 16 + digit
      i++
    }
    if (codeAt(text, i) === DOT) {
      // The last 32 bits may be written as IPv4, and nothing may follow them.
      if (groups > 6 || !readIpv4(text, first, out, groups * 2)) return false
      groups += 2
      break
    }
    if (i === first || i - first > 4) return false
    out[groups * 2] = value >> 8
    out[groups * 2 + 1] = value & 0xff
    groups++
    if (i === text.length) break
    if (codeAt(text, i) !== COLON || i + 1 === text.length) return false
    i++
    if (codeAt(text, i) === COLON) {
      if (gap !== -1) return false
      gap = groups
      i++
    }
  }
  return gap === -1 ? groups === 8 : groups < 8 && expandGap(out, gap, groups)
}

/** Moves the groups after '::' to the end and zero-fills the gap they leave. */
function expandGap(out: Uint8Array, gap: number, groups: number): boolean {
  // Plain loops: for 16 bytes, copyWithin and fill cost more than they save.
  const shift = 16 - groups * 2
  for (let i = 15; i >= gap * 2 + shift; i--) out[i] = out[i - shift] ?? 0
  for (let i = gap * 2; i < gap * 2 + shift; i++) out[i] = 0
  return true
}

/** Where the first longest run of two or more zero groups starts, or -1 (RFC 5952 §4.2). */
function longestZeroRun(bytes: Uint8Array): number {
  let start = -1
  let longest = 1
  for (let g = 0; g < 8; ) {
    const run = zeroRunAt(bytes, g)
    if (run > longest) {
      start = g
      longest = run
    }
    g += run || 1
  }
  return start
}

function zeroRunAt(bytes: Uint8Array, group: number): number {
  let run = 0
  while (group + run < 8 && word(bytes, group + run) === 0) run++
  return run
}

function word(bytes: Uint8Array, group: number): number {
  return (byte(bytes, group * 2) << 8) | byte(bytes, group * 2 + 1)
}

function byte(bytes: Uint8Array, i: number): number {
  return bytes[i] ?? 0
}

/** The character code at `i`, or -1 past the end (reading past the end is slow in V8). */
function codeAt(text: string, i: number): number {
  return i < text.length ? text.charCodeAt(i) : -1
}

function hexValue(code: number): number {
  if (code >= ZERO && code <= 0x39) return code - ZERO
  const lower = code | 0x20 // ASCII: 'A'–'F' become 'a'–'f'
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1
}
