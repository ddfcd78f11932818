import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { SessionManager } from '../manager.js'
import { hashSecret } from '../token.js'
import { outcome, request } from './cases-manager.js'
import type { Case, Fixture, V1Session } from './harness.js'

const MIN = 60_000

/** A cookie token as sessionup 0.1 made it, and the id it stored the session under. */
export function v1Token(): { token: string; id: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, id: hashSecret(token) }
}

/** v1 sessions of `userKey` (with their tokens), made `age` ms ago, expiring in `ttl` ms. */
function v1Sessions(fx: Fixture, userKey: string, n: number, age: number, ttl: number) {
  const now = fx.now()
  return Array.from({ length: n }, (_, i) => {
    const { token, id } = v1Token()
    const session: V1Session = {
      id,
      userKey,
      createdAt: new Date(now - age + i),
      expiresAt: new Date(now + ttl),
      ip: i === 0 ? null : '192.0.2.1',
      agent: { os: 'Linux', browser: i === 0 ? '' : 'Firefox' },
      meta: i === 0 ? {} : { plan: 'pro', note: 'a|b;c=d "e"' },
    }
    return { token, session }
  })
}

/** Opens a migrated store over a v1 database and runs `check`, then drops it. */
async function withV1(
  fx: Fixture,
  sessions: readonly V1Session[],
  check: (store: Fixture['store']) => Promise<void>,
): Promise<void> {
  const harness = await fx.v1(sessions, { now: fx.clock.now })
  try {
    await check(harness.store)
  } finally {
    await harness.store.close()
    await harness.teardown?.()
  }
}

/** Data written by sessionup 0.1: migrated in place, cookies still valid, nobody logged out. */
export const v1Cases: Case[] = [
  {
    name: 'v1 data reads back as v2 records after the migration, every field kept',
    needsV1: true,
    async run(fx) {
      const made = v1Sessions(fx, 'old-user', 3, 5 * MIN, 60 * MIN)
      await withV1(
        fx,
        made.map((m) => m.session),
        async (store) => {
          const expected = made.map(({ session: v1 }) => ({
            ...v1,
            deadline: null,
            idleTimeout: null,
            persistent: false,
            lastActiveAt: v1.createdAt,
            authenticatedAt: v1.createdAt,
            secretHash: null,
            previousSecretHash: null,
            previousSecretExpiresAt: null,
            rotatedAt: v1.createdAt,
            version: 0,
          }))
          const read = async () => {
            for (const want of expected) {
              const record = await store.fetchById(want.id)
              assert.ok(record, 'found by its v1 id')
              assert.deepEqual({ ...record, meta: { ...record.meta } }, want)
            }
          }
          await read()
          // Stores that read v1 data as it is (Redis) rewrite it here; the others already did.
          if (store.migrate) assert.equal((await store.migrate()).to, 2)
          if (store.schemaStatus) assert.equal((await store.schemaStatus()).version, 2)
          await read()
          const listed = await store.fetchByUserKey('old-user')
          assert.deepEqual(
            listed.map((s) => s.id),
            made.map((m) => m.session.id),
          )
        },
      )
    },
  },
  {
    name: 'v1 cookies keep working, and move to a v2 cookie at their next renewal',
    needsV1: true,
    async run(fx) {
      const [old] = v1Sessions(fx, 'returning', 1, 20 * MIN, 30 * MIN)
      assert.ok(old)
      await withV1(fx, [old.session], async (store) => {
        const manager = new SessionManager(store, { now: fx.clock.now, idleTimeout: 30 * MIN })
        const v1Cookie = `__Host-sessionup=${old.token}`
        const result = await manager.authenticate(request(v1Cookie))
        assert.ok(result.session, `the v1 cookie authenticates: ${result.error?.message}`)
        assert.equal(result.session.id, old.session.id)
        assert.equal(result.session.idleTimeout, 30 * MIN, 'the manager’s policy applies to it')
        assert.ok(result.setCookie, 'renewal was due: a v2 cookie replaces it')
        const token = result.setCookie.split(';')[0]?.split('=')[1] ?? ''
        assert.ok(token.startsWith(`${old.session.id}.`), 'the same session id, with a secret')
        const upgraded = await store.fetchById(old.session.id)
        assert.ok(upgraded?.secretHash, 'a v2 secret hash is stored')
        assert.equal(upgraded.idleTimeout, 30 * MIN, 'and the lifetime it lives by')
        assert.equal(await outcome(manager, result.setCookie), 'ok')
        assert.equal(await outcome(manager, v1Cookie), 'ok', 'in flight: the old cookie, in grace')
        fx.clock.advance(61_000)
        assert.equal(await outcome(manager, v1Cookie), 'unknown-session', 'then refused')
        assert.equal(await outcome(manager, result.setCookie), 'ok')
      })
    },
  },
  {
    name: 'v1 sessions are revoked, updated and cleaned up like any other',
    needsV1: true,
    async run(fx) {
      const live = v1Sessions(fx, 'mixed', 2, MIN, 60 * MIN)
      const expired = v1Sessions(fx, 'mixed', 2, 90 * MIN, -MIN)
      const all = [...live, ...expired].map((m) => m.session)
      await withV1(fx, all, async (store) => {
        const [first, second] = live.map((m) => m.session)
        assert.ok(first && second)
        assert.equal(await store.touch(first.id, { meta: { edited: 'yes' } }), true)
        assert.deepEqual((await store.fetchById(first.id))?.meta, { edited: 'yes' })
        assert.equal((await store.fetchById(first.id))?.version, 1)
        assert.equal(await store.deleteExpired(), 2, 'the expired v1 sessions go')
        assert.equal(await store.deleteById(second.id, { owner: 'mixed' }), true)
        const listed = await store.fetchByUserKey('mixed')
        assert.deepEqual(
          listed.map((s) => s.id),
          [first.id],
        )
        await store.deleteByUserKey('mixed')
        assert.deepEqual(await store.fetchByUserKey('mixed'), [])
      })
    },
  },
]
