import type { Cluster, Redis } from 'ioredis'
import { StoreError } from '../errors.js'
import { publicSession, type SessionRecord } from '../session.js'
import type { DeletionEvent, RevokeReason } from '../store.js'
import type { Deletion } from './base.js'
import { CHANGE_RETENTION_MS, type Feed } from './feed.js'

/** How long the feed waits after a failed read before it reads again. */
const RETRY_MS = 500
/** Entries read per XREAD. */
const PAGE = 500

/** The change-log arguments the delete scripts take first (see `LOG` in redis-scripts.ts). */
export function logArgs(d: Deletion, logged: boolean): string[] {
  const minId = String(Math.max(0, d.at - CHANGE_RETENTION_MS))
  return [logged ? '1' : '0', d.kind, d.reason ?? '', d.origin, String(d.at), minId]
}

/** The feeds reading beside each app client, stopped together when that client ends. */
const feedsOf = new WeakMap<Redis | Cluster, Set<RedisStreamFeed>>()

/**
 * Stops `feed` when the app's client ends (quit, or gave up reconnecting): its own connection
 * must not keep the process alive after the app let go of Redis. One listener per client.
 */
function whenEnded(client: Redis | Cluster, feed: RedisStreamFeed): void {
  let feeds = feedsOf.get(client)
  if (!feeds) {
    const set = new Set<RedisStreamFeed>()
    feeds = set
    feedsOf.set(client, set)
    client.once('end', () => {
      for (const f of set) void f.stop()
    })
  }
  feeds.add(feed)
}

/**
 * Follows the store's stream of deletions on a connection of its own (`duplicate()` of the
 * client), blocked in `XREAD` until an entry comes: entries arrive in the order Redis ran the
 * scripts, each once. After a failed read (a lost connection) it reports it and reads again from
 * the last entry it saw, so what was logged meanwhile is delivered then (entries are kept for the
 * retention).
 */
export class RedisStreamFeed implements Feed {
  #conn: Redis | Cluster | undefined
  #last = '0-0'
  #starting: Promise<void> | undefined
  #loop: Promise<void> | undefined
  #running = false
  /** Connections whose reads have been answered; `#live` while the current one holds. */
  #epoch = 0
  #live = false

  constructor(
    private readonly client: Redis | Cluster,
    private readonly stream: string,
    private readonly origin: string,
    private readonly decode: (value: string) => SessionRecord,
    private readonly deliver: (events: DeletionEvent[]) => void,
    private readonly report: (error: Error) => void,
    private readonly touched: (id: string) => void = () => {},
  ) {}

  epoch(): number | null {
    return this.#live ? this.#epoch : null
  }

  /** Live from a read that the connection answered until it closes or a read fails. */
  #up(): void {
    if (this.#live) return
    this.#epoch++
    this.#live = true
  }

  start(): Promise<void> {
    this.#starting ??= (async () => {
      this.#running = true
      whenEnded(this.client, this)
      const conn = this.client.duplicate()
      this.#conn = conn
      // ioredis resends a blocked XREAD after reconnecting, so a drop would go unnoticed by the
      // loop: what the cache needs to know comes from the connection itself.
      // A reconnected connection resends the XREAD from the last entry seen, so it is live again
      // at once, once the feed knows where it is in the stream.
      let placed = false
      conn.on('close', () => {
        this.#live = false
      })
      conn.on('ready', () => {
        if (placed) this.#up()
      })
      try {
        const newest = await conn.xrevrange(this.stream, '+', '-', 'COUNT', 1)
        this.#last = newest[0]?.[0] ?? '0-0'
        placed = true
        this.#up()
      } catch (error) {
        this.report(new StoreError('redis', 'reading the change stream', error))
      }
      if (this.#running) this.#loop = this.#run(conn)
    })()
    return this.#starting
  }

  async stop(): Promise<void> {
    this.#running = false
    this.#live = false
    feedsOf.get(this.client)?.delete(this)
    await this.#starting
    this.#starting = undefined
    this.#conn?.disconnect()
    this.#conn = undefined
    await this.#loop
  }

  async #run(conn: Redis | Cluster): Promise<void> {
    while (this.#running) {
      // Blocked while live; after a failure, one read that answers at once, and live again.
      const live = this.#live
      const block = live ? ['BLOCK', 0] : []
      let read: Array<[string, Array<[string, string[]]>]> | null
      try {
        read = (await conn.xread(
          'COUNT',
          PAGE,
          ...(block as ['BLOCK', number]),
          'STREAMS',
          this.stream,
          this.#last,
        )) as Array<[string, Array<[string, string[]]>]> | null
      } catch (error) {
        if (!this.#running) return
        this.#live = false
        this.report(new StoreError('redis', 'reading the change stream', error))
        await new Promise((r) => setTimeout(r, RETRY_MS))
        continue
      }
      const events: DeletionEvent[] = []
      for (const [, entries] of read ?? []) {
        for (const [id, fields] of entries) {
          this.#last = id
          const event = this.#event(fields)
          if (event) events.push(event)
        }
      }
      if (events.length > 0) this.deliver(events)
      if (!live && (read?.[0]?.[1].length ?? 0) < PAGE) this.#up()
    }
  }

  #event(fields: string[]): DeletionEvent | undefined {
    const f: Record<string, string> = {}
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string
    if (f.o === this.origin) return undefined
    if (f.k === 'touched') {
      this.touched(f.i ?? '')
      return undefined
    }
    try {
      const session = publicSession(this.decode(f.v ?? ''))
      const at = new Date(Number(f.a))
      if (f.k === 'expired') return { session, reason: 'expired', at }
      return { session, reason: 'revoked', revokeReason: (f.r || 'admin') as RevokeReason, at }
    } catch (error) {
      this.#epoch++ // its id is unknown: nothing cached before it can be trusted
      this.report(new StoreError('redis', 'reading a logged deletion', error))
      return undefined
    }
  }
}
