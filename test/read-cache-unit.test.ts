import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import Database from 'better-sqlite3'
import { InvalidOptionError } from '../src/index.js'
import { ReadCache } from '../src/stores/read-cache.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { sessionRecord } from '../src/testing/index.js'

const HOUR = 3_600_000
const T0 = Date.UTC(2026, 0, 1)
const record = (id: string) =>
  sessionRecord({
    id,
    userKey: 'u',
    createdAt: new Date(T0 - 1000),
    expiresAt: new Date(T0 + HOUR),
  })

describe('ReadCache', () => {
  const never = () => false
  it('drops the least recently read entry beyond maxEntries, and entries past maxAgeMs', () => {
    const c = new ReadCache({ maxEntries: 2, maxAgeMs: 1000 })
    for (const id of ['a', 'b']) c.end(c.begin(id, 0), record(id), T0)
    assert.ok(c.get('a', T0, 0, never)) // a is now the most recent
    c.end(c.begin('c', 0), record('c'), T0)
    assert.deepEqual(
      ['a', 'b', 'c'].map((id) => c.get(id, T0, 0, never) !== undefined),
      [true, false, true],
    )
    assert.equal(c.get('a', T0 + 1000, 0, never), undefined, 'maxAgeMs has passed')
  })

  it('never serves an expired record, and a moved stamp only after a recheck', () => {
    const c = new ReadCache({ maxEntries: 10, maxAgeMs: 10 * HOUR })
    c.end(c.begin('a', 7), record('a'), T0)
    assert.equal(c.get('a', T0 + HOUR, 7, never), undefined, 'expired at expiresAt')
    c.end(c.begin('b', 7), record('b'), T0)
    const asked: Array<[string, number]> = []
    const yes = (id: string, version: number) => asked.push([id, version]) > 0
    assert.ok(c.get('b', T0, 8, yes))
    assert.deepEqual(asked, [['b', 1]])
    assert.ok(c.get('b', T0, 8, never), 'rechecked once per stamp')
    assert.equal(c.get('b', T0, 9, never), undefined, 'a failed recheck drops it')
    assert.equal(c.get('b', T0, 8, yes), undefined)
  })

  it('a read that an invalidation or a clear overtook caches nothing', () => {
    const c = new ReadCache({ maxEntries: 10, maxAgeMs: HOUR })
    const t1 = c.begin('a', 0)
    const t2 = c.begin('a', 0)
    c.invalidate('a')
    const t3 = c.begin('a', 0) // started after the invalidation: may cache
    c.end(t1, record('a'), T0)
    c.end(t2, record('a'), T0)
    assert.equal(c.get('a', T0, 0, never), undefined)
    c.end(t3, record('a'), T0)
    assert.ok(c.get('a', T0, 0, never))
    const t4 = c.begin('b', 0)
    c.clear()
    c.end(t4, record('b'), T0)
    assert.equal(c.size, 0)
  })

  it('hands out copies: changing one changes nothing cached', () => {
    const c = new ReadCache({ maxEntries: 10, maxAgeMs: HOUR })
    c.end(c.begin('a', 0), { ...record('a'), meta: { role: 'user' } }, T0)
    const first = c.get('a', T0, 0, never)
    assert.ok(first)
    first.meta.role = 'admin'
    first.expiresAt.setTime(T0 + 10 * HOUR)
    const again = c.get('a', T0, 0, never)
    assert.equal(again?.meta.role, 'user')
    assert.equal(again?.expiresAt.getTime(), T0 + HOUR)
  })

  it('bad options name what is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cache-opt-'))
    const db = new Database(join(dir, 'a.db'))
    try {
      for (const [cache, name] of [
        [{ maxEntries: 0, maxAgeMs: 1 }, 'cache.maxEntries'],
        [{ maxEntries: 10, maxAgeMs: 1.5 }, 'cache.maxAgeMs'],
        [{ maxEntries: 10, maxAgeMs: 10, ttl: 1 }, 'cache.ttl'],
        [true, 'cache'],
      ] as const) {
        assert.throws(
          () => new SQLiteStore(db, { cache: cache as never }),
          (e: unknown) => e instanceof InvalidOptionError && e.message.includes(name),
        )
      }
    } finally {
      db.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
