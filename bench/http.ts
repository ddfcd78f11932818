// HTTP benchmark, the realistic case (issue 11): requests/s of an authenticated GET /me on
// loopback with SESSIONS (100,000) stored sessions with meta, the load rotating over COOKIES
// (1,000) distinct cookies, server and load generator in separate processes. Rounds alternate
// the order of the variants; each figure is the median over rounds of the ratio measured in
// the same round, with its range. Run: npm run bench:http (builds dist/ first, which the servers
// run). A variant `<variant>@<dir>` runs on the build in <dir>, to compare two builds in one run.
//   DURATION=s (3), ROUNDS=n (10), CONNECTIONS=n (10), VARIANTS=a,b, SESSIONS, COOKIES,
//   LOADGEN=wrk (else autocannon), PIN_CPUS=1 (server on core 0; run this under
//   `taskset -c 1`), SERVER_ARGS="--cpu-prof". The bare servers with one known cost added
//   (bare-await, bare-immediate, bare-spin-<µs>; bench/http-server.ts) calibrate what a cost
//   does to throughput: VARIANTS=bare,bare-await,bare-spin-2,bare-spin-7,node:memory.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  COOKIES,
  dropShared,
  fillStore,
  type Kind,
  openStore,
  SESSIONS,
  sessionupModules,
  type Where,
  whereToEnv,
} from './http-data.js'
import { fire, LOADGEN } from './http-load.js'
import { type Run, report } from './http-report.js'

const DURATION = Number(process.env.DURATION ?? 3)
const ROUNDS = Number(process.env.ROUNDS ?? 10)
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
  fastify: 'Fastify, no sessions (Fastify floor)',
  'fastify-sessionup:memory': 'Fastify + sessionup, memory',
  'fastify-sessionup:sqlite': 'Fastify + sessionup, SQLite',
  'fastify-sessionup:sqlite+cache': 'Fastify + sessionup, SQLite + cache',
  'fastify-session:sqlite': 'Fastify + @fastify/session, SQLite (express-session-better-sqlite3)',
}
const DEFAULT = Object.keys(LABELS).filter((v) => v !== 'node:lmdb+cache')
const VARIANTS = process.env.VARIANTS ? process.env.VARIANTS.split(',') : DEFAULT

// The @fastify/session variant fills its own store (through the plugin) and reads signed cookies.
const styleOf = (v: string) => (v.startsWith('fastify-session:') ? 'signed' : 'token')
const kindOf = (v: string) =>
  v.startsWith('fastify-session:')
    ? ''
    : ((v.split('@')[0]?.split(':')[1] ?? '').split('+')[0] as Kind | '')

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
    // Servers run the build in dist/ (`sessionup` through the package's exports, as an app
    // imports it), not the sources through tsx's transform.
    env: { ...process.env, ...whereToEnv(where), TSX_TSCONFIG_PATH: 'bench/tsconfig.dist.json' },
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

/** One measured run on a running server, with the server's CPU and counters over it. */
async function measure(server: Server, variant: string, where: Where): Promise<Run> {
  await server.ask('mark')
  const result = await fire(server.port, DURATION, CONNECTIONS, where.dir, styleOf(variant))
  const stats = await server.ask('stats')
  if (result.non2xx > 0 || result.errors > 0 || result.total === 0) {
    throw new Error(`${variant}: ${result.non2xx} non-2xx responses, ${result.errors} errors`)
  }
  const s = stats ?? { cpuUs: 0, touches: 0, hits: 0, misses: 0, bypassed: 0 }
  const rps = result.total / DURATION
  return { rps, p99: result.p99, ...s, cpuUs: s.cpuUs / result.total }
}

async function stop(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return
  const exited = new Promise((resolve) => server.child.once('exit', resolve))
  server.child.kill('SIGTERM')
  await exited
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
    const opened = openStore(await sessionupModules(), kind, false, where)
    await fillStore(opened.store, where.t0)
    await opened.close()
    console.error(
      `${kind}: ${SESSIONS} sessions stored in ${Math.round(performance.now() - began)} ms`,
    )
  }
  return where
}

const kinds = new Set(VARIANTS.map(kindOf).filter((k): k is Kind => k !== ''))
const where = await prepare(kinds)
const runs: Record<string, Run[]> = {}
// Every server runs for the whole benchmark (idle while another is measured), so the rounds
// can alternate quickly: a variant and its floor are measured seconds apart, not minutes.
const servers = new Map<string, Server>()
try {
  for (const variant of VARIANTS) {
    const server = await start(variant, where)
    servers.set(variant, server)
    await fire(server.port, WARMUP, CONNECTIONS, where.dir, styleOf(variant))
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()
    for (const variant of order) {
      const r = await measure(servers.get(variant) as Server, variant, where)
      runs[variant] = [...(runs[variant] ?? []), r]
      console.error(
        `round ${round + 1} ${variant}: ${Math.round(r.rps)} req/s, ${r.cpuUs.toFixed(1)} µs CPU/req, ` +
          `${r.touches} writes, cache ${r.hits} hits / ${r.misses} misses / ${r.bypassed} bypassed`,
      )
    }
  }
} finally {
  await Promise.all([...servers.values()].map(stop))
  await dropShared(where, kinds)
  rmSync(where.dir, { recursive: true, force: true })
}

report(runs, VARIANTS, LABELS)
console.log(
  `\n${SESSIONS.toLocaleString('en')} stored sessions, ${COOKIES.toLocaleString('en')} cookies, ` +
    `${LOADGEN}, ${CONNECTIONS} connections, ${WARMUP} s warm-up, then ${DURATION} s per run, ` +
    `medians of ${ROUNDS} alternating rounds.`,
)
