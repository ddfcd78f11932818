// The store's create latency and throughput under each lmdb-js write setting, on a copy of the
// template: awaited one at a time, and 6,400 in flight (lmdb-js commits one event turn's writes
// together).
import type { RootDatabaseOptions } from 'lmdb'
import type { SessionRecord } from '../src/index.js'
import { timeAsync } from './lib.js'
import { copyOf } from './lmdb-data.js'
import { freshRecord } from './realistic.js'

const SETTINGS: Array<[string, RootDatabaseOptions]> = [
  ['default (overlappingSync on Linux)', {}],
  ['overlappingSync: false', { overlappingSync: false }],
  ['commitDelay: 5', { commitDelay: 5 }],
  ['noSync: true', { noSync: true }],
]
const ONE = 200
const MANY = 6400

/** Rows of [setting, ms per create awaited one at a time, µs per create with 6,400 in flight]. */
export async function measureSettings(path: string): Promise<Array<Array<string | number>>> {
  const rows: Array<Array<string | number>> = []
  for (const [label, options] of SETTINGS) {
    const e = copyOf(path, options)
    const store = e.store()
    const ones = Array.from({ length: ONE }, (_, i) => freshRecord('one', i))
    const batch = Array.from({ length: MANY }, (_, i) => freshRecord('many', i))
    const one = await timeAsync(ONE, (i) => store.create(ones[i] as SessionRecord))
    const start = process.hrtime.bigint()
    await Promise.all(batch.map((r) => store.create(r)))
    const many = Number(process.hrtime.bigint() - start) / MANY
    await store.close()
    await e.close()
    rows.push([label, (one / 1e6).toFixed(3), (many / 1e3).toFixed(1)])
  }
  return rows
}
