import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryStore, SessionManager, type Store } from '../src/index.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { TestClock } from '../src/testing/index.js'
import { cookiePair, view } from './helpers.js'
import { tempDb } from './sqlite-helpers.js'

const stores: Array<[string, () => { store: Store; done(): void }]> = [
  ['memory', () => ({ store: new MemoryStore({ cleanupInterval: 0 }), done() {} })],
  [
    'sqlite',
    () => {
      const t = tempDb()
      return { store: new SQLiteStore(t.db, { cleanupInterval: 0 }), done: t.remove }
    },
  ],
]

for (const [kind, make] of stores) {
  describe(`concurrent logins under maxSessionsPerUser (${kind})`, () => {
    for (const [max, logins] of [
      [1, 2],
      [3, 10],
    ] as const) {
      it(`max ${max}, ${logins} logins at once: the ${max} newest stay live`, async () => {
        const { store, done } = make()
        try {
          // One frozen clock: every login has the same createdAt, so ids decide the order.
          const clock = new TestClock()
          const manager = new SessionManager(store, { maxSessionsPerUser: max, now: clock.now })
          const results = await Promise.all(
            Array.from({ length: logins }, () => manager.init(view(), 'racer')),
          )
          const live = await store.fetchByUserKey('racer')
          assert.equal(live.length, max, 'neither more nor fewer than the cap')
          const newest = results
            .map((r) => r.session.id)
            .sort()
            .slice(-max)
          assert.deepEqual(
            live.map((s) => s.id),
            newest,
            'the newest in the store’s order survive',
          )
          let working = 0
          for (const { setCookie } of results) {
            const auth = await manager.authenticate(view({ cookie: cookiePair(setCookie) }))
            if (auth.session) working++
          }
          assert.equal(working, max)
        } finally {
          done()
        }
      })
    }
  })
}
