import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, describe, it } from 'node:test'
import { InvalidOptionError, MemoryStore, runCleanup, startCleanup } from '../src/index.js'
import { sessionRecord, TestClock } from '../src/testing/index.js'

// The timers under test are unref'd; this keeps the test process alive while they run.
const keepAlive = setInterval(() => {}, 60_000)
after(() => clearInterval(keepAlive))

const child = (mode: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/cleanup-child.ts', mode], {
    encoding: 'utf8',
    timeout: 20_000,
  })

async function storeWithExpired(count: number) {
  const clock = new TestClock()
  const store = new MemoryStore({ now: clock.now, cleanupInterval: 0 })
  for (let i = 0; i < count; i++) {
    await store.create(
      sessionRecord({
        id: `id-${i}`,
        userKey: 'u',
        createdAt: new Date(clock.now() - 10),
        expiresAt: new Date(clock.now() - 1),
        ip: null,
        agent: { os: '', browser: '' },
        meta: {},
      }),
    )
  }
  return store
}

describe('cleanup intervals', () => {
  it('rejects negative, NaN, infinite and non-number intervals; 0 turns the timer off', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5', 2 ** 31]) {
      assert.throws(
        () => new MemoryStore({ cleanupInterval: bad as number }),
        (e: unknown) => e instanceof InvalidOptionError && e.option === 'cleanupInterval',
      )
    }
    assert.ok(new MemoryStore({ cleanupInterval: 0 }))
    const store = new MemoryStore({ cleanupInterval: 0 })
    assert.throws(() => startCleanup(store, -5, () => {}), InvalidOptionError)
  })

  it('the promise-returning loops reject a bad interval instead of throwing', async () => {
    const store = new MemoryStore({ cleanupInterval: 0 })
    for (const bad of [0, -1, Number.NaN]) {
      let loop: Promise<void> | undefined
      let storeLoop: Promise<void> | undefined
      assert.doesNotThrow(() => {
        loop = runCleanup(store, bad)
        storeLoop = store.cleanup(bad)
      })
      await assert.rejects(loop as Promise<void>, InvalidOptionError)
      await assert.rejects(storeLoop as Promise<void>, InvalidOptionError)
    }
  })
})

describe('runCleanup (Go Cleanup(ctx, interval))', () => {
  it('deletes expired sessions each interval and resolves when aborted', async () => {
    const store = await storeWithExpired(3)
    const controller = new AbortController()
    let passes = 0
    const done = runCleanup(
      {
        deleteExpired: async () => {
          const n = await store.deleteExpired()
          if (++passes === 2) controller.abort()
          return n
        },
      },
      1,
      controller.signal,
    )
    await done
    assert.equal(passes, 2)
    assert.equal(await store.deleteExpired(), 0, 'the first pass deleted them')
  })

  it('rejects with the first failure so the caller can restart it', async () => {
    const failure = new Error('database is locked')
    await assert.rejects(
      runCleanup({ deleteExpired: () => Promise.reject(failure) }, 1),
      (e) => e === failure,
    )
  })

  it('resolves at once for an already-aborted signal', async () => {
    await runCleanup(
      { deleteExpired: () => Promise.reject(new Error('never run')) },
      1,
      AbortSignal.abort(),
    )
  })
})

describe('startCleanup (Go NewWithCleanup)', () => {
  it('reports every failure and keeps going until stopped', async () => {
    const errors: Error[] = []
    let calls = 0
    const handle = startCleanup(
      {
        deleteExpired: async () => {
          calls++
          throw new Error(`pass ${calls}`)
        },
      },
      1,
      (e) => errors.push(e),
    )
    while (errors.length < 3) await new Promise((r) => setTimeout(r, 2))
    await handle.stop()
    const after = calls
    await new Promise((r) => setTimeout(r, 10))
    assert.equal(calls, after, 'no pass after stop()')
    assert.deepEqual(
      errors.slice(0, 3).map((e) => e.message),
      ['pass 1', 'pass 2', 'pass 3'],
    )
  })

  it('stop() waits for a running pass', async () => {
    let finished = false
    let release!: () => void
    let started!: () => void
    const running = new Promise<void>((r) => {
      started = r
    })
    const handle = startCleanup(
      {
        deleteExpired: async () => {
          started()
          await new Promise<void>((r) => {
            release = r
          })
          finished = true
          return 0
        },
      },
      1,
      () => {},
    )
    await running
    const stopping = handle.stop()
    release()
    await stopping
    assert.equal(finished, true)
  })
})

describe('the store cleanup timer', () => {
  it('never keeps the process alive', () => {
    const result = child('idle')
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.error, undefined, 'the process exited on its own')
  })

  it('turns unheard failures into warnings and keeps running', () => {
    const result = child('unheard-errors')
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /passes=3/)
    assert.match(result.stderr, /Error: cleanup pass 1 failed/)
  })

  it('runs passes on its own, emitting expired events', async () => {
    const store = await storeWithExpired(2)
    const timed = new MemoryStore({ cleanupInterval: 1 })
    const deleted: string[] = []
    timed.onDeletion((e) => {
      deleted.push(e.reason)
    })
    await timed.create(
      sessionRecord({
        id: 'gone',
        userKey: 'u',
        createdAt: new Date(Date.now() - 10),
        expiresAt: new Date(Date.now() - 1),
        ip: null,
        agent: { os: '', browser: '' },
        meta: {},
      }),
    )
    while (deleted.length === 0) await new Promise((r) => setTimeout(r, 2))
    await timed.close()
    assert.deepEqual(deleted, ['expired'])
    await store.close()
  })
})
