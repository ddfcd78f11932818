// Cleanup of the expired tenth of a realistic file: the store's batched deleteExpired against
// one raw DELETE, each with the change log on and off, in alternating rounds on fresh copies.
import { SQLiteStore } from '../src/stores/sqlite.js'
import { type CleanupRun, type CleanupSide, cleanupRounds } from './cleanup-rounds.js'
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
  const t = performance.now()
  for (let i = 0; i < 2000; i++) await store.create(freshRecord('after', i))
  const createAfterUs = ((performance.now() - t) / 2000) * 1000
  close()
  const deleted = Number(m.result)
  return {
    deleted,
    rowsPerSec: deleted / (m.ms / 1000),
    maxBlockMs: m.maxBlockMs,
    createAfterUs,
    created: 2000,
  }
}

export function measureCleanup(path: string, rounds: number) {
  return cleanupRounds(rounds, (side) => once(path, side))
}
