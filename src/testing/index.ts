import { checkCases } from './cases-checks.js'
import { dataCases } from './cases-data.js'
import { lifecycleCases } from './cases-lifecycle.js'
import { managerCases } from './cases-manager.js'
import { touchCases } from './cases-touch.js'
import { v1Cases } from './cases-v1.js'
import { type ConformanceOptions, makeFixture, type StoreFactory, TestClock } from './harness.js'

export { v1Token } from './cases-v1.js'
export {
  type ConformanceOptions,
  type RecordFields,
  type StoreFactory,
  type StoreHarness,
  sessionRecord,
  TestClock,
  type V1Factory,
  type V1Session,
} from './harness.js'

/** One named check of the Store contract, runnable under any test runner. */
export interface ConformanceCase {
  name: string
  run(): Promise<void>
}

/**
 * The Store contract as a list of cases, using `node:assert` only, so any runner can run them.
 * Each case builds a fresh store with `factory` and tears it down afterwards.
 *
 * @example
 * import { test } from 'node:test'
 * for (const c of storeConformanceCases(({ now }) => ({ store: new MyStore({ now, cleanupInterval: 0 }) }))) {
 *   test(c.name, c.run)
 * }
 */
export function storeConformanceCases(
  factory: StoreFactory,
  options: ConformanceOptions = {},
): ConformanceCase[] {
  const controllable = options.controllableClock ?? true
  const canCorrupt = options.corruptible ?? false
  const all = [...dataCases, ...lifecycleCases, ...touchCases, ...checkCases, ...managerCases]
  return [...all, ...v1Cases]
    .filter((c) => controllable || !c.needsClock)
    .filter((c) => (canCorrupt || !c.needsCorrupt) && (options.v1 !== undefined || !c.needsV1))
    .map((c) => ({
      name: c.name,
      async run() {
        const clock = new TestClock()
        const harness = await factory({ now: clock.now })
        try {
          if (c.needsCorrupt && !harness.corrupt) {
            throw new Error('corruptible is set, but the factory gives no corrupt()')
          }
          await c.run(makeFixture(harness, clock, controllable, options.v1))
        } finally {
          await harness.store.close()
          await harness.teardown?.()
        }
      },
    }))
}

/**
 * Registers every conformance case with a runner's `test`/`it` function.
 *
 * @example
 * import { describe, it } from 'node:test'
 * describe('MyStore', () => runStoreConformance(it, factory))
 */
export function runStoreConformance(
  register: (name: string, fn: () => Promise<void>) => unknown,
  factory: StoreFactory,
  options?: ConformanceOptions,
): void {
  for (const c of storeConformanceCases(factory, options)) register(c.name, c.run)
}
