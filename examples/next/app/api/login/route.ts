import { cookies } from 'next/headers'
import { readInput, reply } from '../../../lib/reply'
import { route } from '../../../lib/session'
import { passwordMatches } from '../../../lib/users'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/**
 * Signs a user in. `csrf` turns away a form posted from another site; `public` attaches a
 * session the request may already carry, which `init` revokes first (no session fixation), and
 * appends the new session's Set-Cookie to the response, exactly as the manager wrote it:
 * `__Host-sessionup=…; Path=/; HttpOnly; Secure; SameSite=Strict`.
 */
export const POST = route(({ sessions }) =>
  sessions.csrf(
    sessions.public(async (req) => {
      const input = await readInput(req)
      const user = input.get('user')
      if (!passwordMatches(user, input.get('password'))) {
        return reply(input, 401, { error: 'bad-login' }, '/?error=bad-login')
      }
      const { session } = await sessions.init(req, user)
      // Other cookies go through Next as usual; Next appends them next to the session cookie.
      ;(await cookies()).set('last-user', user, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        maxAge: 365 * 24 * 3600,
      })
      return reply(input, 200, { user, id: session.id })
    }),
  ),
)
