import { spawn } from 'node:child_process'
import { open as openLmdb, type RootDatabase } from 'lmdb'
import type { Store } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { indexProblems, tempEnv } from './lmdb-helpers.js'
import { openRecommended, tempDb } from './sqlite-helpers.js'

/** A database several processes share; the children run the built package (npm test builds). */
export interface Shared {
  path: string
  /** A store in this process on the same database, for checking what the children did. */
  open(): Store
  /** Where separate indexes could drift from the records (LMDB), what disagrees; else []. */
  indexProblems(): string[]
  /** Closes this process's handles and deletes the files. */
  remove(): Promise<void>
}

export const KINDS = ['sqlite', 'lmdb'] as const

export function shared(kind: (typeof KINDS)[number]): Shared {
  if (kind === 'sqlite') {
    const t = tempDb()
    new SQLiteStore(t.db, { cleanupInterval: 0 }) // the table exists before the children race
    t.db.close()
    const handles: Array<{ close(): void }> = []
    return {
      path: t.path,
      open() {
        const db = openRecommended(t.path)
        handles.push(db)
        return new SQLiteStore(db, { cleanupInterval: 0 })
      },
      indexProblems: () => [], // SQLite maintains its own indexes inside each statement
      async remove() {
        for (const h of handles) h.close()
        t.remove()
      },
    }
  }
  const env = tempEnv()
  new LMDBStore(env.root, { bucket: 'sessions', cleanupInterval: 0 })
  // Each open() is a fresh environment handle (the setup one is closed), as after a restart.
  const ready = env.root.close()
  const roots: RootDatabase[] = []
  const latest = () => {
    const root = roots.at(-1)
    if (!root) throw new Error('open() first')
    return root
  }
  return {
    path: env.dir,
    open() {
      const root = openLmdb({ path: env.dir })
      roots.push(root)
      return new LMDBStore(root, { bucket: 'sessions', cleanupInterval: 0 })
    },
    indexProblems: () => indexProblems(latest(), 'sessions'),
    async remove() {
      await ready
      for (const root of roots) await root.close()
      await env.remove()
    },
  }
}

export function runNode(
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

export function lastJson<T>(out: string): T {
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T
}
