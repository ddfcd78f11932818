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

/**
 * Opens the store named by SESSIONUP_STORE (default: SQLite in ./data/demo.db; SESSIONUP_DB moves
 * it), on the demo's clock.
 */
export async function openStore(kind: string, now: () => number): Promise<OpenedStore> {
  const common = { cleanupInterval: 60_000, now }
  switch (kind) {
    case 'memory':
      return {
        store: new MemoryStore(common),
        close: async () => {},
        description: 'memory',
      }
    case 'sqlite': {
      const path = resolve(process.env.SESSIONUP_DB ?? 'data/demo.db')
      mkdirSync(dirname(path), { recursive: true })
      const db = new Database(path, { timeout: 5_000 })
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      const store = new SQLiteStore(db, common)
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
      const store = new LMDBStore(root, { ...common, bucket: 'sessions' })
      return { store, close: () => root.close(), description: `lmdb (${path})` }
    }
    case 'redis': {
      const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
      const store = new RedisStore(client, { ...common, prefix: 'sessionup-demo:' })
      return { store, close: async () => void (await client.quit()), description: 'redis' }
    }
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
      })
      pool.on('error', (error) => console.error('postgres pool:', error.message))
      const store = new PostgresStore(pool, {
        ...common,
        table: 'sessionup_demo_sessions',
      })
      await store.ready
      return { store, close: () => pool.end(), description: 'postgres' }
    }
    default:
      throw new Error(`SESSIONUP_STORE="${kind}" is not one of: ${STORE_KINDS.join(', ')}`)
  }
}
