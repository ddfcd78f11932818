// HTTP benchmark: requests/s and p99 latency of an authenticated GET /me on loopback, server and
// load generator in separate processes. Run: npm run bench:http   (DURATION=seconds, ROUNDS=n)
import { type ChildProcess, spawn } from 'node:child_process'
import autocannon from 'autocannon'
import { table, x } from './lib.js'

const DURATION = Number(process.env.DURATION ?? 8)
const ROUNDS = Number(process.env.ROUNDS ?? 2)
const CONNECTIONS = 32

const ALL = [
  'bare',
  'node:sqlite',
  'node:lmdb',
  'node:memory',
  'express',
  'express-sessionup:sqlite',
  'express-session',
] as const
const VARIANTS = process.env.VARIANTS ? process.env.VARIANTS.split(',') : [...ALL]

async function start(
  variant: string,
): Promise<{ child: ChildProcess; port: number; cookie: string }> {
  // With PIN_CPUS=1 (and taskset), the server gets core 0 and this load generator core 1, so
  // the two do not take turns on one core — steadier figures on a 2-core machine.
  const node = [process.execPath, '--import', 'tsx', 'bench/http-server.ts', variant, '0']
  const [command, ...args] = process.env.PIN_CPUS ? ['taskset', '-c', '0', ...node] : node
  const child = spawn(command as string, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`${variant} exited with ${code}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString()
      if (text.startsWith('ready')) resolve(text.trim())
    })
  })
  const [, port = '0', cookie = ''] = line.split(' ')
  if (cookie !== 'login') return { child, port: Number(port), cookie }
  // express-session: log in once to get its signed cookie.
  const res = await fetch(`http://127.0.0.1:${port}/login`, { method: 'POST' })
  return {
    child,
    port: Number(port),
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
  }
}

async function load(port: number, cookie: string) {
  // A short warm-up, then the measured run.
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/me`,
      connections: CONNECTIONS,
      duration,
      headers: cookie ? { cookie } : {},
    })
  await run(1)
  const result = await run(DURATION)
  if (result.non2xx > 0)
    throw new Error(`${result.non2xx} responses were not 2xx: the cookie did not authenticate`)
  return { rps: result.requests.average, p99: result.latency.p99 }
}

const results: Record<string, Array<{ rps: number; p99: number }>> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const variant of VARIANTS) {
    console.error(`round ${round + 1}: ${variant}`)
    const server = await start(variant)
    try {
      const runs = results[variant] ?? []
      runs.push(await load(server.port, server.cookie))
      results[variant] = runs
    } finally {
      server.child.kill()
    }
  }
}

const best = (v: string) => {
  const runs = results[v] ?? []
  return runs.reduce((a, b) => (b.rps > a.rps ? b : a), runs[0] ?? { rps: 0, p99: 0 })
}
const rps = (v: string) => best(v).rps
const label: Record<string, string> = {
  bare: 'bare node:http, no sessions (floor)',
  'node:sqlite': 'node:http + sessionup, SQLite',
  'node:lmdb': 'node:http + sessionup, LMDB',
  'node:memory': 'node:http + sessionup, memory',
  express: 'Express, no sessions (Express floor)',
  'express-sessionup:sqlite': 'Express + sessionup, SQLite',
  'express-session': 'Express + express-session + express-session-better-sqlite3',
}
const floorOf = (v: string) => (v === 'bare' || v.startsWith('node:') ? 'bare' : 'express')
console.log(
  table(
    ['server', 'requests/s', 'p99 ms', 'of its floor', 'of express-session'],
    VARIANTS.map((v) => [
      label[v] ?? v,
      Math.round(rps(v)).toLocaleString('en'),
      best(v).p99,
      x(rps(v) / rps(floorOf(v))),
      v.startsWith('express') ? x(rps(v) / rps('express-session')) : '',
    ]),
  ),
)
console.log(`\n${CONNECTIONS} connections, ${DURATION} s per run, best of ${ROUNDS} rounds.`)
