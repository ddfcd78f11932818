import { readInput, reply } from '../../../lib/reply'
import { route } from '../../../lib/session'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/** The signed-in user's devices, the current one marked. */
export const GET = route(({ sessions }) =>
  sessions.auth(async (req) => {
    const list = await sessions.fetchAll(req)
    return Response.json(
      list.map(({ id, current, createdAt, lastActiveAt, agent }) => ({
        id,
        current,
        createdAt,
        lastActiveAt,
        agent,
      })),
    )
  }),
)

/**
 * Signs devices out: `{ id }` one of the user's own (`revokeByIdExt` checks the owner in the
 * same store step; someone else's id is answered like an unknown one), `{ others: "1" }` all
 * but this one.
 */
export const POST = route(({ sessions }) =>
  sessions.csrf(
    sessions.auth(async (req) => {
      const input = await readInput(req)
      if (input.get('others') === '1') {
        await sessions.revokeOther(req)
        return reply(input, 200, { ok: true })
      }
      const revoked = await sessions.revokeByIdExt(req, input.get('id'))
      return reply(input, revoked ? 200 : 404, { revoked })
    }),
  ),
)
