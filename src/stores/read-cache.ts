import { InvalidOptionError } from '../errors.js'
import type { SessionRecord } from '../session.js'
import { EXPIRES, type Packed, pack, unpack } from './memory-record.js'

/** The read cache of a store: `fetchById` answered from memory while that is provably exact. */
export interface CacheOptions {
  /** Sessions kept, least recently read dropped first; 1 to 10,000,000. */
  maxEntries: number
  /** How long one read may be reused, in ms (1 to 3,600,000): a bound on top of the checks. */
  maxAgeMs: number
}

/** What a store's cache has done since it was opened. */
export interface CacheStats {
  /** Sessions held now. */
  size: number
  /** Reads answered from memory. */
  hits: number
  /** Reads that went to the engine with the cache in use. */
  misses: number
  /** Reads that went to the engine because the cache could not be trusted (a feed down). */
  bypassed: number
}

interface Entry {
  p: Packed
  /** The stamp (data version, feed epoch) the entry was last known current at. */
  stamp: number
  /** When the entry stops being used, whatever the checks say. */
  until: number
}

/** A read under way: whether anything invalidated its id (or everything) while it ran. */
export interface Ticket {
  id: string
  gen: number
  epoch: number
  stamp: number
}

/** Checks the `cache` option: absent, or `{ maxEntries, maxAgeMs }` in range. */
export function checkCacheOption(value: unknown): CacheOptions | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) {
    throw new InvalidOptionError('cache', 'expected { maxEntries, maxAgeMs }')
  }
  const o = value as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (key !== 'maxEntries' && key !== 'maxAgeMs') {
      throw new InvalidOptionError(`cache.${key}`, 'unknown option of the cache')
    }
  }
  const whole = (name: 'maxEntries' | 'maxAgeMs', max: number) => {
    const v = o[name]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
      throw new InvalidOptionError(`cache.${name}`, `expected a whole number from 1 to ${max}`)
    }
    return v
  }
  return { maxEntries: whole('maxEntries', 10_000_000), maxAgeMs: whole('maxAgeMs', 3_600_000) }
}

/**
 * Records read by id, kept packed (so a hit hands out a fresh record sharing nothing with the
 * cache), least recently read dropped first. It knows nothing of engines: the store passes the
 * stamp it trusts now and, when a stamp has moved, a synchronous recheck of one record's version.
 * A read only fills the cache if nothing invalidated its id, or everything, while it ran.
 */
export class ReadCache {
  readonly #entries = new Map<string, Entry>()
  /** Reads under way per id: how many, and a generation that invalidation bumps. */
  readonly #reading = new Map<string, { n: number; gen: number }>()
  #epoch = 0
  readonly stats = { hits: 0, misses: 0, bypassed: 0 }

  constructor(readonly options: CacheOptions) {}

  get size(): number {
    return this.#entries.size
  }

  /** The cached record of `id`, if it is live at `now` and current by `stamp` (or rechecked). */
  get(
    id: string,
    now: number,
    stamp: number,
    recheck: (id: string, version: number) => boolean,
  ): SessionRecord | undefined {
    const e = this.#entries.get(id)
    if (e === undefined) return undefined
    if (now >= e.until || now >= (e.p.t[EXPIRES] as number)) {
      this.#entries.delete(id)
      return undefined
    }
    if (e.stamp !== stamp) {
      if (!recheck(id, e.p.version)) {
        this.#entries.delete(id)
        return undefined
      }
      e.stamp = stamp
    }
    this.#entries.delete(id) // to the back: most recently read
    this.#entries.set(id, e)
    this.stats.hits++
    return unpack(e.p)
  }

  /**
   * `fetch`'s answer for `id`, from memory when the entry is current by `stamp` (`null`: trust
   * nothing, go to the engine), else from `fetch`, kept unless invalidated meanwhile.
   */
  async through(
    id: string,
    now: number,
    stamp: number | null,
    recheck: (id: string, version: number) => boolean,
    fetch: () => Promise<SessionRecord | null>,
  ): Promise<SessionRecord | null> {
    if (stamp === null) {
      this.stats.bypassed++
      return fetch()
    }
    const hit = this.get(id, now, stamp, recheck)
    if (hit !== undefined) return hit
    const ticket = this.begin(id, stamp)
    let found: SessionRecord | null = null
    try {
      found = await fetch()
      return found
    } finally {
      this.end(ticket, found, now)
    }
  }

  /** Starts a read from the engine; pass the ticket to `end`. */
  begin(id: string, stamp: number): Ticket {
    let r = this.#reading.get(id)
    if (r === undefined) {
      r = { n: 0, gen: 0 }
      this.#reading.set(id, r)
    }
    r.n++
    this.stats.misses++
    return { id, gen: r.gen, epoch: this.#epoch, stamp }
  }

  /** Ends a read: caches `record` unless something invalidated it while the read ran. */
  end(t: Ticket, record: SessionRecord | null, now: number): void {
    const r = this.#reading.get(t.id)
    if (r === undefined) return
    const fresh = r.gen === t.gen && this.#epoch === t.epoch
    if (--r.n === 0) this.#reading.delete(t.id)
    if (!fresh || record === null) return
    const { maxEntries, maxAgeMs } = this.options
    this.#entries.delete(t.id)
    this.#entries.set(t.id, { p: pack(record), stamp: t.stamp, until: now + maxAgeMs })
    if (this.#entries.size > maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value as string)
    }
  }

  /** Forgets `id`, and keeps reads of it under way from caching what they read. */
  invalidate(id: string): void {
    this.#entries.delete(id)
    const r = this.#reading.get(id)
    if (r !== undefined) r.gen++
  }

  /** Forgets everything, reads under way included. */
  clear(): void {
    this.#entries.clear()
    this.#epoch++
  }
}
