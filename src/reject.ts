import { UnauthorizedError } from './errors.js'

/** What the `auth` middleware answers when a request has no valid session. */
export interface RejectResponse {
  status: number
  headers: Record<string, string>
  body: string
}

const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * The default `reject`: 401 `{"error":"unauthorized"}` for a request without a valid session
 * (with `WWW-Authenticate: Bearer` when a bearer token was missing or failed, per RFC 6750);
 * 403 `{"error":"reauthentication-required"}` for one whose sign-in is too old for the route
 * (`requireFresh`), so the app can ask for the password again; 403
 * `{"error":"cross-origin-request"}` for a state-changing request the CSRF guard refused; and 503
 * `{"error":"unavailable"}` when the store failed, so clients do not read an outage as
 * "logged out". The body never carries the cause.
 */
export function defaultReject(error?: Error): RejectResponse {
  const headers: Record<string, string> = { 'content-type': JSON_TYPE }
  if (error instanceof UnauthorizedError && error.reason === 'not-fresh') {
    return { status: 403, headers, body: '{"error":"reauthentication-required"}' }
  }
  if (error instanceof UnauthorizedError && error.reason === 'cross-origin') {
    return { status: 403, headers, body: '{"error":"cross-origin-request"}' }
  }
  if (error === undefined || error instanceof UnauthorizedError) {
    if (error?.carrier === 'bearer') headers['www-authenticate'] = bearerChallenge(error)
    return { status: 401, headers, body: '{"error":"unauthorized"}' }
  }
  return {
    status: 503,
    headers: { ...headers, 'retry-after': '5' },
    body: '{"error":"unavailable"}',
  }
}

/** RFC 6750 §3: no error code when no token came, `invalid_token` when one failed. */
function bearerChallenge(error: UnauthorizedError): string {
  return error.reason === 'missing-token' ? 'Bearer' : 'Bearer error="invalid_token"'
}
