import { asError } from './cleanup.js'
import type { Session } from './session.js'
import type { DeletionListener, DeletionReason, StoreErrorListener, Unsubscribe } from './store.js'

interface Subscription {
  listener: DeletionListener
  controller: AbortController
  running: Set<Promise<void>>
}

/** The deletion-event hub every store shares: subscribe, emit, unsubscribe with or without wait. */
export class DeletionEvents {
  readonly #subscriptions = new Set<Subscription>()

  constructor(private readonly report: (error: Error) => void) {}

  /** Whether anybody listens; stores skip reading deleted rows back when nobody does. */
  get active(): boolean {
    return this.#subscriptions.size > 0
  }

  subscribe(listener: DeletionListener): Unsubscribe {
    if (typeof listener !== 'function') {
      throw new TypeError('[sessionup] onDeletion expects a function')
    }
    const sub: Subscription = { listener, controller: new AbortController(), running: new Set() }
    this.#subscriptions.add(sub)
    return async (wait = false) => {
      if (this.#subscriptions.delete(sub)) sub.controller.abort()
      if (wait) await Promise.allSettled([...sub.running])
    }
  }

  /** Delivers one event per session to every listener; never throws, never awaits listeners. */
  emit(sessions: readonly Session[], reason: DeletionReason): void {
    for (const sub of this.#subscriptions) {
      for (const session of sessions) this.#deliver(sub, session, reason)
    }
  }

  #deliver(sub: Subscription, session: Session, reason: DeletionReason): void {
    let run: Promise<void>
    try {
      run = Promise.resolve(sub.listener({ session, reason }, sub.controller.signal)).catch(
        (error: unknown) => this.report(asError(error)),
      )
    } catch (error) {
      this.report(asError(error))
      return
    }
    sub.running.add(run)
    run.finally(() => sub.running.delete(run))
  }
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
      process.emitWarning(error)
      return
    }
    for (const listener of this.#listeners) {
      try {
        listener(error)
      } catch (thrown) {
        process.emitWarning(asError(thrown))
      }
    }
  }
}
