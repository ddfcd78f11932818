import { InvalidArgumentError, type UnauthorizedReason } from './errors.js'
import { EventHub, type Listener } from './events.js'
import { publicSession, type Session } from './session.js'
import type { DeletionEvent, RevokeReason, Store, Unsubscribe } from './store.js'

export type { RevokeReason } from './store.js'

/** Why a session expired: its idle window passed, or its absolute deadline came. */
export type ExpiryReason = 'idle' | 'absolute'

/** Why `authenticate` turned a request away: the `UnauthorizedReason`s, or a failing store. */
export type RejectReason = UnauthorizedReason | 'store-failure'

/**
 * One event of the manager's lifecycle stream. Events carry the session's public fields (never
 * a token or a hash) and the time. `rejected` carries the session only when one was found
 * (`client-mismatch`, `not-fresh`).
 */
export type SessionEvent =
  | { type: 'created' | 'renewed' | 'rotated'; session: Session; at: Date }
  | { type: 'revoked'; session: Session; at: Date; reason: RevokeReason }
  | { type: 'expired'; session: Session; at: Date; reason: ExpiryReason }
  | { type: 'rejected'; session: Session | null; at: Date; reason: RejectReason }

export type SessionEventType = SessionEvent['type']

/** A lifecycle listener; `signal` aborts when it is unsubscribed. */
export type SessionEventListener = Listener<SessionEvent>

/** Which events a listener gets; every field narrows, none given means all. */
export interface SubscribeOptions {
  /** Only events of these types. */
  types?: readonly SessionEventType[]
  /** Only events about this user's sessions (so never a `rejected` without a session). */
  userKey?: string
  /** Only events this returns `true` for; it must not throw (a throw skips the event). */
  filter?: (event: SessionEvent) => boolean
}

const TYPES: ReadonlySet<string> = new Set<SessionEventType>([
  'created',
  'renewed',
  'rotated',
  'revoked',
  'expired',
  'rejected',
])

/**
 * How a deleted session ran out: `absolute` when it expired at its deadline (or had no idle
 * window: a fixed lifetime), `idle` when its idle window ended first.
 */
export function expiryReason(session: Session): ExpiryReason {
  const deadline = session.deadline?.getTime() ?? Number.POSITIVE_INFINITY
  return session.idleTimeout !== null && session.expiresAt.getTime() < deadline
    ? 'idle'
    : 'absolute'
}

function picker(options: SubscribeOptions | undefined): ((e: SessionEvent) => boolean) | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('options', 'expected { types?, userKey?, filter? }')
  }
  const { types, userKey, filter } = options
  if (types !== undefined && (!Array.isArray(types) || !types.every((t) => TYPES.has(t)))) {
    throw new InvalidArgumentError('options.types', `expected a list of ${[...TYPES].join(', ')}`)
  }
  if (userKey !== undefined && (typeof userKey !== 'string' || userKey === '')) {
    throw new InvalidArgumentError('options.userKey', 'expected a non-empty string')
  }
  if (filter !== undefined && typeof filter !== 'function') {
    throw new InvalidArgumentError('options.filter', 'expected a function')
  }
  const wanted = types && new Set(types)
  return (e) =>
    (!wanted || wanted.has(e.type)) &&
    (userKey === undefined || e.session?.userKey === userKey) &&
    (!filter || filter(e))
}

/**
 * The manager's lifecycle stream. `created`, `renewed`, `rotated` and `rejected` come from this
 * manager's own calls; `revoked` and `expired` from the store's deletion events, so they also
 * cover deletions made by other managers on the store and by cleanup. The store is listened to
 * only while this stream has listeners.
 */
export class Lifecycle {
  readonly #hub: EventHub<SessionEvent>
  #fromStore: Unsubscribe | undefined
  #listeners = 0

  constructor(
    private readonly store: Store,
    report: (error: Error) => void,
    private readonly now: () => number,
  ) {
    this.#hub = new EventHub(report, 'a session event listener')
  }

  /** Whether anybody listens; callers skip building events when nobody does. */
  get active(): boolean {
    return this.#hub.active
  }

  subscribe(listener: SessionEventListener, options?: SubscribeOptions): Unsubscribe {
    if (typeof listener !== 'function') {
      throw new InvalidArgumentError('listener', 'expected a function')
    }
    const unsubscribe = this.#hub.subscribe(listener, picker(options))
    if (this.#listeners++ === 0) {
      this.#fromStore = this.store.onDeletion((e) => this.#hub.emit([fromDeletion(e)]))
    }
    let done = false
    return async (wait) => {
      if (!done) {
        done = true
        if (--this.#listeners === 0) {
          const off = this.#fromStore
          this.#fromStore = undefined
          await off?.()
        }
      }
      await unsubscribe(wait)
    }
  }

  /** A `created`, `renewed` or `rotated` event (a copy of the session goes out). */
  emit(type: 'created' | 'renewed' | 'rotated', session: Session): void {
    if (!this.#hub.active) return
    this.#hub.emit([{ type, session: publicSession(session), at: new Date(this.now()) }])
  }

  rejected(reason: RejectReason, session: Session | null = null): void {
    if (!this.#hub.active) return
    const copy = session && publicSession(session)
    this.#hub.emit([{ type: 'rejected', session: copy, at: new Date(this.now()), reason }])
  }
}

function fromDeletion(e: DeletionEvent): SessionEvent {
  return e.reason === 'expired'
    ? { type: 'expired', session: e.session, at: e.at, reason: expiryReason(e.session) }
    : { type: 'revoked', session: e.session, at: e.at, reason: e.revokeReason ?? 'admin' }
}
