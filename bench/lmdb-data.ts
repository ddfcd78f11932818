// The LMDB bench's data: a template environment of realistic sessions (bench/realistic.ts),
// written with the store's own encoding (toRecord) and keys, built once per size and copied
// for each measurement that must start from it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { open, type RootDatabase, type RootDatabaseOptions } from 'lmdb'
import type { SessionRecord } from '../src/index.js'
import { LMDBStore } from '../src/stores/lmdb.js'
import { EXP, toRecord } from '../src/stores/lmdb-layout.js'
import { flatten } from '../src/stores/record.js'
import { copyFile } from './lib.js'
import { putSession, type Raw } from './lmdb-floor.js'
import { idOf, PER_USER, realisticRecord, userOf } from './realistic.js'

export const BUCKET = 'sessions'
const DATA = 'data.mdb'
/** Sessions per raw write transaction while building. */
const CHUNK = 100_000

/** The store's named database, opened as the store opens it. */
export function rawOf(root: RootDatabase): Raw {
  return root.openDB(BUCKET, {
    keyEncoding: 'ordered-binary',
    encoding: 'msgpack',
    cache: false,
  }) as Raw
}

export interface Env {
  dir: string
  root: RootDatabase
  db: Raw
  store(changeLog?: boolean): LMDBStore
  close(): Promise<void>
}

/** A new environment in a directory of its own; `from` a template's data file, if given. */
export function envAt(from?: string, options: RootDatabaseOptions = {}): Env {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-bench-lmdb-'))
  if (from) copyFile(from, join(dir, DATA))
  const root = open({ path: dir, ...options })
  return {
    dir,
    root,
    db: rawOf(root),
    store: (changeLog = true) =>
      new LMDBStore(root, { bucket: BUCKET, cleanupInterval: 0, changeLog }),
    async close() {
      await root.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A fresh copy of the template, opened with lmdb-js's defaults (or `options`). */
export const copyOf = (templatePath: string, options?: RootDatabaseOptions) =>
  envAt(templatePath, options)

const same = (a: SessionRecord | null | undefined, b: SessionRecord) =>
  a != null && JSON.stringify([flatten(a), a.meta]) === JSON.stringify([flatten(b), b.meta])

/** n realistic sessions in the store's bucket (schema version written by the store). */
export async function template(n: number): Promise<{ path: string; remove(): void }> {
  const e = envAt()
  const store = e.store()
  const now = Date.now()
  for (let start = 0; start < n; start += CHUNK) {
    e.db.transactionSync(() => {
      for (let i = start; i < Math.min(n, start + CHUNK); i++) {
        const r = realisticRecord(i, now)
        putSession(e.db, r.id, toRecord(r))
      }
    })
  }
  // The store reads the data back as written, and the expiry index holds the expired tenth.
  if (!same(await store.fetchById(idOf(0)), realisticRecord(0, now))) {
    throw new Error('bench/lmdb-data.ts: session 0 does not read back as written')
  }
  const mine = await store.fetchByUserKey(userOf(0))
  if (mine.length !== PER_USER - 1) {
    throw new Error(`bench/lmdb-data.ts: user 0 has ${mine.length} live sessions, not 4`)
  }
  let expired = 0
  for (const _ of e.db.getKeys({ start: [EXP], end: [EXP, now + 1] })) expired++
  if (expired !== Math.floor((n + 6) / 10)) {
    throw new Error(`bench/lmdb-data.ts: ${expired} expired sessions among ${n}`)
  }
  await store.close()
  await e.root.close()
  return {
    path: join(e.dir, DATA),
    remove: () => rmSync(e.dir, { recursive: true, force: true }),
  }
}
