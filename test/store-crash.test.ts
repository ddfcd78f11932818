import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, describe, it } from 'node:test'
import { KINDS, shared } from './shared-stores.js'

// A writer killed with SIGKILL in mid-stream, again and again: the database must always reopen
// and hold every create the writer saw acknowledged.
const KILLS = Number(process.env.SESSIONUP_CRASH_KILLS ?? 100)

function writeUntilKilled(
  kind: string,
  path: string,
  prefix: string,
  afterAcks: number,
): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['test/fixtures/crash-writer.mjs', kind, path, prefix])
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
      // Only whole lines count: a line cut by the kill was never fully acknowledged.
      resolve(buffer.split('\n').slice(0, -1))
    })
  })
}

for (const kind of KINDS) {
  describe(`${kind}: crash safety`, () => {
    it(`survives ${KILLS} SIGKILLs of a writer with every acknowledged create kept`, {
      timeout: 300_000,
    }, async () => {
      const db = shared(kind)
      after(() => db.remove())
      await db.ready()
      let acknowledged = 0
      for (let round = 0; round < KILLS; round++) {
        const acked = await writeUntilKilled(
          kind,
          db.path,
          `r${round}`,
          1 + Math.floor(Math.random() * 300),
        )
        // Reopened after every kill: a fresh handle sees what the dead writer left.
        const store = await db.open()
        for (const id of acked)
          assert.ok(await store.fetchById(id), `round ${round}: ${id} was acknowledged`)
        acknowledged += acked.length
        await store.close()
        await store.release()
      }
      assert.ok(acknowledged >= KILLS, `${acknowledged} acknowledged creates checked`)
      await db.open()
      assert.deepEqual(db.indexProblems(), [])
    })
  })
}
