import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { Redis } from 'ioredis'
import { open } from 'lmdb'
import pg from 'pg'
import { MemoryStore, type Store } from 'sessionup'
import { LMDBStore } from 'sessionup/lmdb'
import { PostgresStore } from 'sessionup/postgres'
import { RedisStore } from 'sessionup/redis'
import { SQLiteStore } from 'sessionup/sqlite'

export interface OpenedStore {
  store: Store
  /** Closes what the demo opened for the store (its database), after `store.close()`. */
  close(): Promise<void>
  description: string
}

export const STORE_KINDS = ['sqlite', 'lmdb', 'memory', 'redis', 'postgres'] as const

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
    case 'redis': {
      const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
      const store = new RedisStore(client, { prefix: 'sessionup-demo:', cleanupInterval: 60_000 })
      return { store, close: async () => void (await client.quit()), description: 'redis' }
    }
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      })
      pool.on('error', (error) => console.error('postgres pool:', error.message))
      const store = new PostgresStore(pool, {
        table: 'sessionup_demo_sessions',
        cleanupInterval: 60_000,
      })
      await store.ready
      return { store, close: () => pool.end(), description: 'postgres' }
    }
    default:
      throw new Error(`SESSIONUP_STORE="${kind}" is not one of: ${STORE_KINDS.join(', ')}`)
  }
}
