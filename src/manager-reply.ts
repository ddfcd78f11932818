import { asError } from './cleanup.js'
import { UnauthorizedError } from './errors.js'
import type { RejectResponse, ResolvedOptions } from './options.js'
import { isLive, lifetimeOf, sessionView } from './policy.js'
import type { ListedSession, SessionRecord } from './session.js'

/** Hands a failure to `onError` (unauthorized requests are not failures and are skipped). */
export function reportTo(o: ResolvedOptions, error: Error): void {
  if (error instanceof UnauthorizedError) return
  try {
    o.onError(error)
  } catch {
    // An error handler that throws must not turn one failure into a crash.
  }
}

/** The `reject` option's response to `error`; a `reject` that throws gets a bare 500. */
export function rejectionOf(o: ResolvedOptions, error: Error): RejectResponse {
  reportTo(o, error)
  try {
    return o.reject(error)
  } catch (thrown) {
    reportTo(o, asError(thrown))
    return { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '' }
  }
}

/** The live ones of a user's records, oldest first as the store gives them, `currentId` marked. */
export function liveListing(
  o: ResolvedOptions,
  records: readonly SessionRecord[],
  currentId: string,
): ListedSession[] {
  const now = o.now()
  const listed: ListedSession[] = []
  for (const r of records) {
    const lifetime = lifetimeOf(o, r)
    if (isLive(o, r, lifetime, now)) {
      listed.push({ ...sessionView(r, lifetime), current: r.id === currentId })
    }
  }
  return listed
}
