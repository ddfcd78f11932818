import type { Client, Pool } from 'pg'
import type { Watching } from './feed.js'

/** How long a lost LISTEN connection waits before it tries again. */
export const RELISTEN_MS = 500

/**
 * LISTENs on `channel` over a connection of its own, made with the pool's settings but outside
 * it (so it never takes one of the pool's clients), calling `wake(seq, change?)` per notification and
 * `wake()` after each (re)connect, to catch up on what was logged while it was not listening.
 * A lost connection is reported and replaced after `RELISTEN_MS`. `ready` resolves once the
 * first attempt has listened (or failed and been reported).
 */
export function listen(
  pool: Pool,
  channel: string,
  wake: (seq?: number, row?: unknown[]) => void,
  report: (error: Error) => void,
): Watching {
  const ClientClass = (pool as unknown as { Client: new (options: object) => Client }).Client
  let client: Client | undefined
  let stopped = false
  let retry: ReturnType<typeof setTimeout> | undefined
  const again = () => {
    if (stopped) return
    retry = setTimeout(() => void connect(), RELISTEN_MS)
    retry.unref?.()
  }
  const lost = (c: Client, error: Error) => {
    if (client !== c) return
    client = undefined
    c.removeAllListeners('notification')
    c.end().catch(() => {})
    report(error)
    again()
  }
  async function connect(): Promise<void> {
    const c = new ClientClass(pool.options)
    c.on('error', (error) => lost(c, error))
    c.on('notification', (m) => {
      if (m.channel !== channel) return
      const payload = m.payload ?? ''
      // The change itself (a JSON array), or only its seq when it did not fit.
      if (payload.startsWith('[')) {
        const row = JSON.parse(payload) as unknown[]
        wake(Number(row[0]), row)
      } else wake(Number(payload))
    })
    client = c
    try {
      await c.connect()
      await c.query(`LISTEN "${channel}"`)
      if (stopped) await c.end()
      else wake()
    } catch (error) {
      lost(c, error instanceof Error ? error : new Error(String(error)))
    }
  }
  const ready = connect()
  return {
    ready,
    async stop() {
      stopped = true
      clearTimeout(retry)
      const c = client
      client = undefined
      if (c) await c.end().catch(() => {})
    },
  }
}
