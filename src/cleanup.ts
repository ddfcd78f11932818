import { InvalidOptionError, SessionupError } from './errors.js'
import type { Store } from './store.js'

/**
 * Checks a cleanup interval in milliseconds. `0` means "off" where `allowZero` is set; negative,
 * NaN, Infinity and non-numbers are always errors.
 */
export function checkInterval(option: string, value: unknown, allowZero: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidOptionError(
      option,
      `expected a finite number of milliseconds, got ${String(value)}`,
    )
  }
  if (value < 0 || (!allowZero && value === 0)) {
    const bound = allowZero ? '0 (off) or more' : 'more than 0'
    throw new InvalidOptionError(option, `expected ${bound} milliseconds, got ${value}`)
  }
  // setTimeout cannot wait longer than 2^31-1 ms; a longer delay would fire at once.
  if (value > 2_147_483_647) {
    throw new InvalidOptionError(option, `at most 2147483647 ms (about 24.8 days), got ${value}`)
  }
  return value
}

type Timer = ReturnType<typeof setTimeout>

const immediate: (run: () => void) => unknown =
  typeof globalThis.setImmediate === 'function'
    ? globalThis.setImmediate
    : (run) => setTimeout(run, 0)

/** Lets pending I/O and timers run before continuing; used between cleanup batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => immediate(resolve))
}

/** A timer that does not keep the process alive, where the runtime can say so. */
function unref(timer: Timer): Timer {
  ;(timer as { unref?: () => void }).unref?.()
  return timer
}

/**
 * Runs `pass` every `interval` ms until stopped. A pass never overlaps the next one (the next
 * timer is set when a pass ends), a failed pass is reported and the loop goes on, and the timer
 * never keeps the process alive.
 */
export class CleanupTimer {
  #timer: Timer | undefined
  #running: Promise<void> | undefined
  #stopped = false

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly interval: number,
    private readonly report: (error: Error) => void,
  ) {
    this.#schedule()
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#timer = unref(
      setTimeout(() => {
        this.#running = this.#run()
      }, this.interval),
    )
  }

  async #run(): Promise<void> {
    try {
      await this.pass()
    } catch (error) {
      this.report(asError(error))
    } finally {
      this.#running = undefined
      this.#schedule()
    }
  }

  /** Stops the loop and resolves once a pass that was running has finished. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }
}

export interface CleanupHandle {
  /** Stops the cleanup and resolves once a running pass has finished. Idempotent. */
  stop(): Promise<void>
}

/**
 * Starts deleting expired sessions of `store` every `interval` ms and delivers each failure to
 * `onError` (the Go stores' `NewWithCleanup` with its error channel and cancel function).
 */
export function startCleanup(
  store: Pick<Store, 'deleteExpired'>,
  interval: number,
  onError: (error: Error) => void,
): CleanupHandle {
  checkInterval('interval', interval, false)
  if (typeof onError !== 'function') throw new InvalidOptionError('onError', 'expected a function')
  const timer = new CleanupTimer(() => store.deleteExpired(), interval, onError)
  return { stop: () => timer.stop() }
}

/**
 * Deletes expired sessions every `interval` ms until `signal` aborts (the Go stores'
 * `Cleanup(ctx, interval)`). Resolves when aborted, after a pass that was running has ended;
 * rejects with the first failure so the caller can handle it and start the loop again.
 *
 * Unlike the store's own timer and `startCleanup`, this loop keeps the process alive while it
 * runs, as Go's blocking `Cleanup` does: a worker that only awaits it must not exit at once.
 */
export function runCleanup(
  store: Pick<Store, 'deleteExpired'>,
  interval: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    checkInterval('interval', interval, false) // a bad interval rejects; it never throws
    if (signal?.aborted) return resolve()
    let timer: Timer | undefined
    let running: Promise<unknown> | undefined
    const onAbort = () => {
      clearTimeout(timer)
      if (running)
        running.then(
          () => resolve(),
          () => resolve(),
        )
      else resolve()
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    const tick = () => {
      running = store.deleteExpired()
      running.then(
        () => {
          running = undefined
          if (signal?.aborted) return
          timer = setTimeout(tick, interval)
        },
        (error: unknown) => {
          running = undefined
          signal?.removeEventListener('abort', onAbort)
          reject(asError(error))
        },
      )
    }
    timer = setTimeout(tick, interval)
  })
}

export function asError(value: unknown): Error {
  if (value instanceof Error) return value
  return new SessionupError('STORE_FAILURE', `non-error thrown: ${String(value)}`)
}
