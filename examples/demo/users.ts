// The demo's users. Never keep real passwords like this: store a slow salted hash (scrypt,
// argon2) and compare with that.
import { createHash, timingSafeEqual } from 'node:crypto'

/** Demo users (name → password). */
export const USERS: Record<string, string> = {
  alice: 'wonderland',
  bob: 'builder',
  carol: 'singer',
}

/** Whether `password` is `user`'s; compares digests in constant time. */
export function passwordMatches(user: string, password: string | null): boolean {
  if (!Object.hasOwn(USERS, user) || password === null) return false
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(USERS[user] as string), digest(password))
}
