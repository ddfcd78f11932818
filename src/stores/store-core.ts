import { CleanupTimer, runCleanup } from '../cleanup.js'
import { DeletionEvents, ErrorListeners } from '../events.js'
import type { DeletionListener, StoreErrorListener, Unsubscribe } from '../store.js'
import { baseOptions, type StoreSpec } from './base-options.js'
import { ChangeFeed, type ChangeSource, type Feed } from './feed.js'

type Maybe<T> = T | Promise<T>

/**
 * What every store has besides its data: options checked once, deletion events (and, for stores
 * that share their data, the feed of other processes' deletions), error listeners, the cleanup
 * timer, and `close()`. `BaseStore` builds the data methods on it.
 */
export abstract class StoreCore {
  protected readonly now: () => number
  protected readonly events: DeletionEvents
  protected readonly batchSize: number
  /** Tells this store object's deletions from other processes' in a shared change log. */
  protected readonly origin: string = globalThis.crypto.randomUUID()
  readonly #errors = new ErrorListeners()
  readonly #interval: number
  #cleanup: CleanupTimer | undefined
  #closing: Promise<void> | undefined
  #feed: Feed | null | undefined

  /** Checks every option before the store does anything with its database. */
  constructor(
    protected readonly layer: string,
    options: object | undefined,
    spec: StoreSpec,
  ) {
    const o = baseOptions(layer, options, spec)
    this.now = o.now
    this.#interval = o.interval
    this.batchSize = o.batchSize
    this.events = new DeletionEvents((error) => this.reportError(error))
  }

  abstract deleteExpired(): Promise<number>

  /** Starts the cleanup timer; stores call this last in their constructor. */
  protected startCleanupTimer(): void {
    if (this.#interval > 0 && !this.#cleanup) {
      this.#cleanup = new CleanupTimer(
        () => this.deleteExpired(),
        this.#interval,
        (error) => this.reportError(error),
      )
    }
  }

  /**
   * For stores that share their data with other processes: the log of deletions those processes
   * made, delivered to this store's deletion listeners while it has any. Default: none.
   */
  protected changeFeed(): Feed | undefined {
    return undefined
  }

  /** A feed over `source` that hands other processes' deletions to this store's listeners. */
  protected feedFrom(source: ChangeSource): ChangeFeed {
    return new ChangeFeed(
      source,
      this.origin,
      (events) => this.events.emit(events),
      (error) => this.reportError(error),
    )
  }

  /** Drops what the change log no longer needs to keep; cleanup calls it. Default: nothing. */
  protected trimChanges(_now: number): Maybe<void> {}

  /**
   * Go's `Cleanup(ctx, interval)`: deletes expired sessions every `interval` ms until `signal`
   * aborts; rejects on the first failure (or a bad interval) so the caller can restart it.
   */
  cleanup(interval: number, signal?: AbortSignal): Promise<void> {
    return runCleanup(this, interval, signal)
  }

  protected reportError(error: Error): void {
    this.#errors.report(error)
  }

  /**
   * Subscribes to deletion events. In stores with a change log, the first listener starts
   * following it (so deletions made by other processes arrive too) and the last one to leave
   * stops it: a store nobody listens to does no work for it.
   */
  onDeletion(listener: DeletionListener): Unsubscribe {
    const unsubscribe = this.events.subscribe(listener)
    if (this.#feed === undefined) this.#feed = this.changeFeed() ?? null
    if (this.#feed && !this.#closing) void this.#feed.start()
    return async (wait) => {
      await unsubscribe(wait)
      if (!this.events.active) await this.#feed?.stop()
    }
  }

  /** Resolves once deletions by other processes are being followed (for tests and tools). */
  get following(): Promise<void> {
    return this.#feed?.start() ?? Promise.resolve()
  }

  onError(listener: StoreErrorListener): () => void {
    return this.#errors.add(listener)
  }

  close(): Promise<void> {
    this.#closing ??= Promise.all([this.#cleanup?.stop(), this.#feed?.stop()]).then(() => {})
    return this.#closing
  }
}
