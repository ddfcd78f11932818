import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import {
  ARTIFACTS,
  assertFits,
  buttonNames,
  currentId,
  DAY,
  demoInBrowser,
  flash,
  MINUTE,
  PHONE,
  rows,
  skip,
  submit,
} from './demo-harness.js'

// The demo's devices page in a real Chromium: two browser contexts are two devices of one user.
describe('the demo in Chromium', { skip }, () => {
  const demo = demoInBrowser()
  const { device, signIn } = demo

  /** The page tells idle expiry and the 7-day cap apart, as the demo's manager applies them. */
  async function assertExpiryColumns(page: Page) {
    assert.deepEqual(await page.locator('thead th').allTextContents(), [
      'Device',
      'IP',
      'Signed in',
      'Last active',
      'Expires if idle',
      'Signs out at latest',
      'Action',
    ])
    assert.match(
      (await page.locator('caption').textContent()) ?? '',
      /when the browser is closed \(its cookie has no expiry date\), after 30 minutes without use, or 7 days after signing in/,
    )
    const now = demo.clock.now()
    for (const row of await rows(page).all()) {
      const at = async (cell: string) =>
        Date.parse((await row.locator(`td.${cell} time`).getAttribute('datetime')) ?? '')
      const signedIn = await at('signed-in')
      const idle = await at('idle')
      assert.equal((await at('latest')) - signedIn, 7 * DAY, 'signs out 7 days after sign-in')
      assert.ok(idle > now && idle <= now + 30 * MINUTE, 'idle expiry within 30 min')
      assert.match(
        (await row.locator('td.idle').textContent()) ?? '',
        /^in \d+ min \(\d\d:\d\d UTC\)$/,
      )
    }
  }

  it('two devices see each other; "sign out other devices" signs out only the other', async () => {
    const a = await device()
    const b = await device()
    await signIn(a.page)
    assert.match(await flash(a.page), /^You are signed in/)
    await signIn(b.page)
    await a.page.reload()
    assert.equal(await flash(a.page), '', 'a reload does not repeat the message')
    assert.equal(await rows(a.page).count(), 2)
    assert.equal(await rows(b.page).count(), 2)
    assert.equal(await a.page.locator('tbody tr.current').count(), 1)
    const idA = await currentId(a.page)
    const idB = await currentId(b.page)
    assert.ok(idA && idB && idA !== idB, 'each device marks itself as current')
    assert.equal(await a.page.locator('tr.current button').textContent(), 'Sign out')
    assert.equal(
      await a.page.locator('tbody tr:not(.current) button').textContent(),
      'Sign out that device',
    )
    const names = await buttonNames(a.page)
    assert.equal(new Set(names).size, names.length, `distinct button names: ${names.join(' | ')}`)
    assert.ok(names.includes('Sign out this device'), names.join(' | '))
    assert.ok(
      names.some((name) => /^Sign out that device: Chrome on Linux, signed in /.test(name)),
      names.join(' | '),
    )
    await assertExpiryColumns(a.page)
    const cookies = await a.context.cookies()
    assert.deepEqual(
      cookies.map((c) => [c.name, c.secure, c.httpOnly, c.sameSite]),
      [['__Host-sessionup', true, true, 'Strict']],
      'Chromium keeps the secure defaults on http://localhost',
    )

    mkdirSync(ARTIFACTS, { recursive: true })
    await a.page.screenshot({ path: join(ARTIFACTS, 'sessions.png'), fullPage: true })

    await submit(a.page, 'text=Sign out all other devices')
    assert.match(await flash(a.page), /^Every other device was signed out/)
    assert.equal(await rows(a.page).count(), 1)
    await b.page.reload()
    assert.ok(await b.page.locator('input[name=password]').isVisible(), 'B must sign in again')
    assert.match(await flash(b.page), /^The session of this device has ended: it was signed out/)
    await b.page.reload()
    assert.match(await flash(b.page), /^This device is not signed in/, 'its dead cookie is gone')
    await a.page.goto(`${demo.base}/sessions`)
    assert.equal(await currentId(a.page), idA, 'A stays signed in')
    await a.context.close()
    await b.context.close()
  })

  it('signs out one device by its row, then everywhere', async () => {
    const a = await device()
    const b = await device()
    await signIn(a.page, 'bob', 'builder')
    await signIn(b.page, 'bob', 'builder')
    const idB = await currentId(b.page)
    await a.page.reload()
    await submit(a.page, `tr[data-session="${idB}"] button`)
    assert.match(await flash(a.page), /^That device was signed out/)
    assert.equal(await rows(a.page).count(), 1)
    await a.page.reload()
    assert.equal(await flash(a.page), '', 'a reload does not say it again')
    await b.page.goto(`${demo.base}/sessions`)
    assert.match(await flash(b.page), /^The session of this device has ended/)

    await signIn(b.page, 'bob', 'builder')
    await a.page.reload()
    assert.equal(await rows(a.page).count(), 2)
    await submit(a.page, 'text=Sign out everywhere')
    assert.match(await flash(a.page), /^You signed out everywhere/)
    await a.page.goto(`${demo.base}/sessions`)
    assert.match(await flash(a.page), /^This device is not signed in/, 'A is signed out')
    await b.page.goto(`${demo.base}/sessions`)
    assert.match(await flash(b.page), /^The session of this device has ended/, 'so is B')
    assert.deepEqual(await a.context.cookies(), [], 'the cookies were cleared')
    await a.context.close()
    await b.context.close()
  })

  it('refuses a wrong password and a cross-site form post', async () => {
    const a = await device()
    await a.page.goto(`${demo.base}/`)
    await a.page.fill('input[name=user]', 'alice')
    await a.page.fill('input[name=password]', 'wrong')
    await submit(a.page, 'button[type=submit]')
    assert.equal(a.page.url(), `${demo.base}/`)
    assert.match(await flash(a.page), /^That user name and password do not match/)
    const res = await fetch(`${demo.base}/login`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'user=alice&password=wonderland',
      redirect: 'manual',
    })
    assert.equal(res.status, 403)
    assert.equal(res.headers.get('set-cookie'), null)
    await a.context.close()
  })

  it('fits a 390 px wide phone screen without sideways scrolling', async () => {
    const a = await device(PHONE)
    const b = await device(PHONE)
    await a.page.goto(`${demo.base}/`)
    await assertFits(a.page, 390)
    await signIn(a.page, 'carol', 'singer')
    await signIn(b.page, 'carol', 'singer')
    await a.page.reload()
    assert.equal(await rows(a.page).count(), 2)
    await assertFits(a.page, 390)
    mkdirSync(ARTIFACTS, { recursive: true })
    await a.page.screenshot({ path: join(ARTIFACTS, 'sessions-390.png'), fullPage: true })
    await submit(a.page, 'text=Sign out everywhere')
    await a.context.close()
    await b.context.close()
  })

  it('keeps one-shot messages in a short-lived cookie, never in the URL', async () => {
    const login = await fetch(`${demo.base}/login`, {
      method: 'POST',
      headers: { origin: demo.base, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'user=carol&password=singer',
      redirect: 'manual',
    })
    assert.equal(login.headers.get('location'), '/sessions')
    assert.ok(
      login.headers
        .getSetCookie()
        .includes('flash=signed-in; Max-Age=60; Path=/; HttpOnly; SameSite=Strict'),
      login.headers.getSetCookie().join('\n'),
    )
    const a = await device()
    await a.context.addCookies([{ name: 'flash', value: 'constructor', url: demo.base }])
    const page = await a.page.goto(`${demo.base}/`)
    assert.equal(page?.status(), 200, 'a code that is not a message is ignored')
    assert.equal(await flash(a.page), '')
    assert.deepEqual(await a.context.cookies(), [], 'and cleared')
    await a.context.close()
  })

  it('says so when the session cookie does not come back after signing in', async () => {
    const a = await device()
    // A browser that refuses the session cookie (as one on plain http at a LAN address would).
    await a.page.route('**/login', async (route) => {
      const response = await route.fetch({ maxRedirects: 0 })
      await a.context.clearCookies({ name: '__Host-sessionup' })
      const kept = response
        .headersArray()
        .filter(
          ({ name, value }) => name.toLowerCase() !== 'set-cookie' || value.startsWith('flash='),
        )
      await route.fulfill({
        response,
        headers: Object.fromEntries(kept.map((h) => [h.name, h.value])),
      })
    })
    await a.page.goto(`${demo.base}/`)
    await a.page.fill('input[name=user]', 'alice')
    await a.page.fill('input[name=password]', 'wonderland')
    await submit(a.page, 'button[type=submit]')
    assert.equal(a.page.url(), `${demo.base}/sessions`)
    const text = await flash(a.page)
    assert.match(text, /^You signed in, but this browser did not send the session cookie back/)
    assert.doesNotMatch(text, /another device/)
    await a.page.reload()
    assert.match(await flash(a.page), /^This device is not signed in/)
    await a.context.close()
  })
})
