// The store benches' operation tables (markdown): ours against each floor, then the deletes
// with the change log off.
import { table, us, x } from './lib.js'

export type Sides = Record<string, number>

/** Ours against the floors per operation, then the deletes with the change log off. */
export function opsTables(r: Record<string, Sides>): string[] {
  const ops = Object.keys(r)
  // LMDB's reads also have a floor that renews its snapshot first, as the store does.
  const fresh = ops.some((op) => r[op]?.fresh !== undefined)
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
        ...(fresh ? ['floor, fresh snapshot µs', 'ours ÷ fresh'] : []),
      ],
      ops.map((op) => {
        const s = r[op] as Sides
        const o = s.ours as number
        const f = s.floor as number
        const more = fresh ? ratioTo(o, s.fresh) : []
        return [op, us(o), us(f), x(o / f), ...ratioTo(o, s.rows), ...more]
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
