import assert from 'node:assert/strict'
import { describe, it, mock } from 'node:test'
import {
  DeletionEvents,
  LISTENER_CONCURRENCY,
  LISTENER_QUEUE_LIMIT,
  UNSUBSCRIBE_WAIT_MS,
} from '../src/events.js'
import type { Session } from '../src/index.js'
import { sessionRecord } from '../src/testing/index.js'

const sessions = (n: number): Session[] =>
  Array.from({ length: n }, (_, i) =>
    sessionRecord({
      id: `s${i}`,
      userKey: 'u',
      createdAt: new Date(0),
      expiresAt: new Date(1),
      ip: null,
      agent: { os: '', browser: '' },
      meta: {},
    }),
  )

const never = () => new Promise<void>(() => {})

describe('deletion events: what one listener may hold', () => {
  it('a listener that never settles holds a bounded number of runs and events', () => {
    const reported: Error[] = []
    const events = new DeletionEvents((e) => reported.push(e))
    let calls = 0
    events.subscribe(() => {
      calls++
      return never()
    })
    const extra = 250
    events.emitDeleted(
      sessions(LISTENER_CONCURRENCY + LISTENER_QUEUE_LIMIT + extra),
      'expired',
      new Date(),
    )
    assert.equal(calls, LISTENER_CONCURRENCY, 'only so many runs are started')
    assert.equal(reported.length, 1)
    assert.match(reported[0]?.message ?? '', new RegExp(`${extra} event\\(s\\) dropped`))
  })

  it('a slow listener still gets every event, in order, with no more than 16 at once', async () => {
    const events = new DeletionEvents((e) => assert.fail(e))
    const seen: string[] = []
    let running = 0
    let peak = 0
    events.subscribe(async (event) => {
      running++
      peak = Math.max(peak, running)
      await new Promise((r) => setImmediate(r))
      seen.push(event.session.id)
      running--
    })
    const all = sessions(200)
    events.emitDeleted(all, 'revoked', new Date())
    while (seen.length < all.length) await new Promise((r) => setImmediate(r))
    assert.deepEqual(
      seen,
      all.map((s) => s.id),
    )
    assert.equal(peak, LISTENER_CONCURRENCY)
  })

  it('unsubscribe(true) stops waiting for a run that ignores its signal, and says so', async () => {
    mock.timers.enable({ apis: ['setTimeout'] })
    try {
      const reported: Error[] = []
      const events = new DeletionEvents((e) => reported.push(e))
      const unsubscribe = events.subscribe(never)
      events.emitDeleted(sessions(3), 'revoked', new Date())
      let done = false
      const waiting = unsubscribe(true).then(() => {
        done = true
      })
      await new Promise((r) => setImmediate(r))
      assert.equal(done, false, 'it waits for the running listener first')
      mock.timers.tick(UNSUBSCRIBE_WAIT_MS)
      await waiting
      assert.match(reported[0]?.message ?? '', /ignored its abort signal: 3 run\(s\) still pending/)
    } finally {
      mock.timers.reset()
    }
  })
})
