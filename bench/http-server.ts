// One server of the HTTP benchmark, in its own process: bench/http.ts starts it with a variant
// name (`bare`, `express`, `fastify`, `fastify-session:sqlite` or
// `<node|express-sessionup|fastify-sessionup>:<store>[+cache]`) and the run's stores in
// the environment (bench/http-data.ts), reads "ready <port>" from stdout, then sends load to
// GET /me. Over IPC it answers "mark" (start counting) and "stats" (CPU time and store counters
// since the mark), so the figures can say how much server CPU a request cost and that no
// request wrote (a renewal) and cached reads were hits.
import { createServer, type RequestListener } from 'node:http'
import express from 'express'
import type { Store } from 'sessionup'
import {
  ABSOLUTE,
  COOKIE_NAME,
  fillStore,
  IDLE,
  type Kind,
  openStore,
  sessionupModules,
  whereFromEnv,
} from './http-data.js'
import { bareFastify, peerFastify, sessionupFastify } from './http-fastify.js'

const [variant = 'bare', portArg = '0'] = process.argv.slice(2)
// `<variant>@<dir>`: the same server on the build in <dir> (another commit's dist/).
const [name = 'bare', dist] = variant.split('@')
const m = await sessionupModules(dist)
const { SessionManager, getSession, nodeSessions } = m
const where = whereFromEnv()
const body = (user: string) => JSON.stringify({ user })

let touches = 0
let store: (Store & { cacheStats?: { hits: number; misses: number; bypassed: number } }) | undefined

/** The variant's manager over its store; counts the store's writes (renewals would be some). */
async function sessionup(spec: string) {
  const [kind = 'memory', cached] = spec.split('+') as [Kind, string | undefined]
  const opened = openStore(m, kind, cached === 'cache', where)
  store = opened.store
  if (kind === 'memory') await fillStore(opened.store, where.t0)
  const touch = opened.store.touch.bind(opened.store)
  opened.store.touch = (...args) => {
    touches++
    return touch(...args)
  }
  const manager = new SessionManager(opened.store, {
    cookieName: COOKIE_NAME,
    idleTimeout: IDLE,
    absoluteTimeout: ABSOLUTE,
  })
  return manager
}

/** The bare server: the same response, no session work. */
const answer: RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(body('bench-user'))
}

/**
 * Bare servers that add one known cost, to calibrate what a cost does to throughput here:
 * `bare-await` answers after one awaited promise, `bare-immediate` from a `setImmediate`, and
 * `bare-spin-<n>` after spinning the CPU for n µs.
 */
function calibrate(shape: string): RequestListener | undefined {
  if (shape === 'bare-await') {
    return async (req, res) => {
      await Promise.resolve()
      answer(req, res)
    }
  }
  if (shape === 'bare-immediate') return (req, res) => setImmediate(answer, req, res)
  const spin = /^bare-spin-(\d+)$/.exec(shape)
  if (!spin) return undefined
  const ms = Number(spin[1]) / 1000
  return (req, res) => {
    const until = performance.now() + ms
    while (performance.now() < until) {}
    answer(req, res)
  }
}

async function build(): Promise<RequestListener> {
  const [shape, spec = ''] = name.split(':')
  if (shape === 'bare') return answer
  const calibration = calibrate(shape ?? '')
  if (calibration) return calibration
  if (shape === 'node') {
    const sessions = nodeSessions(await sessionup(spec))
    const me = sessions.protect((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(body(getSession(req)?.userKey ?? ''))
    })
    return me as RequestListener
  }
  if (shape === 'fastify') return bareFastify()
  if (shape === 'fastify-sessionup') return sessionupFastify(await sessionup(spec))
  if (shape === 'fastify-session') return peerFastify(where)
  const app = express()
  app.disable('x-powered-by')
  if (shape === 'express') {
    app.get('/me', (_req, res) => {
      res.json({ user: 'bench-user' })
    })
    return app
  }
  if (shape === 'express-sessionup') {
    const sessions = nodeSessions(await sessionup(spec))
    app.get('/me', sessions.auth, (req, res) => {
      res.json({ user: getSession(req)?.userKey })
    })
    return app
  }
  throw new Error(`unknown variant ${variant}`)
}

const server = createServer(await build())
let mark = process.cpuUsage()
let markHits = { hits: 0, misses: 0, bypassed: 0 }
const cacheNow = () => {
  const s = store?.cacheStats
  return { hits: s?.hits ?? 0, misses: s?.misses ?? 0, bypassed: s?.bypassed ?? 0 }
}
process.on('message', (message) => {
  if (message === 'mark') {
    mark = process.cpuUsage()
    markHits = cacheNow()
    touches = 0
  } else if (message === 'stats') {
    const cpu = process.cpuUsage(mark)
    const now = cacheNow()
    process.send?.({
      cpuUs: cpu.user + cpu.system,
      touches,
      hits: now.hits - markHits.hits,
      misses: now.misses - markHits.misses,
      bypassed: now.bypassed - markHits.bypassed,
    })
  }
})
server.listen(Number(portArg), '127.0.0.1', () => {
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  console.log(`ready ${port}`)
})
// Exit cleanly on a signal, so `node --cpu-prof` can write its profile.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0))
