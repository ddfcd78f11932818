import { InvalidOptionError } from '../../errors.js'
import { SCHEMA_VERSION } from '../base.js'
import type { SchemaOutcome } from './schema.js'

type Maybe<T> = T | Promise<T>

/** Maps a value that may still be a promise, without a promise where there was none. */
export function then<T, U>(value: Maybe<T>, map: (value: T) => U): Maybe<U> {
  return value instanceof Promise ? value.then(map) : map(value)
}

/**
 * Whether a SQL store's table is ready, and getting it so: made current on open (or only checked,
 * without `autoMigrate`), retried after a failure, and run work once it is — synchronously when
 * it already is, so a synchronous engine never waits on a promise.
 */
export class Readiness {
  #ready = false
  #preparing: Promise<void> | undefined

  /** `run(write)` runs the schema steps; `table` names the table in errors. */
  constructor(
    private readonly run: (write: boolean) => Maybe<SchemaOutcome>,
    private readonly autoMigrate: boolean,
    private readonly table: string,
  ) {
    let done: Maybe<void>
    try {
      done = this.#prepare(autoMigrate)
    } catch (error) {
      // An outdated table is not a reason to refuse the store: `migrate()` is how to fix it, and
      // until then every method rejects with this error (through `ready`).
      if (!(error instanceof InvalidOptionError && error.option === 'autoMigrate')) throw error
      return
    }
    if (done instanceof Promise) this.#track(done)
    else this.#ready = true
  }

  /** Makes the table current (or, without `write`, checks that it is). */
  #prepare(write: boolean): Maybe<void> {
    return then(this.run(write), (outcome) => {
      if (outcome.to !== SCHEMA_VERSION) throw this.#outdated(outcome.from)
    })
  }

  #outdated(from: number | null): InvalidOptionError {
    const found =
      from === null
        ? 'does not exist yet'
        : from === SCHEMA_VERSION
          ? 'has no change log table yet'
          : `is at schema version ${from}`
    return new InvalidOptionError(
      'autoMigrate',
      `${this.table} ${found} and autoMigrate is false: run store.migrate() first`,
    )
  }

  /**
   * Resolves once the table is in place. A failed attempt is not kept: the next call (or the
   * next `ready`) tries again, so a store made while the database was down recovers.
   */
  get ready(): Promise<void> {
    if (this.#ready) return Promise.resolve()
    this.#preparing ??= this.#track(Promise.resolve().then(() => this.#prepare(this.autoMigrate)))
    return this.#preparing
  }

  #track(attempt: Promise<void>): Promise<void> {
    const tracked = attempt.then(
      () => {
        this.#ready = true
      },
      (error: unknown) => {
        this.#preparing = undefined
        throw error
      },
    )
    tracked.catch(() => {}) // every method awaiting it reports the failure
    this.#preparing = tracked
    return tracked
  }

  /** Migrates in place (several processes may run it at once); the version found. */
  async migrate(): Promise<number | null> {
    const outcome = await this.run(true)
    this.#ready = true
    return outcome.from
  }

  /** Runs `work` once the table is ready; synchronously when it already is. */
  when<T>(work: () => Maybe<T>): Maybe<T> {
    return this.#ready ? work() : this.ready.then(work)
  }
}
