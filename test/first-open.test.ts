import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { openTogether, type Peer, startPeer } from './peers.js'
import { KINDS } from './shared-stores.js'

// Processes of one app starting together on a database that does not exist yet: each opens
// the store and creates sessions at once. None may fail, none may hang, nothing may be lost.
const TRIALS = Number(process.env.FIRST_OPEN_TRIALS ?? 40)
const PROCESSES = 4
const SESSIONS = 3
const PEER = 'test/fixtures/store-peer.mjs'

for (const kind of KINDS) {
  describe(`${kind}: ${PROCESSES} processes opening one new database at once`, () => {
    it(`${TRIALS} trials: every open and create succeeds, every session is there`, {
      timeout: 600_000,
    }, async () => {
      const failures: string[] = []
      for (let trial = 0; trial < TRIALS; trial++) {
        const dir = mkdtempSync(join(tmpdir(), `sessionup-first-open-${kind}-`))
        const path = join(dir, kind === 'sqlite' ? 'sessions.db' : 'env')
        const started = await Promise.allSettled(
          Array.from({ length: PROCESSES }, () => startPeer(PEER, [kind, path], 60_000)),
        )
        const peers = started.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []))
        try {
          assert.equal(peers.length, PROCESSES, 'every peer started')
          // Every peer has loaded its modules; the opens now start within one IPC hop.
          const opened = await openTogether(kind, peers, SESSIONS)
          for (const r of opened)
            if (r.status === 'rejected') failures.push(`trial ${trial}: ${r.reason.message}`)
          if (opened.every((r) => r.status === 'fulfilled')) {
            const listed = await countListed(peers[0] as Peer)
            if (listed !== PROCESSES * SESSIONS)
              failures.push(`trial ${trial}: ${listed} of ${PROCESSES * SESSIONS} sessions listed`)
          }
        } finally {
          const stopped = await Promise.all(peers.map((p) => p.stop()))
          for (const s of stopped)
            if (s.code !== 0) failures.push(`trial ${trial}: exit ${s.code} ${s.err}`)
          rmSync(dir, { recursive: true, force: true })
        }
      }
      assert.deepEqual(
        failures.slice(0, 10),
        [],
        `${failures.length} failures in ${TRIALS} trials of ${PROCESSES} processes (first 10 shown)`,
      )
    })
  })
}

/** How many sessions of user "peer" the peer lists (every peer creates them for that user). */
async function countListed(peer: Peer): Promise<number> {
  return peer.ask<number>('count')
}
