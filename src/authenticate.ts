import { asError } from './cleanup.js'
import type { UnauthorizedReason } from './errors.js'
import type { Lifecycle } from './lifecycle.js'
import { type AuthResult, type RequestView, unauthorized } from './manager-input.js'
import type { ResolvedOptions } from './options.js'
import {
  isLive,
  lifetimeOf,
  renewalWindow,
  rotationDue,
  secretMatch,
  sessionView,
} from './policy.js'
import { parseAgent, type Session, type SessionRecord } from './session.js'
import type { SessionWrites } from './session-writes.js'
import type { Store } from './store.js'
import { readsAreCopies } from './stores/copies.js'
import { parseToken } from './token.js'
import { type Carrier, readCredential, type Transport } from './transport.js'

/** What `authenticate` works with: the manager's store, options, writes and event stream. */
export interface AuthContext {
  store: Store
  o: ResolvedOptions
  writes: SessionWrites
  events: Lifecycle
  /** The store hands out records no one else holds (`readsAreCopies`): no second copy. */
  owned: boolean
}

export function authContext(
  store: Store,
  o: ResolvedOptions,
  writes: SessionWrites,
  events: Lifecycle,
): AuthContext {
  return { store, o, writes, events, owned: readsAreCopies(store) }
}

/** The client's address as the manager sees it (socket, or per `trustProxy`). */
export function clientIpOf(o: ResolvedOptions, req: RequestView): string | null {
  return o.clientIp(req.remoteAddress ?? undefined, req.forwardedFor ?? undefined)
}

/** `SessionManager.authenticate`: the rules are written there. */
export async function authenticate(
  c: AuthContext,
  req: RequestView,
  transport: Transport = c.o.transport,
): Promise<AuthResult> {
  const { o } = c
  const credential = readCredential(req, transport, o.mixedCredentials, o.cookie.name)
  if (credential.reason !== undefined) return refuse(c, credential.reason, credential.carrier)
  const { carrier } = credential
  const claimed = parseToken(credential.token, o.secretPattern, o.v1Pattern)
  if (!claimed) {
    return refuse(c, carrier === 'bearer' ? 'malformed-token' : 'malformed-cookie', carrier)
  }
  let record: SessionRecord | null
  try {
    record = await c.store.fetchById(claimed.id)
  } catch (error) {
    c.events.rejected('store-failure')
    return { session: null, error: asError(error) }
  }
  const now = o.now()
  if (!record) return refuse(c, 'unknown-session', carrier)
  const lifetime = lifetimeOf(o, record)
  const match = isLive(o, record, lifetime, now) && secretMatch(record, claimed.secret, now)
  if (!match) return refuse(c, 'unknown-session', carrier)
  if (o.validate && !sameClient(o, record, req)) {
    return refuse(c, 'client-mismatch', carrier, sessionView(record, lifetime, c.owned))
  }
  const session = c.writes.prove(sessionView(record, lifetime, c.owned), match.hash)
  // Only a request with the current secret rotates: an old one in its grace window must not. A
  // bearer client never does on its own: it has no Set-Cookie to take the new token from.
  const rotate = match.current && carrier === 'cookie' && rotationDue(o, record, now)
  if (!rotate && now - record.lastActiveAt.getTime() < renewalWindow(o, lifetime)) {
    return { session, error: null, carrier }
  }
  const setCookie = await c.writes.renew(record, session, lifetime, now, rotate)
  return setCookie
    ? { session, error: null, carrier, setCookie }
    : { session, error: null, carrier }
}

/** Turns the request away, with its `rejected` event. */
function refuse(
  c: AuthContext,
  reason: UnauthorizedReason,
  carrier: Carrier | null,
  session: Session | null = null,
): AuthResult {
  c.events.rejected(reason, session)
  return unauthorized(reason, carrier)
}

/**
 * The request comes from the client the session recorded: the same IP (an unknown IP never
 * matches), and the same OS and browser as parsed, even where the parser could name neither
 * (curl, okhttp): the binding is to what was recorded.
 */
function sameClient(o: ResolvedOptions, session: Session, req: RequestView): boolean {
  const ip = clientIpOf(o, req)
  if (session.ip === null || ip === null || session.ip !== ip) return false
  const agent = parseAgent(req.userAgent)
  return agent.os === session.agent.os && agent.browser === session.agent.browser
}
