import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MemoryStore, SessionManager } from '../src/index.js'
import { TestClock } from '../src/testing/index.js'

/**
 * The shared adapter test list: every adapter serves the same standard app over real HTTP and
 * answers the same requests the same way. An adapter's test file builds the app (`MakeApp`)
 * with its framework's own package; this file drives it with `fetch`.
 *
 * The standard app, on the manager it is given (transport `'both'`):
 * - `POST /login?user=U`: sets its own `theme=dark` cookie, then logs U in (cookie); `in`.
 * - `POST /api/login?user=U`: logs U in for a bearer client; `{"token": …}`.
 * - `GET /me` (auth): the user key. `GET /maybe` (public): the user key or `anonymous`.
 * - `GET /sessions` (auth): the user's sessions as JSON `[{ id, current }]`.
 * - `POST /logout`, `/logout-other`, `/logout-all` (auth): the revocations; `out`.
 * - `POST /revoke?id=ID` (auth): revoke by id with the owner check; `true` or `false`.
 * - `POST /danger` (fresh within 10 minutes): `done`.
 * - `POST /rotate` (auth): rotates; `{"token": …}` (null for a cookie client, whose cookie is
 *   in Set-Cookie).
 * - `POST /form` (the CSRF guard, then auth): `changed`. Adapters that mount the guard on every
 *   route (Fastify, Nest) do so; the others mount it here.
 */
export type MakeApp = (manager: SessionManager) => Promise<{ url: string; close(): Promise<void> }>

/** A memory store whose engine can be taken down: while `down`, every lookup fails. */
class SwitchStore extends MemoryStore {
  down = false
  override async fetchById(id: string) {
    if (this.down) throw new Error('ECONNREFUSED 10.0.0.9:5432')
    return super.fetchById(id)
  }
}

interface Answer {
  status: number
  cookies: string[]
  headers: Headers
  text: string
}

interface Call {
  cookie?: string
  bearer?: string
  headers?: Record<string, string>
}

const SESSION = '__Host-sessionup='
const pair = (setCookie: string) => setCookie.slice(0, setCookie.indexOf(';'))

export function adapterList(name: string, makeApp: MakeApp): void {
  describe(`${name}: the shared adapter list`, () => {
    const clock = new TestClock()
    const store = new SwitchStore({ now: clock.now, cleanupInterval: 0 })
    const errors: Error[] = []
    const onError = (error: Error) => errors.push(error)
    const manager = new SessionManager(store, { now: clock.now, transport: 'both', onError })
    let app: Awaited<ReturnType<MakeApp>>
    before(async () => {
      app = await makeApp(manager)
    })
    after(() => app.close())

    async function call(method: string, path: string, c: Call = {}): Promise<Answer> {
      const headers: Record<string, string> = { ...c.headers }
      if (c.cookie) headers.cookie = c.cookie
      if (c.bearer) headers.authorization = `Bearer ${c.bearer}`
      const res = await fetch(`${app.url}${path}`, { method, headers, redirect: 'manual' })
      const cookies = res.headers.getSetCookie()
      return { status: res.status, cookies, headers: res.headers, text: await res.text() }
    }
    const sessionCookies = (a: Answer) => a.cookies.filter((c) => c.startsWith(SESSION))
    async function login(user: string): Promise<string> {
      const res = await call('POST', `/login?user=${user}`)
      assert.equal(res.status, 200, res.text)
      const [cookie] = sessionCookies(res)
      assert.ok(cookie, 'a session cookie')
      return pair(cookie)
    }
    async function apiLogin(user: string): Promise<string> {
      const res = await call('POST', `/api/login?user=${user}`)
      assert.equal(res.status, 200, res.text)
      assert.deepEqual(sessionCookies(res), [], 'no cookie for a bearer client')
      return JSON.parse(res.text).token
    }
    const me = async (c: Call) => {
      const res = await call('GET', '/me', c)
      return res.status === 200 ? res.text : res.status
    }

    it('login sets a secure session cookie and keeps the cookie the route set', async () => {
      const res = await call('POST', '/login?user=alice')
      assert.equal(res.text, 'in')
      const [cookie] = sessionCookies(res)
      assert.match(cookie ?? '', /; Secure/i)
      assert.match(cookie ?? '', /; HttpOnly/i)
      assert.match(cookie ?? '', /; SameSite=(Lax|Strict)/i)
      assert.ok(
        res.cookies.some((c) => c.startsWith('theme=dark')),
        'the app’s own cookie stays',
      )
      assert.equal(await me({ cookie: pair(cookie ?? '') }), 'alice')
    })

    it('auth turns away a request without a session, or with a bad one', async () => {
      const none = await call('GET', '/me')
      assert.equal(none.status, 401)
      assert.deepEqual(JSON.parse(none.text), { error: 'unauthorized' })
      assert.equal(await me({ cookie: `${SESSION}${'a'.repeat(43)}` }), 401)
      assert.equal(await me({ cookie: `${SESSION}not a token` }), 401)
    })

    it('public serves both, with the session when there is one', async () => {
      assert.equal((await call('GET', '/maybe')).text, 'anonymous')
      const cookie = await login('pat')
      assert.equal((await call('GET', '/maybe', { cookie })).text, 'pat')
    })

    it('HEAD requests authenticate like GET and carry no body', async () => {
      const cookie = await login('hana')
      const ok = await call('HEAD', '/me', { cookie })
      assert.equal(ok.status, 200)
      assert.equal(ok.text, '')
      assert.equal((await call('HEAD', '/me')).status, 401)
    })

    it('logout clears the cookie and the session is gone', async () => {
      const cookie = await login('bob')
      const out = await call('POST', '/logout', { cookie })
      assert.equal(out.text, 'out')
      assert.match(sessionCookies(out)[0] ?? '', /Max-Age=0|Expires=Thu, 01 Jan 1970/i)
      assert.equal(await me({ cookie }), 401)
    })

    it('logout-other keeps this session only; logout-all ends every one', async () => {
      const [a, b, c] = [await login('carol'), await login('carol'), await login('carol')]
      await call('POST', '/logout-other', { cookie: a })
      assert.deepEqual([await me({ cookie: a }), await me({ cookie: b })], ['carol', 401])
      const d = await login('carol')
      const all = await call('POST', '/logout-all', { cookie: d })
      assert.equal(sessionCookies(all).length, 1, 'a clearing cookie')
      assert.deepEqual([await me({ cookie: a }), await me({ cookie: c })], [401, 401])
    })

    it('revoke by id ends the user’s own sessions only, and says nothing of others', async () => {
      const dan = await login('dan')
      const danPhone = await login('dan')
      const eve = await login('eve')
      const listed = async (cookie: string): Promise<{ id: string; current: boolean }[]> =>
        JSON.parse((await call('GET', '/sessions', { cookie })).text)
      const [eveSession] = await listed(eve)
      const phone = (await listed(dan)).find((s) => !s.current)
      assert.ok(eveSession && phone, 'eve has one session, dan a second one')
      const revoke = async (id: string) =>
        (await call('POST', `/revoke?id=${id}`, { cookie: dan })).text
      assert.equal(await revoke(eveSession.id), 'false')
      assert.equal(await me({ cookie: eve }), 'eve', 'someone else’s session stays')
      assert.equal(await revoke(phone.id), 'true')
      assert.equal(await me({ cookie: danPhone }), 401)
      assert.equal(await me({ cookie: dan }), 'dan')
      assert.equal(await revoke('nonsense%00'), 'false')
    })

    it('requireFresh refuses a sign-in older than the route allows', async () => {
      const cookie = await login('fay')
      assert.equal((await call('POST', '/danger', { cookie })).text, 'done')
      clock.advance(11 * 60_000)
      const stale = await call('POST', '/danger', { cookie })
      assert.equal(stale.status, 403)
      assert.deepEqual(JSON.parse(stale.text), { error: 'reauthentication-required' })
      assert.equal(await me({ cookie }), 'fay', 'the session itself still works')
    })

    it('a bearer client logs in, authenticates, rotates and logs out without cookies', async () => {
      const token = await apiLogin('gus')
      assert.equal(await me({ bearer: token }), 'gus')
      const rotated = await call('POST', '/rotate', { bearer: token })
      assert.deepEqual(sessionCookies(rotated), [], 'no cookie on rotation')
      const next = JSON.parse(rotated.text).token
      assert.notEqual(next, token)
      assert.equal(await me({ bearer: next }), 'gus')
      const out = await call('POST', '/logout', { bearer: next })
      assert.equal(out.text, 'out')
      assert.deepEqual(sessionCookies(out), [], 'nothing to clear')
      assert.equal(await me({ bearer: next }), 401)
    })

    it('bearer failures answer 401 with an RFC 6750 challenge; cookie and token together are refused', async () => {
      const bad = await call('GET', '/me', { bearer: 'a'.repeat(20) })
      assert.equal(bad.status, 401)
      assert.equal(bad.headers.get('www-authenticate'), 'Bearer error="invalid_token"')
      const folded = await call('GET', '/me', { headers: { authorization: 'Bearer a b' } })
      assert.equal(folded.status, 401)
      const token = await apiLogin('ivy')
      const cookie = await login('jon')
      assert.equal(await me({ bearer: token, cookie }), 401, 'two credentials: refused')
    })

    it('the CSRF guard refuses a cross-origin form post, and lets the same origin through', async () => {
      const cookie = await login('kim')
      const host = new URL(app.url).host
      const post = (headers: Record<string, string>) => call('POST', '/form', { cookie, headers })
      const forged = await post({ origin: 'https://evil.example' })
      assert.equal(forged.status, 403)
      assert.deepEqual(JSON.parse(forged.text), { error: 'cross-origin-request' })
      assert.equal((await post({ 'sec-fetch-site': 'cross-site' })).status, 403)
      assert.equal((await post({ origin: 'null' })).status, 403)
      assert.equal((await post({ origin: `http://${host}` })).text, 'changed')
      assert.equal((await post({ 'sec-fetch-site': 'same-origin' })).text, 'changed')
      const token = await apiLogin('kim')
      const api = await call('POST', '/form', {
        bearer: token,
        headers: { origin: 'https://evil.example' },
      })
      assert.equal(api.text, 'changed', 'a bearer request carries nothing a browser adds')
    })

    it('a store outage answers 503, not "logged out"', async () => {
      const cookie = await login('lea')
      store.down = true
      try {
        const res = await call('GET', '/me', { cookie })
        assert.equal(res.status, 503)
        assert.deepEqual(JSON.parse(res.text), { error: 'unavailable' })
        assert.match(String(errors.at(-1)), /ECONNREFUSED/, 'the failure reaches onError')
      } finally {
        store.down = false
      }
      assert.equal(await me({ cookie }), 'lea')
    })
  })
}
