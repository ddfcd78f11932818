import {
  type ArgumentsHost,
  type CanActivate,
  Catch,
  type CustomDecorator,
  createParamDecorator,
  type ExceptionFilter,
  type ExecutionContext,
  HttpException,
  SetMetadata,
} from '@nestjs/common'
import type { Reflector } from '@nestjs/core'
import type { RejectResponse } from '../../options.js'
import type { Session } from '../../session.js'
import { type AdapterCore, freshness, type Need } from '../core.js'
import { originOf, viewOf } from '../node-request.js'
import {
  addHeaders,
  appendCookie,
  type NestRequest,
  type NestResponse,
  nodeRequest,
  sendRejection,
  slot,
} from './platform.js'

/** The metadata key of what a route needs; `skip`: no session work at all (`@Public()`). */
const NEED = 'sessionup:need'
type RouteNeed = Need | 'skip'

/**
 * Marks a route (or a controller) as public: no session is looked up, none is required, and
 * `@CurrentSession()` is `undefined` even when the request carries a valid cookie. For login
 * pages, health checks and assets: they cost no store read. The CSRF guard still applies.
 */
export function Public(): CustomDecorator<string> {
  return SetMetadata(NEED, 'skip' satisfies RouteNeed)
}

/**
 * Marks a route (or a controller) as "attach if present": the session is looked up, and
 * `@CurrentSession()` gives it when the request carries a valid one; a request without one (or
 * with an invalid one, or during a store outage) is served as anonymous instead of refused.
 */
export function OptionalAuth(): CustomDecorator<string> {
  return SetMetadata(NEED, 'optional' satisfies RouteNeed)
}

/**
 * Marks a route (or a controller) as sensitive: a session is required, and its user must have
 * proved who they are (signed in, or `SessionupService.reauthenticate`) less than `maxAgeMs`
 * ago; otherwise the manager's `reject` answers (default: 403 `reauthentication-required`).
 */
export function RequireFresh(maxAgeMs: number): CustomDecorator<string> {
  return SetMetadata(NEED, freshness(maxAgeMs) satisfies RouteNeed)
}

/**
 * A parameter decorator: the request's `Session`, or `undefined` on a `@Public()` route or an
 * `@OptionalAuth()` one without a valid session. Behind the guard's default it is always set.
 *
 * ```ts
 * @Get('me')
 * me(@CurrentSession() session: Session) {
 *   return session.userKey
 * }
 * ```
 */
export const CurrentSession: () => ParameterDecorator = createParamDecorator(
  function currentSession(_data: unknown, context: ExecutionContext): Session | undefined {
    return slot.get(context.switchToHttp().getRequest<NestRequest>())
  },
)

/**
 * What the guard throws to refuse a request: an `HttpException` with the manager's status and
 * (JSON-parsed) body, so an app's own exception filters see the right status. Its headers
 * (`WWW-Authenticate`, `Retry-After`, Set-Cookie) are already on the response;
 * `SessionupFilter` sends the body exactly as the manager made it.
 */
export class SessionupRejection extends HttpException {
  /** The manager's answer, as `reject` made it. */
  readonly answer: RejectResponse
  constructor(answer: RejectResponse) {
    super(parseBody(answer.body), answer.status)
    this.name = 'SessionupRejection'
    this.answer = answer
  }
}

function parseBody(body: string): string | Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body)
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>
  } catch {}
  return body
}

/** The exception filter the module registers: sends a `SessionupRejection` as the manager said. */
export class SessionupFilter implements ExceptionFilter<SessionupRejection> {
  catch(rejection: SessionupRejection, host: ArgumentsHost): void {
    sendRejection(host.switchToHttp().getResponse<NestResponse>(), rejection.answer)
  }
}
Catch(SessionupRejection)(SessionupFilter)

/** What the guard holds: the adapter core of the module's manager, and whether CSRF is on. */
export interface GuardBinding {
  core: AdapterCore<NestRequest>
  csrf: boolean
}

/**
 * The global guard `SessionupModule` registers (`APP_GUARD`): on every HTTP route it runs the
 * CSRF guard (unless `csrf: false`), then requires a session unless the route says otherwise
 * (`@Public()`, `@OptionalAuth()`, `@RequireFresh(ms)`). A refusal is the manager's own answer
 * (401 with its challenge, 403, 503 on a store outage), never Nest's generic 403. Other
 * contexts (WebSocket gateways, microservices, GraphQL resolvers) carry no request it can read:
 * they are refused (Nest's own `Forbidden resource`) unless marked `@Public()` or
 * `@OptionalAuth()`, so adding the module never leaves a handler open by accident.
 */
export class SessionupGuard implements CanActivate {
  readonly #binding: GuardBinding
  readonly #reflector: Reflector

  constructor(binding: GuardBinding, reflector: Reflector) {
    this.#binding = binding
    this.#reflector = reflector
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()]
    const need = this.#reflector.getAllAndOverride<RouteNeed | undefined>(NEED, targets)
    // No HTTP request to read a session from: fail closed, as Nest's own 403, unless marked.
    if (context.getType() !== 'http') return need === 'skip' || need === 'optional'
    const { core, csrf } = this.#binding
    const http = context.switchToHttp()
    const req = http.getRequest<NestRequest>()
    const res = http.getResponse<NestResponse>()
    const node = nodeRequest(req)
    if (csrf) {
      const refused = core.csrf(originOf(node))
      if (refused) throw refuse(res, refused)
    }
    if (need === 'skip') return true
    const { rejected, setCookie } = await core.attach(
      req,
      viewOf(node, core.readsBearer),
      need ?? 'session',
    )
    appendCookie(res, setCookie)
    if (rejected) throw refuse(res, rejected)
    return true
  }
}

function refuse(res: NestResponse, answer: RejectResponse): SessionupRejection {
  addHeaders(res, answer)
  return new SessionupRejection(answer)
}
