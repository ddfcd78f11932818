import assert from 'node:assert/strict'

// A client for the Next.js example (test/next-example.test.ts): real requests with `fetch`,
// cookies carried by hand, the way a browser would send them.

export interface Answer {
  status: number
  cookies: string[]
  location: string | null
  text: string
}

export interface Call {
  cookie?: string
  /** Default: the server's own origin on non-GET requests; `null`: no Origin header. */
  origin?: string | null
  json?: Record<string, string>
  form?: Record<string, string>
  headers?: Record<string, string>
}

export const SESSION = '__Host-sessionup='
/** `name=value` of a Set-Cookie value: what the browser sends back. */
export const pair = (setCookie: string) => setCookie.slice(0, setCookie.indexOf(';'))
export const sessionCookie = (answer: Answer) => answer.cookies.find((c) => c.startsWith(SESSION))

export function exampleClient(url: () => string) {
  async function call(method: string, path: string, c: Call = {}): Promise<Answer> {
    const headers = new Headers(c.headers)
    if (c.cookie) headers.set('cookie', c.cookie)
    // Same-origin by default, as a browser's fetch or form post would say.
    const origin = c.origin === undefined ? url() : c.origin
    if (origin && method !== 'GET') headers.set('origin', origin)
    let body: string | undefined
    if (c.json) {
      headers.set('content-type', 'application/json')
      body = JSON.stringify(c.json)
    } else if (c.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded')
      body = new URLSearchParams(c.form).toString()
    }
    const res = await fetch(url() + path, { method, headers, body, redirect: 'manual' })
    return {
      status: res.status,
      cookies: res.headers.getSetCookie(),
      location: res.headers.get('location'),
      text: await res.text(),
    }
  }

  /** Signs `user` in as a new device; the Cookie header that device then sends, and its id. */
  async function signIn(user: string, password: string) {
    const answer = await call('POST', '/api/login', { json: { user, password } })
    assert.equal(answer.status, 200, answer.text)
    const setCookie = sessionCookie(answer)
    assert.ok(setCookie, `no session cookie in ${answer.cookies.join(' | ')}`)
    return { cookie: pair(setCookie), id: (JSON.parse(answer.text) as { id: string }).id }
  }

  const whoIs = (cookie: string) => call('GET', '/api/me', { cookie })

  return { call, signIn, whoIs }
}
