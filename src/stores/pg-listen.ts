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
  touched: (id: string) => void = () => {},
): Watching {
  const ClientClass = (pool as unknown as { Client: new (options: object) => Client }).Client
  let client: Client | undefined
  let stopped = false
  /** Connections that reached LISTEN so far; `listening` while the current one holds. */
  let epoch = 0
  let listening = false
  let retry: ReturnType<typeof setTimeout> | undefined
  const again = () => {
    if (stopped) return
    retry = setTimeout(() => void connect(), RELISTEN_MS)
    retry.unref?.()
  }
  const lost = (c: Client, error: Error) => {
    if (client !== c) return
    client = undefined
    listening = false
    c.removeAllListeners('notification')
    c.end().catch(() => {})
    report(error)
    again()
  }
  async function connect(): Promise<void> {
    const name = (pool.options as { application_name?: string }).application_name
    const c = new ClientClass({ ...pool.options, application_name: name ?? 'sessionup-feed' })
    c.on('error', (error) => lost(c, error))
    c.on('notification', (m) => {
      if (m.channel !== channel) return
      const payload = m.payload ?? ''
      // The change itself (a JSON array), only its seq when it did not fit, or "u" and the id
      // of a session a touch changed.
      if (payload.startsWith('[')) {
        const row = JSON.parse(payload) as unknown[]
        wake(Number(row[0]), row)
      } else if (payload.startsWith('u')) touched(payload.slice(1))
      else wake(Number(payload))
    })
    client = c
    try {
      await c.connect()
      await c.query(`LISTEN "${channel}"`)
      if (stopped) await c.end()
      else {
        epoch++
        listening = client === c
        wake()
      }
    } catch (error) {
      lost(c, error instanceof Error ? error : new Error(String(error)))
    }
  }
  const ready = connect()
  return {
    ready,
    epoch: () => (listening ? epoch : null),
    async stop() {
      stopped = true
      listening = false
      clearTimeout(retry)
      const c = client
      client = undefined
      if (c) await c.end().catch(() => {})
    },
  }
}
