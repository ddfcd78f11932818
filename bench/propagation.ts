// Revocation propagation across processes (issue 11): 4 processes share a store; one revokes
// sessions one at a time at random moments, the others' deletion listeners record when each
// event arrived. Latency = arrival in the listening process − the delete's start in the revoking
// one (the same machine clock). Run: npm run bench:propagation (ROUNDS=…, KINDS=sqlite,lmdb,…).
import { type Peer, startPeer } from '../test/peers.js'
import { sharedDatabase } from '../test/shared-stores.js'

const PEER = 'test/fixtures/store-peer.mjs'
const PROCESSES = 4
const ROUNDS = Number(process.env.ROUNDS ?? 300)
type Kind = 'sqlite' | 'lmdb' | 'postgres' | 'redis'
const KINDS = (process.env.KINDS ?? 'sqlite,lmdb,postgres,redis').split(',') as Kind[]

interface Heard {
  id: string
  at: number
  heardAt: number
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN

async function measure(kind: Kind) {
  const db = sharedDatabase(kind)
  await db.ready()
  const peers: Peer[] = []
  try {
    for (let i = 0; i < PROCESSES; i++) peers.push(await startPeer(PEER, [kind, db.path]))
    for (const p of peers) await p.ask('open')
    for (const p of peers) await p.ask('listen')
    const [revoker, ...listeners] = peers as [Peer, ...Peer[]]
    for (let i = 0; i < ROUNDS; i++) await revoker.ask('create', { id: `p-${i}` })
    for (let i = 0; i < ROUNDS; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * 15)) // any phase of a poll
      await revoker.ask('delete', { id: `p-${i}`, reason: 'logout' })
    }
    await new Promise((r) => setTimeout(r, 500))
    const latencies: number[] = []
    let missing = 0
    for (const p of listeners) {
      const heard = await p.ask<Heard[]>('heard')
      missing += ROUNDS - heard.length
      for (const e of heard) latencies.push(e.heardAt - e.at)
    }
    latencies.sort((a, b) => a - b)
    return {
      kind,
      n: latencies.length,
      missing,
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? Number.NaN,
    }
  } finally {
    await Promise.all(peers.map((p) => p.stop()))
    await db.remove()
  }
}

const rows: string[] = []
for (const kind of KINDS) {
  const r = await measure(kind)
  rows.push(
    `| ${r.kind} | ${r.n} | ${r.missing} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} |`,
  )
}
console.log(
  `${PROCESSES} processes, ${ROUNDS} revocations by one, heard by the other ${PROCESSES - 1}\n`,
)
console.log('| store | events heard | missing | p50 ms | p99 ms | max ms |')
console.log('| --- | --- | --- | --- | --- | --- |')
for (const row of rows) console.log(row)
