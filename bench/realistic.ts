// The realistic data of the store benches (issue 11): many sessions, five per user, random
// 22-character ids, meta {role, tz}, every lifetime field set, and one session in ten expired,
// with expiries spread evenly over the past hour (and those of live sessions over the next day),
// so that the expired rows lie scattered over the id order rather than in one run of it.
import { createHash } from 'node:crypto'
import type { SessionRecord } from '../src/index.js'

export const PER_USER = 5
export const HOUR = 3_600_000
const DAY = 24 * HOUR
const TZS = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC']
const BROWSERS = ['Firefox', 'Chrome', 'Safari']

/** Session `i`'s id: 22 base64url characters, as generated ids are, in no order. */
export function idOf(i: number): string {
  return createHash('sha256').update(`session-${i}`).digest('base64url').slice(0, 22)
}

export const userOf = (i: number) => `user-${Math.floor(i / PER_USER)}`
export const isExpired = (i: number) => i % 10 === 3

/** A permutation of 0…n-1 that visits the data in no order (7919 is prime, n a multiple of 5). */
export function spread(n: number): (k: number) => number {
  return (k) => (k * 7919) % n
}

/**
 * How the store benches pick their data among n sessions: `live(k)`, the k-th live session in
 * no order; `takeUsers(count)`, `count` users no other write side has had, so each side writes
 * (and deletes) sessions of its own.
 */
export function picks(n: number) {
  const users = n / PER_USER
  const atUser = spread(users)
  const live = (k: number) => {
    const i = spread(n)(k)
    return isExpired(i) ? (i + 1) % n : i
  }
  let nextUser = 0
  const takeUsers = (count: number) => {
    const base = nextUser
    nextUser += count
    if (nextUser > users) throw new Error('bench: not enough users for the write rounds')
    return (i: number) => atUser(base + i)
  }
  return { users, live, takeUsers }
}

/** Session `i`, with times relative to `now`. */
export function realisticRecord(i: number, now: number): SessionRecord {
  const id = idOf(i)
  const offset = (i * 7919) % HOUR
  const expires = isExpired(i) ? now - 1 - offset : now + HOUR + ((i * 104_729) % DAY)
  const created = expires - DAY
  return {
    id,
    userKey: userOf(i),
    createdAt: new Date(created),
    expiresAt: new Date(expires),
    deadline: new Date(created + 30 * DAY),
    idleTimeout: DAY,
    lastActiveAt: new Date(created + 1000),
    authenticatedAt: new Date(created),
    persistent: i % 3 === 0,
    ip: `192.0.2.${i % 250}`,
    agent: { os: 'Linux', browser: BROWSERS[i % 3] as string },
    meta: { role: i % 7 === 0 ? 'admin' : 'user', tz: TZS[i % 4] as string },
    secretHash: createHash('sha256').update(id).digest('base64url'),
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    rotatedAt: new Date(created),
    version: 1,
  }
}

/** A new session for the create rounds: same shape, not among the stored ones. */
export function freshRecord(tag: string, i: number, now = Date.now()): SessionRecord {
  const r = realisticRecord(i, now)
  const expires = now + HOUR
  return {
    ...r,
    id: `${tag}-${r.id}`,
    userKey: `${tag}-${r.userKey}`,
    expiresAt: new Date(expires),
  }
}

/**
 * The floor's mapping of a SQL row (`COLUMNS` order, meta last) to a plain object of the same
 * fields as a record, with no checks: the least work that yields what a caller can use.
 */
export function plainFromRow(r: unknown[]): Record<string, unknown> {
  const date = (v: unknown) => (v === null ? null : new Date(v as number))
  return {
    id: r[0],
    userKey: r[1],
    createdAt: new Date(r[2] as number),
    expiresAt: new Date(r[3] as number),
    ip: r[4],
    agent: { os: r[5], browser: r[6] },
    meta: JSON.parse(r[17] as string),
    deadline: date(r[7]),
    idleTimeout: r[8],
    persistent: r[9] === 1,
    lastActiveAt: new Date(r[10] as number),
    authenticatedAt: new Date(r[11] as number),
    rotatedAt: new Date(r[12] as number),
    secretHash: r[13],
    previousSecretHash: r[14],
    previousSecretExpiresAt: date(r[15]),
    version: r[16],
  }
}
