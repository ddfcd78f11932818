import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Peer, startPeer } from './peers.js'
import { SERVER_KINDS, sharedServer } from './shared-servers.js'
import { KINDS, shared } from './shared-stores.js'

// What one process wrote is what every other process reads, as soon as the write resolved:
// a revoke is a revoke everywhere, a login works on every server. Both processes also serve
// unrelated reads meanwhile (traffic), as busy servers do, so each holds a recent snapshot.
const ROUNDS = 200
const PEER = 'test/fixtures/store-peer.mjs'

/** The shared database of a kind: a file, or a prefix or table on the local server. */
function database(kind: (typeof KINDS)[number] | (typeof SERVER_KINDS)[number]) {
  if (kind === 'redis' || kind === 'postgres') {
    const server = sharedServer(kind)
    return { path: server.path, skip: server.skip, ready: async () => {}, remove: server.remove }
  }
  const db = shared(kind)
  return { path: db.path, skip: false as const, ready: db.ready, remove: db.remove }
}

for (const kind of [...KINDS, ...SERVER_KINDS]) {
  describe(`${kind}: a write resolved in one process is seen by the next read in another`, () => {
    const db = database(kind)
    it(`${ROUNDS} rounds: A creates, B fetches and lists; A revokes, B lists and fetches`, {
      timeout: 180_000,
      skip: db.skip,
    }, async () => {
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
