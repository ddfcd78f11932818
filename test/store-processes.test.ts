import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { KINDS, lastJson, runNode, runTogether, shared } from './shared-stores.js'

// Several processes on one database, each opening it as the README recommends.
const WORKERS = 4
const OPS = 5_000

for (const kind of KINDS) {
  describe(`${kind}: several processes, one database`, () => {
    it(`${WORKERS} processes × ${OPS} mixed operations: no errors, no lost creates`, {
      timeout: 180_000,
    }, async () => {
      const db = shared(kind)
      after(() => db.remove())
      await db.ready()
      const args = (w: number) => [kind, db.path, String(w), String(OPS)]
      const script = 'test/fixtures/store-worker.mjs'
      const all = Array.from({ length: WORKERS }, (_, w) => args(w))
      // SQLite's workers write while others still open; LMDB's open first (runTogether).
      const results =
        kind === 'lmdb'
          ? await runTogether(script, all)
          : await Promise.all(all.map((a) => runNode(script, a)))
      const reports = results.map((r) => {
        assert.equal(r.code, 0, r.err)
        return lastJson<{ live: string[]; deleted: string[]; errors: string[] }>(r.out)
      })
      assert.deepEqual(
        reports.flatMap((r) => r.errors),
        [],
        'no operation failed (no busy error surfaced)',
      )
      const store = await db.open()
      const live = reports.flatMap((r) => r.live)
      assert.ok(live.length > 300, `${live.length} live sessions to check`)
      for (const id of live)
        assert.ok(await store.fetchById(id), `acknowledged create ${id} is there`)
      for (const id of reports.flatMap((r) => r.deleted))
        assert.equal(await store.fetchById(id), null)
      for (let w = 0; w < WORKERS; w++) {
        const mine = new Set(reports[w]?.live)
        let listed = 0
        for (let u = 0; u < 10; u++) listed += (await store.fetchByUserKey(`w${w}-u${u}`)).length
        assert.equal(
          listed,
          mine.size,
          `worker ${w}: the user index lists exactly its live sessions`,
        )
      }
      assert.deepEqual(db.indexProblems(), [], 'indexes equal the records')
    })

    it('concurrent creates of the same ids from 4 processes: exactly one wins each', {
      timeout: 180_000,
    }, async () => {
      const db = shared(kind)
      after(() => db.remove())
      const count = 300
      await db.ready()
      const startAt = String(Date.now() + 1_500)
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, w) =>
          runNode('test/fixtures/race-creator.mjs', [
            kind,
            db.path,
            String(w),
            String(count),
            startAt,
          ]),
        ),
      )
      const reports = results.map((r) => {
        assert.equal(r.code, 0, r.err)
        return lastJson<{ won: string[]; errors: string[] }>(r.out)
      })
      assert.deepEqual(
        reports.flatMap((r) => r.errors),
        [],
      )
      const winners = new Map<string, number>()
      reports.forEach((r, w) => {
        for (const id of r.won) {
          assert.ok(!winners.has(id), `${id} won twice`)
          winners.set(id, w)
        }
      })
      assert.equal(winners.size, count, 'every id was created once')
      const store = await db.open()
      for (const [id, w] of winners)
        assert.equal((await store.fetchById(id))?.userKey, `racer-${w}`)
    })
  })
}
