import type { IncomingMessage } from 'node:http'
import type { OriginView } from '../csrf.js'
import type { RequestView } from '../manager.js'

/**
 * What the manager reads of a `node:http` request: the cookie, the socket address and
 * `X-Forwarded-For` (the manager decides which proxies to trust), the user agent, and the
 * Authorization header when the routes accept bearer tokens.
 */
export function viewOf(req: IncomingMessage, bearer: boolean): RequestView {
  const { headers } = req
  const forwarded = headers['x-forwarded-for']
  return {
    cookie: headers.cookie,
    remoteAddress: req.socket.remoteAddress,
    forwardedFor: Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
    userAgent: headers['user-agent'],
    authorization: bearer ? headers.authorization : undefined,
  }
}

/** What the CSRF guard reads of a `node:http` request. */
export function originOf(req: IncomingMessage): OriginView {
  const { headers } = req
  const site = headers['sec-fetch-site']
  const authority = headers[':authority']
  return {
    method: req.method,
    origin: headers.origin,
    secFetchSite: Array.isArray(site) ? site.join(',') : site,
    host: headers.host ?? (typeof authority === 'string' ? authority : undefined),
    cookie: headers.cookie,
    authorization: headers.authorization,
  }
}
