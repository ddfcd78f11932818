/**
 * How long `readCookie` takes on hostile and on ordinary Cookie headers.
 *
 *   npx tsx bench/cookie.ts
 *
 * A header of nothing but ';' is the worst case for a parser that looks for '=' past the end of
 * each segment: the time grows with the square of the length. A linear parser takes about four
 * times as long for four times the bytes.
 */
import { readCookie } from '../src/cookie.js'

const NAME = '__Host-sessionup'

/** Median milliseconds of `runs` calls of `fn`. */
function medianMs(runs: number, fn: () => unknown): number {
  const times: number[] = []
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint()
    fn()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)] ?? Number.NaN
}

/** Nanoseconds per call over `n` calls. */
function nsPerCall(n: number, fn: () => unknown): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) fn()
  return Number(process.hrtime.bigint() - start) / n
}

const hostile = [
  ['64 KiB of ";"', ';'.repeat(64 * 1024)],
  ['256 KiB of ";"', ';'.repeat(256 * 1024)],
] as const
const results = hostile.map(([label, header]) => {
  readCookie(header, NAME) // warm up
  return { label, ms: medianMs(21, () => readCookie(header, NAME)) }
})
for (const { label, ms } of results) console.log(`${label.padEnd(16)} ${ms.toFixed(2)} ms`)
const [small, large] = results
if (small && large) {
  console.log(`256 KiB / 64 KiB: ${(large.ms / small.ms).toFixed(1)}× (linear ≈ 4×)`)
}

const typical = `_ga=GA1.2.123456789.1700000000; theme=dark; lang=en-GB; ${NAME}=${'x'.repeat(43)}; _gid=GA1.2.987654321.1700000000`
const missing = 'theme=dark; lang=en-GB; _ga=GA1.2.123456789.1700000000'
for (let i = 0; i < 100_000; i++) readCookie(typical, NAME) // warm up
console.log(
  `typical header, match   ${nsPerCall(1_000_000, () => readCookie(typical, NAME)).toFixed(0)} ns/call`,
)
console.log(
  `typical header, no match ${nsPerCall(1_000_000, () => readCookie(missing, NAME)).toFixed(0)} ns/call`,
)
