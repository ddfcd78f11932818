import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import { InvalidOptionError } from '../errors.js'
import type { SessionRecord } from '../session.js'
import type { SchemaStatus, SessionPatch } from '../store.js'
import { BaseStore, type Deletion, type Removed, SCHEMA_VERSION } from './base.js'
import { checkFlag } from './base-options.js'
import { handsOutCopies } from './copies.js'
import { CHANGE_RETENTION_MS, type Feed } from './feed.js'
import { logArgs, RedisStreamFeed } from './redis-feed.js'
import type { RedisStoreOptions } from './redis-layout.js'
import { decode, encode, expiryOf, isV2, touchArgs } from './redis-layout.js'
import * as lua from './redis-scripts.js'

export type { RedisStoreOptions }

type Script = { source: string; sha: string }
const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
})
const SCRIPTS = {
  create: script(lua.CREATE),
  delete: script(lua.DELETE),
  touch: script(lua.TOUCH),
  upgrade: script(lua.UPGRADE),
  deleteExpired: script(lua.DELETE_EXPIRED),
}

/**
 * Sessions in Redis, over an ioredis client you created (and close). Each session is a key
 * that expires natively; a per-user sorted set and an expiry sorted set are updated in the same
 * Lua script, so the indexes never point at nothing for longer than until the next cleanup.
 *
 * @example
 * const store = new RedisStore(new Redis(process.env.REDIS_URL), { prefix: 'myapp:sessions:' })
 */
export class RedisStore extends BaseStore<string> {
  readonly prefix: string
  readonly #client: Redis | Cluster
  readonly #expiries: string
  readonly #stream: string
  readonly #logged: boolean
  /** SCAN's MATCH pattern for the session keys, the prefix's glob characters escaped. */
  readonly #sessionPattern: string

  constructor(client: Redis | Cluster, options: RedisStoreOptions = {}) {
    super('redis', options, { batchSize: 500, options: ['prefix', 'changeLog', 'cache'] })
    handsOutCopies(this, new.target === RedisStore)
    this.#logged = checkFlag('changeLog', options.changeLog, true)
    if (this.cache && !this.#logged) {
      throw new InvalidOptionError(
        'cache',
        "needs changeLog: other processes' changes reach the cache through it",
      )
    }
    if (typeof client?.evalsha !== 'function' || typeof client.get !== 'function') {
      throw new InvalidOptionError('client', 'expected an ioredis client (Redis or Cluster)')
    }
    const prefix = options.prefix ?? 'sessionup:'
    if (typeof prefix !== 'string' || prefix.length === 0) {
      throw new InvalidOptionError('prefix', 'expected a non-empty string')
    }
    this.prefix = prefix
    this.#client = client
    this.#expiries = `${prefix}e`
    this.#stream = `${prefix}c`
    this.#sessionPattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}s:*`
    this.opened()
  }

  #key(kind: 's' | 'u' | 'v', name = ''): string {
    return `${this.prefix}${kind}:${name}`
  }

  /** Runs a script by its SHA, loading it on a server that does not have it yet. */
  async #eval(s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.#client.evalsha(s.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error
      return await this.#client.eval(s.source, keys.length, ...keys, ...args)
    }
  }

  /** Deletes the given sessions of one user with their index entries; the deleted Vs. */
  async #deleteOf(userKey: string, ids: readonly string[], d: Deletion): Promise<Removed<string>> {
    if (ids.length === 0) return []
    const users = this.#key('u', userKey)
    const keys = [this.#expiries, this.#stream, ...ids.flatMap((id) => [this.#key('s', id), users])]
    const args = [...logArgs(d, this.#logged), ...ids]
    const gone = (await this.#eval(SCRIPTS.delete, keys, args)) as string[]
    return d.rows ? gone : gone.length
  }

  protected override changeFeed(): Feed | undefined {
    if (!this.#logged) return undefined
    return new RedisStreamFeed(
      this.#client,
      this.#stream,
      this.origin,
      decode,
      (events) => this.feedDelivered(events),
      (error) => this.reportError(error),
      (touched) => this.cache?.invalidate(touched),
    )
  }

  protected async insert(session: SessionRecord): Promise<boolean> {
    const keys = [this.#key('s', session.id), this.#key('u', session.userKey), this.#expiries]
    const expiresAt = session.expiresAt.getTime()
    const args = [encode(session), expiresAt, session.createdAt.getTime(), session.id]
    return (await this.#eval(SCRIPTS.create, keys, args)) === 1
  }

  protected selectById(id: string): Promise<string | null> {
    return this.#client.get(this.#key('s', id))
  }

  protected async selectByUser(userKey: string): Promise<string[]> {
    const ids = await this.#client.zrange(this.#key('u', userKey), 0, -1)
    if (ids.length === 0) return []
    const values = await this.#client.mget(...ids.map((id) => this.#key('s', id)))
    return values.filter((v): v is string => v !== null)
  }

  protected async removeById(id: string, owner: string | undefined, d: Deletion) {
    const value = await this.#client.get(this.#key('s', id))
    if (value === null) return []
    let userKey = ''
    try {
      userKey = decode(value).userKey
    } catch {
      // An unreadable record can still be revoked, though not by an owner it cannot show; its
      // user-index entry (under a user key it cannot tell) goes when that user's are revoked.
    }
    if (owner !== undefined && userKey !== owner) return []
    return this.#deleteOf(userKey, [id], d)
  }

  protected async removeByUser(userKey: string, except: readonly string[], d: Deletion) {
    const keep = new Set(except)
    const ids = await this.#client.zrange(this.#key('u', userKey), 0, -1)
    return this.#deleteOf(
      userKey,
      ids.filter((id) => !keep.has(id)),
      d,
    )
  }

  protected async update(id: string, patch: SessionPatch, now: number): Promise<boolean> {
    const keys = [this.#key('s', id), this.#expiries, this.#stream]
    const minId = String(Math.max(0, now - CHANGE_RETENTION_MS))
    const args = [...touchArgs(patch, now), this.#logged ? '1' : '0', this.origin, id, minId]
    // A v1 value is rewritten in v2 form first; the second attempt then finds it so.
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await this.#eval(SCRIPTS.touch, keys, args)
      if (result !== -1) return result === 1
      await this.#upgrade(id)
    }
    return false
  }

  /** Rewrites a v1 value in v2 form, unless it changed since it was read; `true` if it is v2 now. */
  async #upgrade(id: string): Promise<void> {
    const key = this.#key('s', id)
    const value = await this.#client.get(key)
    if (value === null || isV2(value)) return
    const keys = [key, this.#expiries]
    await this.#eval(SCRIPTS.upgrade, keys, [value, encode(decode(value)), expiryOf(value)])
  }

  /**
   * Rewrites every v1 value in v2 form and records the schema version. Redis has no schema to
   * change: v1 values are read as they are and rewritten when first touched, so this only does
   * the rest at once. Safe beside live traffic and other processes (each rewrite is checked).
   */
  override async migrate(): Promise<{ from: number | null; to: number }> {
    const { version } = await this.schemaStatus()
    let cursor = '0'
    do {
      const [next, keys] = await this.#client.scan(
        cursor,
        'MATCH',
        this.#sessionPattern,
        'COUNT',
        500,
      )
      cursor = next
      for (const key of keys) await this.#upgrade(key.slice(this.prefix.length + 2))
    } while (cursor !== '0')
    await this.#client.set(this.#key('v'), String(SCHEMA_VERSION))
    return { from: version, to: SCHEMA_VERSION }
  }

  /** The recorded version; without one, 1 if any session is stored (v1 kept none), else null. */
  override async schemaStatus(): Promise<SchemaStatus> {
    const recorded = await this.#client.get(this.#key('v'))
    if (recorded !== null) return { version: Number(recorded), current: SCHEMA_VERSION }
    const [, some] = await this.#client.scan('0', 'MATCH', this.#sessionPattern, 'COUNT', 1000)
    const any = some.length > 0 || (await this.#client.zcard(this.#expiries)) > 0
    return { version: any ? 1 : null, current: SCHEMA_VERSION }
  }

  /**
   * Deletes expired sessions — including those Redis already expired on its own, which are
   * reported here as `expired`. Several instances may clean up at once: each session is
   * deleted and reported by exactly one of them. A record that cannot be decoded is taken out
   * of the expiry index (its key expires on its own) and reported as unreadable.
   */
  protected async removeExpired(now: number, limit: number, d: Deletion): Promise<Removed<string>> {
    const due = await this.#client.zrangebyscore(this.#expiries, '-inf', now, 'LIMIT', 0, limit)
    const keys = [this.#expiries, this.#stream]
    const args: string[] = logArgs(d, this.#logged)
    const unreadable: string[] = []
    for (const value of due) {
      let session: SessionRecord
      try {
        session = decode(value)
      } catch {
        if ((await this.#client.zrem(this.#expiries, value)) === 1) unreadable.push(value)
        continue
      }
      keys.push(this.#key('s', session.id), this.#key('u', session.userKey))
      args.push(value, session.id)
    }
    const gone =
      keys.length > 2 ? ((await this.#eval(SCRIPTS.deleteExpired, keys, args)) as string[]) : []
    return [...gone, ...unreadable]
  }

  protected decode(value: string): SessionRecord {
    return decode(value)
  }
}
