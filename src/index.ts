export { type CleanupHandle, runCleanup, startCleanup } from './cleanup.js'
export { normalizeIp, type TrustProxy } from './client-ip.js'
export {
  DuplicateIdError,
  InvalidArgumentError,
  InvalidOptionError,
  SessionupError,
  type SessionupErrorCode,
  StoreError,
  UnauthorizedError,
  type UnauthorizedReason,
} from './errors.js'
export {
  type AuthResult,
  type InitResult,
  type RequestView,
  SessionManager,
} from './manager.js'
export { defaultReject, type ManagerOptions, type RejectResponse } from './options.js'
export {
  generateToken,
  type ListedSession,
  parseAgent,
  type Session,
  type SessionAgent,
  sessionIdOf,
} from './session.js'
export type {
  DeletionEvent,
  DeletionListener,
  DeletionReason,
  Store,
  StoreErrorListener,
  Unsubscribe,
} from './store.js'
export { BaseStore, type BaseStoreOptions } from './stores/base.js'
export { MemoryStore, type MemoryStoreOptions } from './stores/memory.js'
