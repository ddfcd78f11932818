import { createServer, type IncomingMessage, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Listens on a free loopback port; the base URL and a close that ends open connections. */
export async function listen(handler: RequestListener) {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return { url, close }
}

/** Serves a Fetch handler over node:http: the request as a `Request`, the `Response` written back. */
export function fetchListener(
  handler: (req: Request, incoming: IncomingMessage) => Response | Promise<Response>,
): RequestListener {
  return async (incoming, res) => {
    const headers = new Headers()
    for (const [key, value] of Object.entries(incoming.headers)) {
      if (typeof value === 'string') headers.set(key, value)
      else if (Array.isArray(value)) for (const v of value) headers.append(key, v)
    }
    const url = `http://${incoming.headers.host}${incoming.url}`
    const response = await handler(new Request(url, { method: incoming.method, headers }), incoming)
    const out: Record<string, string | string[]> = {}
    response.headers.forEach((value, key) => {
      if (key !== 'set-cookie') out[key] = value
    })
    const cookies = response.headers.getSetCookie()
    if (cookies.length > 0) out['set-cookie'] = cookies
    res.writeHead(response.status, out)
    res.end(incoming.method === 'HEAD' ? undefined : Buffer.from(await response.arrayBuffer()))
  }
}

/** The `user` or `id` query parameter of a request URL. */
export const param = (url: string | undefined, name: string) =>
  new URL(url ?? '/', 'http://x').searchParams.get(name) ?? ''
