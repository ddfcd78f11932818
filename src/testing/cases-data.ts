import assert from 'node:assert/strict'
import { DuplicateIdError } from '../errors.js'
import type { Session } from '../session.js'
import { assertSameSession, type Case, ids, plain } from './harness.js'

/** Create, fetch and the shape of what comes back. */
export const dataCases: Case[] = [
  {
    name: 'create then fetchById returns every field, dates to the millisecond',
    async run({ store, session }) {
      const s = session('alice', {
        ip: '2001:db8::1',
        agent: { os: 'macOS', browser: 'Safari' },
        meta: { plan: 'pro', device: 'laptop' },
      })
      s.createdAt = new Date(s.createdAt.getTime() - 123)
      s.expiresAt = new Date(s.expiresAt.getTime() + 987)
      await store.create(s)
      assertSameSession(await store.fetchById(s.id), s)
    },
  },
  {
    name: 'meta round-trips unicode, separators and empty strings',
    async run({ store, session }) {
      const meta = {
        unicode: 'zażółć 🎉 日本語',
        colon: 'a:b:c',
        semicolon: 'x;y;;',
        equals: 'k=v=w',
        empty: '',
        '': 'empty key',
        'key:with;all=of"them': 'quote " and \\ backslash\nnewline',
        ['__proto__']: 'a plain key, not a prototype',
      }
      const s = session('meta-user', { meta })
      await store.create(s)
      const got = await store.fetchById(s.id)
      assert.deepEqual(got?.meta, meta)
      assert.equal(Object.getPrototypeOf(got?.meta), Object.prototype)
      assert.deepEqual(Object.keys(got?.meta ?? {}).sort(), Object.keys(meta).sort())
    },
  },
  {
    name: 'a session without ip or agent round-trips as null and empty strings',
    async run({ store, session }) {
      const s = session('bare', { ip: null, agent: { os: '', browser: '' } })
      await store.create(s)
      assertSameSession(await store.fetchById(s.id), s)
    },
  },
  {
    name: 'fetchById of a missing id is null',
    async run({ store }) {
      assert.equal(await store.fetchById('no-such-session'), null)
    },
  },
  {
    name: 'returned sessions are copies: mutating one changes nothing stored',
    async run({ store, session }) {
      const s = session('alice', { meta: { a: '1' } })
      await store.create(s)
      s.meta.a = 'changed by caller after create'
      const got = await store.fetchById(s.id)
      assert.ok(got)
      assert.equal(got.meta.a, '1')
      got.meta.a = 'mutated'
      got.expiresAt.setTime(0)
      const again = await store.fetchById(s.id)
      assert.equal(again?.meta.a, '1')
      assert.notEqual(again?.expiresAt.getTime(), 0)
    },
  },
  {
    name: 'create of an existing id rejects with DuplicateIdError and keeps the original',
    async run({ store, session }) {
      const first = session('alice')
      await store.create(first)
      const second = { ...session('mallory'), id: first.id }
      await assert.rejects(store.create(second), (error: unknown) => {
        assert.ok(
          error instanceof DuplicateIdError,
          `expected DuplicateIdError, got ${String(error)}`,
        )
        assert.equal(error.code, 'DUPLICATE_ID')
        return true
      })
      assertSameSession(await store.fetchById(first.id), first)
      assert.deepEqual(await store.fetchByUserKey('mallory'), [])
    },
  },
  {
    name: 'concurrent creates of one id: exactly one wins',
    async run({ store, session }) {
      const id = session('x').id
      const attempts = Array.from({ length: 8 }, (_, i) => ({ ...session(`racer-${i}`), id }))
      const results = await Promise.allSettled(attempts.map((s) => store.create(s)))
      const won = results.flatMap((r, i) =>
        r.status === 'fulfilled' ? [attempts[i] as Session] : [],
      )
      assert.equal(won.length, 1, 'exactly one create should succeed')
      for (const r of results) {
        if (r.status === 'rejected')
          assert.ok(r.reason instanceof DuplicateIdError, String(r.reason))
      }
      assertSameSession(await store.fetchById(id), won[0] as Session)
    },
  },
  {
    name: 'fetchByUserKey lists live sessions oldest first, and only that user’s',
    async run({ store, session }) {
      const newest = session('alice', { createdOffset: -1_000 })
      const oldest = session('alice', { createdOffset: -3_000 })
      const middle = session('alice', { createdOffset: -2_000 })
      const other = session('bob', { createdOffset: -5_000 })
      for (const s of [newest, other, oldest, middle]) await store.create(s)
      const listed = await store.fetchByUserKey('alice')
      assert.deepEqual(ids(listed), [oldest.id, middle.id, newest.id])
      assertSameSession(listed[0] ?? null, oldest)
      assert.deepEqual(ids(await store.fetchByUserKey('bob')), [other.id])
    },
  },
  {
    name: 'fetchByUserKey breaks createdAt ties by id',
    async run({ store, session }) {
      const a = session('tie')
      const b = { ...session('tie'), createdAt: new Date(a.createdAt.getTime()) }
      await store.create(b)
      await store.create(a)
      const expected = [a.id, b.id].sort()
      assert.deepEqual(ids(await store.fetchByUserKey('tie')), expected)
    },
  },
  {
    name: 'fetchByUserKey of an unknown user is []',
    async run({ store }) {
      assert.deepEqual(await store.fetchByUserKey('nobody'), [])
    },
  },
  {
    name: 'user keys are matched exactly (no prefix, case or pattern matching)',
    async run({ store, session }) {
      const s = session('Ann%_*')
      await store.create(s)
      for (const key of ['ann%_*', 'Ann', 'Ann%_', 'Ann%_*x', '%', '*']) {
        assert.deepEqual(await store.fetchByUserKey(key), [], `"${key}" must not match`)
      }
      assert.deepEqual(ids(await store.fetchByUserKey('Ann%_*')), [s.id])
    },
  },
  {
    name: 'dates keep their value across a round trip whatever the stored zone',
    async run({ store, session }) {
      const s = session('tz')
      s.createdAt = new Date(Math.floor(s.createdAt.getTime() / 1000) * 1000 + 1)
      await store.create(s)
      assert.deepEqual(plain(await store.fetchById(s.id)), plain(s))
    },
  },
]
