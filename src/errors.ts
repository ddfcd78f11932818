/**
 * Every error sessionup throws is a `SessionupError` with a stable `code`, so callers can branch
 * on `err.code` (or `instanceof`) without parsing messages. Driver failures keep the original
 * error as `cause`.
 */
export type SessionupErrorCode =
  | 'DUPLICATE_ID'
  | 'UNAUTHORIZED'
  | 'INVALID_OPTION'
  | 'INVALID_ARGUMENT'
  | 'STORE_FAILURE'
  | 'CONFLICT'

export class SessionupError extends Error {
  override name = 'SessionupError'
  readonly code: SessionupErrorCode

  constructor(code: SessionupErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[sessionup] ${message}`, options)
    this.code = code
  }
}

/** A store already holds a session with this id; nothing was written. */
export class DuplicateIdError extends SessionupError {
  override name = 'DuplicateIdError'
  constructor(layer: string, options?: { cause?: unknown }) {
    super('DUPLICATE_ID', `[${layer}] a session with this id already exists`, options)
  }
}

/**
 * Why a request carries no usable session: no credential (`missing-cookie`; `missing-token` on
 * a bearer-only route); a cookie or bearer token that cannot be a token; the session cookie and a
 * bearer token at once on a route that takes both (`conflicting-credentials`); no live session
 * for it (unknown, revoked, expired, or a secret that does not match); a session bound to another
 * client (`validate`); a session whose sign-in is older than the route allows (`requireFresh`:
 * ask for the password again); or a state-changing request from another origin (`cross-origin`,
 * the CSRF guard).
 */
export type UnauthorizedReason =
  | 'missing-cookie'
  | 'malformed-cookie'
  | 'missing-token'
  | 'malformed-token'
  | 'conflicting-credentials'
  | 'unknown-session'
  | 'client-mismatch'
  | 'not-fresh'
  | 'cross-origin'

/**
 * A request has no valid session. `reason` says which check failed (never shown to clients);
 * `carrier` says whether the credential that failed was a bearer token (the default `reject`
 * then adds `WWW-Authenticate: Bearer`).
 */
export class UnauthorizedError extends SessionupError {
  override name = 'UnauthorizedError'
  readonly reason: UnauthorizedReason
  readonly carrier: 'cookie' | 'bearer' | null
  constructor(reason: UnauthorizedReason, carrier: 'cookie' | 'bearer' | null = null) {
    super('UNAUTHORIZED', `unauthorized (${reason})`)
    this.reason = reason
    this.carrier = carrier
  }
}

/** An option given to a manager or a store is invalid; `option` names it. */
export class InvalidOptionError extends SessionupError {
  override name = 'InvalidOptionError'
  readonly option: string
  constructor(option: string, problem: string) {
    super('INVALID_OPTION', `invalid option "${option}": ${problem}`)
    this.option = option
  }
}

/** A method argument is invalid (a session with no user key, a date that is not a date, …). */
export class InvalidArgumentError extends SessionupError {
  override name = 'InvalidArgumentError'
  readonly argument: string
  constructor(argument: string, problem: string) {
    super('INVALID_ARGUMENT', `invalid ${argument}: ${problem}`)
    this.argument = argument
  }
}

/** The storage engine failed; `cause` is the driver's error. */
export class StoreError extends SessionupError {
  override name = 'StoreError'
  readonly layer: string
  constructor(layer: string, action: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause)
    super('STORE_FAILURE', `[${layer}] ${action} failed: ${detail}`, { cause })
    this.layer = layer
  }
}

/**
 * A compare-and-set write (`rotate`, `updateMeta`) kept meeting other writes to the same session
 * and gave up; nothing was written. Transient: the default `reject` answers 503.
 */
export class ConflictError extends SessionupError {
  override name = 'ConflictError'
  constructor(message: string) {
    super('CONFLICT', message)
  }
}

/** Wraps anything a driver threw, leaving sessionup's own errors as they are. */
export function storeFailure(layer: string, action: string, cause: unknown): SessionupError {
  return cause instanceof SessionupError ? cause : new StoreError(layer, action, cause)
}
