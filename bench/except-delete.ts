// The except-list delete on every store (issue 11): `deleteByUserKey(user)` against
// `deleteByUserKey(user, { except: [one of theirs] })` ("log out my other devices"), each call
// on a user no earlier call touched, five sessions each, among SESSIONS (100,000) stored
// sessions with meta. Sides alternate in rounds; medians per call. The SQLite and LMDB benches
// also compare it with raw statements; this puts the five stores side by side.
// Run: npm run bench:except   (STORES=memory,sqlite,lmdb,postgres,redis; ROUNDS (5); PER_ROUND
// (200); SESSIONS; REDIS_URL, DATABASE_URL)
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  dropShared,
  fillStore,
  type Kind,
  openStore,
  SESSIONS,
  sessionAt,
  sessionupModules,
  type Where,
} from './http-data.js'
import { compareSides, table, us, x } from './lib.js'
import { spread } from './realistic.js'

const STORES = (process.env.STORES ?? 'memory,sqlite,lmdb,postgres,redis').split(',') as Kind[]
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const PER_ROUND = Number(process.env.PER_ROUND ?? 200)
const PER_USER = 5
const users = SESSIONS / PER_USER
if (2 * ROUNDS * PER_ROUND > users) throw new Error('bench: more delete calls than users')

const m = await sessionupModules()
const run = randomBytes(4).toString('hex')
const where: Where = {
  dir: mkdtempSync(join(tmpdir(), 'sessionup-except-')),
  t0: Date.now(),
  table: `sessionup_except_${run}`,
  prefix: `sessionup-except-${run}:`,
}
const atUser = spread(users)
const keepOf = (u: number) => sessionAt(u * PER_USER, where.t0).id
const n = ROUNDS * PER_ROUND
// The id each `except` call keeps, worked out before the timing (it takes two SHA-256 hashes).
const keeps = Array.from({ length: n }, (_, i) => keepOf(atUser(n + i)))
const rows: string[][] = []
try {
  for (const kind of STORES) {
    const opened = openStore(m, kind, false, where)
    const { store } = opened
    await fillStore(store, where.t0)
    // Side `all` takes users 0…n-1 of the permutation, side `except` the next n, so no call
    // finds a user another call emptied; `except` keeps the user's first session.
    const times = await compareSides(ROUNDS, PER_ROUND, {
      all: (i: number) => store.deleteByUserKey(`user-${atUser(i)}`),
      except: (i: number) =>
        store.deleteByUserKey(`user-${atUser(n + i)}`, { except: [keeps[i] as string] }),
    })
    // Each side deleted what it was meant to: every session, or all but the one kept.
    for (let i = 0; i < n; i++) {
      const gone = await store.fetchByUserKey(`user-${atUser(i)}`)
      const u = atUser(n + i)
      const kept = (await store.fetchByUserKey(`user-${u}`)).map((r) => r.id)
      if (gone.length !== 0 || kept.length !== 1 || kept[0] !== keepOf(u)) {
        throw new Error(`${kind}: user ${u} kept ${kept.join(',')}; ${gone.length} left`)
      }
    }
    rows.push([kind, us(times.all), us(times.except), x(times.except / times.all)])
    await opened.close()
    console.error(`${kind}: done`)
  }
} finally {
  await dropShared(where, new Set(STORES))
  rmSync(where.dir, { recursive: true, force: true })
}
console.log(table(['store', 'all five, µs', 'all but one, µs', 'except / all'], rows))
console.log(
  `\n${SESSIONS.toLocaleString('en')} stored sessions, five per user, meta {role, tz, device}; ` +
    `${ROUNDS} alternating rounds of ${PER_ROUND} calls per side, medians; each call awaited.`,
)
