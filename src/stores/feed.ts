import { asError } from '../cleanup.js'
import { StoreError } from '../errors.js'
import { publicSession, type Session, type SessionRecord } from '../session.js'
import type { DeletionEvent, RevokeReason } from '../store.js'

type Maybe<T> = T | Promise<T>

/** One row of a change log: seq, at, kind, reason, origin, and the deleted record. */
export interface Change {
  seq: number
  at: number
  kind: 'revoked' | 'expired'
  reason: RevokeReason | null
  origin: string
  /** Decodes the deleted record (only done for other origins' changes); may throw. */
  record: () => SessionRecord
}

/** What follows other processes' deletions for a store: started by its first listener. */
export interface Feed {
  /** Starts following (idempotent); resolves once deletions from now on will be delivered. */
  start(): Promise<void>
  /** Stops following and waits for a delivery under way. */
  stop(): Promise<void>
  /**
   * While following with nothing missed: a number that changes whenever something may have been
   * missed (a reconnect, a failed read); `null` while not following. The read cache trusts only it.
   */
  epoch(): number | null
}

/** Where a store's change log is read, and what tells it that the log may have grown. */
export interface ChangeSource {
  /** The newest seq now in the log (0 when empty). */
  head(): Maybe<number>
  /** Changes after `seq`, oldest first, at most `limit`. */
  after(seq: number, limit: number): Maybe<Change[]>
  /** The changes with these seqs (for engines whose seqs may commit out of order). */
  bySeq?(seqs: readonly number[]): Maybe<Change[]>
  /**
   * Calls `wake` whenever the log may have grown (a poll of the engine's data version, a
   * notification, which may name the seq that committed, or carry the change itself), until
   * the returned stop is called. Engines that announce updates too call `touched(id)` for each.
   */
  watch(
    wake: (seq?: number, change?: Change) => void,
    report: (error: Error) => void,
    touched?: (id: string) => void,
  ): Watching
}

/** A watch under way: `stop` ends it; `ready`, when given, resolves once it is listening. */
export interface Watching {
  stop(): Maybe<void>
  ready?: Promise<void>
  /** For watches over a connection: a count of (re)connections, `null` while disconnected. */
  epoch?(): number | null
}

/** How long logged deletions are kept (for readers that were away, and replays). */
export const CHANGE_RETENTION_MS = 15 * 60_000
/** How often a store polls its engine's data version for other processes' changes. */
export const FEED_POLL_MS = 10

/**
 * A watch that polls `version()` every `FEED_POLL_MS` and wakes when it moved. A failing poll
 * (a closed database) stops it and is reported once. The timer never keeps the process alive.
 */
export function pollWatch(
  version: () => unknown,
  wake: () => void,
  report: (error: Error) => void,
): Watching {
  let seen = version()
  const timer = setInterval(() => {
    try {
      const now = version()
      if (now !== seen) wake()
      seen = now
    } catch (error) {
      clearInterval(timer)
      report(error instanceof Error ? error : new Error(String(error)))
    }
  }, FEED_POLL_MS)
  timer.unref?.()
  return { stop: () => clearInterval(timer) }
}

const PAGE = 500
/** Seqs remembered as delivered, so a change named twice (notified and read) goes out once. */
const REMEMBERED = 10_000

/**
 * Delivers the deletions other processes logged to this store's deletion listeners, once each,
 * in log order, while the store has listeners. It starts at the log's head: what happened before
 * it started is not replayed. Changes of this store's own `origin` were delivered when they were
 * made and are skipped.
 */
export class ChangeFeed implements Feed {
  #last: number | undefined
  #watching: Watching | undefined
  #starting: Promise<void> | undefined
  #pulling: Promise<void> | undefined
  #again = false
  #generation = 0
  /** Seqs named by a notification at or below `#last`: committed late, read by seq. */
  #late: number[] = []
  readonly #delivered = new Set<number>()
  /** Failed reads of the log so far: each may have missed changes, so each moves the epoch. */
  #faults = 0

  constructor(
    private readonly source: ChangeSource,
    readonly origin: string,
    private readonly deliver: (events: DeletionEvent[]) => void,
    private readonly report: (error: Error) => void,
    private readonly touched: (id: string) => void = () => {},
  ) {}

  epoch(): number | null {
    const w = this.#watching
    if (w === undefined || this.#last === undefined) return null
    const connection = w.epoch ? w.epoch() : 0
    return connection === null ? null : connection * 1_000_000 + this.#faults
  }

  /** Starts following the log; resolves once the head has been read. Idempotent. */
  start(): Promise<void> {
    if (this.#starting) return this.#starting
    const generation = ++this.#generation
    this.#starting = (async () => {
      try {
        const head = await this.source.head()
        if (generation !== this.#generation) return
        this.#last = head
        this.#watching = this.source.watch(
          (seq, change) => this.#wake(seq, change),
          this.report,
          (id) => this.touched(id),
        )
        await this.#watching.ready
        void this.pull() // whatever committed between reading the head and watching
      } catch (error) {
        this.#starting = undefined
        this.report(new StoreError('feed', 'reading the change log', error))
      }
    })()
    return this.#starting
  }

  /** Stops following; a pass under way finishes first. */
  async stop(): Promise<void> {
    this.#generation++
    this.#starting = undefined
    const watching = this.#watching
    this.#watching = undefined
    await watching?.stop()
    await this.#pulling
  }

  #wake(seq: number | undefined, change: Change | undefined): void {
    if (change && this.#last !== undefined) {
      this.#deliver([change]) // a notification that carried it: no read needed
      return
    }
    // A named seq is kept until a pass has read it: one that committed after a higher seq was
    // read is behind `#last` by then, and only a read by seq finds it.
    if (seq !== undefined && this.source.bySeq && !this.#delivered.has(seq)) this.#late.push(seq)
    void this.pull()
  }

  /** Reads what is new now (one pass at a time; a wake during a pass runs one more). */
  pull(): Promise<void> {
    if (this.#pulling) {
      this.#again = true
      return this.#pulling
    }
    this.#pulling = this.#drain().finally(() => {
      this.#pulling = undefined
    })
    return this.#pulling
  }

  async #drain(): Promise<void> {
    const generation = this.#generation
    do {
      this.#again = false
      const named = this.#late.splice(0)
      for (;;) {
        if (this.#last === undefined || generation !== this.#generation) return
        let page: Change[]
        try {
          page = await this.source.after(this.#last, PAGE)
        } catch (error) {
          this.#faults++
          this.report(new StoreError('feed', 'reading the change log', asError(error)))
          return
        }
        if (generation !== this.#generation) return
        this.#deliver(page)
        if (page.length < PAGE) break
      }
      const missed = named.filter((seq) => !this.#delivered.has(seq))
      if (missed.length > 0 && this.source.bySeq) {
        try {
          this.#deliver(await this.source.bySeq(missed))
        } catch (error) {
          this.#faults++
          this.report(new StoreError('feed', 'reading the change log', asError(error)))
        }
      }
    } while (this.#again || this.#late.length > 0)
  }

  #deliver(changes: readonly Change[]): void {
    const events: DeletionEvent[] = []
    for (const c of changes) {
      this.#last = Math.max(this.#last ?? 0, c.seq)
      if (this.#delivered.has(c.seq)) continue
      this.#delivered.add(c.seq)
      if (this.#delivered.size > REMEMBERED) {
        this.#delivered.delete(this.#delivered.values().next().value as number)
      }
      if (c.origin === this.origin) continue
      let session: Session
      try {
        session = publicSession(c.record())
      } catch (error) {
        this.#faults++ // its id is unknown: nothing cached can be trusted
        this.report(new StoreError('feed', `reading the record of change ${c.seq}`, error))
        continue
      }
      const event: DeletionEvent = { session, reason: c.kind, at: new Date(c.at) }
      if (c.kind === 'revoked') event.revokeReason = c.reason ?? 'admin'
      events.push(event)
    }
    if (events.length > 0) this.deliver(events)
  }
}
