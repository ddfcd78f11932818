// Session model v2 (issue 10) on every store, in one run:
//   fetchById and authenticate of v2 against round one (commit 1c8e895, built into
//   bench/.baseline/dist), on the same sessions stored side by side;
//   renewal and rotation (touch) against the raw write the driver does for them.
// Run: npm run bench:v2
//   SIZE=100000 sessions (NET_SIZE for Redis and PostgreSQL, default SIZE), ROUNDS=15,
//   STORES=memory,sqlite,lmdb,redis,postgres, REDIS_URL, DATABASE_URL.
import { type Pair, table, us, x } from './lib.js'
import { type Baseline, type Data, loadBaseline, makeData } from './v2-data.js'
import { lmdbSubject, memorySubject, sqliteSubject } from './v2-local.js'
import { postgresSubject, redisSubject } from './v2-network.js'
import { measure, OPS, type Subject } from './v2-run.js'

const SIZE = Number(process.env.SIZE ?? 100_000)
const NET_SIZE = Number(process.env.NET_SIZE ?? SIZE)
const ROUNDS = Number(process.env.ROUNDS ?? 15)
const STORES = (process.env.STORES ?? 'memory,sqlite,lmdb,redis,postgres').split(',')
const GOAL = 1.2

const SUBJECTS: Record<string, [(d: Data, b: Baseline) => Promise<Subject>, boolean]> = {
  memory: [memorySubject, false],
  sqlite: [sqliteSubject, false],
  lmdb: [lmdbSubject, false],
  redis: [redisSubject, true],
  postgres: [postgresSubject, true],
}

const baseline = await loadBaseline().catch((error: Error) => {
  console.error(error.message) // e.g. a shallow clone without round one's commit
  process.exit(1)
})
const datasets = new Map<number, Data>()
const dataOf = (n: number) => {
  let d = datasets.get(n)
  if (!d) {
    console.error(`making ${n.toLocaleString('en')} sessions…`)
    d = makeData(n)
    datasets.set(n, d)
  }
  return d
}

const results: Array<{ name: string; n: number; r: Record<string, Pair> }> = []
for (const key of STORES) {
  const entry = SUBJECTS[key]
  if (!entry) throw new Error(`unknown store ${key}; known: ${Object.keys(SUBJECTS).join(', ')}`)
  const [make, network] = entry
  const data = dataOf(network ? NET_SIZE : SIZE)
  const started = performance.now()
  console.error(`${key}: storing ${data.n.toLocaleString('en')} sessions twice (v2, round one)…`)
  const subject = await make(data, baseline)
  console.error(`  loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  try {
    results.push({
      name: subject.name,
      n: data.n,
      r: await measure(subject, data, baseline, ROUNDS),
    })
  } finally {
    await subject.teardown()
  }
}

const cell = (p: Pair | undefined) =>
  p ? `${x(p.ratio)} (${us(p.oursNs)} / ${us(p.floorNs)})` : 'n/a'
console.log(
  table(
    ['operation: ours / floor', ...results.map((s) => `${s.name} (${s.n.toLocaleString('en')})`)],
    OPS.map((op) => [op, ...results.map((s) => cell(s.r[op]))]),
  ),
)
console.log(
  `\nEach cell: ratio (ours / floor µs per call), median of ${ROUNDS} alternating rounds; calls awaited one at a time.`,
)
const fetches = results.map((s) => [s.name, s.r[OPS[0]]?.ratio ?? Number.NaN] as const)
const over = fetches.filter(([, ratio]) => !(ratio <= GOAL))
console.log(
  over.length === 0
    ? `fetchById within ${GOAL}× of round one on every store (worst ${x(Math.max(...fetches.map(([, r]) => r)))}).`
    : `fetchById over ${GOAL}× of round one on: ${over.map(([name, r]) => `${name} ${x(r)}`).join(', ')}.`,
)
