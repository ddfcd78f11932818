import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Peer, startPeer } from './peers.js'
import { sharedDatabase } from './shared-stores.js'

// Deletions reach the deletion listeners of every process sharing the store: each event once,
// with its reason, whichever process deleted (revoke with a reason, a user's sessions, cleanup).
const PEER = 'test/fixtures/store-peer.mjs'
const PROCESSES = 4

interface Heard {
  id: string
  reason: string
  revokeReason: string | null
  at: number
  heardAt: number
}

for (const kind of ['sqlite', 'lmdb', 'postgres', 'redis'] as const) {
  describe(`${kind}: deletions reach every process's listeners`, () => {
    const db = sharedDatabase(kind)
    it(`${PROCESSES} processes: each hears each deletion once, with its reason`, {
      timeout: 120_000,
      skip: db.skip,
    }, async () => {
      await db.ready()
      const started = await Promise.allSettled(
        Array.from({ length: PROCESSES }, () => startPeer(PEER, [kind, db.path])),
      )
      try {
        const peers = started.map((p) => {
          if (p.status === 'rejected') throw p.reason
          return p.value
        }) as Peer[]
        const [a, b, c] = peers as [Peer, Peer, Peer]
        for (const p of peers) await p.ask('open')
        for (const p of peers) await p.ask('listen')
        await a.ask('create', { id: 'one' })
        await a.ask('create', { id: 'two' })
        await b.ask('delete', { id: 'one', reason: 'logout' }) // B revokes A's session
        await c.ask('deleteUser', { userKey: 'peer', except: [], reason: 'all-sessions' })
        const expired = await a.ask<string[]>('createExpired', { userKey: 'gone', count: 30 })
        assert.equal(await b.ask('cleanup'), 30)
        const expected = [
          ['one', 'revoked', 'logout'],
          ['two', 'revoked', 'all-sessions'],
          ...expired.map((id) => [id, 'expired', null]),
        ]
        const sort = (l: unknown[][]) =>
          [...l].sort((x, y) => String(x[0]).localeCompare(String(y[0])))
        for (const [i, p] of peers.entries()) {
          let events: Heard[] = []
          const deadline = Date.now() + 10_000
          while (events.length < expected.length && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 20))
            events = await p.ask<Heard[]>('heard')
          }
          const seen = events.map((e) => [e.id, e.reason, e.revokeReason])
          assert.deepEqual(
            sort(seen),
            sort(expected),
            `process ${i}: each deletion once, with its reason`,
          )
        }
      } finally {
        await Promise.all(started.map((p) => (p.status === 'fulfilled' ? p.value.stop() : null)))
        await db.remove()
      }
    })
  })
}
