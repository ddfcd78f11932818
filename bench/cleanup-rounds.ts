// What the SQLite and LMDB cleanup benches share: the four sides, the alternating rounds over
// fresh copies, the medians, and the table. Each bench supplies how one side runs once.
import { median, table, x } from './lib.js'

export const CLEANUP_SIDES = ['ours, log', 'floor, log', 'ours, no log', 'floor, no log'] as const
export type CleanupSide = (typeof CLEANUP_SIDES)[number]

/** One side's cleanup on a fresh copy, and the creates timed right after it. */
export interface CleanupRun {
  deleted: number
  rowsPerSec: number
  maxBlockMs: number
  createAfterUs: number
  created: number
}

export interface CleanupFigures {
  deleted: number
  /** Median over the rounds. */
  rowsPerSec: number
  /** The longest event-loop block seen in any round, and the median round's. */
  maxBlockMs: number
  medianBlockMs: number
  /** Mean create latency over the creates right after the cleanup (median round). */
  createAfterUs: number
  runs: number[]
}

/** Creates right after a cleanup: up to this many, awaited one at a time, within the budget. */
const AFTER = 2000
const AFTER_BUDGET_MS = 3000

/**
 * A side's run from its timed cleanup (`withLoopMonitor`'s result), with the mean latency of the
 * creates made right after it (how fast the engine writes once the cleanup is done).
 */
export async function cleanupRun(
  m: { result: unknown; ms: number; maxBlockMs: number },
  create: (i: number) => Promise<unknown>,
): Promise<CleanupRun> {
  const t = performance.now()
  let created = 0
  while (created < AFTER && performance.now() - t < AFTER_BUDGET_MS) await create(created++)
  const createAfterUs = ((performance.now() - t) / created) * 1000
  const deleted = Number(m.result)
  const rowsPerSec = deleted / (m.ms / 1000)
  return { deleted, rowsPerSec, maxBlockMs: m.maxBlockMs, createAfterUs, created }
}

/** Runs every side `rounds` times, the order rotating per round; medians per side. */
export async function cleanupRounds(
  rounds: number,
  once: (side: CleanupSide) => Promise<CleanupRun>,
): Promise<Record<CleanupSide, CleanupFigures>> {
  const runs = new Map<CleanupSide, CleanupRun[]>()
  for (let r = 0; r < rounds; r++) {
    for (let s = 0; s < CLEANUP_SIDES.length; s++) {
      const side = CLEANUP_SIDES[(r + s) % CLEANUP_SIDES.length] as CleanupSide
      const result = await once(side)
      console.error(
        `  cleanup round ${r + 1}, ${side}: ${Math.round(result.rowsPerSec)} rows/s, block ${result.maxBlockMs.toFixed(1)} ms, ${result.created} creates after at ${result.createAfterUs.toFixed(0)} µs`,
      )
      runs.set(side, [...(runs.get(side) ?? []), result])
    }
  }
  // Every side must have deleted the same sessions' count, or the rows/s compare other work.
  const counts = new Set([...runs.values()].flat().map((v) => v.deleted))
  if (counts.size > 1) throw new Error(`bench: cleanup sides deleted ${[...counts].join(' / ')}`)
  const out = {} as Record<CleanupSide, CleanupFigures>
  for (const side of CLEANUP_SIDES) {
    const all = runs.get(side) ?? []
    out[side] = {
      deleted: all[0]?.deleted ?? 0,
      rowsPerSec: median(all.map((v) => v.rowsPerSec)),
      maxBlockMs: Math.max(...all.map((v) => v.maxBlockMs)),
      medianBlockMs: median(all.map((v) => v.maxBlockMs)),
      createAfterUs: median(all.map((v) => v.createAfterUs)),
      runs: all.map((v) => v.rowsPerSec),
    }
  }
  return out
}

const n$ = (v: number) => v.toLocaleString('en')

/** deleteExpired by each side: rows/s, event-loop blocks, the create latency after; ratios. */
export function cleanupTable(c: Record<CleanupSide, CleanupFigures>, floor: string): string[] {
  const ratio = (ours: CleanupSide, other: CleanupSide) =>
    x(c[ours].rowsPerSec / c[other].rowsPerSec)
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
    `ours ÷ ${floor}, rows/s: log on ${ratio('ours, log', 'floor, log')}, off ${ratio('ours, no log', 'floor, no log')}; deleted ${n$(c['ours, log'].deleted)}`,
    '',
  ]
}
