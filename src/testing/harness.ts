import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { Session, SessionRecord } from '../session.js'
import type { Store } from '../store.js'
import { hashSecret } from '../token.js'

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

/** A session as sessionup 0.1 (schema v1) stored it; its cookie token's SHA-256 is its id. */
export interface V1Session {
  id: string
  userKey: string
  createdAt: Date
  expiresAt: Date
  ip: string | null
  agent: { os: string; browser: string }
  meta: Record<string, string>
}

/**
 * Builds a database as sessionup 0.1 left it — its schema, its layout, these sessions, written
 * the way its code wrote them — then opens this version's store over it (which migrates it) and
 * returns that store. Each call makes a new database; `teardown` drops it.
 */
export type V1Factory = (
  sessions: readonly V1Session[],
  context: { now: () => number },
) => StoreHarness | Promise<StoreHarness>

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
  /** Give it to run the cases about data written by sessionup 0.1 (schema v1). */
  v1?: V1Factory
}

export interface Fixture {
  store: Store
  clock: TestClock
  /** The options' `v1` factory (cases that need it only run when it is given). */
  v1: V1Factory
  /** The harness's `corrupt`. */
  corrupt(id: string): Promise<void>
  /** `Date.now()` for stores on the engine's clock, else the test clock. */
  now(): number
  /** A session for `userKey` made at `now() + createdOffset`, expiring `ttl` ms after now(). */
  session(
    userKey: string,
    overrides?: Partial<SessionRecord> & { ttl?: number; createdOffset?: number },
  ): SessionRecord
}

export interface Case {
  name: string
  /** Runs only when the store's clock is controllable. */
  needsClock?: boolean
  /** Runs only when the harness can corrupt a record. */
  needsCorrupt?: boolean
  /** Runs only when the options give a `v1` factory. */
  needsV1?: boolean
  run(fx: Fixture): Promise<void>
}

/** The fields a test usually cares about; `sessionRecord` fills in the rest. */
export type RecordFields = Pick<SessionRecord, 'id' | 'userKey' | 'createdAt' | 'expiresAt'> &
  Partial<SessionRecord>

/**
 * A complete record from a few fields, for tests of a store: no deadline or idle limit, activity
 * and authentication at creation, a random secret hash, version 1, no IP, agent or meta.
 */
export function sessionRecord(fields: RecordFields): SessionRecord {
  return {
    deadline: null,
    idleTimeout: null,
    lastActiveAt: fields.createdAt,
    authenticatedAt: fields.createdAt,
    persistent: false,
    ip: null,
    agent: { os: '', browser: '' },
    meta: {},
    secretHash: hashSecret(randomBytes(32).toString('base64url')),
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    rotatedAt: fields.createdAt,
    version: 1,
    ...fields,
  }
}

export function makeFixture(
  harness: StoreHarness,
  clock: TestClock,
  controllable: boolean,
  v1: V1Factory | undefined,
): Fixture {
  const now = () => (controllable ? clock.now() : Date.now())
  return {
    store: harness.store,
    clock,
    now,
    v1: v1 ?? (() => assert.fail('this case needs the v1 factory')),
    async corrupt(id) {
      await harness.corrupt?.(id)
    },
    session(userKey, overrides = {}) {
      const { ttl = 3_600_000, createdOffset = 0, ...rest } = overrides
      const t = now()
      const createdAt = new Date(t + createdOffset)
      return sessionRecord({
        id: randomBytes(16).toString('base64url'),
        userKey,
        createdAt,
        expiresAt: new Date(t + ttl),
        ip: '203.0.113.7',
        agent: { os: 'Linux', browser: 'Firefox' },
        ...rest,
      })
    },
  }
}

const ms = (d: Date | null | undefined) => (d instanceof Date ? d.getTime() : d)

/**
 * A session or record as plain data, so comparisons see every field and dates to the
 * millisecond (a record's secret fields included when it has them).
 */
export function plain(session: Session | SessionRecord | null | undefined): unknown {
  if (!session) return session
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(session)) {
    if (value instanceof Date) out[key] = value.getTime()
    else if (key === 'agent') out[key] = { os: value.os, browser: value.browser }
    else if (key === 'meta') out[key] = { ...value }
    else out[key] = value
  }
  return out
}

export function assertSameSession(
  actual: Session | SessionRecord | null,
  expected: Session | SessionRecord,
  message?: string,
): void {
  assert.ok(actual, message ?? `session ${expected.id} should be found`)
  for (const key of ['createdAt', 'expiresAt', 'lastActiveAt', 'authenticatedAt'] as const) {
    assert.ok(actual[key] instanceof Date, `${key} should be a Date`)
  }
  assert.deepEqual(plain(actual), plain(expected), message)
}

/** Milliseconds of a date, or the value itself (null/undefined), for short assertions. */
export const timeOf = ms

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
export async function stored<T extends SessionRecord[]>(store: Store, ...sessions: T): Promise<T> {
  for (const s of sessions) await store.create(s)
  return sessions
}
