import { InvalidArgumentError } from '../errors.js'
import type {
  DeleteByIdOptions,
  DeleteByUserKeyOptions,
  DeletionReason,
  RevokeReason,
} from '../store.js'
import { checkId, checkUserKey } from './checks.js'

/** The options of the two deletes, checked as every store checks its arguments. */

const REVOKE_REASONS: ReadonlySet<string> = new Set<RevokeReason>([
  'logout',
  'other-sessions',
  'all-sessions',
  'by-id',
  'by-user-key',
  'evicted',
  'replaced',
  'admin',
])

function optionsObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(name, 'expected an options object (or nothing)')
  }
  return value as Record<string, unknown>
}

function checkReason(name: string, value: unknown): RevokeReason {
  if (value === undefined) return 'admin'
  if (typeof value !== 'string' || !REVOKE_REASONS.has(value)) {
    throw new InvalidArgumentError(name, `expected one of ${[...REVOKE_REASONS].join(', ')}`)
  }
  return value as RevokeReason
}

/** `deleteById`'s options, checked; `reason` defaults to `admin`. */
export function checkDeleteById(value: unknown): { owner?: string; reason: RevokeReason } {
  const o = optionsObject('options', value) as DeleteByIdOptions
  if (o.owner !== undefined) checkUserKey('options.owner', o.owner)
  return { owner: o.owner, reason: checkReason('options.reason', o.reason) }
}

/** `deleteByUserKey`'s options, checked; `reason` defaults to `admin`. */
export function checkDeleteByUser(value: unknown): {
  except: readonly string[]
  reason: RevokeReason
} {
  const o = optionsObject('options', value) as DeleteByUserKeyOptions
  const except = o.except ?? []
  if (!Array.isArray(except)) {
    throw new InvalidArgumentError('options.except', 'expected an array of session ids')
  }
  for (const [i, id] of except.entries()) checkId(`options.except[${i}]`, id)
  return { except, reason: checkReason('options.reason', o.reason) }
}

/**
 * What a delete step is told: whether to give back the deleted rows (deletion listeners want
 * them), and what the deletion is, for stores that log deletions for other processes.
 */
export interface Deletion {
  rows: boolean
  /** When, by the store's clock. */
  at: number
  kind: DeletionReason
  /** For `revoked`: the reason the caller gave (`admin` by default); `null` for `expired`. */
  reason: RevokeReason | null
  /** This store object's id, so that it can skip its own deletions in the log. */
  origin: string
}

/** What a delete step gives back: the deleted rows when they were asked for, else a count. */
export type Removed<R> = readonly R[] | number
