import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { open } from 'lmdb'
import { MemoryStore, type Store } from 'sessionup'
import { LMDBStore } from 'sessionup/lmdb'
import { SQLiteStore } from 'sessionup/sqlite'

export interface OpenedStore {
  store: Store
  /** Closes what the demo opened for the store (its database), after `store.close()`. */
  close(): Promise<void>
  description: string
}

export const STORE_KINDS = ['sqlite', 'lmdb', 'memory'] as const

/** Opens the store named by SESSIONUP_STORE (default: SQLite in ./data/demo.db; SESSIONUP_DB moves it). */
export async function openStore(kind: string): Promise<OpenedStore> {
  switch (kind) {
    case 'memory':
      return {
        store: new MemoryStore({ cleanupInterval: 60_000 }),
        close: async () => {},
        description: 'memory',
      }
    case 'sqlite': {
      const path = resolve(process.env.SESSIONUP_DB ?? 'data/demo.db')
      mkdirSync(dirname(path), { recursive: true })
      const db = new Database(path, { timeout: 5_000 })
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      const store = new SQLiteStore(db, { cleanupInterval: 60_000 })
      return {
        store,
        close: async () => {
          db.close()
        },
        description: `sqlite (${path})`,
      }
    }
    case 'lmdb': {
      const path = resolve(process.env.SESSIONUP_DB ?? 'data/demo-lmdb')
      const root = open({ path })
      const store = new LMDBStore(root, { bucket: 'sessions', cleanupInterval: 60_000 })
      return { store, close: () => root.close(), description: `lmdb (${path})` }
    }
    default:
      throw new Error(`SESSIONUP_STORE="${kind}" is not one of: ${STORE_KINDS.join(', ')}`)
  }
}
