// The example's accounts. A real app checks a password hash from its user table; what matters
// here is what happens after the check.
import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (text: string) => createHash('sha256').update(text).digest()

const PASSWORDS = new Map([
  ['alice', digest('wonderland')],
  ['bob', digest('builder')],
])

/** Whether `password` is `user`'s, compared in constant time. */
export function passwordMatches(user: string, password: string): boolean {
  const known = PASSWORDS.get(user)
  return known !== undefined && timingSafeEqual(known, digest(password))
}
