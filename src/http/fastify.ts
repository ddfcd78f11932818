import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify'
import fp from 'fastify-plugin'
import { isSafeMethod } from '../csrf.js'
import { InvalidOptionError, UnauthorizedError } from '../errors.js'
import { SessionManager } from '../manager.js'
import type { RejectResponse } from '../options.js'
import type { Session } from '../session.js'
import {
  type Attached,
  adapterCore,
  type BindingOptions,
  checkBinding,
  freshness,
  type Need,
  type SessionSlot,
} from './core.js'
import { originOf, viewOf } from './node-request.js'
import { type SessionOperations, sessionOperations } from './operations.js'

export type { BindingOptions, Issued, LoginOptions } from './core.js'
export type { SessionOperations } from './operations.js'

/** A hook for `onRequest` or `preHandler`, per route (`{ onRequest: … }`) or per scope. */
export type SessionHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
) => void

/** The plugin's options. */
export interface FastifySessionsOptions extends BindingOptions {
  /** The manager whose sessions this scope serves. */
  manager: SessionManager
  /**
   * Run the CSRF guard on every request of the scope (state-changing methods only; bearer
   * requests pass). Default `true`; with `false`, put `fastify.sessions.csrf` where it belongs.
   */
  csrf?: boolean
}

/** What the plugin decorates the Fastify instance with, as `fastify.sessions`. */
export interface FastifySessions extends SessionOperations<FastifyRequest, FastifyReply> {
  /** Hook: lets requests with a valid session through, answers others with the manager's `reject`. */
  auth: SessionHook
  /** Hook: attaches the session when there is one; never turns a request away. */
  public: SessionHook
  /**
   * Hook for sensitive routes: like `auth`, and the user must have signed in (or
   * `reauthenticate`d) less than `maxAgeMs` ago; otherwise 403 `reauthentication-required`.
   */
  requireFresh(maxAgeMs: number): SessionHook
  /** Hook, the CSRF guard (already on every route unless the plugin got `csrf: false`). */
  csrf: SessionHook
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The session a sessionup hook found for this request, or `null`. */
    session: Session | null
  }
  interface FastifyInstance {
    /** sessionup's hooks and session operations for this scope. */
    sessions: FastifySessions
  }
}

const slot: SessionSlot<FastifyRequest> = {
  get: (request) => request.session ?? undefined,
  set: (request, session) => {
    request.session = session
  },
  clear: (request) => {
    request.session = null
  },
}

/** The request's session; throws `UnauthorizedError` if it has none (use behind `auth`). */
export function requireSession(request: FastifyRequest): Session {
  if (!request.session) throw new UnauthorizedError('missing-cookie')
  return request.session
}

function send(reply: FastifyReply, answer: RejectResponse): void {
  reply.code(answer.status).headers(answer.headers).send(answer.body)
}

const appendCookie = (reply: FastifyReply, value: string | null | undefined) => {
  // Fastify appends a second `set-cookie` to the first instead of replacing it.
  if (value) reply.header('set-cookie', value)
}

function bind(manager: SessionManager, options: BindingOptions): FastifySessions {
  const core = adapterCore(manager, slot, options.transport)
  const bearer = core.readsBearer

  /** Sends what `attach` decided; `true` if the request may go on. */
  function admitted(reply: FastifyReply, { rejected, setCookie }: Attached): boolean {
    appendCookie(reply, setCookie)
    if (rejected) send(reply, rejected)
    return rejected === null
  }

  function hook(need: Need): SessionHook {
    return function sessionupHook(request, reply, done) {
      let attaching: Promise<Attached>
      try {
        attaching = core.attach(request, viewOf(request.raw, bearer), need)
      } catch (error) {
        return done(error as Error)
      }
      attaching.then((attached) => {
        if (admitted(reply, attached)) done()
      }, done)
    }
  }

  return {
    auth: hook('session'),
    public: hook('optional'),
    requireFresh: (maxAgeMs) => hook(freshness(maxAgeMs)),
    csrf: function sessionupCsrf(request, reply, done) {
      // On every route of the scope by default: reads pass before any request view is made.
      if (isSafeMethod(request.method)) return done()
      const refused = core.csrf(originOf(request.raw))
      if (refused) send(reply, refused)
      else done()
    },
    ...sessionOperations(core, (request) => viewOf(request.raw, bearer), appendCookie),
  }
}

// Fastify's own register options, which it hands to the plugin along with ours.
const REGISTER_KEYS = ['prefix', 'logLevel', 'logSerializers']

/** The plugin's options, checked; throws an `InvalidOptionError` naming the bad one. */
function checkOptions(
  options: FastifySessionsOptions,
): Required<Omit<FastifySessionsOptions, 'transport'>> {
  checkBinding(options, 'manager', 'csrf', ...REGISTER_KEYS)
  const { manager, csrf = true } = options
  if (!(manager instanceof SessionManager)) {
    throw new InvalidOptionError('manager', 'expected a SessionManager')
  }
  if (typeof csrf !== 'boolean') throw new InvalidOptionError('csrf', 'expected a boolean')
  return { manager, csrf }
}

const plugin: FastifyPluginCallback<FastifySessionsOptions> = (fastify, options, done) => {
  let sessions: FastifySessions
  let csrf: boolean
  try {
    const checked = checkOptions(options)
    csrf = checked.csrf
    sessions = bind(checked.manager, options)
  } catch (error) {
    // Through `done`, so `register` (and `ready`, `listen`) reject with it.
    return done(error as Error)
  }
  fastify.decorateRequest('session', null)
  fastify.decorate('sessions', sessions)
  if (csrf) fastify.addHook('onRequest', sessions.csrf)
  done()
}

/**
 * The Fastify plugin: `fastify.register(sessionup, { manager })` decorates the scope with
 * `fastify.sessions` (hooks and session operations) and every request with `request.session`,
 * and runs the CSRF guard on the scope's requests. Register it in two scopes with two managers
 * to serve two kinds of session; each scope sees its own.
 *
 * @example
 * await app.register(sessionup, { manager })
 * app.get('/me', { onRequest: app.sessions.auth }, (request) => request.session?.userKey)
 */
export const sessionup = fp(plugin, { fastify: '5.x', name: 'sessionup' })
export default sessionup
