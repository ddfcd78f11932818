import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { exampleClient, pair, sessionCookie } from './next-client.js'
import { buildExample, missingSetup, type RunningExample, startExample } from './next-harness.js'

// The Next.js 15 App Router example (examples/next), built with `next build` and served by
// `next start`, driven over real HTTP: route handlers sign in and out, list and revoke devices
// behind the CSRF guard; a Server Component shows who is signed in.

describe('the Next.js App Router example, built (next build, next start)', () => {
  let server: RunningExample
  let buildMs = 0
  const { call, signIn, whoIs } = exampleClient(() => server.url)

  before(async () => {
    const missing = missingSetup()
    if (missing) throw new Error(missing)
    buildMs = await buildExample()
    server = await startExample('start')
  })
  after(() => server?.stop())

  it('signs in through a route handler; the cookie keeps __Host-, Secure, HttpOnly, SameSite', async (t) => {
    t.diagnostic(`next build took ${(buildMs / 1000).toFixed(1)} s`)
    const answer = await call('POST', '/api/login', {
      json: { user: 'alice', password: 'wonderland' },
    })
    assert.equal(answer.status, 200, answer.text)
    const setCookie = sessionCookie(answer) ?? ''
    // Next re-serializes Set-Cookie when a handler also uses cookies().set: what must survive.
    for (const attribute of [
      /; Path=\/(;|$)/,
      /; Secure(;|$)/,
      /; HttpOnly(;|$)/,
      /; SameSite=Strict(;|$)/i,
    ]) {
      assert.match(setCookie, attribute)
    }
    assert.doesNotMatch(setCookie, /Domain=/i) // __Host- cookies must not have one
    // The handler's own cookie (set through `cookies()`) is sent too, not replaced.
    assert.ok(
      answer.cookies.some((c) => c.startsWith('last-user=alice;')),
      answer.cookies.join(' | '),
    )
    const me = await whoIs(pair(setCookie))
    assert.equal(me.status, 200)
    assert.equal(JSON.parse(me.text).user, 'alice')
  })

  it('refuses a wrong password without a session cookie', async () => {
    const answer = await call('POST', '/api/login', { json: { user: 'alice', password: 'nope' } })
    assert.equal(answer.status, 401)
    assert.equal(sessionCookie(answer), undefined)
  })

  it('lists devices, revokes another by id (own only), signs out; /api/me is then 401', async () => {
    const laptop = await signIn('alice', 'wonderland')
    const phone = await signIn('alice', 'wonderland')
    const bob = await signIn('bob', 'builder')

    const listed = await call('GET', '/api/sessions', { cookie: laptop.cookie })
    assert.equal(listed.status, 200)
    const devices = JSON.parse(listed.text) as { id: string; current: boolean }[]
    assert.ok(devices.some((d) => d.id === laptop.id && d.current))
    assert.ok(devices.some((d) => d.id === phone.id && !d.current))
    assert.ok(!devices.some((d) => d.id === bob.id), "bob's session is not alice's to see")

    const revoked = await call('POST', '/api/sessions', {
      cookie: laptop.cookie,
      json: { id: phone.id },
    })
    assert.deepEqual([revoked.status, JSON.parse(revoked.text)], [200, { revoked: true }])
    assert.equal((await whoIs(phone.cookie)).status, 401)

    // Someone else's id is answered like an unknown one, and left alone.
    const foreign = await call('POST', '/api/sessions', {
      cookie: laptop.cookie,
      json: { id: bob.id },
    })
    assert.deepEqual([foreign.status, JSON.parse(foreign.text)], [404, { revoked: false }])
    assert.equal((await whoIs(bob.cookie)).status, 200)

    const out = await call('POST', '/api/logout', { cookie: laptop.cookie })
    assert.equal(out.status, 200)
    assert.match(sessionCookie(out) ?? '', /^__Host-sessionup=;.*Expires=Thu, 01 Jan 1970/)
    assert.equal((await whoIs(laptop.cookie)).status, 401)
    assert.equal((await whoIs('')).status, 401)
  })

  it('signs out all other devices', async () => {
    const laptop = await signIn('bob', 'builder')
    const phone = await signIn('bob', 'builder')
    const answer = await call('POST', '/api/sessions', {
      cookie: laptop.cookie,
      json: { others: '1' },
    })
    assert.equal(answer.status, 200)
    assert.equal((await whoIs(phone.cookie)).status, 401)
    assert.equal((await whoIs(laptop.cookie)).status, 200)
  })

  it('answers POSTs from another origin with 403 and changes nothing', async () => {
    const device = await signIn('alice', 'wonderland')
    const evil = 'https://evil.example'
    const login = await call('POST', '/api/login', {
      origin: evil,
      json: { user: 'alice', password: 'wonderland' },
    })
    assert.equal(login.status, 403)
    assert.equal(sessionCookie(login), undefined)
    const logout = await call('POST', '/api/logout', { cookie: device.cookie, origin: evil })
    assert.equal(logout.status, 403)
    const crossSite = await call('POST', '/api/logout', {
      cookie: device.cookie,
      origin: null,
      headers: { 'sec-fetch-site': 'cross-site' },
    })
    assert.equal(crossSite.status, 403)
    assert.equal((await whoIs(device.cookie)).status, 200)
  })

  it('the Server Component page shows the signed-in user, else the sign-in form', async () => {
    const device = await signIn('bob', 'builder')
    const page = await call('GET', '/', { cookie: device.cookie })
    assert.equal(page.status, 200)
    assert.match(page.text, /Signed in as <span id="user">bob<\/span>/)
    assert.deepEqual(page.cookies, [], 'a Server Component sets no cookie')

    const anonymous = await call('GET', '/', { cookie: 'last-user=carol' })
    assert.match(anonymous.text, /<h1>Sign in<\/h1>/)
    assert.match(anonymous.text, /value="carol"/) // read through cookies()
    assert.doesNotMatch(anonymous.text, /Signed in as/)
  })

  it('works from the HTML forms: 303s back to the page', async () => {
    const wrong = await call('POST', '/api/login', { form: { user: 'bob', password: 'x' } })
    assert.deepEqual([wrong.status, wrong.location], [303, '/?error=bad-login'])
    const right = await call('POST', '/api/login', { form: { user: 'bob', password: 'builder' } })
    assert.deepEqual([right.status, right.location], [303, '/'])
    const cookie = pair(sessionCookie(right) ?? '')
    const out = await call('POST', '/api/logout', { cookie, form: {} })
    assert.deepEqual([out.status, out.location], [303, '/'])
    assert.equal((await whoIs(cookie)).status, 401)
  })
})

// `next dev` compiles each route on its own: everything must still share one manager and one
// sessionup (the session a wrapper attaches is found by `requireSession` in the handler).
describe('the Next.js App Router example, in development (next dev)', () => {
  let server: RunningExample
  const { call, signIn, whoIs } = exampleClient(() => server.url)

  before(async () => {
    const missing = missingSetup()
    if (missing) throw new Error(missing)
    server = await startExample('dev')
  })
  after(() => server?.stop())

  it('signs in, answers /api/me and renders the page, each route compiled separately', async () => {
    const device = await signIn('alice', 'wonderland')
    const me = await whoIs(device.cookie)
    assert.equal(me.status, 200, me.text)
    assert.equal(JSON.parse(me.text).user, 'alice')
    const page = await call('GET', '/', { cookie: device.cookie })
    assert.match(page.text, /Signed in as <span id="user">alice<\/span>/)
    const out = await call('POST', '/api/logout', { cookie: device.cookie })
    assert.equal(out.status, 200, out.text)
    assert.equal((await whoIs(device.cookie)).status, 401)
  })
})
