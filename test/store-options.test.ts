import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidOptionError } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { tempEnv } from './lmdb-helpers.js'
import { tempDb } from './sqlite-helpers.js'

const BAD: Array<[string, Record<string, unknown>]> = [
  ['cleanupInterval', { cleanupInterval: -1 }],
  ['batchSize', { batchSize: 0 }],
  ['now', { now: 'yesterday' }],
  ['cleanupIntervall', { cleanupIntervall: 1_000 }],
]

const refused = (option: string) => (e: unknown) =>
  e instanceof InvalidOptionError && e.option === option

describe('store options are checked before the database is touched', () => {
  it('SQLite: no table and no version table after a refused option', () => {
    const t = tempDb()
    try {
      for (const [option, bad] of BAD) {
        assert.throws(() => new SQLiteStore(t.db, { table: 'fresh', ...bad }), refused(option))
      }
      const tables = t.db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all()
      assert.deepEqual(tables, [])
    } finally {
      t.remove()
    }
  })

  it('LMDB: no bucket after a refused option', async () => {
    const env = tempEnv()
    try {
      for (const [option, bad] of BAD) {
        assert.throws(
          () => new LMDBStore(env.root, { bucket: 'ab', ...(bad as object) }),
          refused(option),
        )
      }
      // Named databases are keys of the root database; none was made.
      assert.deepEqual([...env.root.getKeys()], [])
    } finally {
      await env.remove()
    }
  })
})
