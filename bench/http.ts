// HTTP benchmark, the realistic case (issue 11): requests/s of an authenticated GET /me on
// loopback with SESSIONS (100,000) stored sessions with meta, the load rotating over COOKIES
// (1,000) distinct cookies, server and load generator in separate processes. Rounds alternate
// the order of the variants; each figure is the median over rounds of the ratio measured in
// the same round, with its range. Run: npm run bench:http
//   DURATION=s (8), ROUNDS=n (5), CONNECTIONS=n (10), VARIANTS=a,b, SESSIONS, COOKIES,
//   PIN_CPUS=1 (server on core 0; run this under `taskset -c 1`), SERVER_ARGS="--cpu-prof".
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import {
  COOKIE_NAME,
  COOKIES,
  cookieIndexes,
  dropShared,
  fillStore,
  type Kind,
  openStore,
  SESSIONS,
  tokenOf,
  USER_AGENT,
  type Where,
  whereToEnv,
} from './http-data.js'
import { table, x } from './lib.js'

const DURATION = Number(process.env.DURATION ?? 8)
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10)
const WARMUP = 2

const LABELS: Record<string, string> = {
  bare: 'bare node:http, no sessions (floor)',
  'node:memory': 'node:http + sessionup, memory',
  'node:sqlite': 'node:http + sessionup, SQLite',
  'node:sqlite+cache': 'node:http + sessionup, SQLite + cache',
  'node:lmdb': 'node:http + sessionup, LMDB',
  'node:lmdb+cache': 'node:http + sessionup, LMDB + cache',
  'node:postgres': 'node:http + sessionup, PostgreSQL',
  'node:postgres+cache': 'node:http + sessionup, PostgreSQL + cache',
  'node:redis': 'node:http + sessionup, Redis',
  'node:redis+cache': 'node:http + sessionup, Redis + cache',
  express: 'Express, no sessions (Express floor)',
  'express-sessionup:sqlite+cache': 'Express + sessionup, SQLite + cache',
}
const DEFAULT = Object.keys(LABELS).filter((v) => v !== 'node:lmdb+cache')
const VARIANTS = process.env.VARIANTS ? process.env.VARIANTS.split(',') : DEFAULT

const kindOf = (v: string) => (v.split(':')[1] ?? '').split('+')[0] as Kind | ''
const floorOf = (v: string) => (v === 'bare' || v.startsWith('node:') ? 'bare' : 'express')

interface Run {
  rps: number
  p99: number
  /** Server CPU time (user + system) per request, µs. */
  cpuUs: number
  touches: number
  hits: number
  misses: number
  bypassed: number
}

interface Server {
  child: ChildProcess
  port: number
  ask(message: string): Promise<Omit<Run, 'rps' | 'p99'> | undefined>
}

async function start(variant: string, where: Where): Promise<Server> {
  const extra = process.env.SERVER_ARGS ? process.env.SERVER_ARGS.split(' ') : []
  const node = [process.execPath, ...extra, '--import', 'tsx', 'bench/http-server.ts', variant]
  // With PIN_CPUS=1 the server gets core 0; run this process under `taskset -c 1`.
  const [command, ...args] = process.env.PIN_CPUS ? ['taskset', '-c', '0', ...node] : node
  const child = spawn(command as string, args, {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, ...whereToEnv(where) },
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`${variant} exited with ${code}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString()
      if (text.startsWith('ready')) resolve(Number(text.trim().split(' ')[1]))
    })
  })
  const ask = (message: string) =>
    new Promise<Omit<Run, 'rps' | 'p99'> | undefined>((resolve) => {
      if (message !== 'mark') child.once('message', (m) => resolve(m as Omit<Run, 'rps' | 'p99'>))
      child.send(message)
      if (message === 'mark') resolve(undefined)
    })
  return { child, port, ask }
}

const requests = cookieIndexes().map((i) => ({
  method: 'GET' as const,
  path: '/me',
  headers: { cookie: `theme=dark; ${COOKIE_NAME}=${tokenOf(i)}`, 'user-agent': USER_AGENT },
}))

/** One autocannon run; each connection starts at its own place in the list of cookies. */
function fire(port: number, duration: number) {
  let connection = 0
  const stride = Math.floor(requests.length / CONNECTIONS)
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration,
    requests,
    setupClient(client) {
      const at = (connection++ * stride) % requests.length
      ;(client as unknown as { setRequests(r: unknown[]): void }).setRequests([
        ...requests.slice(at),
        ...requests.slice(0, at),
      ])
    },
  })
}

async function measure(variant: string, where: Where): Promise<Run> {
  const server = await start(variant, where)
  try {
    await fire(server.port, WARMUP)
    await server.ask('mark')
    const result = await fire(server.port, DURATION)
    const stats = await server.ask('stats')
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${variant}: ${result.non2xx} non-2xx responses, ${result.errors} errors`)
    }
    const s = stats ?? { cpuUs: 0, touches: 0, hits: 0, misses: 0, bypassed: 0 }
    return {
      rps: result.requests.average,
      p99: result.latency.p99,
      ...s,
      cpuUs: s.cpuUs / result.requests.total,
    }
  } finally {
    const exited = new Promise((resolve) => server.child.once('exit', resolve))
    server.child.kill('SIGTERM')
    await exited
  }
}

/** Stores the sessions once in each persistent store the variants use. */
async function prepare(kinds: ReadonlySet<Kind>): Promise<Where> {
  const run = randomBytes(4).toString('hex')
  const where: Where = {
    dir: mkdtempSync(join(tmpdir(), 'sessionup-http-')),
    t0: Date.now(),
    table: `sessionup_http_${run}`,
    prefix: `sessionup-http-${run}:`,
  }
  for (const kind of kinds) {
    if (kind === 'memory') continue // filled by each server, in its own memory
    const began = performance.now()
    const opened = openStore(kind, false, where)
    await fillStore(opened.store, where.t0)
    await opened.close()
    console.error(
      `${kind}: ${SESSIONS} sessions stored in ${Math.round(performance.now() - began)} ms`,
    )
  }
  return where
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0
const range = (v: number[]) => `${x(Math.min(...v))}–${x(Math.max(...v))}`

const kinds = new Set(VARIANTS.map(kindOf).filter((k): k is Kind => k !== ''))
const where = await prepare(kinds)
const runs: Record<string, Run[]> = {}
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()
    for (const variant of order) {
      const r = await measure(variant, where)
      runs[variant] = [...(runs[variant] ?? []), r]
      console.error(
        `round ${round + 1} ${variant}: ${Math.round(r.rps)} req/s, ${r.cpuUs.toFixed(1)} µs CPU/req, ` +
          `${r.touches} writes, cache ${r.hits} hits / ${r.misses} misses / ${r.bypassed} bypassed`,
      )
    }
  }
} finally {
  await dropShared(where, kinds)
  rmSync(where.dir, { recursive: true, force: true })
}

/** Per-round ratios of a to b (the same round), for the median and the range. */
const ratios = (a: string, b: string) =>
  (runs[a] ?? []).map((r, i) => r.rps / (runs[b]?.[i]?.rps ?? Number.NaN))
const cpu = (v: string) => median((runs[v] ?? []).map((r) => r.cpuUs))
const sum = (v: string, k: 'touches' | 'hits' | 'misses' | 'bypassed') =>
  (runs[v] ?? []).reduce((n, r) => n + r[k], 0)

console.log(
  table(
    [
      'server',
      'requests/s',
      'p99 ms',
      'of its floor',
      'range',
      'server CPU µs/req',
      'writes',
      'cache hits / misses',
    ],
    VARIANTS.map((v) => {
      const of = ratios(v, floorOf(v))
      const cached = v.endsWith('+cache') ? `${sum(v, 'hits')} / ${sum(v, 'misses')}` : ''
      return [
        LABELS[v] ?? v,
        Math.round(median((runs[v] ?? []).map((r) => r.rps))).toLocaleString('en'),
        median((runs[v] ?? []).map((r) => r.p99)),
        x(median(of)),
        range(of),
        cpu(v).toFixed(1),
        sum(v, 'touches'),
        sum(v, 'bypassed') ? `${cached} (${sum(v, 'bypassed')} bypassed)` : cached,
      ]
    }),
  ),
)
const goals: Array<[string, string, string, number]> = [
  ['node:http + memory of bare node:http', 'node:memory', 'bare', 0.85],
  ['node:http + SQLite of bare node:http', 'node:sqlite', 'bare', 0.6],
  ['node:http + SQLite + cache of bare node:http', 'node:sqlite+cache', 'bare', 0.8],
  [
    'Express + sessionup (SQLite + cache) of bare Express',
    'express-sessionup:sqlite+cache',
    'express',
    0.95,
  ],
  ['PostgreSQL + cache of PostgreSQL', 'node:postgres+cache', 'node:postgres', 3],
  ['Redis + cache of Redis', 'node:redis+cache', 'node:redis', 2],
]
const rows = goals
  .filter(([, a, b]) => runs[a] && runs[b])
  .map(([name, a, b, goal]) => {
    const r = ratios(a, b)
    return [name, x(median(r)), range(r), `≥ ${x(goal)}`, median(r) >= goal ? 'met' : 'not met']
  })
console.log(`\n${table(['goal', 'median', 'range', 'goal', ''], rows)}`)
console.log(
  `\n${SESSIONS.toLocaleString('en')} stored sessions, ${COOKIES.toLocaleString('en')} cookies, ` +
    `${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per run, ` +
    `medians of ${ROUNDS} alternating rounds.`,
)
