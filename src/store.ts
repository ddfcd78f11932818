import type { Session, SessionRecord } from './session.js'

/** Why a session left the store. */
export type DeletionReason = 'revoked' | 'expired'

/**
 * Why a session was revoked: by the manager's `revoke` (`logout`), `revokeOther`
 * (`other-sessions`), `revokeAll` (`all-sessions`), `revokeByIdExt` (`by-id`: a user signing out
 * one of their devices), `revokeByUserKey` (`by-user-key`), the per-user cap (`evicted`), a login
 * over a session the request carried (`replaced`), or `revokeById` and any delete that gives no
 * reason (`admin`).
 */
export type RevokeReason =
  | 'logout'
  | 'other-sessions'
  | 'all-sessions'
  | 'by-id'
  | 'by-user-key'
  | 'evicted'
  | 'replaced'
  | 'admin'

export interface DeletionEvent {
  /** The session as it was stored just before it was deleted (its public fields: no hash). */
  session: Session
  reason: DeletionReason
  /** Set when `reason` is `revoked`: the reason the deleting call gave (`admin` if none). */
  revokeReason?: RevokeReason
  /** When the store committed the deletion. */
  at: Date
}

/** How `deleteById` deletes. */
export interface DeleteByIdOptions {
  /** Delete only if the session belongs to this user key (checked in the same atomic step). */
  owner?: string
  /** Carried by the deletion event; default `admin`. */
  reason?: RevokeReason
}

/** How `deleteByUserKey` deletes. */
export interface DeleteByUserKeyOptions {
  /** Ids to keep (ids of other users' sessions change nothing). */
  except?: readonly string[]
  /** Carried by the deletion events; default `admin`. */
  reason?: RevokeReason
}

/**
 * Called once for each deleted session, after the deletion has been committed, in the order of
 * deletion. `signal` aborts when the listener is unsubscribed, so long work (closing a websocket,
 * writing an audit line to a slow sink) can stop early. A listener's throw or rejection is
 * reported to the store's error listeners; it never undoes the deletion or reaches the caller of
 * the delete.
 *
 * Bounds, so one slow listener cannot hold unbounded memory: at most 16 runs of one listener are
 * pending at once (`LISTENER_CONCURRENCY`); later events wait in its queue, which holds at most
 * 10,000 (`LISTENER_QUEUE_LIMIT`). Events beyond that are dropped, and the count dropped is
 * reported to the store's error listeners.
 */
export type DeletionListener = (event: DeletionEvent, signal: AbortSignal) => void | Promise<void>

/**
 * Stops delivering events to a listener: events it has not started yet are dropped, and its
 * signal aborts. With `wait = true` the promise resolves once the runs already started have
 * settled, or after 10 s (`UNSUBSCRIBE_WAIT_MS`) for runs that ignore their signal, which are
 * then reported to the store's error listeners.
 */
export type Unsubscribe = (wait?: boolean) => Promise<void>

/** Receives failures that have no caller to reject: cleanup passes and deletion listeners. */
export type StoreErrorListener = (error: Error) => void

/**
 * What `touch` may change on a live session. Every field is optional; what is left out stays.
 */
export interface SessionPatch {
  /** Write only if the record's `version` is this (compare-and-set); otherwise write nothing. */
  ifVersion?: number
  /**
   * A later expiry. The store never moves expiry earlier than it is, and never past the
   * deadline (the one in `lifetime` when given, else the stored one): it writes
   * `min(max(stored, expiresAt), deadline)`.
   */
  expiresAt?: Date
  lastActiveAt?: Date
  authenticatedAt?: Date
  /** A rotation: the new secret's hash, with the old one kept until `previousExpiresAt`. */
  secret?: { hash: string; previousHash: string; previousExpiresAt: Date; rotatedAt: Date }
  /** The whole new meta (the manager merges a patch into what it read, under `ifVersion`). */
  meta?: Record<string, string>
  /** The session's own lifetime; written once, when a v1 session is upgraded. */
  lifetime?: { deadline: Date | null; idleTimeout: number | null; persistent: boolean }
}

/** A store's schema: the version its data is at, and the one this code writes. */
export interface SchemaStatus {
  /** `null` when nothing has been stored yet. */
  version: number | null
  current: number
}

/**
 * The contract every session store keeps. `sessionup/testing` checks each rule written here.
 *
 * Time: a session is live while `now < expiresAt` and expired from the instant
 * `now >= expiresAt`, at millisecond precision. No method ever returns an expired session,
 * whether or not a cleanup has run.
 *
 * Missing data is not an error: a missing session is `null`, an empty list is `[]`, deleting
 * what is not there succeeds. Methods reject only on real failures (a `StoreError` that keeps
 * the driver's error as `cause`, also for a stored record that cannot be read back) or on
 * invalid arguments (an `InvalidArgumentError` naming the argument, before the engine is
 * touched): ids are 1–256 visible ASCII characters; user keys 1–512 characters of well-formed
 * Unicode without NUL; meta keys and values well-formed strings, 65,536
 * characters in all; hashes 1–256 base64url characters.
 *
 * Visibility: once a method's promise resolves, what it wrote is seen by every later call, in
 * this process and in every other process sharing the database.
 *
 * Records of schema v1 (sessionup 0.1) read back as v2 records: `secretHash` `null`,
 * `lastActiveAt`, `authenticatedAt` and `rotatedAt` equal to `createdAt`, no deadline, no idle
 * limit, not persistent, `version` 0.
 *
 * Stores never own the database client they were given: `close()` stops the store's own work
 * (cleanup timers) and leaves the client open.
 */
export interface Store {
  /**
   * Inserts a new session. Atomic: if a live session with the same id exists, nothing is
   * written and the promise rejects with `DuplicateIdError`, even when two creates of one id
   * race (from one process or several). Whether an expired session that no cleanup has deleted
   * yet still holds its id is up to the store (SQL and LMDB stores: it does; Redis: not once
   * Redis has expired the key); with random 128-bit ids this never decides anything in practice.
   */
  create(session: SessionRecord): Promise<void>

  /** The live session with this id, or `null` if there is none or it has expired. */
  fetchById(id: string): Promise<SessionRecord | null>

  /**
   * Every live session of `userKey`, oldest first (by `createdAt`, then by id); `[]` if none.
   * Other users' sessions are never included.
   */
  fetchByUserKey(userKey: string): Promise<SessionRecord[]>

  /**
   * Changes a live session in one atomic step (one round trip; Redis takes two more, once, to
   * rewrite a value still in v1 form) and resolves `true`; `version`
   * grows by one. Resolves `false` and writes nothing if the session does not exist, has expired
   * (`now >= expiresAt`), or `ifVersion` is given and differs from the stored version: so a
   * revoked or expired session never comes back through it, whatever the interleaving, and of
   * two writes made with the same `ifVersion` exactly one succeeds.
   */
  touch(id: string, patch: SessionPatch): Promise<boolean>

  /**
   * Deletes the session with this id, expired or not, and resolves `true`; resolves `false` and
   * does nothing if there is none. With `owner`, deletes it only if it belongs to that user key,
   * in the same atomic step (no window between the check and the delete), and resolves `false`
   * otherwise, exactly as for a missing id. A deletion event with reason `revoked` (and
   * `options.reason` as its `revokeReason`) is emitted if a session was deleted.
   */
  deleteById(id: string, options?: DeleteByIdOptions): Promise<boolean>

  /**
   * Deletes every session of `userKey` except those whose id is in `options.except`; a no-op if
   * there are none. Sessions of other users are untouched. Each deleted session emits `revoked`.
   */
  deleteByUserKey(userKey: string, options?: DeleteByUserKeyOptions): Promise<void>

  /**
   * Deletes every session that has expired by now and returns how many it deleted. Each
   * deleted session emits `expired`. Large backlogs are deleted in batches that yield to the
   * event loop between them.
   */
  deleteExpired(): Promise<number>

  /** Subscribes to deletion events for every deletion path, cleanup included. */
  onDeletion(listener: DeletionListener): Unsubscribe

  /**
   * Subscribes to failures nobody else would see (cleanup passes, deletion listeners). With no
   * listener, such errors are emitted as process warnings: never thrown, never silent.
   */
  onError(listener: StoreErrorListener): () => void

  /**
   * Brings stored data to the current schema (safe to run from several processes at once) and
   * says from which version. Stores migrate on their own when opened unless built with
   * `autoMigrate: false`; then every other method rejects until this has run.
   */
  migrate?(): Promise<{ from: number | null; to: number }>

  /** The schema version of the stored data, without changing anything. */
  schemaStatus?(): Promise<SchemaStatus>

  /**
   * Stops the store's cleanup timer and waits for a running pass. Idempotent. The database
   * client stays open and every other method keeps working.
   */
  close(): Promise<void>
}
