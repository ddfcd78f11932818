// SQLite cleanup under connection settings: the store's batched deleteExpired of the expired
// tenth of N (default 1,000,000) realistic sessions, with SQLite's default WAL auto-checkpoint
// (1,000 pages) and with 200, against one raw DELETE; two alternating rounds, fresh copies.
// Run: npx tsx bench/sqlite-cleanup-settings.ts   (N=100000 for a quick look)
import { SQLiteStore } from '../src/stores/sqlite.js'
import { withLoopMonitor } from './lib.js'
import { copyOf, floorOf, template } from './sqlite-data.js'

const n = Number(process.env.N ?? 1_000_000)
const t = template(n)
const sides: Array<{ name: string; autocheckpoint?: number; floor?: boolean }> = [
  { name: 'ours, default auto-checkpoint' },
  { name: 'ours, wal_autocheckpoint = 200', autocheckpoint: 200 },
  { name: 'one raw DELETE', floor: true },
]
for (let round = 0; round < 2; round++) {
  for (const side of round ? [...sides].reverse() : sides) {
    const { db, close } = copyOf(t.path)
    if (side.autocheckpoint) db.pragma(`wal_autocheckpoint = ${side.autocheckpoint}`)
    const store = new SQLiteStore(db, { cleanupInterval: 0 })
    const floor = floorOf(db)
    const m = await withLoopMonitor(() =>
      side.floor ? floor.cleanup(true) : store.deleteExpired(),
    )
    const rate = Math.round(Number(m.result) / (m.ms / 1000))
    console.log(`${side.name}: ${rate} rows/s, longest block ${m.maxBlockMs.toFixed(1)} ms`)
    close()
  }
}
t.remove()
