import { copyMeta, type SessionRecord } from '../session.js'

/**
 * A record as the memory store keeps it, never handed out: the strings as they are, a private
 * copy of meta, and every time in one array of numbers (`NaN` for none), which V8 keeps as raw
 * doubles in one block. A read then builds its `Date`s from one place in memory instead of
 * visiting seven stored `Date` objects, which is what a copy of a record mostly cost.
 */
export interface Packed {
  readonly id: string
  readonly userKey: string
  readonly ip: string | null
  readonly os: string
  readonly browser: string
  readonly meta: Record<string, string>
  readonly idleTimeout: number | null
  readonly persistent: boolean
  readonly secretHash: string | null
  readonly previousSecretHash: string | null
  readonly version: number
  /** createdAt, expiresAt, deadline, lastActiveAt, authenticatedAt, rotatedAt, previousSecretExpiresAt. */
  readonly t: number[]
}

const CREATED = 0
export const EXPIRES = 1

const ms = (d: Date | null) => (d === null ? Number.NaN : d.getTime())
const dateOrNull = (n: number) => (Number.isNaN(n) ? null : new Date(n))

export function pack(r: SessionRecord): Packed {
  return {
    id: r.id,
    userKey: r.userKey,
    ip: r.ip,
    os: r.agent.os,
    browser: r.agent.browser,
    meta: copyMeta(r.meta),
    idleTimeout: r.idleTimeout,
    persistent: r.persistent,
    secretHash: r.secretHash,
    previousSecretHash: r.previousSecretHash,
    version: r.version,
    t: [
      r.createdAt.getTime(),
      r.expiresAt.getTime(),
      ms(r.deadline),
      r.lastActiveAt.getTime(),
      r.authenticatedAt.getTime(),
      r.rotatedAt.getTime(),
      ms(r.previousSecretExpiresAt),
    ],
  }
}

/** A fresh record, sharing nothing mutable with what is stored. */
export function unpack(p: Packed): SessionRecord {
  const t = p.t
  return {
    id: p.id,
    userKey: p.userKey,
    createdAt: new Date(t[0] as number),
    expiresAt: new Date(t[1] as number),
    deadline: dateOrNull(t[2] as number),
    idleTimeout: p.idleTimeout,
    lastActiveAt: new Date(t[3] as number),
    authenticatedAt: new Date(t[4] as number),
    persistent: p.persistent,
    ip: p.ip,
    agent: { os: p.os, browser: p.browser },
    meta: copyMeta(p.meta),
    secretHash: p.secretHash,
    previousSecretHash: p.previousSecretHash,
    previousSecretExpiresAt: dateOrNull(t[6] as number),
    rotatedAt: new Date(t[5] as number),
    version: p.version,
  }
}

/** Oldest first (createdAt, then id), the order of `fetchByUserKey`. */
export function oldestFirst(a: Packed, b: Packed): number {
  const byTime = (a.t[CREATED] as number) - (b.t[CREATED] as number)
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
