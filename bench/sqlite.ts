// SQLite store against raw better-sqlite3 doing the same work on the same file, on realistic
// data (bench/realistic.ts). Run: npm run bench:sqlite
//   SIZES=1000000 (default; comma-separated), ROUNDS=9, CLEANUP_ROUNDS=3, OPS=0 or CLEANUP=0 to skip
import type { SessionRecord } from '../src/index.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { cleanupTable } from './cleanup-rounds.js'
import { compareSides } from './lib.js'
import { opsTables, type Sides } from './ops-report.js'
import { freshRecord, HOUR, idOf, PER_USER, picks, userOf } from './realistic.js'
import { measureCleanup } from './sqlite-cleanup.js'
import { copyOf, floorOf, template } from './sqlite-data.js'

const SIZES = (process.env.SIZES ?? '1000000').split(',').map(Number)
const ROUNDS = Number(process.env.ROUNDS ?? 9)
const CLEANUP_ROUNDS = Number(process.env.CLEANUP_ROUNDS ?? 3)

async function measureOps(path: string, n: number): Promise<Record<string, Sides>> {
  const { db, close } = copyOf(path)
  const logged = new SQLiteStore(db, { cleanupInterval: 0 })
  const bare = new SQLiteStore(db, { cleanupInterval: 0, changeLog: false })
  const floor = floorOf(db)
  const { users, live, takeUsers } = picks(n)
  const reads = 2000
  const writes = Math.max(1, Math.min(300, Math.floor(users / (ROUNDS * 18))))
  const total = ROUNDS * writes
  const r: Record<string, Sides> = {}
  r['fetchById (hit)'] = await compareSides(ROUNDS, reads, {
    ours: (i) => logged.fetchById(idOf(live(i))),
    floor: (i) => floor.byIdMapped(idOf(live(i))),
    rows: (i) => floor.byIdRows(idOf(live(i))),
  })
  r['fetchById (miss)'] = await compareSides(ROUNDS, reads, {
    ours: (i) => logged.fetchById(idOf(n + i)),
    floor: (i) => floor.byIdMapped(idOf(n + i)),
    rows: (i) => floor.byIdRows(idOf(n + i)),
  })
  r.fetchByUserKey = await compareSides(ROUNDS, reads, {
    ours: (i) => logged.fetchByUserKey(userOf(live(i))),
    floor: (i) => floor.byUserMapped(userOf(live(i))),
    rows: (i) => floor.byUserRows(userOf(live(i))),
  })
  const fresh = (tag: string) => Array.from({ length: total }, (_, i) => freshRecord(tag, i))
  const created: Record<string, SessionRecord[]> = { ours: fresh('o'), floor: fresh('f') }
  r.create = await compareSides(ROUNDS, writes, {
    ours: (i) => logged.create(created.ours?.[i] as SessionRecord),
    floor: (i) => floor.create(created.floor?.[i] as SessionRecord),
  })
  // The manager's renewal: a later expiry and the activity time.
  const renewed = Date.now() + 2 * HOUR
  const touchOurs = takeUsers(total)
  const touchFloor = takeUsers(total)
  r['touch (renewal)'] = await compareSides(ROUNDS, writes, {
    ours: (i) =>
      logged.touch(idOf(touchOurs(i) * PER_USER), {
        expiresAt: new Date(renewed),
        lastActiveAt: new Date(),
      }),
    floor: (i) => floor.renew(idOf(touchFloor(i) * PER_USER), renewed, Date.now()),
  })
  // Each delete side gets users of its own: session 0 of each user is live.
  const deletes = (
    ours: (s: SQLiteStore, u: number) => unknown,
    kind: 'id' | 'user' | 'userExcept',
    args: (u: number) => unknown[],
  ) => {
    const [a, b, c, d] = [takeUsers(total), takeUsers(total), takeUsers(total), takeUsers(total)]
    return compareSides(ROUNDS, writes, {
      ours: (i) => ours(logged, a(i)),
      floor: (i) => floor.logged[kind](...args(b(i))),
      'ours, no log': (i) => ours(bare, c(i)),
      'floor, no log': (i) => floor.bare[kind](...args(d(i))),
    })
  }
  const first = (u: number) => idOf(u * PER_USER)
  const user = (u: number) => userOf(u * PER_USER)
  r.deleteById = await deletes(
    (s, u) => s.deleteById(first(u)),
    'id',
    (u) => [first(u)],
  )
  r.deleteByUserKey = await deletes(
    (s, u) => s.deleteByUserKey(user(u)),
    'user',
    (u) => [user(u)],
  )
  r['deleteByUserKey, except one'] = await deletes(
    (s, u) => s.deleteByUserKey(user(u), { except: [first(u)] }),
    'userExcept',
    (u) => [user(u), first(u)],
  )
  close()
  return r
}

const n$ = (v: number) => v.toLocaleString('en')
const lines: string[] = []
for (const n of SIZES) {
  console.error(`building ${n$(n)} sessions…`)
  const t = template(n)
  lines.push(`### ${n$(n)} sessions, ${ROUNDS} rounds`, '')
  if (process.env.OPS !== '0') {
    console.error('operations…')
    const r = await measureOps(t.path, n)
    lines.push(...opsTables(r))
  }
  if (process.env.CLEANUP !== '0') {
    console.error(`cleanup of ${n$(n / 10)} expired among ${n$(n)}…`)
    const c = await measureCleanup(t.path, CLEANUP_ROUNDS)
    lines.push(...cleanupTable(c, 'one raw DELETE'))
  }
  t.remove()
}
console.log(lines.join('\n'))
