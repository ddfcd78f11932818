// The guard of the LMDB bench: the store and the floor run the same operations on two small
// environments, and must leave the same keys and values behind (log entries compared but for
// their time and origin) — so a floor cannot drift from what the store writes.
import type { Key } from 'lmdb'
import type { LMDBStore } from '../src/stores/lmdb.js'
import { toRecord } from '../src/stores/lmdb-layout.js'
import { envAt } from './lmdb-data.js'
import { floorOf, putSession, type Raw } from './lmdb-floor.js'
import { freshRecord, HOUR, idOf, realisticRecord, userOf } from './realistic.js'

const SESSIONS = 20

function dump(db: Raw): string {
  const out: string[] = []
  for (const { key, value } of db.getRange({})) {
    const k = key as Key[]
    // A log entry [at, kind, reason, origin, id, record]: time and origin differ by side.
    const v =
      k[0] === 'c'
        ? [0, ...(value as unknown[]).slice(1, 3), '', ...(value as unknown[]).slice(4)]
        : value
    out.push(JSON.stringify([k, v]))
  }
  return out.join('\n')
}

async function run(changeLog: boolean, ours: boolean, now: number): Promise<string> {
  const e = envAt()
  const store: LMDBStore = e.store(changeLog)
  e.db.transactionSync(() => {
    for (let i = 0; i < SESSIONS; i++) {
      const r = realisticRecord(i, now)
      putSession(e.db, r.id, toRecord(r))
    }
  })
  const f = floorOf(e.root, e.db)
  const d = changeLog ? f.logged : f.bare
  const created = freshRecord('g', 0, now)
  const [renewed, active] = [now + 2 * HOUR, now + 1000]
  const touch = (id: string) =>
    ours
      ? store.touch(id, { expiresAt: new Date(renewed), lastActiveAt: new Date(active) })
      : f.renew(id, renewed, active)
  await (ours ? store.create(created) : f.create(created))
  await touch(idOf(0))
  await touch(idOf(3)) // expired: no write but the counter
  await (ours ? store.deleteById(idOf(1)) : d.id(idOf(1)))
  await (ours ? store.deleteById(idOf(SESSIONS)) : d.id(idOf(SESSIONS))) // a miss
  await (ours
    ? store.deleteByUserKey(userOf(5), { except: [idOf(5)] })
    : d.userExcept(userOf(5), idOf(5)))
  await (ours ? store.deleteByUserKey(userOf(10)) : d.user(userOf(10)))
  await (ours ? store.deleteExpired() : f.cleanup(changeLog))
  const out = dump(e.db)
  await store.close()
  await e.close()
  return out
}

/** Throws unless each floor writes what the store writes. */
export async function checkFloors(): Promise<void> {
  const now = Date.now()
  for (const changeLog of [true, false]) {
    const [ours, floor] = [await run(changeLog, true, now), await run(changeLog, false, now)]
    if (ours !== floor) {
      const a = ours.split('\n')
      const b = floor.split('\n')
      const at = a.findIndex((line, i) => line !== b[i])
      throw new Error(
        `bench/lmdb-floor.ts writes other data than the store (changeLog ${changeLog}), first at:\n  ours:  ${a[at]}\n  floor: ${b[at]}`,
      )
    }
  }
}
