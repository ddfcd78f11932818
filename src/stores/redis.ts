import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import { DuplicateIdError, InvalidOptionError, storeFailure } from '../errors.js'
import type { Session } from '../session.js'
import type { DeletionReason } from '../store.js'
import {
  BaseStore,
  type BaseStoreOptions,
  checkBatchSize,
  checkDate,
  checkKey,
  checkSession,
} from './base.js'
import * as lua from './redis-scripts.js'

export interface RedisStoreOptions extends BaseStoreOptions {
  /**
   * Prefix of every key, so several apps can share one Redis. Default `sessionup:`. For Redis
   * Cluster, put a hash tag in it (`{sessionup}:`): the scripts touch a session and its index
   * entries together, so all of a store's keys must live in one slot.
   */
  prefix?: string
  /** Sessions deleted per cleanup script. Default 500. */
  batchSize?: number
}

type Script = { source: string; sha: string }
const script = (source: string): Script => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
})
const SCRIPTS = {
  create: script(lua.CREATE),
  deleteById: script(lua.DELETE_BY_ID),
  deleteByUser: script(lua.DELETE_BY_USER),
  extend: script(lua.EXTEND),
  deleteExpired: script(lua.DELETE_EXPIRED),
}

/** "<expiresAt>|" + JSON of the rest: see redis-scripts.ts. */
function encode(s: Session): string {
  const rest = [s.id, s.userKey, s.createdAt.getTime(), s.ip, s.agent.os, s.agent.browser, s.meta]
  return `${s.expiresAt.getTime()}|${JSON.stringify(rest)}`
}

function decode(value: string): Session {
  const sep = value.indexOf('|')
  const [id, userKey, createdAt, ip, os, browser, meta] = JSON.parse(value.slice(sep + 1))
  return {
    id,
    userKey,
    createdAt: new Date(createdAt),
    expiresAt: new Date(Number(value.slice(0, sep))),
    ip,
    agent: { os, browser },
    meta,
  }
}

/**
 * Sessions in Redis, over an ioredis client you created (and close). Each session is a key
 * that expires natively; a per-user sorted set and an expiry sorted set are updated in the same
 * Lua script, so the indexes never point at nothing for longer than until the next cleanup.
 *
 * @example
 * const store = new RedisStore(new Redis(process.env.REDIS_URL), { prefix: 'myapp:sessions:' })
 */
export class RedisStore extends BaseStore {
  readonly prefix: string
  readonly #client: Redis | Cluster
  readonly #batchSize: number

  constructor(client: Redis | Cluster, options: RedisStoreOptions = {}) {
    super('redis', options)
    if (typeof client?.evalsha !== 'function' || typeof client.get !== 'function') {
      throw new InvalidOptionError('client', 'expected an ioredis client (Redis or Cluster)')
    }
    const prefix = options.prefix ?? 'sessionup:'
    if (typeof prefix !== 'string' || prefix.length === 0) {
      throw new InvalidOptionError('prefix', 'expected a non-empty string')
    }
    this.prefix = prefix
    this.#client = client
    this.#batchSize = checkBatchSize(options.batchSize, 500)
    this.startCleanupTimer(options)
  }

  #key(kind: 's' | 'u', name: string): string {
    return `${this.prefix}${kind}:${name}`
  }

  /** Runs a script by its SHA, loading it on a server that does not have it yet. */
  async #eval(
    action: string,
    s: Script,
    keys: string[],
    args: Array<string | number>,
  ): Promise<unknown> {
    try {
      try {
        return await this.#client.evalsha(s.sha, keys.length, ...keys, ...args)
      } catch (error) {
        if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error
        return await this.#client.eval(s.source, keys.length, ...keys, ...args)
      }
    } catch (error) {
      throw storeFailure(this.layer, action, error)
    }
  }

  #emit(values: unknown, reason: DeletionReason): void {
    if (Array.isArray(values) && values.length > 0 && this.events.active) {
      this.events.emit((values as string[]).map(decode), reason)
    }
  }

  async create(session: Session): Promise<void> {
    checkSession(session)
    const keys = [this.#key('s', session.id), this.#key('u', session.userKey), `${this.prefix}e`]
    const args = [
      encode(session),
      session.expiresAt.getTime(),
      session.createdAt.getTime(),
      session.id,
    ]
    const created = await this.#eval('create', SCRIPTS.create, keys, args)
    if (created !== 1) throw new DuplicateIdError(this.layer)
  }

  async fetchById(id: string): Promise<Session | null> {
    checkKey('id', id)
    let value: string | null
    try {
      value = await this.#client.get(this.#key('s', id))
    } catch (error) {
      throw storeFailure(this.layer, 'fetchById', error)
    }
    if (!value) return null
    const session = decode(value)
    // Redis keeps a key until now > expiry; the contract ends it at now >= expiresAt.
    return session.expiresAt.getTime() > this.now() ? session : null
  }

  async fetchByUserKey(userKey: string): Promise<Session[]> {
    checkKey('userKey', userKey)
    try {
      const ids = await this.#client.zrange(this.#key('u', userKey), 0, -1)
      if (ids.length === 0) return []
      const values = await this.#client.mget(...ids.map((id) => this.#key('s', id)))
      const now = this.now()
      return values
        .flatMap((v) => (v ? [decode(v)] : []))
        .filter((s) => s.userKey === userKey && s.expiresAt.getTime() > now)
    } catch (error) {
      throw storeFailure(this.layer, 'fetchByUserKey', error)
    }
  }

  async deleteById(id: string): Promise<void> {
    checkKey('id', id)
    const gone = await this.#eval(
      'deleteById',
      SCRIPTS.deleteById,
      [this.#key('s', id), `${this.prefix}e`],
      [this.prefix],
    )
    if (typeof gone === 'string') this.#emit([gone], 'revoked')
  }

  async deleteByUserKey(userKey: string, ...exceptIds: string[]): Promise<void> {
    checkKey('userKey', userKey)
    for (const id of exceptIds) checkKey('exceptIds', id)
    const keys = [this.#key('u', userKey), `${this.prefix}e`]
    const gone = await this.#eval('deleteByUserKey', SCRIPTS.deleteByUser, keys, [
      this.prefix,
      JSON.stringify(exceptIds),
    ])
    this.#emit(gone, 'revoked')
  }

  async extend(id: string, expiresAt: Date): Promise<boolean> {
    checkKey('id', id)
    checkDate('expiresAt', expiresAt)
    const keys = [this.#key('s', id), `${this.prefix}e`]
    return (
      (await this.#eval('extend', SCRIPTS.extend, keys, [expiresAt.getTime(), this.now()])) === 1
    )
  }

  /**
   * Deletes expired sessions — including those Redis already expired on its own, which are
   * reported here as `expired` — in scripts of `batchSize`. Several instances may clean up at
   * once: each session is deleted and reported by exactly one of them.
   */
  async deleteExpired(): Promise<number> {
    let total = 0
    for (;;) {
      const gone = await this.#eval(
        'deleteExpired',
        SCRIPTS.deleteExpired,
        [`${this.prefix}e`],
        [this.prefix, this.now(), this.#batchSize],
      )
      const count = Array.isArray(gone) ? gone.length : 0
      total += count
      this.#emit(gone, 'expired')
      if (count < this.#batchSize) return total
    }
  }
}
