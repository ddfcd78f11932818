import assert from 'node:assert/strict'
import { publicSession } from '../session.js'
import type { DeletionEvent } from '../store.js'
import { assertSameSession, type Case, deferred, ids, settle, stored } from './harness.js'

/** Expiry, deletion, events and close. */
export const lifecycleCases: Case[] = [
  {
    name: 'expiry boundary: live at expiresAt − 1 ms, expired (and cleaned) at expiresAt exactly',
    needsClock: true,
    async run({ store, clock, session }) {
      const s = session('edge', { ttl: 10_000 })
      await store.create(s)
      clock.set(s.expiresAt.getTime() - 1)
      assertSameSession(await store.fetchById(s.id), s)
      assert.deepEqual(ids(await store.fetchByUserKey('edge')), [s.id])
      assert.equal(await store.deleteExpired(), 0, 'not yet expired: cleanup leaves it')
      clock.set(s.expiresAt.getTime())
      assert.equal(await store.fetchById(s.id), null)
      assert.deepEqual(await store.fetchByUserKey('edge'), [])
      const later = new Date(s.expiresAt.getTime() + 60_000)
      assert.equal(await store.touch(s.id, { expiresAt: later }), false, 'expired: not touched')
      assert.equal(await store.deleteExpired(), 1, 'expiring exactly now counts as expired')
    },
  },
  {
    name: 'an expired session is never returned, with no cleanup run',
    async run({ store, session }) {
      const expired = session('late', { ttl: -1, createdOffset: -60_000 })
      const live = session('late')
      await store.create(expired)
      await store.create(live)
      assert.equal(await store.fetchById(expired.id), null)
      assert.deepEqual(ids(await store.fetchByUserKey('late')), [live.id])
    },
  },
  {
    name: 'deleteById removes one session, leaves others, and is a no-op when missing',
    async run({ store, session }) {
      const [a, b] = await stored(store, session('alice'), session('alice'))
      await store.deleteById(a.id)
      assert.equal(await store.fetchById(a.id), null)
      assertSameSession(await store.fetchById(b.id), b)
      await store.deleteById(a.id)
      await store.deleteById('never-existed')
      assert.deepEqual(ids(await store.fetchByUserKey('alice')), [b.id])
    },
  },
  {
    name: 'deleteByUserKey removes a user’s sessions except the given ids, others untouched',
    async run({ store, session }) {
      const keep1 = session('alice', { createdOffset: -3 })
      const keep2 = session('alice', { createdOffset: -2 })
      const drop = session('alice', { createdOffset: -1 })
      const bob = session('bob')
      for (const s of [keep1, keep2, drop, bob]) await store.create(s)
      await store.deleteByUserKey('alice', {
        except: [keep1.id, keep2.id, 'not-alices', bob.id],
      })
      assert.deepEqual(ids(await store.fetchByUserKey('alice')), [keep1.id, keep2.id])
      assert.equal(await store.fetchById(drop.id), null)
      await store.deleteByUserKey('alice')
      assert.deepEqual(await store.fetchByUserKey('alice'), [])
      assertSameSession(await store.fetchById(bob.id), bob)
      await store.deleteByUserKey('nobody')
      await store.deleteByUserKey('alice')
    },
  },
  {
    name: 'deleteExpired deletes exactly the expired sessions and returns their count',
    async run({ store, session }) {
      assert.equal(await store.deleteExpired(), 0)
      const expired = [1, 2, 3].map((i) =>
        session(`u${i % 2}`, { ttl: -i, createdOffset: -10_000 }),
      )
      const live = [session('u0'), session('u1')]
      for (const s of [...expired, ...live]) await store.create(s)
      assert.equal(await store.deleteExpired(), 3)
      assert.equal(await store.deleteExpired(), 0)
      for (const s of live) assertSameSession(await store.fetchById(s.id), s)
    },
  },
  {
    name: 'deletion events say which session went, why, and when, for every path',
    async run({ store, session, now }) {
      const events: DeletionEvent[] = []
      const unsubscribe = store.onDeletion((event) => {
        events.push(event)
      })
      const byId = session('alice')
      const byUser = session('bob')
      const kept = session('bob')
      const expired = session('carol', { ttl: -1, createdOffset: -10_000 })
      for (const s of [byId, byUser, kept, expired]) await store.create(s)
      const before = now()
      await store.deleteById(byId.id, { reason: 'logout' })
      await store.deleteById(byId.id)
      await store.deleteByUserKey('bob', { except: [kept.id], reason: 'other-sessions' })
      await store.deleteExpired()
      await settle()
      const seen = events.map((e) => [e.session.id, e.reason, e.revokeReason])
      assert.deepEqual(seen, [
        [byId.id, 'revoked', 'logout'],
        [byUser.id, 'revoked', 'other-sessions'],
        [expired.id, 'expired', undefined],
      ])
      for (const e of events) {
        assert.ok(e.at instanceof Date && Math.abs(e.at.getTime() - before) < 60_000, 'stamped')
      }
      assertSameSession(events[1]?.session ?? null, publicSession(byUser), 'events carry no hash')
      await store.deleteById(kept.id)
      await settle()
      assert.equal(events[3]?.revokeReason, 'admin', 'a delete without a reason counts as admin')
      await unsubscribe()
      await store.create(kept)
      await store.deleteById(kept.id)
      await settle()
      assert.equal(events.length, 4, 'no events after unsubscribe')
    },
  },
  {
    name: 'unsubscribe(true) waits for a running listener, whose signal aborts',
    async run({ store, session }) {
      const hold = deferred()
      const started = deferred()
      let finished = false
      let aborted = false
      const unsubscribe = store.onDeletion(async (_event, signal) => {
        signal.addEventListener('abort', () => {
          aborted = true
        })
        started.resolve()
        await hold.promise
        finished = true
      })
      const s = session('slow')
      await store.create(s)
      await store.deleteById(s.id)
      await started.promise
      let unsubscribed = false
      const waiting = unsubscribe(true).then(() => {
        unsubscribed = true
      })
      await settle()
      assert.equal(aborted, true, 'the signal aborts on unsubscribe')
      assert.equal(unsubscribed, false, 'unsubscribe(true) waits for the listener')
      hold.resolve()
      await waiting
      assert.equal(finished, true)
    },
  },
  {
    name: 'a failing deletion listener reaches onError, not the caller',
    async run({ store, session }) {
      const errors: Error[] = []
      store.onError((error) => errors.push(error))
      store.onDeletion(() => {
        throw new Error('listener broke')
      })
      store.onDeletion(async () => {
        throw new Error('async listener broke')
      })
      const s = session('fragile')
      await store.create(s)
      await store.deleteById(s.id)
      await settle()
      assert.deepEqual(errors.map((e) => e.message).sort(), [
        'async listener broke',
        'listener broke',
      ])
      assert.equal(await store.fetchById(s.id), null)
    },
  },
  {
    name: 'close() is idempotent and leaves the store usable',
    async run({ store, session }) {
      await store.close()
      await store.close()
      const s = session('after-close')
      await store.create(s)
      assertSameSession(await store.fetchById(s.id), s)
      await store.deleteById(s.id)
      assert.equal(await store.fetchById(s.id), null)
    },
  },
]
