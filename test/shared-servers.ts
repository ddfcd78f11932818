import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'
import { postgres, redis, type Service } from './services.js'

/** A Redis prefix or PostgreSQL table that several processes share (see open-store.mjs). */
export interface SharedServer {
  /** `<url>#<prefix>` or `<url>#<schema>.<table>`, as the store fixtures take it. */
  path: string
  /** Why the server's tests are skipped, or false. */
  skip: Service['skip']
  /** Drops what the processes stored. */
  remove(): Promise<void>
}

export const SERVER_KINDS = ['redis', 'postgres'] as const

export function sharedServer(kind: (typeof SERVER_KINDS)[number]): SharedServer {
  const tag = randomBytes(5).toString('hex')
  if (kind === 'redis') {
    const prefix = `sessionup-shared-${tag}:`
    return {
      path: `${redis.url}#${prefix}`,
      skip: redis.skip,
      async remove() {
        const client = new Redis(redis.url)
        const keys = await client.keys(`${prefix}*`)
        if (keys.length > 0) await client.del(...keys)
        await client.quit()
      },
    }
  }
  const schema = `sessionup_shared_${tag}`
  return {
    path: `${postgres.url}#${schema}.sessions`,
    skip: postgres.skip,
    async remove() {
      const pool = new pg.Pool({ connectionString: postgres.url, max: 1 })
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.end()
    },
  }
}
