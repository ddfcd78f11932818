import { requireSession } from 'sessionup/fetch'
import { route } from '../../../lib/session'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** Who is signed in; without a live session `auth` answers 401. */
export const GET = route(({ sessions }) =>
  sessions.auth((req) => {
    const { userKey, id, expiresAt } = requireSession(req)
    return Response.json({ user: userKey, id, expiresAt })
  }),
)
