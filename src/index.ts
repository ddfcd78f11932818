export { type CleanupHandle, runCleanup, startCleanup } from './cleanup.js'
export { normalizeIp, type TrustProxy } from './client-ip.js'
export { isForged, type OriginView } from './csrf.js'
export {
  ConflictError,
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
  type ExpiryReason,
  expiryReason,
  type RejectReason,
  type SessionEvent,
  type SessionEventListener,
  type SessionEventType,
  type SubscribeOptions,
} from './lifecycle.js'
export {
  type AuthResult,
  type InitOptions,
  type InitResult,
  type MetaPatch,
  type RequestView,
  type RouteOptions,
  SessionManager,
} from './manager.js'
export { defaultReject, type ManagerOptions, type RejectResponse } from './options.js'
export {
  type ListedSession,
  parseAgent,
  type Session,
  type SessionAgent,
  type SessionRecord,
} from './session.js'
export type {
  DeleteByIdOptions,
  DeleteByUserKeyOptions,
  DeletionEvent,
  DeletionListener,
  DeletionReason,
  RevokeReason,
  SchemaStatus,
  SessionPatch,
  Store,
  StoreErrorListener,
  Unsubscribe,
} from './store.js'
export { BaseStore, type BaseStoreOptions, SCHEMA_VERSION } from './stores/base.js'
export { MemoryStore, type MemoryStoreOptions } from './stores/memory.js'
export { generateSecret, generateSessionId, hashSecret } from './token.js'
export { type Carrier, type MixedCredentials, readBearer, type Transport } from './transport.js'
