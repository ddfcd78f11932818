// Small node:http helpers the demo's routes share.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'

/**
 * The page's origin when the browser reached it over plain http at a host other than a
 * loopback name, or `null`. There, browsers drop a `Secure` cookie (and so any `__Host-` one)
 * without a word: signing in would seem to work and the next page would not know the user.
 */
export function plainHttpOrigin(req: IncomingMessage): string | null {
  const host = req.headers.host
  if (!host) return null
  // The browser's own view of the scheme rides in Origin on a form post (so an https proxy in
  // front of the demo counts as https); without one, how this socket was reached.
  const https = req.headers.origin?.startsWith('https://') ?? (req.socket as TLSSocket).encrypted
  if (https) return null
  let hostname: string
  try {
    hostname = new URL(`http://${host}`).hostname
  } catch {
    return null
  }
  return isLoopbackName(hostname) ? null : `http://${host}`
}

/**
 * The names browsers treat as "potentially trustworthy" over plain http (W3C Secure Contexts):
 * localhost and *.localhost, 127.0.0.0/8 and [::1]. Chromium keeps Secure cookies from all of
 * them; the browser test checks a non-loopback address.
 */
function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    name === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  )
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
