// LMDB store against raw lmdb-js doing the same work, in the same transaction pattern, on the
// same environment, on realistic data (bench/realistic.ts). Run: npm run bench:lmdb
//   SIZES=1000000 (default; comma-separated), ROUNDS=9, CLEANUP_ROUNDS=3,
//   OPS=0, CLEANUP=0 or SETTINGS=0 to skip a part
import type { SessionRecord } from '../src/index.js'
import type { LMDBStore } from '../src/stores/lmdb.js'
import { cleanupTable } from './cleanup-rounds.js'
import { compareSides } from './lib.js'
import { measureCleanup } from './lmdb-cleanup.js'
import { copyOf, template } from './lmdb-data.js'
import { floorOf } from './lmdb-floor.js'
import { checkFloors } from './lmdb-guard.js'
import { n$, opsTables, type Sides, settingsTable } from './lmdb-report.js'
import { measureSettings } from './lmdb-settings.js'
import { freshRecord, HOUR, idOf, PER_USER, picks, userOf } from './realistic.js'

const SIZES = (process.env.SIZES ?? '1000000').split(',').map(Number)
const ROUNDS = Number(process.env.ROUNDS ?? 9)
const CLEANUP_ROUNDS = Number(process.env.CLEANUP_ROUNDS ?? 3)
/** Creates per batch in the in-flight create rounds. */
const IN_FLIGHT = 64
/** Blocks of users the writes take: two for touch, four sides for each of three deletes. */
const USER_BLOCKS = 2 + 4 * 3

async function measureOps(path: string, n: number): Promise<Record<string, Sides>> {
  const e = copyOf(path)
  const logged = e.store()
  const bare = e.store(false)
  const floor = floorOf(e.root, e.db)
  const { users, live, takeUsers } = picks(n)
  const reads = 2000
  const writes = Math.max(1, Math.min(300, Math.floor(users / (ROUNDS * USER_BLOCKS))))
  const total = ROUNDS * writes
  // Ids are hashes: made before the rounds, so that no side's time includes them.
  const all = (count: number, f: (i: number) => string) =>
    Array.from({ length: count }, (_, i) => f(i))
  const at = (list: string[]) => (i: number) => list[i] as string
  const hit = at(all(ROUNDS * reads, (i) => idOf(live(i))))
  const miss = at(all(ROUNDS * reads, (i) => idOf(n + i)))
  const owner = at(all(ROUNDS * reads, (i) => userOf(live(i))))
  // Reads repeat: one discarded round first, so that no side's first round is also its JIT's.
  const readRounds = async (sides: Record<string, (i: number) => unknown>) => {
    await compareSides(1, reads, sides)
    return compareSides(ROUNDS, reads, sides)
  }
  const r: Record<string, Sides> = {}
  r['fetchById (hit)'] = await readRounds({
    ours: (i) => logged.fetchById(hit(i)),
    floor: (i) => floor.byIdMapped(hit(i)),
    rows: (i) => floor.byIdRows(hit(i)),
    fresh: (i) => floor.byIdFresh(hit(i)),
  })
  r['fetchById (miss)'] = await readRounds({
    ours: (i) => logged.fetchById(miss(i)),
    floor: (i) => floor.byIdMapped(miss(i)),
    rows: (i) => floor.byIdRows(miss(i)),
    fresh: (i) => floor.byIdFresh(miss(i)),
  })
  r.fetchByUserKey = await readRounds({
    ours: (i) => logged.fetchByUserKey(owner(i)),
    floor: (i) => floor.byUserMapped(owner(i)),
    rows: (i) => floor.byUserRows(owner(i)),
    fresh: (i) => floor.byUserMapped(owner(i), true),
  })
  const fresh = (tag: string, count = total) =>
    Array.from({ length: count }, (_, i) => freshRecord(tag, i))
  const created: Record<string, SessionRecord[]> = { ours: fresh('o'), floor: fresh('f') }
  r['create (awaited one at a time)'] = await compareSides(ROUNDS, writes, {
    ours: (i) => logged.create(created.ours?.[i] as SessionRecord),
    floor: (i) => floor.create(created.floor?.[i] as SessionRecord),
  })
  const batches = Math.max(3, Math.ceil(writes / IN_FLIGHT))
  const batch = (list: SessionRecord[], i: number) => list.slice(i * IN_FLIGHT, (i + 1) * IN_FLIGHT)
  const flying = {
    ours: fresh('o64', ROUNDS * batches * IN_FLIGHT),
    floor: fresh('f64', ROUNDS * batches * IN_FLIGHT),
  }
  const inFlight = await compareSides(ROUNDS, batches, {
    ours: (i) => Promise.all(batch(flying.ours, i).map((s) => logged.create(s))),
    floor: (i) => Promise.all(batch(flying.floor, i).map((s) => floor.create(s))),
  })
  r[`create (${IN_FLIGHT} in flight)`] = {
    ours: inFlight.ours / IN_FLIGHT,
    floor: inFlight.floor / IN_FLIGHT,
  }
  // Writes go to users handed out once each: session 0 of each user is live.
  type Target = { id: string; user: string }
  const targets = (): ((i: number) => Target) => {
    const u = takeUsers(total)
    const list = Array.from({ length: total }, (_, i) => ({
      id: idOf(u(i) * PER_USER),
      user: userOf(u(i) * PER_USER),
    }))
    return (i) => list[i] as Target
  }
  // The manager's renewal: a later expiry and the activity time.
  const renewed = Date.now() + 2 * HOUR
  const [touchOurs, touchFloor] = [targets(), targets()]
  r['touch (renewal)'] = await compareSides(ROUNDS, writes, {
    ours: (i) =>
      logged.touch(touchOurs(i).id, { expiresAt: new Date(renewed), lastActiveAt: new Date() }),
    floor: (i) => floor.renew(touchFloor(i).id, renewed, Date.now()),
  })
  // Each delete side on users of its own.
  const deletes = (
    ours: (s: LMDBStore, t: Target) => unknown,
    kind: 'id' | 'user' | 'userExcept',
    args: (t: Target) => string[],
  ) => {
    const [a, b, c, d] = [targets(), targets(), targets(), targets()]
    return compareSides(ROUNDS, writes, {
      ours: (i) => ours(logged, a(i)),
      floor: (i) => floor.logged[kind](...args(b(i))),
      'ours, no log': (i) => ours(bare, c(i)),
      'floor, no log': (i) => floor.bare[kind](...args(d(i))),
    })
  }
  r.deleteById = await deletes(
    (s, t) => s.deleteById(t.id),
    'id',
    (t) => [t.id],
  )
  r.deleteByUserKey = await deletes(
    (s, t) => s.deleteByUserKey(t.user),
    'user',
    (t) => [t.user],
  )
  r['deleteByUserKey, except one'] = await deletes(
    (s, t) => s.deleteByUserKey(t.user, { except: [t.id] }),
    'userExcept',
    (t) => [t.user, t.id],
  )
  await Promise.all([logged.close(), bare.close()])
  await e.close()
  return r
}

console.error('checking that the floors write what the store writes…')
await checkFloors()
const lines: string[] = []
for (const n of SIZES) {
  console.error(`building ${n$(n)} sessions…`)
  const t = await template(n)
  lines.push(`### ${n$(n)} sessions, ${ROUNDS} rounds`, '')
  if (process.env.OPS !== '0') {
    console.error('operations…')
    lines.push(...opsTables(await measureOps(t.path, n)))
  }
  if (process.env.CLEANUP !== '0') {
    console.error(`cleanup of ${n$(n / 10)} expired among ${n$(n)}…`)
    lines.push(...cleanupTable(await measureCleanup(t.path, CLEANUP_ROUNDS), 'one raw transaction'))
  }
  if (process.env.SETTINGS !== '0') {
    console.error('write settings…')
    lines.push(...settingsTable(n, await measureSettings(t.path)))
  }
  t.remove()
}
console.log(lines.join('\n'))
