// The sessions page's live feed (Server-Sent Events): the moment this device's session is
// revoked or expires — here or in another process sharing the store — the stream says so and
// closes, and the page says so. It listens to the manager's lifecycle events, which carry other
// processes' deletions through the store's change log.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SessionManager } from 'sessionup'
import { getSession, type NodeSessions } from 'sessionup/node'

/** The handler of `GET /sessions/events`. */
export function liveEvents(manager: SessionManager, sessions: NodeSessions) {
  return sessions.optional(async (req: IncomingMessage, res: ServerResponse) => {
    const current = getSession(req)
    if (!current) {
      res.writeHead(204) // an EventSource stops reconnecting on 204
      res.end()
      return
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    })
    res.write(': listening\n\n')
    const unsubscribe = manager.subscribe(
      (event) => {
        if (res.writableEnded) return
        res.end(`event: ended\ndata: ${event.type}\n\n`)
        void unsubscribe()
      },
      { filter: (e) => e.session?.id === current.id, types: ['revoked', 'expired'] },
    )
    req.on('close', () => void unsubscribe())
  })
}

/**
 * The page's side: when this device's session ends, say so at the top of the page and disable
 * its buttons (without navigating: the next request shows the server's own message).
 */
export const LIVE_SCRIPT = `<script>
const live = new EventSource('/sessions/events')
live.addEventListener('ended', () => {
  live.close()
  const note = document.createElement('p')
  note.className = 'msg live-ended'
  note.setAttribute('role', 'alert')
  note.textContent = 'This device has just been signed out (here or from another device). Sign in again to go on.'
  document.querySelector('h1').after(note)
  for (const button of document.querySelectorAll('button')) button.disabled = true
})
</script>`
