import { readInput, reply } from '../../../lib/reply'
import { route } from '../../../lib/session'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** Signs this device out: revokes its session and clears the cookie (appended by `auth`). */
export const POST = route(({ sessions }) =>
  sessions.csrf(
    sessions.auth(async (req) => {
      const input = await readInput(req)
      await sessions.revoke(req)
      return reply(input, 200, { ok: true })
    }),
  ),
)
