// The LMDB bench's tables (markdown, as bench/sqlite.ts prints them).
import { table } from './lib.js'

export { opsTables, type Sides } from './ops-report.js'

export const n$ = (v: number) => v.toLocaleString('en')

/** The store's creates under each lmdb-js write setting. */
export function settingsTable(n: number, rows: Array<Array<string | number>>): string[] {
  return [
    table(
      [
        `lmdb-js setting (${n$(n)} stored)`,
        'create awaited one at a time, ms',
        'create with 6,400 in flight, µs each',
      ],
      rows,
    ),
    '',
  ]
}
