import { spawn } from 'node:child_process'
import { open as openLmdb, type RootDatabase } from 'lmdb'
import type { Store } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { SQLiteStore } from '../src/stores/sqlite.js'
import { indexProblems, tempEnv } from './lmdb-helpers.js'
import { sharedServer } from './shared-servers.js'
import { openRecommended, tempDb } from './sqlite-helpers.js'

/** A database several processes share; the children run the built package (npm test builds). */
export interface Shared {
  path: string
  /** Resolves once this process holds no handle that the children could trip over. */
  ready(): Promise<void>
  /** A store in this process on the same database, for checking what the children did. */
  open(): Promise<Store & { release(): Promise<void> }>
  /** Where separate indexes could drift from the records (LMDB), what disagrees; else []. */
  indexProblems(): string[]
  /** Closes this process's handles and deletes the files. */
  remove(): Promise<void>
}

export const KINDS = ['sqlite', 'lmdb'] as const

/** Any engine several processes share, as the process fixtures take it (`skip` for servers). */
export function sharedDatabase(kind: 'sqlite' | 'lmdb' | 'postgres' | 'redis') {
  if (kind === 'postgres' || kind === 'redis') {
    const s = sharedServer(kind)
    return { path: s.path, skip: s.skip, ready: async () => {}, remove: s.remove }
  }
  const db = shared(kind)
  return { path: db.path, skip: false as const, ready: db.ready, remove: db.remove }
}

export function shared(kind: (typeof KINDS)[number]): Shared {
  if (kind === 'sqlite') {
    const t = tempDb()
    new SQLiteStore(t.db, { cleanupInterval: 0 }) // the table exists before the children race
    t.db.close()
    const handles: Array<{ open: boolean; close(): void }> = []
    return {
      path: t.path,
      ready: async () => {},
      async open() {
        const db = openRecommended(t.path)
        handles.push(db)
        return Object.assign(new SQLiteStore(db, { cleanupInterval: 0 }), {
          release: async () => {
            if (db.open) db.close()
          },
        })
      },
      indexProblems: () => [], // SQLite maintains its own indexes inside each statement
      async remove() {
        for (const h of handles) if (h.open) h.close()
        t.remove()
      },
    }
  }
  const env = tempEnv()
  new LMDBStore(env.root, { bucket: 'sessions', cleanupInterval: 0 })
  // LMDB must not be open twice in one process: the setup handle is closed before anything
  // else opens, and each open() closes the previous handle first — as after a restart.
  let closing: Promise<void> = env.root.close()
  let root: RootDatabase | undefined
  return {
    path: env.dir,
    ready: () => closing,
    async open() {
      await closing
      root = openLmdb({ path: env.dir })
      const current = root
      closing = Promise.resolve()
      return Object.assign(new LMDBStore(current, { bucket: 'sessions', cleanupInterval: 0 }), {
        release: async () => {
          closing = current.close()
          await closing
        },
      })
    },
    indexProblems: () => (root ? indexProblems(root, 'sessions') : ['not opened']),
    async remove() {
      await closing
      if (root && (root as { status?: string }).status === 'open') await root.close()
      await env.remove()
    },
  }
}

type Ran = { code: number | null; out: string; err: string }

/**
 * Runs one script per argument list, each started with `together` as its last argument: once
 * every child has printed `opened`, each gets its go on stdin. LMDB's processes open first
 * and write after: lmdb-js can lose a write made while another process opens the environment
 * (scripts/lmdb-open-race.mjs; README, "Several processes, one environment").
 */
export async function runTogether(script: string, argsList: string[][]): Promise<Ran[]> {
  const children: Array<ReturnType<typeof spawn>> = []
  let opened = 0
  const ran = argsList.map((args) =>
    runNode(script, [...args, 'together'], 90_000, (child) => {
      children.push(child)
      child.stdout?.on('data', (chunk: Buffer) => {
        if (!chunk.toString().includes('opened')) return
        if (++opened === argsList.length) for (const c of children) c.stdin?.end('go\n')
      })
    }),
  )
  return Promise.all(ran)
}

/** Runs a script in a child process; one that outlives `limitMs` is killed and reported. */
export function runNode(
  script: string,
  args: string[],
  limitMs = 90_000,
  started?: (child: ReturnType<typeof spawn>) => void,
): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args])
    started?.(child)
    let out = ''
    let err = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      err += `\n[test] ${script} ${args.join(' ')} still running after ${limitMs} ms: killed`
    }, limitMs)
    child.stdout.on('data', (c) => {
      out += c
    })
    child.stderr.on('data', (c) => {
      err += c
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out, err })
    })
  })
}

export function lastJson<T>(out: string): T {
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as T
}
