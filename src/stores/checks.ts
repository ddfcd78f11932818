import { InvalidArgumentError } from '../errors.js'
import type { SessionRecord } from '../session.js'
import type { SessionPatch } from '../store.js'

/**
 * The argument rules every store applies before touching its engine, so that what one store
 * accepts every store can keep: a string that one engine cannot hold (a NUL for PostgreSQL, a
 * 9,000-character LMDB key, a lone surrogate for Redis's cjson) is refused for all of them.
 */

/** Session ids: 1–256 visible ASCII characters (generated ids are 22; v1 ones 43). */
export const MAX_ID_LENGTH = 256
/** User keys: 1–512 UTF-16 units, well-formed, no NUL (at most 1,536 bytes of UTF-8). */
export const MAX_USER_KEY_LENGTH = 512
/** Meta: keys and values together at most this many UTF-16 units. */
export const MAX_META_LENGTH = 65_536
/** IP text and agent names. */
const MAX_SHORT_LENGTH = 256

const ID = /^[\x21-\x7e]+$/

function wellFormed(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed()
}

/** Whether `value` could be a session id at all; lookups of anything else find nothing. */
export function isPossibleId(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH && ID.test(value)
  )
}

export function checkId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(name, 'expected a non-empty string')
  }
  if (value.length > MAX_ID_LENGTH) {
    throw new InvalidArgumentError(name, `longer than ${MAX_ID_LENGTH} characters`)
  }
  if (!ID.test(value)) {
    throw new InvalidArgumentError(name, 'only visible ASCII characters (no spaces) are allowed')
  }
}

function checkText(name: string, value: unknown, max: number, allowEmpty: boolean): void {
  if (typeof value !== 'string') throw new InvalidArgumentError(name, 'expected a string')
  if (!allowEmpty && value.length === 0) {
    throw new InvalidArgumentError(name, 'expected a non-empty string')
  }
  if (value.length > max) throw new InvalidArgumentError(name, `longer than ${max} characters`)
  if (!wellFormed(value)) {
    throw new InvalidArgumentError(name, 'not well-formed Unicode (a lone surrogate)')
  }
}

export function checkUserKey(name: string, value: unknown): asserts value is string {
  checkText(name, value, MAX_USER_KEY_LENGTH, false)
  if ((value as string).includes('\0')) throw new InvalidArgumentError(name, 'contains NUL')
}

export function checkDate(name: string, value: unknown): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidArgumentError(name, 'expected a valid Date')
  }
}

export function checkMeta(name: string, meta: unknown): asserts meta is Record<string, string> {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new InvalidArgumentError(name, 'expected an object of strings')
  }
  let size = 0
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(`${name}["${key}"]`, 'values must be strings')
    }
    if (!wellFormed(key) || !wellFormed(value)) {
      throw new InvalidArgumentError(
        `${name}["${key}"]`,
        'not well-formed Unicode (a lone surrogate)',
      )
    }
    size += key.length + value.length
  }
  if (size > MAX_META_LENGTH) {
    throw new InvalidArgumentError(name, `keys and values exceed ${MAX_META_LENGTH} characters`)
  }
}

/** Secret hashes: base64url, as `hashSecret` makes them (43), at most 256. */
const HASH = /^[A-Za-z0-9_-]{1,256}$/

function checkHash(name: string, value: unknown, nullable: boolean): void {
  if (value === null && nullable) return
  if (typeof value !== 'string' || !HASH.test(value)) {
    throw new InvalidArgumentError(name, 'expected 1–256 base64url characters')
  }
}

function checkNullableDate(name: string, value: unknown): void {
  if (value !== null) checkDate(name, value)
}

function checkIdle(name: string, value: unknown): void {
  if (value === null) return
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(name, 'expected a whole number of ms ≥ 1, or null')
  }
}

function checkFlag(name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(name, 'expected true or false')
}

function checkVersion(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(name, 'expected a whole number ≥ 0')
  }
}

/** Rejects a record that a store could not keep faithfully. */
export function checkRecord(session: unknown): asserts session is SessionRecord {
  if (typeof session !== 'object' || session === null) {
    throw new InvalidArgumentError('session', 'expected a session object')
  }
  const s = session as SessionRecord
  checkId('session.id', s.id)
  checkUserKey('session.userKey', s.userKey)
  for (const key of ['createdAt', 'expiresAt', 'lastActiveAt', 'authenticatedAt', 'rotatedAt']) {
    checkDate(`session.${key}`, s[key as 'createdAt'])
  }
  checkNullableDate('session.deadline', s.deadline)
  if (s.deadline !== null && s.expiresAt.getTime() > s.deadline.getTime()) {
    throw new InvalidArgumentError('session.expiresAt', 'later than session.deadline')
  }
  checkIdle('session.idleTimeout', s.idleTimeout)
  checkFlag('session.persistent', s.persistent)
  if (s.ip !== null) checkText('session.ip', s.ip, MAX_SHORT_LENGTH, false)
  if (typeof s.agent !== 'object' || s.agent === null) {
    throw new InvalidArgumentError('session.agent', 'expected { os, browser }')
  }
  checkText('session.agent.os', s.agent.os, MAX_SHORT_LENGTH, true)
  checkText('session.agent.browser', s.agent.browser, MAX_SHORT_LENGTH, true)
  checkMeta('session.meta', s.meta)
  checkHash('session.secretHash', s.secretHash, true)
  checkHash('session.previousSecretHash', s.previousSecretHash, true)
  checkNullableDate('session.previousSecretExpiresAt', s.previousSecretExpiresAt)
  if ((s.previousSecretHash === null) !== (s.previousSecretExpiresAt === null)) {
    throw new InvalidArgumentError(
      'session.previousSecretExpiresAt',
      'set exactly when previousSecretHash is',
    )
  }
  checkVersion('session.version', s.version)
}

const PATCH_KEYS = new Set([
  'ifVersion',
  'expiresAt',
  'lastActiveAt',
  'authenticatedAt',
  'secret',
  'meta',
  'lifetime',
])

function checkObject(name: string, value: unknown): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(name, 'expected an object')
  }
}

/** Rejects a `touch` patch with an unknown field or a value a store could not keep. */
export function checkPatch(patch: unknown): asserts patch is SessionPatch {
  checkObject('patch', patch)
  for (const key of Object.keys(patch)) {
    if (!PATCH_KEYS.has(key)) throw new InvalidArgumentError(`patch.${key}`, 'unknown field')
  }
  const p = patch as SessionPatch
  if (p.ifVersion !== undefined) checkVersion('patch.ifVersion', p.ifVersion)
  for (const key of ['expiresAt', 'lastActiveAt', 'authenticatedAt'] as const) {
    if (p[key] !== undefined) checkDate(`patch.${key}`, p[key])
  }
  if (p.secret !== undefined) {
    checkObject('patch.secret', p.secret)
    checkHash('patch.secret.hash', p.secret.hash, false)
    checkHash('patch.secret.previousHash', p.secret.previousHash, false)
    checkDate('patch.secret.previousExpiresAt', p.secret.previousExpiresAt)
    checkDate('patch.secret.rotatedAt', p.secret.rotatedAt)
  }
  if (p.meta !== undefined) checkMeta('patch.meta', p.meta)
  if (p.lifetime !== undefined) {
    checkObject('patch.lifetime', p.lifetime)
    checkNullableDate('patch.lifetime.deadline', p.lifetime.deadline)
    checkIdle('patch.lifetime.idleTimeout', p.lifetime.idleTimeout)
    checkFlag('patch.lifetime.persistent', p.lifetime.persistent)
  }
}

/** Meta as read back from storage: a plain object of strings, or an error for a corrupt record. */
export function readMeta(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError('meta is not an object')
  }
  for (const v of Object.values(value)) {
    if (typeof v !== 'string') throw new TypeError('a meta value is not a string')
  }
  return value as Record<string, string>
}
