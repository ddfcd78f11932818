import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RejectResponse } from '../../options.js'
import type { Session } from '../../session.js'
import type { SessionSlot } from '../core.js'

/** Fastify's request as Nest hands it over: a wrapper around the `node:http` request. */
export interface FastifyLikeRequest {
  raw: IncomingMessage
}

/** Fastify's reply: `header('set-cookie', …)` appends to the cookies already set. */
export interface FastifyLikeReply {
  raw: ServerResponse
  header(name: string, value: string): unknown
  code(status: number): unknown
  send(body: string): unknown
}

/**
 * A request as `context.switchToHttp().getRequest()` gives it: Express's (a `node:http`
 * request) on `@nestjs/platform-express`, Fastify's on `@nestjs/platform-fastify`.
 */
export type NestRequest = IncomingMessage | FastifyLikeRequest

/** A response as Nest gives it: Express's (a `node:http` response) or Fastify's reply. */
export type NestResponse = ServerResponse | FastifyLikeReply

// Keyed on the object Nest hands the guard, the parameter decorators and `@Req()` alike, so
// every part of one request finds the same session on either platform.
const sessions = new WeakMap<object, Session>()

/** Where the guard leaves the request's session for `@CurrentSession()` and the service. */
export const slot: SessionSlot<NestRequest> = {
  get: (req) => sessions.get(req),
  set: (req, session) => {
    sessions.set(req, session)
  },
  clear: (req) => {
    sessions.delete(req)
  },
}

/** The `node:http` request under either platform's request object. */
export function nodeRequest(req: NestRequest): IncomingMessage {
  return 'raw' in req ? req.raw : req
}

/** Adds a header; a Set-Cookie value is appended, never replacing cookies set by other code. */
function addHeader(res: NestResponse, name: string, value: string): void {
  if ('raw' in res) res.header(name, value)
  else if (name.toLowerCase() === 'set-cookie') res.appendHeader(name, value)
  else res.setHeader(name, value)
}

/** Appends a Set-Cookie value to the response; nothing for `null` or `undefined`. */
export function appendCookie(res: NestResponse, value: string | null | undefined): void {
  if (value) addHeader(res, 'set-cookie', value)
}

/** Puts a rejection's headers on the response (its body and status are sent later). */
export function addHeaders(res: NestResponse, answer: RejectResponse): void {
  for (const [name, value] of Object.entries(answer.headers)) addHeader(res, name, value)
}

/** Sends a rejection's status and body as they are, on the headers `addHeaders` set. */
export function sendRejection(res: NestResponse, answer: RejectResponse): void {
  if ('raw' in res) {
    res.code(answer.status)
    res.send(answer.body)
    return
  }
  res.statusCode = answer.status
  res.end(answer.body)
}
