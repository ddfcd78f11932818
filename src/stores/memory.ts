import type { SessionRecord } from '../session.js'
import type { SessionPatch } from '../store.js'
import { BaseStore, type BaseStoreOptions, type Removed } from './base.js'
import { handsOutCopies } from './copies.js'
import { EXPIRES, oldestFirst, type Packed, pack, unpack } from './memory-record.js'
import { patched } from './record.js'

export type MemoryStoreOptions = BaseStoreOptions

/**
 * Keeps sessions in this process's memory (Go's memstore): for tests, demos and single-process
 * apps that accept losing every session on restart. Sessions are copied in and out, so callers
 * can never change what is stored by mutating a returned object.
 */
export class MemoryStore extends BaseStore<Packed> {
  readonly #byId = new Map<string, Packed>()
  readonly #byUser = new Map<string, Set<string>>()
  /** Expiries, soonest first; an entry whose session moved on is skipped when it comes up. */
  readonly #expiries = new ExpiryHeap()

  constructor(options?: MemoryStoreOptions) {
    super('memory', options, { batchSize: 10_000 })
    handsOutCopies(this, new.target === MemoryStore)
    this.opened()
  }

  #remove(session: Packed): void {
    this.#byId.delete(session.id)
    const ids = this.#byUser.get(session.userKey)
    ids?.delete(session.id)
    if (ids?.size === 0) this.#byUser.delete(session.userKey)
  }

  protected insert(session: SessionRecord): boolean {
    if (this.#byId.has(session.id)) return false
    const stored = pack(session)
    this.#byId.set(stored.id, stored)
    let ids = this.#byUser.get(stored.userKey)
    if (!ids) {
      ids = new Set()
      this.#byUser.set(stored.userKey, ids)
    }
    ids.add(stored.id)
    this.#expiries.push(stored.t[EXPIRES] as number, stored.id)
    return true
  }

  protected selectById(id: string): Packed | undefined {
    return this.#byId.get(id)
  }

  protected selectByUser(userKey: string): Packed[] {
    const found: Packed[] = []
    for (const id of this.#byUser.get(userKey) ?? []) {
      const session = this.#byId.get(id)
      if (session) found.push(session)
    }
    return found.sort(oldestFirst)
  }

  protected removeById(id: string, owner: string | undefined): Removed<Packed> {
    const session = this.#byId.get(id)
    if (!session || (owner !== undefined && session.userKey !== owner)) return []
    this.#remove(session)
    return [session]
  }

  protected removeByUser(userKey: string, except: readonly string[]): Removed<Packed> {
    const keep = new Set(except)
    const deleted: Packed[] = []
    for (const id of this.#byUser.get(userKey) ?? []) {
      const session = this.#byId.get(id)
      if (session && !keep.has(id)) deleted.push(session)
    }
    for (const session of deleted) this.#remove(session)
    return deleted
  }

  protected update(id: string, patch: SessionPatch, now: number): boolean {
    const session = this.#byId.get(id)
    const next = session && patched(unpack(session), patch, now)
    if (!session || !next) return false
    const stored = pack(next)
    this.#byId.set(id, stored)
    const expiry = stored.t[EXPIRES] as number
    if (expiry !== session.t[EXPIRES]) this.#expiries.push(expiry, id)
    return true
  }

  protected removeExpired(now: number, limit: number): Removed<Packed> {
    const deleted: Packed[] = []
    while (deleted.length < limit) {
      const next = this.#expiries.popDue(now)
      if (!next) break
      const session = this.#byId.get(next.id)
      // Only the entry matching the session's current expiry counts; others are leftovers of
      // a renewal or a delete.
      if (session && session.t[EXPIRES] === next.at) {
        this.#remove(session)
        deleted.push(session)
      }
    }
    return deleted
  }

  protected decode(session: Packed): SessionRecord {
    return unpack(session)
  }
}

/** A binary min-heap of (expiry, id). */
class ExpiryHeap {
  readonly #at: number[] = []
  readonly #ids: string[] = []

  push(at: number, id: string): void {
    let i = this.#at.length
    this.#at.push(at)
    this.#ids.push(id)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if ((this.#at[parent] as number) <= at) break
      this.#swap(i, parent)
      i = parent
    }
  }

  /** Removes and returns the soonest entry if it is due by `now`. */
  popDue(now: number): { at: number; id: string } | undefined {
    const at = this.#at[0]
    if (at === undefined || at > now) return undefined
    const id = this.#ids[0] as string
    const lastAt = this.#at.pop() as number
    const lastId = this.#ids.pop() as string
    if (this.#at.length > 0) {
      this.#at[0] = lastAt
      this.#ids[0] = lastId
      this.#sinkFromTop()
    }
    return { at, id }
  }

  #sinkFromTop(): void {
    const n = this.#at.length
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let smallest = i
      if (left < n && (this.#at[left] as number) < (this.#at[smallest] as number)) smallest = left
      if (right < n && (this.#at[right] as number) < (this.#at[smallest] as number))
        smallest = right
      if (smallest === i) return
      this.#swap(i, smallest)
      i = smallest
    }
  }

  #swap(a: number, b: number): void {
    const at = this.#at[a] as number
    this.#at[a] = this.#at[b] as number
    this.#at[b] = at
    const id = this.#ids[a] as string
    this.#ids[a] = this.#ids[b] as string
    this.#ids[b] = id
  }
}
