// LMDB store against the floor: raw lmdb-js get/put/remove of the same keys and records.
// Run: npm run bench:lmdb   (SIZES=10000,100000 to pick sizes)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Database, type Key, open, type RootDatabaseOptions } from 'lmdb'
import { LMDBStore } from '../src/stores/lmdb.js'
import { toRecord } from '../src/stores/lmdb-layout.js'
import { sessionRecord } from '../src/testing/index.js'
import {
  cleanupRow,
  compare,
  type Pair,
  session,
  sizeReport,
  table,
  withLoopMonitor,
} from './lib.js'

const SIZES = (process.env.SIZES ?? '10000,100000,1000000').split(',').map(Number)
const PER_USER = 5
const HOUR = 3_600_000

function env(options: RootDatabaseOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-bench-lmdb-'))
  const root = open({ path: dir, ...options })
  const store = new LMDBStore(root, { bucket: 'sessions', cleanupInterval: 0 })
  const raw = root.openDB('sessions', {
    keyEncoding: 'ordered-binary',
    encoding: 'msgpack',
    cache: false,
  }) as Database<unknown, Key>
  return {
    root,
    store,
    raw,
    async remove() {
      await root.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

const HASH = 'x'.repeat(43)

/**
 * A v2 record as the store writes it (lmdb-layout.ts): [userKey, createdAt, expiresAt, ip, os,
 * browser, meta], then deadline, idleTimeout, persistent, lastActiveAt, authenticatedAt,
 * rotatedAt, secretHash, previousSecretHash, previousSecretExpiresAt, version.
 */
const record = (userKey: string, created: number, expires: number) => [
  userKey,
  created,
  expires,
  '192.0.2.1',
  'Linux',
  'Firefox',
  [],
  null,
  null,
  0,
  created,
  created,
  created,
  HASH,
  null,
  null,
  1,
]
// The same as the store's own encoding of that session, or the floor would write other bytes.
const expected = toRecord(
  sessionRecord({
    id: 'x',
    userKey: 'u',
    createdAt: new Date(1),
    expiresAt: new Date(2),
    ip: '192.0.2.1',
    agent: { os: 'Linux', browser: 'Firefox' },
    secretHash: HASH,
  }),
)
if (JSON.stringify(record('u', 1, 2)) !== JSON.stringify(expected)) {
  throw new Error('bench/lmdb.ts: record() no longer matches lmdb-layout.ts')
}

/** Writes n sessions (3 keys each) in transactions of 10,000. */
async function fill(raw: Database<unknown, Key>, n: number, expiredShare = 0, prefix = 's') {
  const now = Date.now()
  for (let start = 0; start < n; start += 10_000) {
    await raw.transaction(() => {
      for (let i = start; i < Math.min(n, start + 10_000); i++) {
        const id = `${prefix}-${i}`
        const user = `user-${Math.floor(i / PER_USER)}`
        const expires = i < n * expiredShare ? now - 1 : now + HOUR
        const r = record(user, now - 1000, expires)
        raw.put(['s', id], r)
        raw.put(['u', user, now - 1000, id], r)
        raw.put(['e', expires, id], true)
      }
    })
  }
}

/** The floor's create: the same three keys, raw puts committed together. */
function rawCreate(raw: Database<unknown, Key>, id: string, user: string) {
  const now = Date.now()
  const r = record(user, now, now + HOUR)
  return Promise.all([
    raw.put(['s', id], r),
    raw.put(['u', user, now, id], r),
    raw.put(['e', now + HOUR, id], true),
  ])
}

async function inFlight(count: number, make: (i: number) => Promise<unknown>) {
  const start = process.hrtime.bigint()
  await Promise.all(Array.from({ length: count }, (_, i) => make(i)))
  return Number(process.hrtime.bigint() - start) / count
}

async function measure(n: number) {
  const e = env()
  const { store, raw } = e
  await fill(raw, n)
  const users = Math.floor(n / PER_USER)
  const rnd = (i: number) => (i * 7919) % n
  const listed = await store.fetchByUserKey('user-1')
  if (listed.length !== PER_USER)
    throw new Error(`bench data is off: user-1 has ${listed.length} sessions`)
  const r: Record<string, Pair> = {}
  r['fetchById (hit)'] = await compare(
    7,
    4000,
    (i) => store.fetchById(`s-${rnd(i)}`),
    (i) => raw.get(['s', `s-${rnd(i)}`]),
  )
  r['fetchById (miss)'] = await compare(
    7,
    4000,
    (i) => store.fetchById(`none-${i}`),
    (i) => raw.get(['s', `none-${i}`]),
  )
  r.fetchByUserKey = await compare(
    7,
    2000,
    (i) => store.fetchByUserKey(`user-${rnd(i) % users}`),
    (i) => {
      const user = `user-${rnd(i) % users}`
      const out: unknown[] = []
      for (const { value } of raw.getRange({ start: ['u', user], end: ['u', user, ''] }))
        out.push(value)
      return out
    },
  )
  r['create (awaited one at a time)'] = await compare(
    5,
    100,
    (i) => store.create(session(`o-${i}`, `nu-${i}`)),
    (i) => rawCreate(raw, `f-${i}`, `nu-${i}`),
  )
  let round = 0
  r['create (64 in flight)'] = await compare(
    5,
    3,
    () => {
      round++
      return inFlight(64, (i) => store.create(session(`o64-${round}-${i}`, `nu-${i}`)))
    },
    () => {
      round++
      return inFlight(64, (i) => rawCreate(raw, `f64-${round}-${i}`, `nu-${i}`))
    },
  )
  // compare() timed whole batches of 64; per-create figures are the batch time / 64.
  const batch = r['create (64 in flight)']
  batch.oursNs /= 64
  batch.floorNs /= 64
  r.deleteById = await compare(
    5,
    100,
    (i) => store.deleteById(`o-${i}`),
    (i) => {
      const rec = raw.get(['s', `f-${i}`]) as [string, number, number] | undefined
      if (!rec) return
      return Promise.all([
        raw.remove(['s', `f-${i}`]),
        raw.remove(['u', rec[0], rec[1], `f-${i}`]),
        raw.remove(['e', rec[2], `f-${i}`]),
      ])
    },
  )
  r.deleteByUserKey = await compare(
    5,
    100,
    (i) => store.deleteByUserKey(`user-${i}`),
    (i) => {
      const user = `user-${users - 1 - i}`
      const removals: Promise<unknown>[] = []
      for (const { key, value } of [
        ...raw.getRange({ start: ['u', user], end: ['u', user, ''] }),
      ]) {
        const id = (key as Key[])[3] as string
        const rec = value as [string, number, number]
        removals.push(raw.remove(key), raw.remove(['s', id]), raw.remove(['e', rec[2], id]))
      }
      return Promise.all(removals)
    },
  )
  await e.remove()
  return r
}

/** 10% expired among n: ours in batches, the floor one transaction; then creates right after. */
async function measureCleanup(n: number) {
  const run = async (ours: boolean) => {
    const e = env()
    await fill(e.raw, n, 0.1)
    const now = Date.now()
    const m = await withLoopMonitor(() =>
      ours
        ? e.store.deleteExpired()
        : e.raw.transaction(() => {
            let count = 0
            for (const key of [...e.raw.getKeys({ start: ['e'], end: ['e', now + 1] })]) {
              const id = (key as Key[])[2] as string
              const rec = e.raw.get(['s', id]) as [string, number]
              e.raw.remove(key)
              e.raw.remove(['s', id])
              e.raw.remove(['u', rec[0], rec[1], id])
              count++
            }
            return count
          }),
    )
    const t = performance.now()
    for (let i = 0; i < 200; i++) await e.store.create(session(`after-${i}`, 'after'))
    const createAfterMs = (performance.now() - t) / 200
    await e.remove()
    return {
      deleted: Number(m.result),
      rowsPerSec: Number(m.result) / (m.ms / 1000),
      maxBlockMs: m.maxBlockMs,
      createAfterMs,
    }
  }
  const floor = await run(false)
  const ours = await run(true)
  return { ours, floor }
}

/** Create latency and throughput of the store under each lmdb-js write setting. */
async function measureSettings() {
  const settings: Array<[string, RootDatabaseOptions]> = [
    ['default (overlappingSync on Linux)', {}],
    ['overlappingSync: false', { overlappingSync: false }],
    ['commitDelay: 5', { commitDelay: 5 }],
    ['noSync: true', { noSync: true }],
  ]
  const rows: Array<Array<string | number>> = []
  for (const [label, options] of settings) {
    const e = env(options)
    await fill(e.raw, 100_000)
    const one = await inFlightSequential(200, (i) => e.store.create(session(`one-${i}`, 'u')))
    const many = await inFlight(6400, (i) => e.store.create(session(`many-${i}`, `u-${i % 100}`)))
    await e.remove()
    rows.push([label, (one / 1e6).toFixed(3), (many / 1e3).toFixed(1)])
  }
  return rows
}

async function inFlightSequential(count: number, make: (i: number) => Promise<unknown>) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < count; i++) await make(i)
  return Number(process.hrtime.bigint() - start) / count
}

const ops = [
  'fetchById (hit)',
  'fetchById (miss)',
  'fetchByUserKey',
  'create (awaited one at a time)',
  'create (64 in flight)',
  'deleteById',
  'deleteByUserKey',
]
const bySize: Record<number, Record<string, Pair>> = {}
for (const n of SIZES) {
  console.error(`measuring at ${n} sessions…`)
  bySize[n] = await measure(n)
}
const lines: string[] = []
lines.push(sizeReport(SIZES, ops, bySize))
const cleanupRows: Array<Array<string | number>> = []
for (const n of SIZES) {
  console.error(`cleanup of ${n / 10} expired among ${n}…`)
  const { ours, floor } = await measureCleanup(n)
  cleanupRows.push(
    cleanupRow(
      n,
      ours,
      floor,
      `${ours.createAfterMs.toFixed(2)} / ${floor.createAfterMs.toFixed(2)}`,
    ),
  )
}
lines.push(
  '',
  table(
    [
      'deleteExpired',
      'sessions/s ours / floor',
      'ours ÷ floor',
      'longest block ms ours / floor',
      'create right after, ms ours / floor',
    ],
    cleanupRows,
  ),
)
console.error('write settings at 100,000 sessions…')
lines.push(
  '',
  table(
    [
      'lmdb-js setting (100,000 stored)',
      'create awaited one at a time, ms',
      'create with 6,400 in flight, µs each',
    ],
    await measureSettings(),
  ),
)
console.log(lines.join('\n'))
