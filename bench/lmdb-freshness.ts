// What a fresh read snapshot costs: raw lmdb-js gets of the store's record keys, as they are
// (a snapshot lmdb-js reuses until a timer renews it) against the ways to make each read see
// every commit of every process. Rounds alternate between the variants; medians are reported.
// Run: npx tsx bench/lmdb-freshness.ts   (READS=1000000 KEYS=100000 ROUNDS=7 to change)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Database, type Key, open } from 'lmdb'
import { LMDBStore } from '../src/stores/lmdb.js'
import { table, us, x } from './lib.js'

const READS = Number(process.env.READS ?? 1_000_000)
const KEYS = Number(process.env.KEYS ?? 100_000)
const ROUNDS = Number(process.env.ROUNDS ?? 7)
const CHUNK = 1_000 // reads between event-loop turns, as requests would come

const dir = mkdtempSync(join(tmpdir(), 'sessionup-bench-fresh-'))
const root = open({ path: dir })
const store = new LMDBStore(root, { bucket: 'sessions', cleanupInterval: 0 })
const db = root.openDB('sessions', {
  keyEncoding: 'ordered-binary',
  encoding: 'msgpack',
  cache: false,
}) as Database<unknown, Key>
const now = Date.now()
for (let start = 0; start < KEYS; start += 10_000) {
  await db.transaction(() => {
    for (let i = start; i < Math.min(KEYS, start + 10_000); i++)
      db.put(['s', `s-${i}`], [`user-${i}`, now, now + 3_600_000, null, 'Linux', 'Firefox', []])
  })
}

const env = (root as unknown as { env: { info(): { lastTxnId: number } } }).env
let seen = -1
const key = (i: number) => ['s', `s-${(i * 7919) % KEYS}`]
const variants: Record<string, (i: number) => unknown> = {
  'get (reused snapshot, stale)': (i) => db.get(key(i)),
  'resetReadTxn() + get': (i) => {
    db.resetReadTxn()
    return db.get(key(i))
  },
  'env.info() txn id check + get': (i) => {
    const last = env.info().lastTxnId
    if (last !== seen) {
      seen = last
      db.resetReadTxn()
    }
    return db.get(key(i))
  },
  'store.fetchById': (i) => store.fetchById(`s-${(i * 7919) % KEYS}`),
}

const turn = () => new Promise((resolve) => setImmediate(resolve))
async function time(read: (i: number) => unknown): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < READS; i += CHUNK) {
    for (let j = i; j < i + CHUNK; j++) {
      const value = read(j)
      if (value instanceof Promise) await value
    }
    await turn() // lets lmdb-js's renewal timers fire, inside the timed span
  }
  return Number(process.hrtime.bigint() - start) / READS
}

const samples: Record<string, number[]> = {}
for (const name of Object.keys(variants)) samples[name] = []
for (let r = 0; r < ROUNDS; r++) {
  const names = Object.keys(variants)
  if (r % 2) names.reverse()
  for (const name of names)
    samples[name]?.push(await time(variants[name] as (i: number) => unknown))
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0
const base = median(samples['get (reused snapshot, stale)'] ?? [])
console.log(
  `${READS} reads of ${KEYS} keys, ${ROUNDS} alternating rounds, median ns per read (node ${process.version})\n`,
)
console.log(
  table(
    ['variant', 'µs / read', 'vs stale get', 'min–max µs'],
    Object.entries(samples).map(([name, v]) => [
      name,
      us(median(v)),
      x(median(v) / base),
      `${us(Math.min(...v))}–${us(Math.max(...v))}`,
    ]),
  ),
)
await root.close()
rmSync(dir, { recursive: true, force: true })
