import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { Session } from '../session.js'
import type { Store } from '../store.js'

/** A clock the suite moves by hand; stores built with `now: clock.now` follow it. */
export class TestClock {
  #ms: number
  constructor(start = Date.now()) {
    this.#ms = start
  }
  readonly now = (): number => this.#ms
  set(ms: number): void {
    this.#ms = ms
  }
  advance(ms: number): void {
    this.#ms += ms
  }
}

export interface StoreHarness {
  store: Store
  /** Runs after each case: close the store and drop what it stored. */
  teardown?: () => void | Promise<void>
  /**
   * Overwrites the stored record of `id` (and any copy of it the store keeps) with data the
   * store cannot decode, as disk damage or a foreign writer would. Without it, the cases about
   * unreadable records are skipped.
   */
  corrupt?: (id: string) => void | Promise<void>
}

/**
 * Makes a fresh, empty store for one case. It must pass `now` to the store (unless
 * `controllableClock` is false) and must turn the store's cleanup timer off, so the suite
 * sees what the store returns before any cleanup.
 */
export type StoreFactory = (context: { now: () => number }) => StoreHarness | Promise<StoreHarness>

export interface ConformanceOptions {
  /**
   * The store decides expiry with the `now` it is given. Set `false` for stores whose engine
   * expires data on its own clock (Redis): the suite then uses real time with wide margins,
   * and skips the cases that need to stop time at an exact millisecond.
   */
  controllableClock?: boolean
  /**
   * Set `true` when the factory gives `corrupt`, to run the cases about records the store
   * cannot read back (a store with data on disk or on a server should). Default `false`.
   */
  corruptible?: boolean
}

export interface Fixture {
  store: Store
  clock: TestClock
  /** The harness's `corrupt`. */
  corrupt(id: string): Promise<void>
  /** `Date.now()` for stores on the engine's clock, else the test clock. */
  now(): number
  /** A session for `userKey` made at `now() + createdOffset`, expiring `ttl` ms after now(). */
  session(
    userKey: string,
    overrides?: Partial<Session> & { ttl?: number; createdOffset?: number },
  ): Session
}

export interface Case {
  name: string
  /** Runs only when the store's clock is controllable. */
  needsClock?: boolean
  /** Runs only when the harness can corrupt a record. */
  needsCorrupt?: boolean
  run(fx: Fixture): Promise<void>
}

export function makeFixture(
  harness: StoreHarness,
  clock: TestClock,
  controllable: boolean,
): Fixture {
  const now = () => (controllable ? clock.now() : Date.now())
  return {
    store: harness.store,
    clock,
    now,
    async corrupt(id) {
      await harness.corrupt?.(id)
    },
    session(userKey, overrides = {}) {
      const { ttl = 3_600_000, createdOffset = 0, ...rest } = overrides
      const t = now()
      return {
        id: randomBytes(32).toString('base64url'),
        userKey,
        createdAt: new Date(t + createdOffset),
        expiresAt: new Date(t + ttl),
        ip: '203.0.113.7',
        agent: { os: 'Linux', browser: 'Firefox' },
        meta: {},
        ...rest,
      }
    },
  }
}

/** A session as plain data, so comparisons see every field and dates to the millisecond. */
export function plain(session: Session | null | undefined): unknown {
  if (!session) return session
  return {
    id: session.id,
    userKey: session.userKey,
    createdAt: session.createdAt.getTime(),
    expiresAt: session.expiresAt.getTime(),
    ip: session.ip,
    agent: { os: session.agent.os, browser: session.agent.browser },
    meta: { ...session.meta },
  }
}

export function assertSameSession(
  actual: Session | null,
  expected: Session,
  message?: string,
): void {
  assert.ok(actual, message ?? `session ${expected.id} should be found`)
  assert.ok(actual.createdAt instanceof Date, 'createdAt should be a Date')
  assert.ok(actual.expiresAt instanceof Date, 'expiresAt should be a Date')
  assert.deepEqual(plain(actual), plain(expected), message)
}

export function ids(sessions: readonly Session[]): string[] {
  return sessions.map((s) => s.id)
}

/** A promise with its resolve function outside, to hold a listener open. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/** Lets queued callbacks (deletion listeners) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** Creates the sessions one after another and gives them back. */
export async function stored<T extends Session[]>(store: Store, ...sessions: T): Promise<T> {
  for (const s of sessions) await store.create(s)
  return sessions
}
