// One server of the HTTP benchmark, in its own process: bench/http.ts starts it with a variant
// name and a port, reads "ready <cookie>" from stdout, then sends load to GET /me.
import { mkdtempSync } from 'node:fs'
import { createServer, type RequestListener } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import express from 'express'
import expressSession from 'express-session'
import expressSessionBetterSqlite3 from 'express-session-better-sqlite3'
import { open } from 'lmdb'
import { MemoryStore, SessionManager, type Store } from 'sessionup'
import { LMDBStore } from 'sessionup/lmdb'
import { getSession, nodeSessions } from 'sessionup/node'
import { SQLiteStore } from 'sessionup/sqlite'

const [variant = 'bare', portArg = '0'] = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'sessionup-http-'))
const body = (user: string) => JSON.stringify({ user })

function sqliteDb() {
  const db = new Database(join(dir, 'sessions.db'), { timeout: 5_000 })
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  return db
}

function store(kind: string): Store {
  if (kind === 'sqlite') return new SQLiteStore(sqliteDb(), { cleanupInterval: 0 })
  if (kind === 'lmdb')
    return new LMDBStore(open({ path: join(dir, 'lmdb') }), {
      bucket: 'sessions',
      cleanupInterval: 0,
    })
  return new MemoryStore({ cleanupInterval: 0 })
}

/** A manager with a logged-in session; returns it with the cookie that carries it. */
async function sessionup(kind: string) {
  const manager = new SessionManager(store(kind), { expiresIn: 24 * 3600_000, withAgent: false })
  const view = { cookie: null, remoteAddress: '127.0.0.1', forwardedFor: null, userAgent: null }
  const { setCookie } = await manager.init(view, 'bench-user')
  return { sessions: nodeSessions(manager), cookie: setCookie.split(';')[0] ?? '' }
}

async function build(): Promise<{ listener: RequestListener; cookie: string }> {
  const [shape, kind = ''] = variant.split(':')
  if (shape === 'bare') {
    return {
      listener: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(body('bench-user'))
      },
      cookie: '',
    }
  }
  if (shape === 'node') {
    const { sessions, cookie } = await sessionup(kind)
    const me = sessions.protect((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(body(getSession(req)?.userKey ?? ''))
    })
    return { listener: me as RequestListener, cookie }
  }
  const app = express()
  app.disable('x-powered-by')
  if (shape === 'express') {
    app.get('/me', (_req, res) => {
      res.json({ user: 'bench-user' })
    })
    return { listener: app, cookie: '' }
  }
  if (shape === 'express-sessionup') {
    const { sessions, cookie } = await sessionup(kind)
    app.get('/me', sessions.auth, (req, res) => {
      res.json({ user: getSession(req)?.userKey })
    })
    return { listener: app, cookie }
  }
  if (shape === 'express-session') {
    const SqliteStore = expressSessionBetterSqlite3(expressSession, sqliteDb())
    app.use(
      expressSession({
        store: new SqliteStore(),
        secret: 'bench secret, not a real one',
        resave: false,
        saveUninitialized: false,
        cookie: { httpOnly: true, sameSite: 'strict', maxAge: 24 * 3600_000 },
      }),
    )
    app.post('/login', (req, res) => {
      ;(req.session as unknown as { user: string }).user = 'bench-user'
      res.sendStatus(204)
    })
    app.get('/me', (req, res) => {
      const user = (req.session as unknown as { user?: string }).user
      if (!user) return void res.status(401).json({ error: 'unauthorized' })
      res.json({ user })
    })
    return { listener: app, cookie: 'login' }
  }
  throw new Error(`unknown variant ${variant}`)
}

const { listener, cookie } = await build()
const server = createServer(listener)
server.listen(Number(portArg), '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  console.log(`ready ${port} ${cookie}`)
})
// Exit cleanly on Ctrl-C, so `node --cpu-prof` can write its profile.
process.on('SIGINT', () => process.exit(0))
