import { connect } from 'node:net'
import { it } from 'node:test'

/** A server the tests need: its URL, or why its tests are skipped. */
export interface Service {
  url: string
  skip: false | string
}

/** Whether something accepts TCP connections at the URL's host and port, within a second. */
function answers(url: URL, defaultPort: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port || defaultPort), url.hostname)
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * The URL in `variable` when set (tests then fail loudly if the server is down), else the local
 * default when it answers, else a reason to skip.
 */
async function service(variable: string, fallback: string, port: number): Promise<Service> {
  const configured = process.env[variable]
  if (configured) return { url: configured, skip: false }
  if (await answers(new URL(fallback), port)) return { url: fallback, skip: false }
  return { url: fallback, skip: `${variable} is not set and nothing answers at ${fallback}` }
}

export const redis = await service('REDIS_URL', 'redis://127.0.0.1:6379', 6379)
export const postgres = await service(
  'DATABASE_URL',
  'postgres://postgres@127.0.0.1:5432/test',
  5432,
)

/** Registers one skipped test for a suite that cannot run, so the summary counts it. */
export function skipped(reason: string): void {
  it('needs its server', { skip: reason }, () => {})
}
