import assert from 'node:assert/strict'
import type { SessionPatch } from '../store.js'
import { hashSecret } from '../token.js'
import { assertSameSession, type Case, ids, timeOf } from './harness.js'

const MIN = 60_000

/** A rotation patch with a fresh secret. */
function rotated(secret: string, now: number): Required<SessionPatch>['secret'] {
  return {
    hash: hashSecret(secret),
    previousHash: hashSecret(`${secret}-before`),
    previousExpiresAt: new Date(now + MIN),
    rotatedAt: new Date(now),
  }
}

/** `touch`: the one conditional update behind renewal, rotation, freshness and meta. */
export const touchCases: Case[] = [
  {
    name: 'every v2 field round-trips through create and fetch',
    async run({ store, session, now }) {
      const t = now()
      const s = session('full', {
        deadline: new Date(t + 90 * MIN),
        idleTimeout: 30 * MIN,
        persistent: true,
        lastActiveAt: new Date(t - 5 * MIN),
        authenticatedAt: new Date(t - 7 * MIN),
        previousSecretHash: hashSecret('old'),
        previousSecretExpiresAt: new Date(t + 1_234),
        rotatedAt: new Date(t - 3 * MIN),
        version: 7,
      })
      await store.create(s)
      assertSameSession(await store.fetchById(s.id), s)
      assertSameSession((await store.fetchByUserKey('full'))[0] ?? null, s)
    },
  },
  {
    name: 'touch sets the fields it is given, keeps the rest, and adds one to version',
    async run({ store, session, now }) {
      const s = session('toucher', { meta: { a: '1' } })
      await store.create(s)
      const t = now()
      const patch = {
        expiresAt: new Date(s.expiresAt.getTime() + 10 * MIN),
        lastActiveAt: new Date(t + 1),
        authenticatedAt: new Date(t + 2),
        meta: { b: 'two', '': 'empty key' },
      }
      assert.equal(await store.touch(s.id, patch), true)
      const once = { ...s, ...patch, version: 2 }
      assertSameSession(await store.fetchById(s.id), once)
      const secret = rotated('s2', t)
      assert.equal(await store.touch(s.id, { secret }), true)
      const twice = {
        ...once,
        secretHash: secret.hash,
        previousSecretHash: secret.previousHash,
        previousSecretExpiresAt: secret.previousExpiresAt,
        rotatedAt: secret.rotatedAt,
        version: 3,
      }
      assertSameSession(await store.fetchById(s.id), twice)
      assert.equal(await store.touch(s.id, {}), true, 'an empty patch only counts a version')
      assertSameSession((await store.fetchByUserKey('toucher'))[0] ?? null, {
        ...twice,
        version: 4,
      })
    },
  },
  {
    name: 'touch never moves expiry earlier, and never past the deadline',
    async run({ store, session, now }) {
      const t = now()
      const s = session('capped', { ttl: 60 * MIN, deadline: new Date(t + 120 * MIN) })
      await store.create(s)
      await store.touch(s.id, { expiresAt: new Date(t + 30 * MIN) })
      assert.equal(timeOf((await store.fetchById(s.id))?.expiresAt), t + 60 * MIN, 'not earlier')
      await store.touch(s.id, { expiresAt: new Date(t + 500 * MIN) })
      assert.equal(timeOf((await store.fetchById(s.id))?.expiresAt), t + 120 * MIN, 'the deadline')
      const unbounded = { deadline: null, idleTimeout: 10 * MIN, persistent: false }
      await store.touch(s.id, { expiresAt: new Date(t + 500 * MIN), lifetime: unbounded })
      const free = await store.fetchById(s.id)
      assert.equal(timeOf(free?.expiresAt), t + 500 * MIN, 'a lifetime without a deadline')
      assert.equal(free?.deadline, null)
      assert.equal(free?.idleTimeout, 10 * MIN)
      const closer = { deadline: new Date(t + 200 * MIN), idleTimeout: null, persistent: true }
      await store.touch(s.id, { lifetime: closer })
      const bounded = await store.fetchById(s.id)
      assert.equal(timeOf(bounded?.expiresAt), t + 200 * MIN, 'clamped by the new deadline')
      assert.equal(bounded?.persistent, true)
      assert.equal(bounded?.version, 5)
    },
  },
  {
    name: 'touch writes nothing to a missing, revoked or expired session',
    async run({ store, session, now }) {
      const revoked = session('ghost')
      const expired = session('ghost', { ttl: -1, createdOffset: -10 * MIN })
      await store.create(revoked)
      await store.create(expired)
      await store.deleteById(revoked.id)
      const t = now()
      const patches: SessionPatch[] = [
        { expiresAt: new Date(t + 60 * MIN) },
        { lastActiveAt: new Date(t), authenticatedAt: new Date(t) },
        { secret: rotated('revived', t) },
        { meta: { back: 'from the dead' } },
        { lifetime: { deadline: null, idleTimeout: null, persistent: true } },
        {},
      ]
      for (const patch of patches) {
        for (const id of [revoked.id, expired.id, 'never-existed']) {
          assert.equal(await store.touch(id, patch), false, `${JSON.stringify(patch)} on ${id}`)
        }
      }
      assert.equal(await store.fetchById(revoked.id), null)
      assert.equal(await store.fetchById(expired.id), null)
      assert.deepEqual(await store.fetchByUserKey('ghost'), [])
    },
  },
  {
    name: 'touch with ifVersion writes only at that version; of concurrent ones exactly one wins',
    async run({ store, session, now }) {
      const s = session('cas')
      await store.create(s)
      assert.equal(await store.touch(s.id, { ifVersion: 99, meta: { lost: 'x' } }), false)
      assertSameSession(await store.fetchById(s.id), s, 'a stale version writes nothing')
      assert.equal(await store.touch(s.id, { ifVersion: 1, meta: { won: 'y' } }), true)
      const t = now()
      const secrets = Array.from({ length: 8 }, (_, i) => rotated(`racer-${i}`, t))
      const results = await Promise.all(
        secrets.map((secret) => store.touch(s.id, { ifVersion: 2, secret })),
      )
      assert.equal(results.filter(Boolean).length, 1, 'exactly one of 8 rotations is written')
      const winner = secrets[results.indexOf(true)]
      const after = await store.fetchById(s.id)
      assert.equal(after?.secretHash, winner?.hash, 'one current secret: the winner’s')
      assert.equal(after?.version, 3)
      assert.deepEqual(after?.meta, { won: 'y' })
    },
  },
  {
    name: 'a renewed session is listed with its new fields and cleaned up at its new expiry',
    needsClock: true,
    async run({ store, session, clock }) {
      const s = session('renewed', { ttl: 10 * MIN })
      const other = session('renewed', { ttl: 10 * MIN, createdOffset: 1 })
      await store.create(s)
      await store.create(other)
      const later = new Date(s.expiresAt.getTime() + 20 * MIN)
      assert.equal(await store.touch(s.id, { expiresAt: later, meta: { n: '1' } }), true)
      const listed = await store.fetchByUserKey('renewed')
      assert.deepEqual(ids(listed), [s.id, other.id])
      assert.equal(timeOf(listed[0]?.expiresAt), later.getTime())
      assert.deepEqual(listed[0]?.meta, { n: '1' })
      clock.set(s.expiresAt.getTime())
      assert.equal(await store.deleteExpired(), 1, 'only the one that was not renewed')
      assertSameSession(await store.fetchById(s.id), {
        ...s,
        expiresAt: later,
        meta: { n: '1' },
        version: 2,
      })
      clock.set(later.getTime())
      assert.equal(await store.deleteExpired(), 1)
      assert.deepEqual(await store.fetchByUserKey('renewed'), [])
    },
  },
]
