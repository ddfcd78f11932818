// The demo `npm start` runs: sign in (or stay signed in), see your devices and when each was
// last active, name this one, sign them out. It uses sessionup only through its public API, as
// the README tells users to.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { networkInterfaces } from 'node:os'
import { SessionManager } from 'sessionup'
import { getSession, nodeSessions } from 'sessionup/node'
import { accountActions, demoReject } from './account.js'
import { setFlash, takeFlash } from './flash.js'
import { body, plainHttpOrigin, readCookie, send } from './http.js'
import { page } from './layout.js'
import { LIFETIMES } from './lifetimes.js'
import { liveEvents } from './live.js'
import type { Message } from './messages.js'
import { sessionsPage } from './sessions-view.js'
import { openStore } from './stores.js'
import { passwordMatches } from './users.js'
import { plainHttpPage, signInPage } from './views.js'

export interface DemoOptions {
  /** Default 0: any free port. */
  port?: number
  /** One of STORE_KINDS (stores.ts); default `sqlite`. */
  store?: string
  /**
   * Cookies without `Secure` (named plain `sessionup`), so that browsers keep them on plain http
   * from a LAN address. Anyone who can watch the network can then read them: a local mode only.
   */
  insecureLocal?: boolean
  /** The clock, in epoch ms, of the manager, the store and the pages. For tests; default `Date.now`. */
  now?: () => number
}

export async function startDemo({
  port = 0,
  store: kind = 'sqlite',
  insecureLocal = false,
  now = Date.now,
}: DemoOptions = {}) {
  const { store, close, description } = await openStore(kind, now)
  // One manager for every session: "Keep me signed in" is `init(…, { remember: true })`, a
  // lifetime of its own per session, not a second manager. By default cookies keep the secure
  // defaults: browsers accept Secure (and __Host-) cookies from http://localhost, so nothing
  // changes for dev. From another address, see plainHttpOrigin.
  const manager = new SessionManager(store, {
    ...LIFETIMES,
    secure: !insecureLocal,
    now,
    reject: demoReject,
  })
  if (insecureLocal) warnInsecure(manager.cookieName)
  const sessions = nodeSessions(manager)
  const act = accountActions(sessions)
  const live = liveEvents(manager, sessions)

  // The library's CSRF guard: a POST from another origin gets the reject option's 403 page.
  const route = sessions.sameOrigin(routes)

  async function routes(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname === '/' && req.method === 'GET') {
      return sessions.optional((rq, rs) => {
        if (getSession(rq)) return redirect(rs, '/sessions')
        send(rs, 200, signInPage(takeFlash(rq, rs)))
      })(req, res) as Promise<void>
    }
    if (url.pathname === '/login' && req.method === 'POST') {
      const form = new URLSearchParams(await body(req))
      // Explain rather than make a session whose cookie the browser is about to drop.
      const plainHttp = insecureLocal ? null : plainHttpOrigin(req)
      if (plainHttp) return send(res, 400, plainHttpPage(plainHttp, manager.cookieName))
      const user = form.get('user') ?? ''
      if (!passwordMatches(user, form.get('password'))) {
        return redirect(res, '/', 'bad-login')
      }
      await sessions.init(req, res, user, { remember: form.has('remember') })
      return redirect(res, '/sessions', 'signed-in')
    }
    if (url.pathname === '/sessions' && req.method === 'GET') {
      await sessions.optional(async (rq, rs) => {
        const current = getSession(rq)
        const flash = takeFlash(rq, rs)
        if (!current) return send(rs, 200, signInPage(whyNotSignedIn(rq, rs, flash)))
        const list = await sessions.fetchAll(rq)
        send(
          rs,
          200,
          sessionsPage({
            user: current.userKey,
            sessions: list,
            lifetimes: LIFETIMES,
            flash,
            now: new Date(now()),
          }),
        )
      })(req, res)
      return
    }
    if (url.pathname === '/sessions/events' && req.method === 'GET') {
      await live(req, res)
      return
    }
    if (req.method === 'POST' && url.pathname.startsWith('/sessions/')) {
      await sessions.optional(async (rq, rs) => {
        if (!getSession(rq)) return redirect(rs, '/sessions')
        const action = url.pathname.slice('/sessions/'.length)
        const form = new URLSearchParams(await body(rq))
        const outcome = await act(rq, rs, action, form)
        if (outcome) redirect(rs, ...outcome)
      })(req, res)
      return
    }
    send(res, 404, page('Not found', '<p>Nothing here. <a href="/">Home</a></p>'))
  }

  /**
   * What to tell a request for the sessions page that carries no valid session. Shown on that
   * response itself, not through a redirect and a cookie: a missing cookie is what it explains.
   */
  function whyNotSignedIn(
    req: IncomingMessage,
    res: ServerResponse,
    flash: Message | null,
  ): Message {
    // The flash cookie of the sign-in came back, but the session cookie set with it did not.
    if (flash === 'signed-in') return 'cookie-not-returned'
    if (readCookie(req.headers.cookie, manager.cookieName) === null) return 'not-signed-in'
    // A cookie for a session that was revoked or expired: clear it, it will never work again.
    res.appendHeader('set-cookie', manager.clearCookie())
    return 'session-ended'
  }

  const server = createServer((req, res) => {
    const started = performance.now()
    res.on('finish', () => {
      // One line per request; the URL path only (no query, no cookies, no tokens).
      const path = (req.url ?? '/').split('?')[0]
      console.log(
        `${req.method} ${path} ${res.statusCode} ${(performance.now() - started).toFixed(1)}ms`,
      )
    })
    Promise.resolve(route(req, res)).catch((error: unknown) => {
      console.error(error)
      if (!res.headersSent) send(res, 500, page('Error', '<p>Something went wrong.</p>'))
    })
  })
  await new Promise<void>((resolve) => server.listen(port, resolve))
  const address = server.address()
  return {
    server,
    /** The port listened on (useful with port 0). */
    port: typeof address === 'object' && address ? address.port : port,
    description,
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve))
      server.closeAllConnections() // the live feeds of open pages would hold close() forever
      await closed
      await store.close()
      await close()
    },
  }
}

/** A 303 to `location`; `flash` is shown once by the page there. */
function redirect(res: ServerResponse, location: string, flash?: Message): void {
  if (flash) setFlash(res, flash)
  res.writeHead(303, { location, 'cache-control': 'no-store' })
  res.end()
}

function warnInsecure(cookieName: string): void {
  const bar = '!'.repeat(78)
  console.warn(
    [
      bar,
      `!! INSECURE LOCAL MODE: the session cookie "${cookieName}" is NOT Secure.`,
      '!! Browsers send it over plain http, where anyone who can watch the network can read',
      '!! it and take over the session. Use this only to try the demo on a network you trust.',
      bar,
    ].join('\n'),
  )
}

/** This machine's addresses other devices may reach it at, as URL hosts (no link-local). */
function lanHosts(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !a.address.toLowerCase().startsWith('fe80'))
    .map((a) => (a.family === 'IPv6' ? `[${a.address}]` : a.address))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const insecureLocal = ['1', 'true'].includes(process.env.SESSIONUP_INSECURE_LOCAL ?? '')
  const demo = await startDemo({
    port: Number(process.env.PORT ?? 3000),
    store: process.env.SESSIONUP_STORE ?? 'sqlite',
    insecureLocal,
  })
  console.log(`sessionup demo on http://localhost:${demo.port} (store: ${demo.description})`)
  if (insecureLocal) {
    for (const host of lanHosts()) console.log(`  from other devices: http://${host}:${demo.port}`)
  }
  const stop = () => demo.stop().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
