import { InvalidArgumentError } from '../errors.js'
import type { Session } from '../session.js'

/**
 * The argument rules every store applies before touching its engine, so that what one store
 * accepts every store can keep: a string that one engine cannot hold (a NUL for PostgreSQL, a
 * 9,000-character LMDB key, a lone surrogate for Redis's cjson) is refused for all of them.
 */

/** Session ids: 1–256 visible ASCII characters (generated ids are 43). */
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

/** Rejects a session that a store could not keep faithfully. */
export function checkSession(session: unknown): asserts session is Session {
  if (typeof session !== 'object' || session === null) {
    throw new InvalidArgumentError('session', 'expected a session object')
  }
  const s = session as Session
  checkId('session.id', s.id)
  checkUserKey('session.userKey', s.userKey)
  checkDate('session.createdAt', s.createdAt)
  checkDate('session.expiresAt', s.expiresAt)
  if (s.ip !== null) checkText('session.ip', s.ip, MAX_SHORT_LENGTH, false)
  if (typeof s.agent !== 'object' || s.agent === null) {
    throw new InvalidArgumentError('session.agent', 'expected { os, browser }')
  }
  checkText('session.agent.os', s.agent.os, MAX_SHORT_LENGTH, true)
  checkText('session.agent.browser', s.agent.browser, MAX_SHORT_LENGTH, true)
  checkMeta('session.meta', s.meta)
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

/** A session's scalar fields in the order the stores keep them (meta is each store's own). */
export function sessionFields(s: Session) {
  return [
    s.id,
    s.userKey,
    s.createdAt.getTime(),
    s.expiresAt.getTime(),
    s.ip,
    s.agent.os,
    s.agent.browser,
  ] as const
}
