import * as crypto from 'node:crypto'
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The cookie's token is `<id>.<secret>` (the shape of the Copenhagen Book and lucia's guide): the
 * id finds the record by primary key, the secret proves the cookie, and the store keeps only the
 * secret's SHA-256. Rotation replaces the secret and keeps the id, so a session stays the same
 * row — and the same "sign out this device" handle — for its whole life.
 *
 * A sessionup 0.1 cookie (schema v1) is a bare 43-character token whose SHA-256 is its id; it is
 * read as id = SHA-256(token), secret = token, so one comparison serves both shapes.
 */

/** 16 bytes from the CSPRNG, base64url: 22 characters. */
export function generateSessionId(): string {
  return randomBytes(16).toString('base64url')
}

/** 32 bytes from the CSPRNG, base64url: 43 characters, 256 bits. */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Node's one-shot `crypto.hash` (20.12+, 21.7+): the same digest as `createHash`, without
 * building a Hash object — about a quarter of the time for a secret. Looked up on the module
 * namespace, so older Node 20 releases load this file and use `createHash`.
 */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, out: 'base64url') => string })
  .hash

/** SHA-256 of a secret, base64url: what a store keeps. */
export function hashSecret(secret: string): string {
  if (oneShot !== undefined) return oneShot('sha256', secret, 'base64url')
  return createHash('sha256').update(secret).digest('base64url')
}

/**
 * Room for two strings of up to 256 characters as UTF-16 code units, which is lossless: the
 * bytes are equal exactly when the strings are. Written into in place, so a comparison
 * allocates nothing (no `Buffer.from` per side); views for the 43 characters of a SHA-256 in
 * base64url are made once.
 */
const MAX_IN_PLACE = 256
const HALF = 2 * MAX_IN_PLACE
const scratch = Buffer.alloc(2 * HALF)
const HASH_BYTES = 2 * 43
const hashLeft = scratch.subarray(0, HASH_BYTES)
const hashRight = scratch.subarray(HALF, HALF + HASH_BYTES)

/** Whether two hashes are equal, in time that does not depend on where they differ. */
export function sameHash(a: string, b: string | null): boolean {
  if (b === null || a.length !== b.length) return false
  const bytes = 2 * a.length
  if (a.length > MAX_IN_PLACE) {
    return timingSafeEqual(Buffer.from(a, 'utf16le'), Buffer.from(b, 'utf16le'))
  }
  scratch.write(a, 0, bytes, 'utf16le')
  scratch.write(b, HALF, bytes, 'utf16le')
  if (bytes === HASH_BYTES) return timingSafeEqual(hashLeft, hashRight)
  return timingSafeEqual(scratch.subarray(0, bytes), scratch.subarray(HALF, HALF + bytes))
}

/** Secrets of the default generator. */
export const DEFAULT_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/
/** What a custom `generateSecret` may return: URL-safe characters but '.', 22 to 256 of them. */
export const CUSTOM_SECRET_PATTERN = /^[A-Za-z0-9_~-]{22,256}$/
/** v1 tokens: the default generator's (the default secret's shape), or a custom one's. */
export const V1_DEFAULT_PATTERN = DEFAULT_SECRET_PATTERN
export const V1_CUSTOM_PATTERN = /^[A-Za-z0-9._~-]{22,256}$/
/** Ids the manager makes (22 characters), or a v1 session's kept id (43: a SHA-256). */
const ID_PART = /^(?:[A-Za-z0-9_-]{22}|[A-Za-z0-9_-]{43})$/

export interface ParsedToken {
  id: string
  secret: string
}

/**
 * The id and secret a cookie claims, or `null` when it cannot be one of ours. A token with a dot
 * after a 22- or 43-character id is v2; otherwise a token of the v1 shape is v1.
 */
export function parseToken(token: string, secret: RegExp, v1: RegExp): ParsedToken | null {
  const dot = token.indexOf('.')
  if (dot === 22 || dot === 43) {
    const id = token.slice(0, dot)
    const rest = token.slice(dot + 1)
    if (ID_PART.test(id) && secret.test(rest)) return { id, secret: rest }
  }
  return v1.test(token) ? { id: hashSecret(token), secret: token } : null
}

/** The cookie value of a session: `<id>.<secret>`. */
export function formatToken(id: string, secret: string): string {
  return `${id}.${secret}`
}
