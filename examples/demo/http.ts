// Small node:http helpers the demo's routes share.
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Browsers send Origin on POST; a cross-site form post carries a foreign one. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  if (!origin) return req.headers['sec-fetch-site'] !== 'cross-site'
  return origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`
}

/** One cookie's value from a Cookie header, or `null`. */
export function readCookie(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=')
    if (eq !== -1 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim()
  }
  return null
}

export function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      data += chunk
      if (data.length > 10_000) req.destroy(new Error('form too large'))
    })
    req.on('end', () => resolve(data))
    req.on('error', reject)
  })
}

export function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(html)
}
