import { copyMeta, type SessionRecord } from '../session.js'
import type { SessionPatch } from '../store.js'
import { readMeta } from './checks.js'

/**
 * A record's fields as plain values, in the order every store keeps them (meta aside: each store
 * encodes it its own way). Times are epoch ms; `persistent` is 0 or 1. The fields from
 * `deadline` on came with schema v2: a v1 record has none of them.
 */
export type FlatRecord = [
  id: string,
  userKey: string,
  createdAt: number,
  expiresAt: number,
  ip: string | null,
  os: string,
  browser: string,
  deadline: number | null,
  idleTimeout: number | null,
  persistent: number,
  lastActiveAt: number,
  authenticatedAt: number,
  rotatedAt: number,
  secretHash: string | null,
  previousSecretHash: string | null,
  previousSecretExpiresAt: number | null,
  version: number,
]

/** How many of the flat fields schema v1 had. */
export const V1_FIELDS = 7

export function flatten(r: SessionRecord): FlatRecord {
  return [
    r.id,
    r.userKey,
    r.createdAt.getTime(),
    r.expiresAt.getTime(),
    r.ip,
    r.agent.os,
    r.agent.browser,
    r.deadline?.getTime() ?? null,
    r.idleTimeout,
    r.persistent ? 1 : 0,
    r.lastActiveAt.getTime(),
    r.authenticatedAt.getTime(),
    r.rotatedAt.getTime(),
    r.secretHash,
    r.previousSecretHash,
    r.previousSecretExpiresAt?.getTime() ?? null,
    r.version,
  ]
}

/** Fields as an engine returns them: integers may come as strings (pg's BIGINT), v2 ones absent. */
export type StoredFields = ReadonlyArray<unknown>

function time(value: unknown, what: string): number {
  const n = typeof value === 'string' && value !== '' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError(`${what} is not a time`)
  return n
}

function optionalTime(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : time(value, what)
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} is not a string`)
  return value
}

function optionalText(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : text(value, what)
}

/**
 * A stored record read back; throws a `TypeError` for one that is damaged. Fields a v1 record
 * lacks take their v1 meaning: no secret hash (the id is the v1 token's hash), activity,
 * authentication and rotation at creation, no deadline or idle limit, version 0.
 */
export function unflatten(f: StoredFields, meta: unknown): SessionRecord {
  const createdAt = time(f[2], 'createdAt')
  const deadline = optionalTime(f[7], 'deadline')
  const idle = optionalTime(f[8], 'idleTimeout')
  const previousUntil = optionalTime(f[15], 'previousSecretExpiresAt')
  return {
    id: text(f[0], 'id'),
    userKey: text(f[1], 'userKey'),
    createdAt: new Date(createdAt),
    expiresAt: new Date(time(f[3], 'expiresAt')),
    ip: optionalText(f[4], 'ip'),
    agent: { os: text(f[5], 'agent.os'), browser: text(f[6], 'agent.browser') },
    meta: readMeta(meta),
    deadline: deadline === null ? null : new Date(deadline),
    idleTimeout: idle,
    persistent: Number(f[9] ?? 0) === 1,
    lastActiveAt: new Date(optionalTime(f[10], 'lastActiveAt') ?? createdAt),
    authenticatedAt: new Date(optionalTime(f[11], 'authenticatedAt') ?? createdAt),
    rotatedAt: new Date(optionalTime(f[12], 'rotatedAt') ?? createdAt),
    secretHash: optionalText(f[13], 'secretHash'),
    previousSecretHash: optionalText(f[14], 'previousSecretHash'),
    previousSecretExpiresAt: previousUntil === null ? null : new Date(previousUntil),
    version: optionalTime(f[16], 'version') ?? 0,
  }
}

/**
 * The expiry `touch` writes: never earlier than the stored one, never past the deadline (the
 * patch's new one, else the stored one).
 */
export function patchedExpiry(
  stored: number,
  wanted: number | undefined,
  deadline: number | null,
): number {
  const later = wanted === undefined ? stored : Math.max(stored, wanted)
  return deadline === null ? later : Math.min(later, deadline)
}

/**
 * The record as `touch` leaves it, or `null` when `touch` must write nothing: the session has
 * expired by `now`, or `ifVersion` is not its version. For stores that update in JavaScript.
 */
export function patched(r: SessionRecord, p: SessionPatch, now: number): SessionRecord | null {
  if (r.expiresAt.getTime() <= now) return null
  if (p.ifVersion !== undefined && p.ifVersion !== r.version) return null
  const lifetime = p.lifetime
  const deadline = lifetime ? lifetime.deadline : r.deadline
  const expiry = patchedExpiry(
    r.expiresAt.getTime(),
    p.expiresAt?.getTime(),
    deadline?.getTime() ?? null,
  )
  return {
    ...r,
    expiresAt: new Date(expiry),
    lastActiveAt: p.lastActiveAt ? new Date(p.lastActiveAt.getTime()) : r.lastActiveAt,
    authenticatedAt: p.authenticatedAt ? new Date(p.authenticatedAt.getTime()) : r.authenticatedAt,
    ...(p.secret && {
      secretHash: p.secret.hash,
      previousSecretHash: p.secret.previousHash,
      previousSecretExpiresAt: new Date(p.secret.previousExpiresAt.getTime()),
      rotatedAt: new Date(p.secret.rotatedAt.getTime()),
    }),
    meta: p.meta ? copyMeta(p.meta) : r.meta,
    ...(lifetime && {
      deadline: deadline && new Date(deadline.getTime()),
      idleTimeout: lifetime.idleTimeout,
      persistent: lifetime.persistent,
    }),
    version: r.version + 1,
  }
}
