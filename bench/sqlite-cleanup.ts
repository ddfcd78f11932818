// Cleanup of the expired tenth of a realistic file: the store's batched deleteExpired against
// one raw DELETE, each with the change log on and off, in alternating rounds on fresh copies.
import { SQLiteStore } from '../src/stores/sqlite.js'
import { median, withLoopMonitor } from './lib.js'
import { freshRecord } from './realistic.js'
import { copyOf, floorOf } from './sqlite-data.js'

export const CLEANUP_SIDES = ['ours, log', 'floor, log', 'ours, no log', 'floor, no log'] as const
export type CleanupSide = (typeof CLEANUP_SIDES)[number]

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
  const { db, close } = copyOf(path)
  const logged = side.endsWith(', log')
  const store = new SQLiteStore(db, { cleanupInterval: 0, changeLog: logged })
  const floor = floorOf(db)
  const m = await withLoopMonitor(() =>
    side.startsWith('ours') ? store.deleteExpired() : floor.cleanup(logged),
  )
  const t = performance.now()
  for (let i = 0; i < 2000; i++) await store.create(freshRecord('after', i))
  const createAfterUs = ((performance.now() - t) / 2000) * 1000
  close()
  return { deleted: Number(m.result), rowsPerSec: m.result / (m.ms / 1000), ...m, createAfterUs }
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
        `  cleanup round ${r + 1}, ${side}: ${Math.round(result.rowsPerSec)} rows/s, block ${result.maxBlockMs.toFixed(1)} ms`,
      )
      runs.set(side, [...(runs.get(side) ?? []), result])
    }
  }
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
