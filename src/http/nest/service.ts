import type { Session } from '../../session.js'
import type { AdapterCore } from '../core.js'
import { viewOf } from '../node-request.js'
import { type SessionOperations, sessionOperations } from '../operations.js'
import { appendCookie, type NestRequest, type NestResponse, nodeRequest, slot } from './platform.js'

/** The operations `SessionupService` carries (its constructor assigns them). */
export interface SessionupService extends SessionOperations<NestRequest, NestResponse> {}

/**
 * The session operations for controllers, injected like any provider (`SessionupModule` exports
 * it). Each takes the request as `@Req()` gives it, and the response (`@Res({ passthrough: true
 * })`) where a cookie is written; Set-Cookie values are appended, never replacing the app's own
 * cookies, on Express and Fastify alike. On a request without a session (a `@Public()` route),
 * the operations on the current session do nothing. The operations are the other adapters'
 * (`SessionOperations`): `init`, `rotate`, `reauthenticate`, `updateMeta`, `revoke`,
 * `revokeOther`, `revokeAll`, `revokeByIdExt`, `fetchAll`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every operation
export class SessionupService {
  /** Made by `SessionupModule`; inject it rather than constructing it. */
  constructor(core: AdapterCore<NestRequest>) {
    const view = (req: NestRequest) => viewOf(nodeRequest(req), core.readsBearer)
    Object.assign(this, sessionOperations(core, view, appendCookie))
  }

  /** The session the guard attached to this request, or `undefined`. */
  get(req: NestRequest): Session | undefined {
    return slot.get(req)
  }
}
