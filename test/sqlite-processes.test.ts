import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, describe, it } from 'node:test'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { openRecommended, tempDb } from './sqlite-helpers.js'

// Several processes on one file, set up as the README recommends (WAL, busy timeout); the
// workers run the built package (npm test builds first).
const WORKERS = 4
const OPS = 5_000

function run(
  script: string,
  args: string[],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args])
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => {
      out += c
    })
    child.stderr.on('data', (c) => {
      err += c
    })
    child.on('close', (code) => resolve({ code, out, err }))
  })
}

describe('SQLite: several processes, one file', () => {
  const t = tempDb()
  after(() => t.remove())

  it(`${WORKERS} processes × ${OPS} mixed operations: no busy errors, no lost creates`, async () => {
    new SQLiteStore(t.db, { cleanupInterval: 0 }) // creates the table before the race
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        run('test/fixtures/sqlite-worker.mjs', [t.path, String(w), String(OPS)]),
      ),
    )
    const reports = results.map((r) => {
      assert.equal(r.code, 0, r.err)
      return JSON.parse(r.out.trim().split('\n').at(-1) ?? '{}') as {
        live: string[]
        deleted: string[]
        errors: string[]
      }
    })
    assert.deepEqual(
      reports.flatMap((r) => r.errors),
      [],
      'no operation failed (no SQLITE_BUSY surfaced)',
    )
    const db = openRecommended(t.path)
    const store = new SQLiteStore(db, { cleanupInterval: 0 })
    const live = reports.flatMap((r) => r.live)
    const deleted = reports.flatMap((r) => r.deleted)
    assert.ok(live.length > 1_000, `${live.length} live sessions to check`)
    for (const id of live)
      assert.ok(await store.fetchById(id), `acknowledged create ${id} is there`)
    for (const id of deleted)
      assert.equal(await store.fetchById(id), null, `deleted ${id} stays gone`)
    const rows = db
      .prepare("SELECT count(*) FROM sessions WHERE user_key NOT LIKE '%-expired'")
      .pluck()
      .get()
    assert.equal(rows, live.length, 'nothing else survived')
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok')
    db.close()
  })
})
