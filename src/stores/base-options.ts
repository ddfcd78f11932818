import { checkInterval } from '../cleanup.js'
import { InvalidOptionError } from '../errors.js'

/** Options every store accepts. */
export interface BaseStoreOptions {
  /**
   * Milliseconds between automatic deletions of expired sessions; `0` turns the timer off (use
   * `deleteExpired()`, `runCleanup()` or `startCleanup()` instead). Expired sessions are never
   * returned either way; cleanup only frees space. Default: 5 minutes.
   */
  cleanupInterval?: number
  /** Sessions deleted per cleanup batch; the event loop runs between batches. */
  batchSize?: number
  /** The clock, in epoch milliseconds. For tests; default `Date.now`. */
  now?: () => number
}

export const DEFAULT_CLEANUP_INTERVAL = 5 * 60_000

/** How a store describes itself to the template. */
export interface StoreSpec {
  /** The default of `batchSize`. */
  batchSize: number
  /** Option names the store accepts besides `cleanupInterval`, `batchSize` and `now`. */
  options?: readonly string[]
}

const COMMON_OPTIONS = ['cleanupInterval', 'batchSize', 'now']

/** The common options, checked (unknown names included) before a store touches its database. */
export function baseOptions(layer: string, options: object | undefined, spec: StoreSpec) {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new InvalidOptionError('options', 'expected an object')
  }
  const o = (options ?? {}) as BaseStoreOptions & Record<string, unknown>
  const known = new Set([...COMMON_OPTIONS, ...(spec.options ?? [])])
  for (const key of Object.keys(o)) {
    if (!known.has(key)) throw new InvalidOptionError(key, `unknown option of the ${layer} store`)
  }
  const now = o.now ?? Date.now
  if (typeof now !== 'function') throw new InvalidOptionError('now', 'expected a function')
  return {
    now,
    interval: checkInterval('cleanupInterval', o.cleanupInterval ?? DEFAULT_CLEANUP_INTERVAL, true),
    batchSize: checkBatchSize(o.batchSize, spec.batchSize),
  }
}

/** A store's `batchSize` option: a whole number from 1 to 100,000, or `fallback` when unset. */
export function checkBatchSize(value: unknown, fallback: number): number {
  const batch = value ?? fallback
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1 || batch > 100_000) {
    throw new InvalidOptionError(
      'batchSize',
      `expected a whole number from 1 to 100000, got ${String(batch)}`,
    )
  }
  return batch
}

/** The `autoMigrate` option of stores with a schema: default `true`. */
export function checkAutoMigrate(value: unknown): boolean {
  return checkFlag('autoMigrate', value, true)
}

/** A boolean option, `fallback` when unset. */
export function checkFlag(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, 'expected true or false')
  return value
}
