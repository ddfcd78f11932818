// What a signed-in user does from the sessions page: sign devices out, and name this one. Every
// action here runs behind the sessions page's POST route, with the request's session attached.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { defaultReject, type RejectResponse, UnauthorizedError } from 'sessionup'
import { getSession, type NodeSessions } from 'sessionup/node'
import { checkDeviceName, DEVICE_KEY } from './device-name.js'
import { send } from './http.js'
import { page } from './layout.js'
import { FRESH_FOR } from './lifetimes.js'
import type { Message } from './messages.js'
import { passwordMatches } from './users.js'
import { passwordAgainPage } from './views.js'

/**
 * The actions that sign other devices out at once. They ask for the password again when it was
 * last entered more than FRESH_FOR ago (the adapter's `protectFresh`); signing out this device
 * or one other, and the device list, never do: a user can always see and end their sessions.
 */
const NEED_FRESH_PASSWORD = new Set(['logout-others', 'logout-all'])

/**
 * The manager's `reject`: a route behind `protectFresh` whose sign-in is too old answers with the
 * page that asks for the password again, a form posted from another site (the CSRF guard) with
 * a short page; everything else gets sessionup's default answer.
 */
export function demoReject(error: Error): RejectResponse {
  const reason = error instanceof UnauthorizedError ? error.reason : null
  const html = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }
  if (reason === 'not-fresh') return { status: 403, headers: html, body: passwordAgainPage(null) }
  if (reason === 'cross-origin') {
    return {
      status: 403,
      headers: html,
      body: page('Forbidden', '<p>Cross-site request refused.</p>'),
    }
  }
  return defaultReject(error)
}

/** Where to go next, and the message to show there. */
export type Outcome = [location: string, flash?: Message]

type Action = (req: IncomingMessage, res: ServerResponse, form: URLSearchParams) => Promise<Outcome>

export function accountActions(sessions: NodeSessions) {
  const actions = new Map<string, Action>([
    [
      'logout',
      async (req, res) => {
        await sessions.revoke(req, res)
        return ['/', 'signed-out']
      },
    ],
    [
      'logout-others',
      async (req) => {
        await sessions.revokeOther(req)
        return ['/sessions', 'others-signed-out']
      },
    ],
    [
      'logout-all',
      async (req, res) => {
        await sessions.revokeAll(req, res)
        return ['/', 'signed-out-everywhere']
      },
    ],
    [
      'revoke',
      async (req, _res, form) => {
        const revoked = await sessions.revokeByIdExt(req, form.get('id') ?? '')
        return revoked ? ['/sessions', 'device-signed-out'] : ['/sessions', 'not-found']
      },
    ],
    ['rename', (req, _res, form) => rename(req, form)],
  ])

  /**
   * Names this device. `updateMeta` changes the session of the request and no other, so a device
   * can rename only itself (sessionup has no owner-checked edit of another session's meta).
   */
  async function rename(req: IncomingMessage, form: URLSearchParams): Promise<Outcome> {
    const checked = checkDeviceName(form.get('device'))
    if ('error' in checked) return ['/sessions', checked.error]
    const renamed = await sessions.updateMeta(req, { [DEVICE_KEY]: checked.name })
    // `null`: the session ended meanwhile, and the sessions page will say so.
    if (!renamed) return ['/sessions']
    return ['/sessions', checked.name === null ? 'device-name-reset' : 'device-renamed']
  }

  /**
   * Checks a password entered on the page that asked for it again, and records it: the sign-in
   * is fresh again (`reauthenticate`) and, since the session just gained rights, it gets a new
   * secret (`rotate`: a new cookie, same session). `false` after answering a wrong password.
   */
  async function confirmPassword(req: IncomingMessage, res: ServerResponse, password: string) {
    const session = getSession(req)
    if (!session || !passwordMatches(session.userKey, password)) {
      send(res, 403, passwordAgainPage('wrong-password'))
      return false
    }
    if (await sessions.reauthenticate(req)) await sessions.rotate(req, res)
    return true
  }

  /**
   * Runs the action the form was posted to (an unknown one does nothing) and says where to go
   * next; `null` when it answered by itself (the page asking for the password).
   */
  return async function act(
    req: IncomingMessage,
    res: ServerResponse,
    action: string,
    form: URLSearchParams,
  ): Promise<Outcome | null> {
    const run = actions.get(action)
    if (!run) return ['/sessions']
    if (!NEED_FRESH_PASSWORD.has(action)) return run(req, res, form)
    const password = form.get('password')
    if (password !== null && !(await confirmPassword(req, res, password))) return null
    let outcome: Outcome | null = null
    await sessions.protectFresh(FRESH_FOR, async (rq, rs) => {
      outcome = await run(rq, rs, form)
    })(req, res)
    return outcome
  }
}
