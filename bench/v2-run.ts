// The measurements of bench/v2.ts, the same for every store: each one a compare() of ours
// against its floor in alternating rounds.
import { SessionManager, type SessionPatch, type Store } from '../src/index.js'
import { compare, type Pair } from './lib.js'
import {
  type Baseline,
  type Data,
  MANAGER_OPTIONS,
  type Maybe,
  patchFor,
  request,
  type Shape,
  Tracker,
  type V1Store,
} from './v2-data.js'

/** The raw floor's write of `patch` to session `idx` (id `id`): `true` if it wrote. */
export type RawWrite = (id: string, idx: number, patch: SessionPatch, now: number) => Maybe<boolean>

/** One store, filled with the data twice: as v2 (this code) and as round one wrote it. */
export interface Subject {
  name: string
  v2: Store
  v1: V1Store
  /** The same write as `touch(patch)` for a patch of this shape, done directly with the driver. */
  floor(shape: Shape): RawWrite
  /** A v2 store opened over the round-one data (migrating it as an upgrade would), if any. */
  upgrade?: () => Promise<Store>
  /** The floor writes the v2 store's own data (all but memory, whose floor has its own Map). */
  floorWritesStore: boolean
  /** Calls per round: reads (fetchById, authenticate) and writes. */
  perRound: { read: number; write: number }
  teardown(): Promise<void>
}

export const OPS = [
  'fetchById: v2 / round one',
  'authenticate: v2 / round one',
  'renewal: touch / raw write',
  'rotation: touch / raw write',
  'renewal + rotation: touch / raw write',
  'authenticate: a v1 cookie on v2 (upgrade write) / round one (read)',
] as const

const SHAPES: Record<string, Shape> = {
  'renewal: touch / raw write': 'renewal',
  'rotation: touch / raw write': 'rotation',
  'renewal + rotation: touch / raw write': 'renewal + rotation',
}

export async function measure(
  s: Subject,
  data: Data,
  baseline: Baseline,
  rounds: number,
): Promise<Record<string, Pair>> {
  const n = data.n
  const rnd = (i: number) => (i * 7919) % n
  let misses = 0
  const found = (x: unknown) => {
    if (x === null || x === undefined) misses++
  }
  const checkMisses = (what: string) => {
    if (misses > 0) throw new Error(`${s.name} ${what}: ${misses} sessions not found`)
  }
  const r: Record<string, Pair> = {}
  const log = (op: string) => console.error(`  ${s.name}: ${op}…`)

  log(OPS[0])
  r[OPS[0]] = await compare(
    rounds,
    s.perRound.read,
    (i) => s.v2.fetchById(data.v2[rnd(i)]?.id as string).then(found),
    (i) => s.v1.fetchById(data.v1[rnd(i)]?.id as string).then(found),
  )
  checkMisses(OPS[0])

  // Sessions as fresh as the data's (an hour old at most): no renewal or rotation is due, so
  // both managers only read. Runs before the writes, which rotate some secrets away.
  log(OPS[1])
  const v2 = new SessionManager(s.v2, MANAGER_OPTIONS)
  const v1 = new baseline.SessionManager(s.v1, MANAGER_OPTIONS)
  r[OPS[1]] = await compare(
    rounds,
    s.perRound.read / 2,
    (i) => {
      const rec = data.v2[rnd(i)]
      const cookie = `${rec?.id}.${data.secrets[rnd(i)]}`
      return v2.authenticate(request(v2.cookieName, cookie, rec?.ip ?? '')).then((a) => {
        found(a.session)
      })
    },
    (i) => {
      const token = data.tokens[rnd(i)] as string
      return v1.authenticate(request(v1.cookieName, token, data.v1[rnd(i)]?.ip ?? '')).then((a) => {
        found(a.session)
      })
    },
  )
  checkMisses(OPS[1])

  // Writes: ours on even-numbered sessions, the floor on odd ones, of the same v2 data.
  const half = Math.floor(n / 2)
  const even = (i: number) => 2 * ((i * 7919) % half)
  const t = new Tracker(data) // one for all three: each write moves versions on
  for (const op of OPS.slice(2, 5)) {
    log(op)
    const shape = SHAPES[op] as Shape
    const raw = s.floor(shape)
    r[op] = await compare(
      rounds,
      s.perRound.write,
      (i) => {
        const idx = even(i)
        const patch = patchFor(shape, idx, t, Date.now(), i)
        return t.settle(idx, patch, s.v2.touch(data.v2[idx]?.id as string, patch))
      },
      (i) => {
        const idx = even(i) + 1
        const now = Date.now()
        const patch = patchFor(shape, idx, t, now, i)
        return t.settle(idx, patch, raw(data.v2[idx]?.id as string, idx, patch, now))
      },
    )
    t.check(`${s.name} ${op}`)
  }
  await verify(s, data, t, [0, 1, 2, 3].map(even))

  // The round-one data opened by a v2 store, as after an upgrade: the first request of each v1
  // cookie rotates it to a v2 secret (a write); round one's manager, beside it, only reads.
  if (s.upgrade) {
    log(OPS[5])
    const upgraded = await s.upgrade()
    const legacy = new SessionManager(upgraded, MANAGER_OPTIONS)
    const v1At = (idx: number) => request(v1.cookieName, data.tokens[idx] as string, '')
    r[OPS[5]] = await compare(
      rounds,
      Math.min(s.perRound.read / 2, Math.floor(half / rounds)), // each v1 cookie used once
      (i) =>
        legacy.authenticate(v1At(even(i))).then((a) => {
          if (!a.setCookie) misses++
        }),
      (i) => v1.authenticate(v1At(even(i) + 1)).then((a) => found(a.session)),
    )
    checkMisses(OPS[5])
    await upgraded.close()
  }
  return r
}

/**
 * Reads back sessions both sides wrote, through the v2 store: each must be at the version and
 * hash the bench counted, or a floor wrote something other than what the store would read.
 */
async function verify(s: Subject, data: Data, t: Tracker, evens: number[]): Promise<void> {
  const sides = s.floorWritesStore ? [0, 1] : [0]
  for (const idx of evens.flatMap((e) => sides.map((side) => e + side))) {
    const r = await s.v2.fetchById(data.v2[idx]?.id as string)
    if (r?.version !== t.version[idx] || r?.secretHash !== t.hash[idx]) {
      throw new Error(
        `${s.name}: session ${idx} reads back at version ${r?.version}, not ${t.version[idx]}`,
      )
    }
  }
}
