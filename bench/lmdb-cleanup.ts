// Cleanup of the expired tenth of a realistic environment: the store's batched deleteExpired
// against one raw transaction through the expiry index, each with the change log on and off,
// in alternating rounds, each round on a fresh copy of the template.
import { type CleanupRun, type CleanupSide, cleanupRounds } from './cleanup-rounds.js'
import { withLoopMonitor } from './lib.js'
import { copyOf } from './lmdb-data.js'
import { floorOf } from './lmdb-floor.js'
import { freshRecord } from './realistic.js'

/** Creates right after a cleanup: up to this many, awaited one at a time, within the budget. */
const AFTER = 2000
const AFTER_BUDGET_MS = 3000

async function once(path: string, side: CleanupSide): Promise<CleanupRun> {
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
  const deleted = Number(m.result)
  return {
    deleted,
    rowsPerSec: deleted / (m.ms / 1000),
    maxBlockMs: m.maxBlockMs,
    createAfterUs,
    created,
  }
}

export function measureCleanup(path: string, rounds: number) {
  return cleanupRounds(rounds, (side) => once(path, side))
}
