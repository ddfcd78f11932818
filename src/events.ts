import { asError } from './cleanup.js'
import { SessionupError } from './errors.js'
import type { Session } from './session.js'
import type {
  DeletionEvent,
  DeletionReason,
  RevokeReason,
  StoreErrorListener,
  Unsubscribe,
} from './store.js'

/** Runs of one listener that may be unsettled at once; more events wait in its queue. */
export const LISTENER_CONCURRENCY = 16
/** Events that may wait for one listener; beyond this they are dropped and reported. */
export const LISTENER_QUEUE_LIMIT = 10_000
/** How long `unsubscribe(true)` waits for runs that ignore their abort signal. */
export const UNSUBSCRIBE_WAIT_MS = 10_000

/** A listener of an event hub: `signal` aborts when it is unsubscribed. */
export type Listener<T> = (event: T, signal: AbortSignal) => void | Promise<void>

interface Subscription<T> {
  listener: Listener<T>
  accepts: ((event: T) => boolean) | undefined
  controller: AbortController
  running: Set<Promise<void>>
  queue: T[]
  dropped: number
}

/**
 * An event hub (the stores' deletion events, the manager's lifecycle events). Each listener gets
 * its events in order, at most `LISTENER_CONCURRENCY` runs at a time, with at most
 * `LISTENER_QUEUE_LIMIT` waiting: a listener that never settles costs bounded memory, and what
 * it could not take is reported, not hidden.
 */
export class EventHub<T> {
  readonly #subscriptions = new Set<Subscription<T>>()

  /** `what` names the listeners in reports: `a deletion listener fell behind`. */
  constructor(
    private readonly report: (error: Error) => void,
    private readonly what: string,
  ) {}

  /** Whether anybody listens; emitters skip building events when nobody does. */
  get active(): boolean {
    return this.#subscriptions.size > 0
  }

  /** `accepts`, when given, picks the events this listener gets (it must not throw). */
  subscribe(listener: Listener<T>, accepts?: (event: T) => boolean): Unsubscribe {
    const sub: Subscription<T> = {
      accepts,
      listener,
      controller: new AbortController(),
      running: new Set(),
      queue: [],
      dropped: 0,
    }
    this.#subscriptions.add(sub)
    return async (wait = false) => {
      if (this.#subscriptions.delete(sub)) {
        sub.queue.length = 0
        sub.controller.abort()
      }
      if (wait && sub.running.size > 0) await this.#drain(sub)
    }
  }

  /** Delivers the events, in order, to every listener; never throws, never awaits listeners. */
  emit(events: readonly T[]): void {
    if (events.length === 0) return
    for (const sub of this.#subscriptions) {
      for (const event of events) {
        if (sub.controller.signal.aborted) break // unsubscribed by an earlier event of this batch
        if (sub.accepts && !this.#accepts(sub, event)) continue
        if (sub.queue.length >= LISTENER_QUEUE_LIMIT) {
          sub.dropped++
          continue
        }
        sub.queue.push(event)
        this.#pump(sub)
      }
      if (sub.dropped > 0) {
        this.report(
          new SessionupError(
            'STORE_FAILURE',
            `${this.what} fell behind: ${sub.dropped} event(s) dropped (${LISTENER_QUEUE_LIMIT} were waiting)`,
          ),
        )
        sub.dropped = 0
      }
    }
  }

  #accepts(sub: Subscription<T>, event: T): boolean {
    try {
      return sub.accepts?.(event) !== false
    } catch (error) {
      this.report(asError(error))
      return false
    }
  }

  /** Starts queued runs while the listener is subscribed and has free slots. */
  #pump(sub: Subscription<T>): void {
    while (
      sub.queue.length > 0 &&
      sub.running.size < LISTENER_CONCURRENCY &&
      !sub.controller.signal.aborted
    ) {
      const next = sub.queue.shift() as T
      let result: unknown
      try {
        result = sub.listener(next, sub.controller.signal)
      } catch (error) {
        this.report(asError(error))
        continue
      }
      if (!isThenable(result)) continue
      const run: Promise<void> = Promise.resolve(result).then(
        () => {},
        (error: unknown) => this.report(asError(error)),
      )
      sub.running.add(run)
      run.finally(() => {
        sub.running.delete(run)
        this.#pump(sub)
      })
    }
  }

  async #drain(sub: Subscription<T>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), UNSUBSCRIBE_WAIT_MS)
    })
    const outcome = await Promise.race([Promise.allSettled([...sub.running]), timeout])
    clearTimeout(timer)
    if (outcome === 'timeout') {
      this.report(
        new SessionupError(
          'STORE_FAILURE',
          `${this.what} ignored its abort signal: ${sub.running.size} run(s) still pending after ${UNSUBSCRIBE_WAIT_MS} ms; unsubscribe stopped waiting`,
        ),
      )
    }
  }
}

/** The deletion events of a store: one event per deleted session, stamped with the time. */
export class DeletionEvents extends EventHub<DeletionEvent> {
  constructor(report: (error: Error) => void) {
    super(report, 'a deletion listener')
  }

  override subscribe(listener: Listener<DeletionEvent>): Unsubscribe {
    if (typeof listener !== 'function') {
      throw new TypeError('[sessionup] onDeletion expects a function')
    }
    return super.subscribe(listener)
  }

  /** One event per session; a revocation without a reason counts as `admin`. */
  emitDeleted(
    sessions: readonly Session[],
    reason: DeletionReason,
    at: Date,
    revokeReason?: RevokeReason,
  ): void {
    if (sessions.length === 0) return
    const why = reason === 'revoked' ? { revokeReason: revokeReason ?? 'admin' } : {}
    this.emit(sessions.map((session) => ({ session, reason, at, ...why })))
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
}

/** Error listeners of a store; with none, errors become process warnings rather than vanish. */
export class ErrorListeners {
  readonly #listeners = new Set<StoreErrorListener>()

  add(listener: StoreErrorListener): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError('[sessionup] onError expects a function')
    }
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  report(error: Error): void {
    if (this.#listeners.size === 0) {
      warn(error)
      return
    }
    for (const listener of this.#listeners) {
      try {
        listener(error)
      } catch (thrown) {
        warn(asError(thrown))
      }
    }
  }
}

/** A process warning where the runtime has them (Node, Bun, Deno), else the console. */
function warn(error: Error): void {
  const proc = (globalThis as { process?: { emitWarning?: (e: Error) => void } }).process
  if (typeof proc?.emitWarning === 'function') proc.emitWarning(error)
  else console.warn(error)
}
