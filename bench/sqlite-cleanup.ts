// Cleanup of the expired tenth of a realistic file: the store's batched deleteExpired against
// one raw DELETE, each with the change log on and off, in alternating rounds on fresh copies.
import { SQLiteStore } from '../src/stores/sqlite.js'
import { type CleanupRun, type CleanupSide, cleanupRounds, cleanupRun } from './cleanup-rounds.js'
import { withLoopMonitor } from './lib.js'
import { freshRecord } from './realistic.js'
import { copyOf, floorOf } from './sqlite-data.js'

async function once(path: string, side: CleanupSide): Promise<CleanupRun> {
  const { db, close } = copyOf(path)
  const logged = side.endsWith(', log')
  const store = new SQLiteStore(db, { cleanupInterval: 0, changeLog: logged })
  const floor = floorOf(db)
  const m = await withLoopMonitor(() =>
    side.startsWith('ours') ? store.deleteExpired() : floor.cleanup(logged),
  )
  const run = await cleanupRun(m, (i) => store.create(freshRecord('after', i)))
  close()
  return run
}

export function measureCleanup(path: string, rounds: number) {
  return cleanupRounds(rounds, (side) => once(path, side))
}
