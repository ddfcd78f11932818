import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, describe, it } from 'node:test'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { openRecommended, tempDb } from './sqlite-helpers.js'

// A writer killed with SIGKILL in mid-stream, again and again: the file must always reopen
// and hold every create the writer saw acknowledged.
const KILLS = Number(process.env.SESSIONUP_CRASH_KILLS ?? 100)

function writeUntilKilled(path: string, prefix: string, afterAcks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['test/fixtures/sqlite-crash-writer.mjs', path, prefix])
    let buffer = ''
    let killed = false
    let stderr = ''
    child.stderr.on('data', (c) => {
      stderr += c
    })
    child.stdout.on('data', (chunk) => {
      buffer += chunk
      if (!killed && buffer.split('\n').length > afterAcks) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.on('close', (_code, signal) => {
      if (signal !== 'SIGKILL')
        return reject(new Error(`writer ended without being killed: ${stderr}`))
      resolve(buffer.split('\n').filter((line) => line.length > 0 && !line.endsWith('\r')))
    })
  })
}

describe('SQLite: crash safety', () => {
  const t = tempDb()
  after(() => t.remove())

  it(`survives ${KILLS} SIGKILLs of a writer with every acknowledged create kept`, async () => {
    new SQLiteStore(t.db, { cleanupInterval: 0 })
    t.db.close()
    let acknowledged = 0
    for (let round = 0; round < KILLS; round++) {
      const acked = await writeUntilKilled(t.path, `r${round}`, 1 + Math.floor(Math.random() * 300))
      const db = openRecommended(t.path)
      try {
        assert.equal(db.pragma('quick_check', { simple: true }), 'ok', `round ${round}`)
        const store = new SQLiteStore(db, { cleanupInterval: 0 })
        for (const id of acked)
          assert.ok(await store.fetchById(id), `round ${round}: ${id} was acknowledged`)
        acknowledged += acked.length
      } finally {
        db.close()
      }
    }
    assert.ok(acknowledged >= KILLS, `${acknowledged} acknowledged creates checked`)
  })
})
