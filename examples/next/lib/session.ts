// One SessionManager per server process, on a SQLite file, shared by every route handler and
// server component. Nothing opens at import time: `next build` loads these modules to analyse
// the routes, and must not create a database while doing so.
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { SessionManager } from 'sessionup'
import { type FetchSessions, fetchSessions } from 'sessionup/fetch'
import { SQLiteStore } from 'sessionup/sqlite'

/** The manager, the Fetch adapter bound to it, and the database under both. */
export interface App {
  manager: SessionManager
  sessions: FetchSessions
  db: Database.Database
}

/**
 * `SESSIONUP_INSECURE_LOCAL=1` drops `Secure` (and so the `__Host-` prefix) for plain http at a
 * LAN address. Not needed on http://localhost: browsers keep Secure cookies there.
 */
const insecureLocal = process.env.SESSIONUP_INSECURE_LOCAL === '1'

function open(): App {
  const path = resolve(process.env.SESSIONUP_DB ?? 'data/sessions.db')
  mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { timeout: 5_000 })
  db.pragma('journal_mode = WAL')
  const manager = new SessionManager(new SQLiteStore(db), {
    expiresIn: 7 * 24 * 3600_000,
    persistent: false,
    idleTimeout: 30 * 60_000,
    // No `rotateEvery`: a rotation made while a Server Component reads the session would have no
    // way to reach the browser (they cannot set cookies). Rotate in a route handler instead.
    secure: !insecureLocal,
    // App Router handlers see no socket, and `next start` keeps any X-Forwarded-For the client
    // sent, so there is no client address worth recording or binding to here.
    withIp: false,
  })
  if (insecureLocal) console.warn('[sessionup] local mode: the session cookie is not Secure')
  return { manager, sessions: fetchSessions(manager), db }
}

// `next dev` re-evaluates the app's modules on every edit and route compile; a globalThis slot
// keeps one manager (and one database connection) per process instead of one per reload. That
// holds only with sessionup itself loaded once by Node: see serverExternalPackages in
// next.config.ts.
const slot = globalThis as typeof globalThis & { __sessionupNext?: App }

/** The process's one manager and adapter, opened on first use. */
export function app(): App {
  slot.__sessionupNext ??= open()
  return slot.__sessionupNext
}

type Handler = (req: Request) => Promise<Response>

/**
 * A route handler built from the adapter on its first request, so that modules load without
 * opening the store.
 *
 * @example
 * export const GET = route(({ sessions }) => sessions.auth((req) => Response.json({})))
 */
export function route(
  build: (app: App) => (req: Request) => Response | Promise<Response>,
): Handler {
  let handler: ((req: Request) => Response | Promise<Response>) | undefined
  return async function sessionupRoute(req) {
    handler ??= build(app())
    return handler(req)
  }
}
