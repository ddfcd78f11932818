import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Peer, startPeer } from './peers.js'
import { KINDS, shared } from './shared-stores.js'

// What one process wrote is what every other process reads, as soon as the write resolved:
// a revoke is a revoke everywhere, a login works on every server. Both processes also serve
// unrelated reads meanwhile (traffic), as busy servers do, so each holds a recent snapshot.
const ROUNDS = 200
const PEER = 'test/fixtures/store-peer.mjs'

for (const kind of KINDS) {
  describe(`${kind}: a write resolved in one process is seen by the next read in another`, () => {
    it(`${ROUNDS} rounds: A creates, B fetches and lists; A revokes, B lists and fetches`, {
      timeout: 180_000,
    }, async () => {
      const db = shared(kind)
      await db.ready()
      const peers = await Promise.allSettled([
        startPeer(PEER, [kind, db.path]),
        startPeer(PEER, [kind, db.path]),
      ])
      try {
        const [a, b] = peers.map((p) => {
          if (p.status === 'rejected') throw p.reason
          return p.value
        }) as [Peer, Peer]
        await Promise.all([a.ask('open'), b.ask('open')])
        await Promise.all([a.ask('traffic', { on: true }), b.ask('traffic', { on: true })])
        const missed = { createFetch: 0, createList: 0, revokeFetch: 0, revokeList: 0 }
        for (let round = 0; round < ROUNDS; round++) {
          const id = `round-${round}`
          await a.ask('create', { id })
          if (!(await b.ask<boolean>('fetch', { id }))) missed.createFetch++
          if (!(await b.ask<boolean>('listed', { id }))) missed.createList++
          await a.ask('delete', { id })
          if (await b.ask<boolean>('listed', { id })) missed.revokeList++
          if (await b.ask<boolean>('fetch', { id })) missed.revokeFetch++
        }
        assert.deepEqual(
          missed,
          { createFetch: 0, createList: 0, revokeFetch: 0, revokeList: 0 },
          `of ${ROUNDS} rounds, how often B's next read missed what A's resolved write did`,
        )
      } finally {
        await Promise.all(peers.map((p) => (p.status === 'fulfilled' ? p.value.stop() : null)))
        await db.remove()
      }
    })
  })
}
