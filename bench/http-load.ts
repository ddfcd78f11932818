// The load of bench/http.ts: GET /me with the cookies rotating, from autocannon (in this
// process, the default) or wrk (LOADGEN=wrk, a C client that costs far less per request than
// autocannon, so on a 2-core machine the server rather than the client sets the pace).
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { COOKIE_NAME, cookieIndexes, signedTokenOf, tokenOf, USER_AGENT } from './http-data.js'

export const LOADGEN = process.env.LOADGEN === 'wrk' ? 'wrk' : 'autocannon'

export interface Load {
  total: number
  p99: number
  non2xx: number
  errors: number
}

/** The load's cookies: sessionup's tokens, or (`signed`) as @fastify/session reads them. */
export type CookieStyle = 'token' | 'signed'
const cookiesOf = (style: CookieStyle) => {
  const value = style === 'signed' ? signedTokenOf : tokenOf
  return cookieIndexes().map((i) => `theme=dark; ${COOKIE_NAME}=${value(i)}`)
}
const requestsOf = (style: CookieStyle) =>
  cookiesOf(style).map((cookie) => ({
    method: 'GET' as const,
    path: '/me',
    headers: { cookie, 'user-agent': USER_AGENT },
  }))

/** autocannon; each connection starts at its own place in the list of cookies. */
async function autocannonLoad(
  port: number,
  duration: number,
  connections: number,
  style: CookieStyle,
) {
  const requests = requestsOf(style)
  let connection = 0
  const stride = Math.floor(requests.length / connections)
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
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
  return { total: r.requests.total, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors }
}

// One wrk thread; its requests, made once, go round the cookies in turn across connections.
const WRK_SCRIPT = `
local reqs, n, i = {}, 0, 0
function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    reqs[n] = wrk.format("GET", "/me", { Cookie = line, ["User-Agent"] = args[2] })
  end
end
function request()
  i = i % n + 1
  return reqs[i]
end
`

/** wrk, one thread; the script and the cookies go in `dir` the first time. */
function wrkLoad(
  port: number,
  duration: number,
  connections: number,
  dir: string,
  style: CookieStyle,
) {
  const script = join(dir, 'cookies.lua')
  const list = join(dir, `cookies-${style}.txt`)
  writeFileSync(script, WRK_SCRIPT)
  writeFileSync(list, `${cookiesOf(style).join('\n')}\n`)
  const args = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', script]
  args.push(`http://127.0.0.1:${port}/me`, '--', list, USER_AGENT)
  return new Promise<Load>((resolve, reject) => {
    execFile('wrk', args, (error, stdout) => {
      if (error) return reject(error)
      const total = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0)
      const p99 = /\n\s*99%\s+([\d.]+)(us|ms|s)/.exec(stdout)
      const scale = p99?.[2] === 'us' ? 1e-3 : p99?.[2] === 's' ? 1e3 : 1
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0)
      const errors = /Socket errors: (.*)/.exec(stdout)?.[1]
      const failed = errors ? errors.match(/\d+/g)?.reduce((a, b) => a + Number(b), 0) : 0
      resolve({ total, p99: Number(p99?.[1] ?? 0) * scale, non2xx, errors: failed ?? 0 })
    })
  })
}

/** `duration` s of load on the server at `port`. */
export function fire(
  port: number,
  duration: number,
  connections: number,
  dir: string,
  style: CookieStyle = 'token',
) {
  return LOADGEN === 'wrk'
    ? wrkLoad(port, duration, connections, dir, style)
    : autocannonLoad(port, duration, connections, style)
}
