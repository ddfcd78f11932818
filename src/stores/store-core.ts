import { CleanupTimer, runCleanup } from '../cleanup.js'
import { DeletionEvents, ErrorListeners } from '../events.js'
import type { DeletionEvent, DeletionListener, StoreErrorListener, Unsubscribe } from '../store.js'
import { baseOptions, type StoreSpec } from './base-options.js'
import { ChangeFeed, type ChangeSource, type Feed } from './feed.js'
import { type CacheStats, checkCacheOption, ReadCache } from './read-cache.js'

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
  /** The read cache (`cache` option), for stores that offer one. */
  protected readonly cache: ReadCache | undefined

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
    const cache = spec.options?.includes('cache')
      ? checkCacheOption((options as { cache?: unknown } | undefined)?.cache)
      : undefined
    this.cache = cache && new ReadCache(cache)
  }

  abstract deleteExpired(): Promise<number>

  /**
   * Stores call this last in their constructor: starts the cleanup timer and, when the read
   * cache learns of other processes' changes from the feed, the feed.
   */
  protected opened(): void {
    if (this.cache && this.cacheNeedsFeed) void this.#startFeed()
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
      (events) => this.feedDelivered(events),
      (error) => this.reportError(error),
      (id) => this.cache?.invalidate(id),
    )
  }

  /** Other processes' deletions, from the feed: out of the cache, then to the listeners. */
  protected feedDelivered(events: readonly DeletionEvent[]): void {
    if (this.cache) for (const e of events) this.cache.invalidate(e.session.id)
    this.events.emit(events)
  }

  /**
   * Whether the read cache depends on the feed (PostgreSQL, Redis: it is trusted only while the
   * feed follows the log) rather than on a data version read on each hit (SQLite, LMDB).
   */
  protected get cacheNeedsFeed(): boolean {
    return true
  }

  /**
   * What the read cache trusts now: a number that moves whenever cached records may have been
   * changed by someone else (SQLite's data version, a counter of LMDB writes, the feed's
   * connection), or `null` when nothing can be trusted and reads must go to the engine. Default:
   * the feed's epoch.
   */
  protected cacheStamp(): number | null {
    return this.#feed ? this.#feed.epoch() : null
  }

  /** Whether `id` is still live at `version` (synchronous engines only); default: unknown. */
  protected cacheRecheck(_id: string, _version: number, _now: number): boolean {
    return false
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
    void this.#startFeed()
    return async (wait) => {
      await unsubscribe(wait)
      if (!this.events.active && !(this.cache && this.cacheNeedsFeed)) await this.#feed?.stop()
    }
  }

  #startFeed(): Promise<void> {
    if (this.#feed === undefined) this.#feed = this.changeFeed() ?? null
    if (!this.#feed || this.#closing) return Promise.resolve()
    return this.#feed.start()
  }

  /** Resolves once deletions by other processes are being followed (for tests and tools). */
  get following(): Promise<void> {
    return this.#feed?.start() ?? Promise.resolve()
  }

  /** What the read cache (`cache` option) has done, or `undefined` without one. */
  get cacheStats(): CacheStats | undefined {
    const c = this.cache
    return c && { size: c.size, ...c.stats }
  }

  onError(listener: StoreErrorListener): () => void {
    return this.#errors.add(listener)
  }

  close(): Promise<void> {
    this.#closing ??= Promise.all([this.#cleanup?.stop(), this.#feed?.stop()]).then(() => {})
    return this.#closing
  }
}
