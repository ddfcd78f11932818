import type { SessionPatch } from '../../store.js'
import type { SqlDialect } from './dialect.js'

/**
 * The columns in the order `unflatten` reads them, meta last. Rows are read as arrays, so no
 * object is made per row only to be taken apart again.
 */
export const COLUMNS =
  'id, user_key, created_at, expires_at, ip, agent_os, agent_browser, deadline, idle_timeout, ' +
  'persistent, last_active_at, authenticated_at, rotated_at, secret_hash, previous_secret_hash, ' +
  'previous_secret_expires_at, version, meta'
export const META_COLUMN = 17

/** The conditions of the deletes, each with its parameters' order noted. */
export function deleteConditions(d: SqlDialect, t: string) {
  const expired = `SELECT id FROM ${t} WHERE expires_at <= ? ORDER BY expires_at LIMIT ? ${d.skipLocked}`
  return {
    deleteById: 'id = ?', // id
    deleteOwned: 'id = ? AND user_key = ?', // id, owner
    deleteByUser: 'user_key = ?', // userKey
    deleteByUserExcept: `user_key = ? AND ${d.notInList}`, // userKey, except list
    deleteExpired: `id IN (${expired})`, // now, limit
  }
}

export type DeleteName = keyof ReturnType<typeof deleteConditions>

/** The fixed statements of a table, each written once for every dialect. */
export function statements(d: SqlDialect, t: string) {
  const placeholders = COLUMNS.split(',')
    .map(() => '?')
    .join(', ')
  const where = deleteConditions(d, t)
  const del = (name: DeleteName) => `DELETE FROM ${t} WHERE ${where[name]}`
  return {
    insert: `INSERT INTO ${t} (${COLUMNS}) VALUES (${placeholders}) ON CONFLICT (id) DO NOTHING`,
    byId: `SELECT ${COLUMNS} FROM ${t} WHERE id = ? AND expires_at > ?`,
    byUser: `SELECT ${COLUMNS} FROM ${t} WHERE user_key = ? AND expires_at > ? ORDER BY created_at, ${d.idOrder}`,
    // Deletes come in pairs: with RETURNING when deletion listeners want the rows, and without,
    // which is cheaper, when nobody listens.
    deleteById: del('deleteById'),
    deleteOwned: del('deleteOwned'),
    deleteByUser: del('deleteByUser'),
    deleteByUserExcept: del('deleteByUserExcept'),
    deleteExpired: del('deleteExpired'),
    returning: ` RETURNING ${COLUMNS}`,
  }
}

/** Larger than any epoch-ms time: "no deadline" in a comparison. */
const NEVER = Number.MAX_SAFE_INTEGER

/**
 * The one conditional UPDATE of `touch`, for the fields this patch sets: its SQL (the same text
 * for every patch of that shape, so it is prepared once) and its parameters. Every SET expression
 * reads the row as it was before the update, so the expiry is clamped by the deadline the row
 * had, or by the patch's new one.
 */
export function touchStatement(
  d: SqlDialect,
  t: string,
  id: string,
  p: SessionPatch,
  now: number,
): { sql: string; params: unknown[] } {
  const sets = ['version = version + 1']
  const params: unknown[] = []
  const set = (column: string, value: unknown) => {
    sets.push(`${column} = ?`)
    params.push(value)
  }
  const lifetime = p.lifetime
  if (p.expiresAt !== undefined || lifetime !== undefined) {
    let expiry = 'expires_at'
    if (p.expiresAt !== undefined) {
      expiry = `${d.greatest}(expires_at, ?)`
      params.push(p.expiresAt.getTime())
    }
    if (lifetime === undefined) {
      sets.push(`expires_at = ${d.least}(${expiry}, coalesce(deadline, ${NEVER}))`)
    } else if (lifetime.deadline === null) {
      sets.push(`expires_at = ${expiry}`)
    } else {
      sets.push(`expires_at = ${d.least}(${expiry}, ?)`)
      params.push(lifetime.deadline.getTime())
    }
  }
  if (p.lastActiveAt !== undefined) set('last_active_at', p.lastActiveAt.getTime())
  if (p.authenticatedAt !== undefined) set('authenticated_at', p.authenticatedAt.getTime())
  if (p.secret !== undefined) {
    set('secret_hash', p.secret.hash)
    set('previous_secret_hash', p.secret.previousHash)
    set('previous_secret_expires_at', p.secret.previousExpiresAt.getTime())
    set('rotated_at', p.secret.rotatedAt.getTime())
  }
  if (p.meta !== undefined) set('meta', JSON.stringify(p.meta))
  if (lifetime !== undefined) {
    set('deadline', lifetime.deadline?.getTime() ?? null)
    set('idle_timeout', lifetime.idleTimeout)
    set('persistent', lifetime.persistent ? 1 : 0)
  }
  let where = 'id = ? AND expires_at > ?'
  params.push(id, now)
  if (p.ifVersion !== undefined) {
    where += ' AND version = ?'
    params.push(p.ifVersion)
  }
  return { sql: `UPDATE ${t} SET ${sets.join(', ')} WHERE ${where}`, params }
}
