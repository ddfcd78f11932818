// One-shot messages ("That device was signed out"): a redirect sets one, the next page shows it
// and clears it. A cookie rather than `?msg=` in the URL, so that a reload, a bookmark or the
// back button never shows a stale message again.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readCookie } from './http.js'
import { MESSAGES, type Message } from './messages.js'

const NAME = 'flash'
// Not `Secure`: the message must also reach a page served over plain http (the demo's local
// mode). It holds only a message code, looked up in a fixed list, never text to display.
const ATTRIBUTES = 'Path=/; HttpOnly; SameSite=Strict'

/** Sends `code` along with this response (a redirect), for the next page to show. */
export function setFlash(res: ServerResponse, code: Message): void {
  res.appendHeader('set-cookie', `${NAME}=${code}; Max-Age=60; ${ATTRIBUTES}`)
}

/** The message code this request carries, if any, and clears it so a reload shows nothing. */
export function takeFlash(req: IncomingMessage, res: ServerResponse): Message | null {
  const value = readCookie(req.headers.cookie, NAME)
  if (value === null) return null
  res.appendHeader('set-cookie', `${NAME}=; Max-Age=0; ${ATTRIBUTES}`)
  return Object.hasOwn(MESSAGES, value) ? (value as Message) : null
}
