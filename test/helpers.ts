import {
  type ManagerOptions,
  MemoryStore,
  type RequestView,
  SessionManager,
  type SessionPatch,
} from '../src/index.js'
import { TestClock } from '../src/testing/index.js'

export const FIREFOX_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
export const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

/** A memory store that counts the calls made to it. */
export class CountingStore extends MemoryStore {
  calls = { fetchById: 0, touch: 0, create: 0 }
  override fetchById(id: string) {
    this.calls.fetchById++
    return super.fetchById(id)
  }
  override touch(id: string, patch: SessionPatch) {
    this.calls.touch++
    return super.touch(id, patch)
  }
}

export function setup(options: ManagerOptions = {}) {
  const clock = new TestClock(Date.UTC(2026, 10, 22, 12, 0, 0))
  const store = new CountingStore({ now: clock.now, cleanupInterval: 0 })
  const manager = new SessionManager(store, { now: clock.now, ...options })
  return { clock, store, manager }
}

export function view(overrides: Partial<RequestView> = {}): RequestView {
  return {
    cookie: undefined,
    remoteAddress: '198.51.100.4',
    forwardedFor: undefined,
    userAgent: FIREFOX_LINUX,
    ...overrides,
  }
}

/** The `name=value` pair of a Set-Cookie header, ready to send back as a Cookie header. */
export function cookiePair(setCookie: string): string {
  return setCookie.split(';')[0] ?? ''
}

export function tokenOf(setCookie: string): string {
  return cookiePair(setCookie).split('=')[1] ?? ''
}

/** The id and secret of a v2 token (`<id>.<secret>`). */
export function partsOf(setCookie: string): { id: string; secret: string } {
  const [id = '', secret = ''] = tokenOf(setCookie).split('.')
  return { id, secret }
}

/**
 * Waits until `done()` holds (checking every 5 ms), for what another process or connection
 * delivers in its own time; fails naming `what` after `ms`.
 */
export async function until(done: () => boolean, what = 'the condition', ms = 5_000) {
  const deadline = Date.now() + ms
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * Reads `read()` every 10 ms until `done(value)` holds or `ms` pass, and returns the last value:
 * for what a server finishes in its own time (a connection closing).
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 1_000,
) {
  const deadline = Date.now() + ms
  let value = await read()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10))
    value = await read()
  }
  return value
}
