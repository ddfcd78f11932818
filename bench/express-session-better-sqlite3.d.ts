// The package ships no types; this is the one call the HTTP benchmark makes.
declare module 'express-session-better-sqlite3' {
  import type { Database } from 'better-sqlite3'
  import type session from 'express-session'
  export default function storeFactory(
    expressSession: typeof session,
    db: Database,
  ): new () => session.Store
}
