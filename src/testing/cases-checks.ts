import assert from 'node:assert/strict'
import { InvalidArgumentError, StoreError } from '../errors.js'
import type { SessionRecord } from '../session.js'
import type { DeletionEvent, SessionPatch } from '../store.js'
import { assertSameSession, type Case, ids, settle, stored } from './harness.js'

const LONE_HIGH = '\ud800'
const LONE_LOW = '\udc00'

/** Argument checks, strings engines cannot keep, owner-checked deletes and unreadable records. */
export const checkCases: Case[] = [
  {
    name: 'every argument is checked before the engine: InvalidArgumentError names it',
    async run({ store, session }) {
      const good = session('alice', { meta: { k: 'v' } })
      await store.create(good)
      const made = (overrides: Record<string, unknown>) =>
        ({ ...session('alice'), ...overrides }) as SessionRecord
      const cases: Array<[string, () => Promise<unknown>]> = [
        ['session', () => store.create(null as unknown as SessionRecord)],
        ['session.id', () => store.create(made({ id: '' }))],
        ['session.id', () => store.create(made({ id: 'x'.repeat(257) }))],
        ['session.id', () => store.create(made({ id: 'has space' }))],
        ['session.id', () => store.create(made({ id: 'nul\0' }))],
        ['session.userKey', () => store.create(made({ userKey: '' }))],
        ['session.userKey', () => store.create(made({ userKey: 'a\0b' }))],
        ['session.userKey', () => store.create(made({ userKey: 'x'.repeat(513) }))],
        ['session.createdAt', () => store.create(made({ createdAt: new Date(Number.NaN) }))],
        ['session.expiresAt', () => store.create(made({ expiresAt: '2030-01-01' }))],
        ['session.ip', () => store.create(made({ ip: 7 }))],
        ['session.agent', () => store.create(made({ agent: null }))],
        ['session.agent.os', () => store.create(made({ agent: { os: 1, browser: '' } }))],
        ['session.meta', () => store.create(made({ meta: ['a'] }))],
        ['session.meta["n"]', () => store.create(made({ meta: { n: 1 } }))],
        ['session.meta', () => store.create(made({ meta: { big: 'x'.repeat(70_000) } }))],
        ['id', () => store.fetchById('')],
        ['id', () => store.fetchById('x'.repeat(9_000))],
        ['id', () => store.fetchById('a\0b')],
        ['userKey', () => store.fetchByUserKey('')],
        ['id', () => store.deleteById('')],
        ['options.owner', () => store.deleteById(good.id, { owner: '' })],
        ['userKey', () => store.deleteByUserKey('')],
        ['options', () => store.deleteById(good.id, 'carol' as never)],
        ['options.reason', () => store.deleteById(good.id, { reason: 'bored' as never })],
        ['options.except', () => store.deleteByUserKey('alice', { except: 'x' as never })],
        ['options.reason', () => store.deleteByUserKey('alice', { reason: 'x' as never })],
        ['options.except[0]', () => store.deleteByUserKey('alice', { except: [''] })],
        [
          'options.except[1]',
          () => store.deleteByUserKey('alice', { except: [good.id, 'y'.repeat(300)] }),
        ],
        ['session.deadline', () => store.create(made({ deadline: undefined }))],
        ['session.expiresAt', () => store.create(made({ deadline: new Date(0) }))],
        ['session.idleTimeout', () => store.create(made({ idleTimeout: 0 }))],
        ['session.idleTimeout', () => store.create(made({ idleTimeout: 1.5 }))],
        ['session.persistent', () => store.create(made({ persistent: 1 }))],
        ['session.lastActiveAt', () => store.create(made({ lastActiveAt: null }))],
        ['session.secretHash', () => store.create(made({ secretHash: 'a|b' }))],
        ['session.secretHash', () => store.create(made({ secretHash: '' }))],
        ['session.previousSecretExpiresAt', () => store.create(made({ previousSecretHash: 'h' }))],
        ['session.version', () => store.create(made({ version: -1 }))],
        ['id', () => store.touch('', {})],
        ['patch', () => store.touch(good.id, null as unknown as SessionPatch)],
        ['patch.expires', () => store.touch(good.id, { expires: 1 } as SessionPatch)],
        ['patch.expiresAt', () => store.touch(good.id, { expiresAt: new Date(Number.NaN) })],
        ['patch.ifVersion', () => store.touch(good.id, { ifVersion: 1.5 })],
        [
          'patch.meta["x"]',
          () => store.touch(good.id, { meta: { x: 1 } } as unknown as SessionPatch),
        ],
        ['patch.secret.hash', () => touchSecret(good.id, 'not|base64')],
        ['patch.lifetime.idleTimeout', () => touchLifetime(good.id, -5)],
      ]
      const touchSecret = (id: string, hash: string) =>
        store.touch(id, {
          secret: { hash, previousHash: 'p', previousExpiresAt: new Date(), rotatedAt: new Date() },
        })
      const touchLifetime = (id: string, idleTimeout: number) =>
        store.touch(id, { lifetime: { deadline: null, idleTimeout, persistent: false } })
      for (const [argument, call] of cases) {
        await assert.rejects(
          call(),
          (e: unknown) => e instanceof InvalidArgumentError && e.argument === argument,
          `${argument} should be refused as an InvalidArgumentError naming it`,
        )
      }
      assertSameSession(await store.fetchById(good.id), good)
      assert.deepEqual(ids(await store.fetchByUserKey('alice')), [good.id], 'nothing else stored')
    },
  },
  {
    name: 'strings that are not well-formed Unicode are refused; the store stays revocable',
    async run({ store, session }) {
      const good = session('bob')
      await store.create(good)
      const bad: Array<[string, SessionRecord]> = [
        ['session.userKey', session(`bob${LONE_HIGH}`)],
        ['session.meta["v"]', session('bob', { meta: { v: `x${LONE_LOW}` } })],
        [`session.meta["k${LONE_HIGH}"]`, session('bob', { meta: { [`k${LONE_HIGH}`]: 'v' } })],
        ['session.agent.browser', session('bob', { agent: { os: '', browser: LONE_LOW } })],
      ]
      for (const [argument, s] of bad) {
        await assert.rejects(
          store.create(s),
          (e: unknown) => e instanceof InvalidArgumentError && e.argument === argument,
          argument,
        )
        assert.equal(await store.fetchById(s.id), null)
      }
      await assert.rejects(store.fetchByUserKey(LONE_HIGH), InvalidArgumentError)
      await assert.rejects(store.deleteByUserKey(`a${LONE_LOW}b`), InvalidArgumentError)
      assert.equal(await store.deleteById(good.id), true)
      assert.equal(await store.fetchById(good.id), null)
    },
  },
  {
    name: 'deleteById with an owner deletes only that user’s session, and answers like a miss',
    async run({ store, session }) {
      const [mine, theirs] = await stored(store, session('carol'), session('dave'))
      assert.equal(await store.deleteById(theirs.id, { owner: 'carol' }), false, 'not the owner')
      assertSameSession(await store.fetchById(theirs.id), theirs)
      assert.equal(await store.deleteById('no-such-id', { owner: 'carol' }), false, 'missing')
      assert.equal(await store.deleteById(mine.id, { owner: 'carol' }), true)
      assert.equal(await store.fetchById(mine.id), null)
      assert.equal(await store.deleteById(mine.id, { owner: 'carol' }), false, 'already gone')
      assert.equal(await store.deleteById(theirs.id), true, 'without an owner: any session')
    },
  },
  {
    name: 'a listener that unsubscribes in the middle of a batch receives nothing more',
    async run({ store, session }) {
      const seen: string[] = []
      const unsubscribe = store.onDeletion((event) => {
        seen.push(event.session.id)
        void unsubscribe()
      })
      const sessions = [1, 2, 3, 4, 5].map(() => session('erin'))
      for (const s of sessions) await store.create(s)
      await store.deleteByUserKey('erin')
      await settle()
      assert.equal(seen.length, 1, `one event, then unsubscribed (got ${seen.length})`)
      assert.deepEqual(await store.fetchByUserKey('erin'), [])
    },
  },
  {
    name: 'a record that cannot be read back is a StoreError; revocation and cleanup go on',
    needsCorrupt: true,
    async run({ store, session, corrupt }) {
      const bad = session('frank')
      const good = session('frank')
      const badExpired = session('gina', { ttl: -1, createdOffset: -10_000 })
      const goodExpired = session('gina', { ttl: -1, createdOffset: -10_000 })
      for (const s of [bad, good, badExpired, goodExpired]) await store.create(s)
      await corrupt(bad.id)
      await corrupt(badExpired.id)
      await assert.rejects(store.fetchById(bad.id), StoreError)
      await assert.rejects(store.fetchByUserKey('frank'), StoreError)
      const events: DeletionEvent[] = []
      const errors: Error[] = []
      store.onDeletion((event) => {
        events.push(event)
      })
      store.onError((error) => errors.push(error))
      await store.deleteByUserKey('frank')
      assert.equal(await store.fetchById(good.id), null)
      assert.deepEqual(await store.fetchByUserKey('frank'), [], 'the unreadable one is gone too')
      assert.equal(await store.deleteExpired(), 2, 'cleanup goes past an unreadable record')
      await settle()
      assert.deepEqual(
        events.map((e) => [e.session.id, e.reason]),
        [
          [good.id, 'revoked'],
          [goodExpired.id, 'expired'],
        ],
      )
      assert.equal(errors.length, 2, errors.map((e) => e.message).join('; '))
      for (const e of errors) assert.ok(e instanceof StoreError, String(e))
    },
  },
]
