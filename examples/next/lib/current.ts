// The session of the request a Server Component renders, read through `cookies()`.
import { cookies, headers } from 'next/headers'
import { cache } from 'react'
import { type Session, UnauthorizedError } from 'sessionup'
import { app } from './session'

/**
 * The signed-in session, or `null`; once per request however many components ask (React
 * `cache`). Read only: Server Components cannot set cookies, which is why the manager has no
 * `rotateEvery` — a rotation here could never reach the browser. Rotation, sign-in and sign-out
 * belong in route handlers (or middleware), which can send Set-Cookie.
 */
export const currentSession = cache(async (): Promise<Session | null> => {
  const { manager } = app()
  const token = (await cookies()).get(manager.cookieName)?.value
  if (!token) return null
  const result = await manager.authenticate({
    cookie: `${manager.cookieName}=${token}`,
    remoteAddress: null,
    forwardedFor: null,
    userAgent: (await headers()).get('user-agent'),
  })
  // Signed out, expired or forged is "no session"; a store failure is an error page.
  if (result.error && !(result.error instanceof UnauthorizedError)) throw result.error
  return result.session
})
