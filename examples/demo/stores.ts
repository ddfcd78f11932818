import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { MemoryStore, type Store } from 'sessionup'
import { SQLiteStore } from 'sessionup/sqlite'

export interface OpenedStore {
  store: Store
  /** Closes what the demo opened for the store (its database), after `store.close()`. */
  close(): Promise<void>
  description: string
}

export const STORE_KINDS = ['sqlite', 'memory'] as const

/** Opens the store named by SESSIONUP_STORE (default: SQLite in ./data/demo.db). */
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
    default:
      throw new Error(`SESSIONUP_STORE="${kind}" is not one of: ${STORE_KINDS.join(', ')}`)
  }
}
