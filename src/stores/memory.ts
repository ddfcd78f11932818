import { yieldToEventLoop } from '../cleanup.js'
import { DuplicateIdError } from '../errors.js'
import { copySession, type Session } from '../session.js'
import { BaseStore, type BaseStoreOptions, checkDate, checkKey, checkSession } from './base.js'

export type MemoryStoreOptions = BaseStoreOptions

const SCAN_BATCH = 10_000

/**
 * Keeps sessions in this process's memory (Go's memstore): for tests, demos and single-process
 * apps that accept losing every session on restart. Sessions are copied in and out, so callers
 * can never change what is stored by mutating a returned object.
 */
export class MemoryStore extends BaseStore {
  readonly #byId = new Map<string, Session>()
  readonly #byUser = new Map<string, Set<string>>()

  constructor(options?: MemoryStoreOptions) {
    super('memory', options)
    this.startCleanupTimer(options)
  }

  #live(id: string): Session | undefined {
    const session = this.#byId.get(id)
    return session && session.expiresAt.getTime() > this.now() ? session : undefined
  }

  #remove(session: Session): void {
    this.#byId.delete(session.id)
    const ids = this.#byUser.get(session.userKey)
    ids?.delete(session.id)
    if (ids?.size === 0) this.#byUser.delete(session.userKey)
  }

  async create(session: Session): Promise<void> {
    checkSession(session)
    if (this.#byId.has(session.id)) throw new DuplicateIdError(this.layer)
    const stored = copySession(session)
    this.#byId.set(stored.id, stored)
    let ids = this.#byUser.get(stored.userKey)
    if (!ids) {
      ids = new Set()
      this.#byUser.set(stored.userKey, ids)
    }
    ids.add(stored.id)
  }

  async fetchById(id: string): Promise<Session | null> {
    checkKey('id', id)
    const session = this.#live(id)
    return session ? copySession(session) : null
  }

  async fetchByUserKey(userKey: string): Promise<Session[]> {
    checkKey('userKey', userKey)
    const result: Session[] = []
    for (const id of this.#byUser.get(userKey) ?? []) {
      const session = this.#live(id)
      if (session) result.push(copySession(session))
    }
    return result.sort(oldestFirst)
  }

  async deleteById(id: string): Promise<void> {
    checkKey('id', id)
    const session = this.#byId.get(id)
    if (!session) return
    this.#remove(session)
    this.events.emit([session], 'revoked')
  }

  async deleteByUserKey(userKey: string, ...exceptIds: string[]): Promise<void> {
    checkKey('userKey', userKey)
    const keep = new Set(exceptIds)
    const deleted: Session[] = []
    for (const id of this.#byUser.get(userKey) ?? []) {
      if (keep.has(id)) continue
      const session = this.#byId.get(id)
      if (session) deleted.push(session)
    }
    for (const session of deleted) this.#remove(session)
    this.events.emit(deleted, 'revoked')
  }

  async extend(id: string, expiresAt: Date): Promise<boolean> {
    checkKey('id', id)
    checkDate('expiresAt', expiresAt)
    const session = this.#live(id)
    if (!session || session.expiresAt.getTime() >= expiresAt.getTime()) return false
    session.expiresAt = new Date(expiresAt.getTime())
    return true
  }

  async deleteExpired(): Promise<number> {
    let deleted = 0
    let batch: Session[] = []
    // Scan in slices so a million sessions never block the event loop in one go.
    let scanned = 0
    const now = this.now()
    for (const session of this.#byId.values()) {
      if (session.expiresAt.getTime() <= now) batch.push(session)
      if (++scanned % SCAN_BATCH === 0) {
        deleted += this.#dropExpired(batch)
        batch = []
        await yieldToEventLoop()
      }
    }
    return deleted + this.#dropExpired(batch)
  }

  /** Removes sessions found expired, unless they were deleted or extended meanwhile. */
  #dropExpired(batch: Session[]): number {
    const now = this.now()
    const gone = batch.filter((s) => this.#byId.get(s.id) === s && s.expiresAt.getTime() <= now)
    for (const session of gone) this.#remove(session)
    this.events.emit(gone, 'expired')
    return gone.length
  }
}

export function oldestFirst(a: Session, b: Session): number {
  const byTime = a.createdAt.getTime() - b.createdAt.getTime()
  return byTime !== 0 ? byTime : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}
