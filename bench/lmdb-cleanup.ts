// Cleanup of the expired tenth of a realistic environment: the store's batched deleteExpired
// against one raw transaction through the expiry index, each with the change log on and off,
// in alternating rounds, each round on a fresh copy of the template.
import { median, withLoopMonitor } from './lib.js'
import { copyOf } from './lmdb-data.js'
import { floorOf } from './lmdb-floor.js'
import { freshRecord } from './realistic.js'

export const CLEANUP_SIDES = ['ours, log', 'floor, log', 'ours, no log', 'floor, no log'] as const
export type CleanupSide = (typeof CLEANUP_SIDES)[number]

/** Creates right after a cleanup: up to this many, awaited one at a time, within the budget. */
const AFTER = 2000
const AFTER_BUDGET_MS = 3000

export interface CleanupFigures {
  deleted: number
  /** Median over the rounds. */
  rowsPerSec: number
  /** The longest event-loop block seen in any round, and the median round's. */
  maxBlockMs: number
  medianBlockMs: number
  /** Mean create latency over the creates right after the cleanup (median round). */
  createAfterUs: number
  runs: number[]
}

async function once(path: string, side: CleanupSide) {
  const e = copyOf(path)
  const logged = side.endsWith(', log')
  const store = e.store(logged)
  const floor = floorOf(e.root, e.db)
  const m = await withLoopMonitor(() =>
    side.startsWith('ours') ? store.deleteExpired() : floor.cleanup(logged),
  )
  const t = performance.now()
  let created = 0
  while (created < AFTER && performance.now() - t < AFTER_BUDGET_MS) {
    await store.create(freshRecord('after', created))
    created++
  }
  const createAfterUs = ((performance.now() - t) / created) * 1000
  await store.close()
  await e.close()
  return { deleted: m.result, rowsPerSec: m.result / (m.ms / 1000), ...m, createAfterUs, created }
}

export async function measureCleanup(
  path: string,
  rounds: number,
): Promise<Record<CleanupSide, CleanupFigures>> {
  const runs = new Map<CleanupSide, Awaited<ReturnType<typeof once>>[]>()
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < CLEANUP_SIDES.length; s++) {
      const side = CLEANUP_SIDES[(r + s) % CLEANUP_SIDES.length] as CleanupSide
      const result = await once(path, side)
      console.error(
        `  cleanup round ${r + 1}, ${side}: ${Math.round(result.rowsPerSec)} rows/s, block ${result.maxBlockMs.toFixed(1)} ms, ${result.created} creates after at ${result.createAfterUs.toFixed(0)} µs`,
      )
      runs.set(side, [...(runs.get(side) ?? []), result])
    }
  }
  // Every side must have deleted the same sessions' count, or the rows/s compare other work.
  const counts = new Set([...runs.values()].flat().map((x) => x.deleted))
  if (counts.size > 1) throw new Error(`bench: cleanup sides deleted ${[...counts].join(' / ')}`)
  const out = {} as Record<CleanupSide, CleanupFigures>
  for (const side of CLEANUP_SIDES) {
    const all = runs.get(side) ?? []
    out[side] = {
      deleted: all[0]?.deleted ?? 0,
      rowsPerSec: median(all.map((x) => x.rowsPerSec)),
      maxBlockMs: Math.max(...all.map((x) => x.maxBlockMs)),
      medianBlockMs: median(all.map((x) => x.maxBlockMs)),
      createAfterUs: median(all.map((x) => x.createAfterUs)),
      runs: all.map((x) => x.rowsPerSec),
    }
  }
  return out
}
