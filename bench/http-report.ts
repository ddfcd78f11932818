// The tables of bench/http.ts: each variant against its floor, and the goals of issues 11 and 12.
import { table, x } from './lib.js'

export interface Run {
  rps: number
  p99: number
  /** Server CPU time (user + system) per request, µs. */
  cpuUs: number
  touches: number
  hits: number
  misses: number
  bypassed: number
}

export const floorOf = (v: string) => {
  if (v.startsWith('bare') || v.startsWith('node:')) return 'bare'
  return v.startsWith('fastify') ? 'fastify' : 'express'
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b)
  const mid = v.length / 2
  return Number.isInteger(mid) ? ((v[mid - 1] ?? 0) + (v[mid] ?? 0)) / 2 : (v[Math.floor(mid)] ?? 0)
}
const range = (v: number[]) => `${x(Math.min(...v))}–${x(Math.max(...v))}`

/** Prints the variants' table and the goals' table; ratios are per round, then the median. */
export function report(
  runs: Record<string, Run[]>,
  variants: readonly string[],
  labels: Record<string, string>,
): void {
  /** Per-round ratios of a to b (the same round), for the median and the range. */
  const ratios = (a: string, b: string) =>
    (runs[a] ?? []).map((r, i) => r.rps / (runs[b]?.[i]?.rps ?? Number.NaN))
  const cpu = (v: string) => median((runs[v] ?? []).map((r) => r.cpuUs))
  const sum = (v: string, k: 'touches' | 'hits' | 'misses' | 'bypassed') =>
    (runs[v] ?? []).reduce((n, r) => n + r[k], 0)

  console.log(
    table(
      [
        'server',
        'requests/s',
        'p99 ms',
        'of its floor',
        'range',
        'server CPU µs/req',
        'over its floor',
        'writes',
        'cache hits / misses',
      ],
      variants.map((v) => {
        const of = ratios(v, floorOf(v))
        const cached = v.endsWith('+cache') ? `${sum(v, 'hits')} / ${sum(v, 'misses')}` : ''
        return [
          labels[v] ?? v,
          Math.round(median((runs[v] ?? []).map((r) => r.rps))).toLocaleString('en'),
          median((runs[v] ?? []).map((r) => r.p99)).toFixed(1),
          x(median(of)),
          range(of),
          cpu(v).toFixed(1),
          v === floorOf(v) ? '' : `+${(cpu(v) - cpu(floorOf(v))).toFixed(1)}`,
          sum(v, 'touches'),
          sum(v, 'bypassed') ? `${cached} (${sum(v, 'bypassed')} bypassed)` : cached,
        ]
      }),
    ),
  )
  const goals: Array<[string, string, string, number]> = [
    ['node:http + memory of bare node:http', 'node:memory', 'bare', 0.85],
    ['node:http + SQLite of bare node:http', 'node:sqlite', 'bare', 0.6],
    ['node:http + SQLite + cache of bare node:http', 'node:sqlite+cache', 'bare', 0.8],
    [
      'Express + sessionup (SQLite + cache) of bare Express',
      'express-sessionup:sqlite+cache',
      'express',
      0.95,
    ],
    ['Fastify + sessionup (memory) of bare Fastify', 'fastify-sessionup:memory', 'fastify', 0.9],
    [
      'Fastify + sessionup (SQLite + cache) of bare Fastify',
      'fastify-sessionup:sqlite+cache',
      'fastify',
      0.9,
    ],
    [
      'Fastify + sessionup (SQLite) of Fastify + @fastify/session (SQLite)',
      'fastify-sessionup:sqlite',
      'fastify-session:sqlite',
      1.5,
    ],
    ['PostgreSQL + cache of PostgreSQL', 'node:postgres+cache', 'node:postgres', 3],
    ['Redis + cache of Redis', 'node:redis+cache', 'node:redis', 2],
  ]
  const rows = goals
    .filter(([, a, b]) => runs[a] && runs[b])
    .map(([name, a, b, goal]) => {
      const r = ratios(a, b)
      return [name, x(median(r)), range(r), `≥ ${x(goal)}`, median(r) >= goal ? 'met' : 'not met']
    })
  console.log(`\n${table(['goal', 'median', 'range', 'goal', ''], rows)}`)
}
