// What a signed-in user does from the sessions page: sign devices out, and name this one. Every
// action here runs behind the sessions page's POST route, with the request's session attached.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { NodeSessions } from 'sessionup/node'
import { checkDeviceName, DEVICE_KEY } from './device-name.js'
import type { Message } from './messages.js'

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

  /** Runs the action the form was posted to; an unknown one does nothing. */
  return function act(
    req: IncomingMessage,
    res: ServerResponse,
    action: string,
    form: URLSearchParams,
  ): Promise<Outcome> {
    const run = actions.get(action)
    return run ? run(req, res, form) : Promise.resolve(['/sessions'])
  }
}
