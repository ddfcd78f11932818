import { DEVICE_NAME_MAX } from './device-name.js'
import { escapeHtml } from './layout.js'

/**
 * What a page can tell the user: one-shot messages a redirect leaves (see flash.ts), and what
 * the sessions page finds when no valid session came with the request.
 */
export const MESSAGES = {
  'bad-login': 'That user name and password do not match. Try one of the demo users below.',
  'signed-in': 'You are signed in. This page lists every device signed in to your account.',
  'signed-out': 'You signed out of this device. Your other devices stay signed in.',
  'signed-out-everywhere': 'You signed out everywhere: every device of yours must sign in again.',
  'others-signed-out': 'Every other device was signed out. Only this one is still signed in.',
  'device-signed-out':
    'That device was signed out. It will be asked to sign in on its next request.',
  'not-found': 'None of your sessions has that id, so nothing was signed out.',
  'wrong-password': 'That is not the password of this account, so nothing was signed out.',
  'device-renamed': 'This device has its new name, in the lists of all your devices.',
  'device-name-reset': 'This device is called by its browser and system again.',
  'name-too-long': `A device name can have at most ${DEVICE_NAME_MAX} characters. The name was not changed.`,
  'name-control':
    'A device name cannot contain control characters (line breaks, tabs and the like). The name was not changed.',
  'not-signed-in': 'This device is not signed in. Please sign in.',
  'session-ended':
    'The session of this device has ended: it was signed out (here or from another device) or it expired. Please sign in again.',
  'cookie-not-returned':
    'You signed in, but this browser did not send the session cookie back, so the server cannot tell it is you. Browsers drop a Secure cookie on a plain http page whose address is not localhost, and some are set to refuse cookies from this site. The session the sign-in created will expire unused.',
} as const

export type Message = keyof typeof MESSAGES

export function message(code: Message | null): string {
  return code ? `<p class="msg" role="status">${escapeHtml(MESSAGES[code])}</p>` : ''
}
