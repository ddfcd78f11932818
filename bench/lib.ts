import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { SessionRecord } from '../src/index.js'
import { sessionRecord } from '../src/testing/index.js'

/** Nanoseconds per call of `fn`, over `n` calls. */
export async function timeAsync(n: number, fn: (i: number) => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await fn(i)
  return Number(process.hrtime.bigint() - start) / n
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

export interface Pair {
  oursNs: number
  floorNs: number
  ratio: number
}

/**
 * Times ours against the floor in alternating rounds (so drift hits both alike) and returns
 * the median per-call time of each. `offset` gives each round fresh inputs.
 */
export async function compare(
  rounds: number,
  perRound: number,
  ours: (i: number) => unknown,
  floor: (i: number) => unknown,
): Promise<Pair> {
  const o: number[] = []
  const f: number[] = []
  for (let r = 0; r < rounds; r++) {
    f.push(await timeAsync(perRound, (i) => floor(r * perRound + i)))
    o.push(await timeAsync(perRound, (i) => ours(r * perRound + i)))
  }
  const oursNs = median(o)
  const floorNs = median(f)
  return { oursNs, floorNs, ratio: oursNs / floorNs }
}

/**
 * Times several sides doing the same work in alternating rounds (the order rotating from round
 * to round, so no side always runs first) and returns each side's median per-call time in ns.
 * Each side is called with indices 0…rounds·perRound-1, once each.
 */
export async function compareSides<K extends string>(
  rounds: number,
  perRound: number,
  sides: Record<K, (i: number) => unknown>,
): Promise<Record<K, number>> {
  const names = Object.keys(sides) as K[]
  const times = new Map<K, number[]>(names.map((k) => [k, []]))
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < names.length; s++) {
      const name = names[(r + s) % names.length] as K
      const fn = sides[name]
      times.get(name)?.push(await timeAsync(perRound, (i) => fn(r * perRound + i)))
    }
  }
  return Object.fromEntries(names.map((k) => [k, median(times.get(k) ?? [])])) as Record<K, number>
}

/** Runs `fn` and reports its duration and the event loop's longest stall meanwhile. */
export async function withLoopMonitor<T>(
  fn: () => Promise<T> | T,
): Promise<{ result: T; ms: number; maxBlockMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  // A 1 ms interval keeps timers due, so a long synchronous block shows up as delay.
  const ticker = setInterval(() => {}, 1)
  // Let the monitor take its first samples first: a block before them goes unseen (and a
  // reset() drops the next sample, which would be the block's), so warm up without reset.
  await new Promise((r) => setTimeout(r, 50))
  const start = performance.now()
  const result = await fn()
  const ms = performance.now() - start
  await new Promise((r) => setTimeout(r, 5))
  clearInterval(ticker)
  histogram.disable()
  return { result, ms, maxBlockMs: histogram.max / 1e6 }
}

export const us = (ns: number) => (ns / 1000).toFixed(1)
export const x = (ratio: number) => `${ratio.toFixed(2)}×`

export function table(header: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** A session for the benchmarks: created now, an hour to live, typical ip and agent. */
export function session(id: string, userKey: string): SessionRecord {
  return sessionRecord({
    id,
    userKey,
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 3_600_000),
    ip: '192.0.2.1',
    agent: { os: 'Linux', browser: 'Firefox' },
  })
}

/**
 * Copies a file in 4 KiB writes, as SQLite and LMDB write their pages, and flushes it. (A bulk
 * copy makes the kernel cache the new file in large folios — Linux 6.18 here — so that every
 * 4 KiB page the database later dirties writes back a whole folio: up to 50× the I/O of the same
 * file written by the database. And without the flush the first checkpoint or commit would
 * write back the whole copy.)
 */
export function copyFile(from: string, to: string): void {
  const src = openSync(from, 'r')
  const dst = openSync(to, 'w')
  const buf = Buffer.alloc(4096)
  for (let n = readSync(src, buf); n > 0; n = readSync(src, buf)) writeSync(dst, buf, 0, n)
  fsyncSync(dst)
  closeSync(src)
  closeSync(dst)
}
