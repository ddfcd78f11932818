// The demo's session policy, in one place: the manager is built from these numbers and the
// sessions page explains them from the same numbers, so the page says what the server does.
import { DAY, duration, MINUTE } from './time.js'

export interface Lifetimes {
  /** An ordinary session ends this many ms after sign-in, however active. */
  expiresIn: number
  /**
   * `false`: an ordinary session's cookie has no Expires and ends with the browser, while the
   * server still ends the session after `expiresIn` (see ManagerOptions.persistent).
   */
  persistent: false
  /** An ordinary session unused for this many ms ends. Remembered ones have no idle limit. */
  idleTimeout: number
  /** "Keep me signed in": a persistent cookie and a session of this many ms, without idle limit. */
  rememberFor: number
  /** `lastActiveAt` (and the idle expiry with it) is written at most once per this many ms. */
  activityInterval: number
  /** A session's secret, and so its cookie, is replaced once it is this old. */
  rotateEvery: number
  /** The cookie before a rotation keeps working this long, for requests already on their way. */
  rotationGrace: number
}

export const LIFETIMES: Lifetimes = {
  expiresIn: 7 * DAY,
  persistent: false,
  idleTimeout: 30 * MINUTE,
  rememberFor: 30 * DAY,
  activityInterval: 5 * MINUTE,
  rotateEvery: 15 * MINUTE,
  rotationGrace: MINUTE,
}

/**
 * Signing out other devices (or all of them) at once needs a password entered less than this
 * long ago (the adapter's `protectFresh`); older sign-ins are asked for it again.
 */
export const FRESH_FOR = 10 * MINUTE

/** The lifetimes, in words a user reads under the list of their devices (HTML paragraphs). */
export function explainLifetimes(l: Lifetimes): string {
  const idle = duration(l.idleTimeout)
  return [
    `Without “Keep me signed in”, a session ends when the browser is closed (its cookie has no expiry date), after ${idle} without use, or ${duration(l.expiresIn)} after signing in, whichever comes first. Using the site pushes the idle limit back to ${idle} from then.`,
    `With “Keep me signed in”, the browser keeps the cookie for ${duration(l.rememberFor)}, closed or not: the session has no idle limit and ends ${duration(l.rememberFor)} after signing in.`,
    `The server records use at most once every ${duration(l.activityInterval)}, so “Last active” can be up to ${duration(l.activityInterval)} behind, and “Expires if idle” moves in steps of up to that much.`,
    `Once a session's cookie is ${duration(l.rotateEvery)} old, the next request gets a new one, and so does entering the password again (rotation): same session, same id in this list, new secret. The old cookie keeps working for ${duration(l.rotationGrace)}, for requests already on their way, then never again.`,
    'Whatever the browser keeps, the server stops accepting a cookie once its session has ended.',
  ]
    .map((text) => `<p>${text}</p>`)
    .join('')
}
