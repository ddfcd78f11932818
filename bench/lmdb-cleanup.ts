// Cleanup of the expired tenth of a realistic environment: the store's batched deleteExpired
// against one raw transaction through the expiry index, each with the change log on and off,
// in alternating rounds, each round on a fresh copy of the template.
import { type CleanupRun, type CleanupSide, cleanupRounds, cleanupRun } from './cleanup-rounds.js'
import { withLoopMonitor } from './lib.js'
import { copyOf } from './lmdb-data.js'
import { floorOf } from './lmdb-floor.js'
import { freshRecord } from './realistic.js'

async function once(path: string, side: CleanupSide): Promise<CleanupRun> {
  const e = copyOf(path)
  const logged = side.endsWith(', log')
  const store = e.store(logged)
  const floor = floorOf(e.root, e.db)
  const m = await withLoopMonitor(() =>
    side.startsWith('ours') ? store.deleteExpired() : floor.cleanup(logged),
  )
  const run = await cleanupRun(m, (i) => store.create(freshRecord('after', i)))
  await store.close()
  await e.close()
  return run
}

export function measureCleanup(path: string, rounds: number) {
  return cleanupRounds(rounds, (side) => once(path, side))
}
