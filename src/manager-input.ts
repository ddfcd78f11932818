import { InvalidArgumentError, UnauthorizedError, type UnauthorizedReason } from './errors.js'
import { copyMeta, defineMeta, type Session } from './session.js'
import { checkMeta, checkUserKey, isPossibleId } from './stores/checks.js'
import type { Carrier } from './transport.js'

/** What the manager needs to know of a request; adapters fill it from their request type. */
export interface RequestView {
  /** The raw Cookie header. */
  cookie: string | undefined | null
  /** The socket peer's address. */
  remoteAddress: string | undefined | null
  /** The raw X-Forwarded-For header; only read when `trustProxy` says so. */
  forwardedFor: string | undefined | null
  userAgent: string | undefined | null
  /** The raw Authorization header; only read on routes whose transport takes bearer tokens. */
  authorization?: string | undefined | null
}

export type AuthResult =
  | {
      session: Session
      error: null
      /** How the request carried the session: its cookie, or a bearer token. */
      carrier: Carrier
      /** A Set-Cookie value to send: the session's secret was rotated with this request. */
      setCookie?: string
    }
  | { session: null; error: Error; carrier?: undefined; setCookie?: undefined }

export interface InitResult {
  session: Session
  /** The Set-Cookie value to send with the response to a browser. */
  setCookie: string
  /**
   * The token itself (`<id>.<secret>`), for a client that sends it as `Authorization: Bearer`.
   * Hand it only to that client; the store keeps its hash, so it cannot be shown again.
   */
  token: string
}

export interface InitOptions {
  /** App data kept with the session: string values, 65,536 characters in all. */
  meta?: Record<string, string>
  /**
   * "Keep me signed in": a persistent cookie and a lifetime of its own, without the idle limit —
   * `true` for the manager's `rememberFor` (default 30 days), or a number of ms. Capped by
   * `absoluteTimeout`. Unset: the manager's `expiresIn` / `idleTimeout` policy.
   */
  remember?: boolean | number
}

/** Changes to a session's meta: a string sets a key, `null` removes it. */
export type MetaPatch = Record<string, string | null>

export function unauthorized(reason: UnauthorizedReason, carrier: Carrier | null): AuthResult {
  return { session: null, error: new UnauthorizedError(reason, carrier) }
}

/** The store's user-key rule, checked before `init` does anything. */
export function checkUserKeyArgument(userKey: unknown): asserts userKey is string {
  checkUserKey('userKey', userKey)
}

export function checkInitOptions(options: unknown): InitOptions {
  if (options === undefined) return {}
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError('options', 'expected { meta?, remember? }')
  }
  for (const key of Object.keys(options)) {
    if (key !== 'meta' && key !== 'remember') {
      throw new InvalidArgumentError(
        `options.${key}`,
        'unknown option of init (app data goes in { meta: { … } })',
      )
    }
  }
  const { meta, remember } = options as InitOptions
  if (meta !== undefined) checkMeta('options.meta', meta)
  const remembering = typeof remember === 'number'
  if (remembering && !(Number.isSafeInteger(remember) && remember > 0)) {
    throw new InvalidArgumentError('options.remember', 'expected true, false or a whole ms > 0')
  }
  if (remember !== undefined && !remembering && typeof remember !== 'boolean') {
    throw new InvalidArgumentError('options.remember', 'expected true, false or a whole ms > 0')
  }
  return { meta: meta ?? {}, ...(remember !== undefined && { remember }) }
}

/** `meta` with `patch` applied: strings set keys, `null` removes them. */
export function mergeMeta(meta: Record<string, string>, patch: unknown): Record<string, string> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new InvalidArgumentError('patch', 'expected an object of strings and nulls')
  }
  const merged = copyMeta(meta)
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key]
    else if (typeof value === 'string') defineMeta(merged, key, value)
    else throw new InvalidArgumentError(`patch["${key}"]`, 'expected a string, or null to remove')
  }
  checkMeta('meta', merged)
  return merged
}

export function checkMaxAge(maxAgeMs: unknown): asserts maxAgeMs is number {
  if (typeof maxAgeMs !== 'number' || !Number.isFinite(maxAgeMs) || maxAgeMs <= 0) {
    throw new InvalidArgumentError('maxAgeMs', 'expected a positive, finite number of ms')
  }
}

/** An id argument: a string, of which one that cannot be an id is simply not found. */
export function possibleId(id: unknown): boolean {
  if (typeof id !== 'string') throw new InvalidArgumentError('id', 'expected a string')
  return isPossibleId(id)
}

/** A session argument: the object `authenticate`, `init` or an adapter gave the app. */
export function checkCurrent(current: unknown, name = 'current'): asserts current is Session {
  const s = current as Session | null
  const shaped =
    typeof s === 'object' &&
    s !== null &&
    isPossibleId(s.id) &&
    typeof s.userKey === 'string' &&
    s.userKey.length > 0 &&
    s.authenticatedAt instanceof Date
  if (!shaped) throw new InvalidArgumentError(name, 'expected a session from authenticate or init')
}
