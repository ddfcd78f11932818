import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Key, open, type RootDatabase } from 'lmdb'

/** A fresh LMDB environment in its own temp directory. */
export function tempEnv() {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-lmdb-'))
  const root = open({ path: dir })
  return {
    root,
    dir,
    async remove() {
      if ((root as { status?: string }).status !== 'closed') await root.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Checks the bucket's two indexes against its records, entry by entry: every record has its
 * user and expiry entries, and every index entry points at a record that agrees with it.
 * Returns the problems found ([] when consistent).
 */
export function indexProblems(root: RootDatabase, bucket: string): string[] {
  const db = root.openDB(bucket, {
    keyEncoding: 'ordered-binary',
    encoding: 'msgpack',
    cache: false,
  })
  const problems: string[] = []
  const records = new Map<string, [string, number, number, ...unknown[]]>()
  const users = new Map<string, string>()
  const expiries = new Set<string>()
  for (const { key, value } of db.getRange({})) {
    const k = key as Key[]
    if (k[0] === 's') records.set(k[1] as string, value as [string, number, number])
    else if (k[0] === 'u') users.set(JSON.stringify(k.slice(1)), JSON.stringify(value))
    else if (k[0] === 'e') expiries.add(JSON.stringify(k.slice(1)))
  }
  for (const [id, record] of records) {
    const [userKey, createdAt, expiresAt] = record
    const userKeyOf = JSON.stringify([userKey, createdAt, id])
    const copy = users.get(userKeyOf)
    if (copy === undefined) problems.push(`record ${id}: no user entry`)
    else if (copy !== JSON.stringify(record)) problems.push(`record ${id}: its user copy differs`)
    users.delete(userKeyOf)
    if (!expiries.delete(JSON.stringify([expiresAt, id])))
      problems.push(`record ${id}: no expiry entry`)
  }
  for (const u of users.keys()) problems.push(`user entry ${u} without its record`)
  for (const e of expiries) problems.push(`expiry entry ${e} without its record`)
  return problems
}

/** Overwrites a session's record and its user-index copy with a value that is no record. */
export function corruptRecord(root: RootDatabase, bucket: string, id: string): Promise<void> {
  const db = root.openDB(bucket, {
    keyEncoding: 'ordered-binary',
    encoding: 'msgpack',
    cache: false,
  })
  return db.transaction(() => {
    const record = db.get(['s', id]) as [string, number]
    db.put(['s', id], 'torn page')
    db.put(['u', record[0], record[1], id], 'torn page')
  }) as Promise<void>
}
