// The LMDB bench's tables (markdown, as bench/sqlite.ts prints them).
import { table, us, x } from './lib.js'
import { CLEANUP_SIDES, type CleanupFigures, type CleanupSide } from './lmdb-cleanup.js'

export type Sides = Record<string, number>

export const n$ = (v: number) => v.toLocaleString('en')

/** Ours against the floors per operation, then the deletes with the change log off. */
export function opsTables(r: Record<string, Sides>): string[] {
  const ops = Object.keys(r)
  const ratioTo = (o: number, v: number | undefined) => (v ? [us(v), x(o / v)] : ['', ''])
  return [
    table(
      [
        'operation',
        'ours µs',
        'floor µs',
        'ours ÷ floor',
        'floor, raw rows µs',
        'ours ÷ raw rows',
        'floor, fresh snapshot µs',
        'ours ÷ fresh',
      ],
      ops.map((op) => {
        const s = r[op] as Sides
        const o = s.ours as number
        const f = s.floor as number
        return [op, us(o), us(f), x(o / f), ...ratioTo(o, s.rows), ...ratioTo(o, s.fresh)]
      }),
    ),
    '',
    table(
      [
        'with the change log off',
        'ours µs',
        'floor µs',
        'ours ÷ floor',
        'change log costs ours',
        'and the floor',
      ],
      ops
        .filter((op) => r[op]?.['ours, no log'] !== undefined)
        .map((op) => {
          const s = r[op] as Sides
          const [o, f] = [s['ours, no log'] as number, s['floor, no log'] as number]
          return [op, us(o), us(f), x(o / f), x((s.ours as number) / o), x((s.floor as number) / f)]
        }),
    ),
    '',
  ]
}

/** deleteExpired by each side: rows/s, event-loop blocks and the create latency after. */
export function cleanupTable(c: Record<CleanupSide, CleanupFigures>): string[] {
  const ratio = (ours: CleanupSide, floor: CleanupSide) =>
    x(c[ours].rowsPerSec / c[floor].rowsPerSec)
  return [
    table(
      [
        'deleteExpired',
        'rows/s (median)',
        'rounds',
        'longest block ms (worst; median)',
        'create after µs',
      ],
      CLEANUP_SIDES.map((side) => [
        side,
        n$(Math.round(c[side].rowsPerSec)),
        c[side].runs.map((v) => n$(Math.round(v))).join(', '),
        `${c[side].maxBlockMs.toFixed(1)}; ${c[side].medianBlockMs.toFixed(1)}`,
        c[side].createAfterUs.toFixed(1),
      ]),
    ),
    '',
    `ours ÷ one raw transaction, rows/s: log on ${ratio('ours, log', 'floor, log')}, off ${ratio('ours, no log', 'floor, no log')}; deleted ${n$(c['ours, log'].deleted)}`,
    '',
  ]
}

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
