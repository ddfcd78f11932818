import { CleanupTimer, checkInterval, runCleanup } from '../cleanup.js'
import { InvalidArgumentError, InvalidOptionError } from '../errors.js'
import { DeletionEvents, ErrorListeners } from '../events.js'
import type { Session } from '../session.js'
import type { DeletionListener, Store, StoreErrorListener, Unsubscribe } from '../store.js'

/** Options every store accepts. */
export interface BaseStoreOptions {
  /**
   * Milliseconds between automatic deletions of expired sessions; `0` turns the timer off (use
   * `deleteExpired()`, `runCleanup()` or `startCleanup()` instead). Expired sessions are never
   * returned either way; cleanup only frees space. Default: 5 minutes.
   */
  cleanupInterval?: number
  /** The clock, in epoch milliseconds. For tests; default `Date.now`. */
  now?: () => number
}

export const DEFAULT_CLEANUP_INTERVAL = 5 * 60_000

/**
 * What every store shares: the clock, deletion events, error listeners, the cleanup timer and
 * `close()`. A store adds only the work on its own engine.
 */
export abstract class BaseStore implements Store {
  protected readonly now: () => number
  protected readonly events: DeletionEvents
  readonly #errors = new ErrorListeners()
  #cleanup: CleanupTimer | undefined
  #closing: Promise<void> | undefined

  constructor(
    protected readonly layer: string,
    options: BaseStoreOptions | undefined,
  ) {
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new InvalidOptionError('options', 'expected an object')
    }
    const now = options?.now ?? Date.now
    if (typeof now !== 'function') throw new InvalidOptionError('now', 'expected a function')
    this.now = now
    this.events = new DeletionEvents((error) => this.reportError(error))
  }

  /** Starts the cleanup timer; stores call this last in their constructor. */
  protected startCleanupTimer(options: BaseStoreOptions | undefined): void {
    const interval = checkInterval(
      'cleanupInterval',
      options?.cleanupInterval ?? DEFAULT_CLEANUP_INTERVAL,
      true,
    )
    if (interval > 0) {
      this.#cleanup = new CleanupTimer(
        () => this.deleteExpired(),
        interval,
        (error) => this.reportError(error),
      )
    }
  }

  /**
   * Go's `Cleanup(ctx, interval)`: deletes expired sessions every `interval` ms until `signal`
   * aborts; rejects on the first failure so the caller can restart it.
   */
  cleanup(interval: number, signal?: AbortSignal): Promise<void> {
    return runCleanup(this, interval, signal)
  }

  protected reportError(error: Error): void {
    this.#errors.report(error)
  }

  abstract create(session: Session): Promise<void>
  abstract fetchById(id: string): Promise<Session | null>
  abstract fetchByUserKey(userKey: string): Promise<Session[]>
  abstract deleteById(id: string): Promise<void>
  abstract deleteByUserKey(userKey: string, ...exceptIds: string[]): Promise<void>
  abstract extend(id: string, expiresAt: Date): Promise<boolean>
  abstract deleteExpired(): Promise<number>

  onDeletion(listener: DeletionListener): Unsubscribe {
    return this.events.subscribe(listener)
  }

  onError(listener: StoreErrorListener): () => void {
    return this.#errors.add(listener)
  }

  close(): Promise<void> {
    this.#closing ??= this.#cleanup?.stop() ?? Promise.resolve()
    return this.#closing
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

/** Rejects a session that a store could not keep faithfully. */
export function checkSession(session: Session): void {
  if (typeof session !== 'object' || session === null) {
    throw new InvalidArgumentError('session', 'expected a session object')
  }
  checkKey('session.id', session.id)
  checkKey('session.userKey', session.userKey)
  checkDate('session.createdAt', session.createdAt)
  checkDate('session.expiresAt', session.expiresAt)
  if (session.ip !== null && typeof session.ip !== 'string') {
    throw new InvalidArgumentError('session.ip', 'expected a string or null')
  }
  const agent = session.agent
  if (typeof agent !== 'object' || agent === null) {
    throw new InvalidArgumentError('session.agent', 'expected { os, browser }')
  }
  if (typeof agent.os !== 'string' || typeof agent.browser !== 'string') {
    throw new InvalidArgumentError('session.agent', 'os and browser must be strings')
  }
  checkMeta(session.meta)
}

export function checkKey(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(name, 'expected a non-empty string')
  }
}

export function checkDate(name: string, value: unknown): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidArgumentError(name, 'expected a valid Date')
  }
}

export function checkMeta(meta: unknown): asserts meta is Record<string, string> {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new InvalidArgumentError('session.meta', 'expected an object of strings')
  }
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(`session.meta["${key}"]`, 'values must be strings')
    }
  }
}
