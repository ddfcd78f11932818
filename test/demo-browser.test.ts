import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { networkInterfaces, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core'
import { startDemo } from '../examples/demo/server.js'

// The demo in a real headless Chromium (Debian's package; .ci/run installs it). Two browser
// contexts are two devices of one user.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = 'test-artifacts'
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }

/**
 * An address of this machine that is not loopback, as a URL host. Chromium treats localhost,
 * *.localhost and all of 127.0.0.0/8 as secure, so only such an address shows what a phone on
 * the LAN sees.
 */
function lanHost(): string | null {
  const all = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal)
  const v4 = all.find((a) => a.family === 'IPv4')
  const v6 = all.find((a) => a.family === 'IPv6' && !a.address.toLowerCase().startsWith('fe80'))
  return v4?.address ?? (v6 ? `[${v6.address}]` : null)
}
const LAN = lanHost()
const noLan = LAN ? false : 'this machine has no non-loopback address to visit the demo at'

describe('the demo in Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-demo-'))
  let demo: Awaited<ReturnType<typeof startDemo>>
  let browser: Browser
  let base = ''

  before(async () => {
    process.env.SESSIONUP_DB = join(dir, 'demo.db')
    demo = await startDemo({ store: 'sqlite' })
    base = `http://localhost:${demo.port}`
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  })
  after(async () => {
    await browser?.close()
    await demo?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  async function device(
    options: BrowserContextOptions = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options)
    context.setDefaultTimeout(5_000)
    return { context, page: await context.newPage() }
  }

  async function signIn(page: Page, user = 'alice', password = 'wonderland') {
    await page.goto(`${base}/`)
    await page.fill('input[name=user]', user)
    await page.fill('input[name=password]', password)
    await Promise.all([page.waitForURL(/\/sessions$/), page.click('button[type=submit]')])
  }

  /** Clicks a button that posts a form, and waits for the page its redirect leads to. */
  async function submit(page: Page, selector: string) {
    await Promise.all([page.waitForEvent('framenavigated'), page.click(selector)])
    await page.waitForLoadState()
  }

  /** The page is no wider than the screen: nothing to scroll sideways. */
  async function assertFits(page: Page, width: number) {
    const [scroll, client] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ])
    assert.equal(client, width)
    assert.ok((scroll ?? 0) <= width, `${page.url()}: ${scroll} px wide on a ${width} px screen`)
  }

  /** The message the page shows, or '' without one. */
  const flash = async (page: Page) => (await page.locator('.msg').allTextContents()).join(' ')

  const rows = (page: Page) => page.locator('tbody tr')
  /** Every button's accessible name, as Chromium's accessibility tree has it. */
  async function buttonNames(page: Page): Promise<string[]> {
    const tree = await page.locator('body').ariaSnapshot()
    // YAML: `- button "name"`, quoted as `- 'button "name"'` when the name has a colon.
    return [...tree.matchAll(/- '?button "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '')
  }
  const MINUTE = 60_000
  const DAY = 24 * 60 * MINUTE

  /** The page tells idle expiry and the 7-day cap apart, as the demo's manager applies them. */
  async function assertExpiryColumns(page: Page) {
    assert.deepEqual(await page.locator('thead th').allTextContents(), [
      'Device',
      'IP',
      'Signed in',
      'Expires if idle',
      'Signs out at latest',
      'Action',
    ])
    assert.match(
      (await page.locator('caption').textContent()) ?? '',
      /after 30 minutes without use, or 7 days after signing in/,
    )
    for (const row of await rows(page).all()) {
      const at = async (cell: string) =>
        Date.parse((await row.locator(`td.${cell} time`).getAttribute('datetime')) ?? '')
      const signedIn = await at('signed-in')
      const idle = await at('idle')
      assert.equal((await at('latest')) - signedIn, 7 * DAY, 'signs out 7 days after sign-in')
      assert.ok(idle > Date.now() && idle <= Date.now() + 30 * MINUTE, 'idle expiry within 30 min')
      assert.match(
        (await row.locator('td.idle').textContent()) ?? '',
        /^in \d+ min \(\d\d:\d\d UTC\)$/,
      )
    }
  }

  const currentId = (page: Page) => page.locator('tbody tr.current').getAttribute('data-session')

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
    await a.page.goto(`${base}/sessions`)
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
    await b.page.goto(`${base}/sessions`)
    assert.match(await flash(b.page), /^The session of this device has ended/)

    await signIn(b.page, 'bob', 'builder')
    await a.page.reload()
    assert.equal(await rows(a.page).count(), 2)
    await submit(a.page, 'text=Sign out everywhere')
    assert.match(await flash(a.page), /^You signed out everywhere/)
    await a.page.goto(`${base}/sessions`)
    assert.match(await flash(a.page), /^This device is not signed in/, 'A is signed out')
    await b.page.goto(`${base}/sessions`)
    assert.match(await flash(b.page), /^The session of this device has ended/, 'so is B')
    assert.deepEqual(await a.context.cookies(), [], 'the cookies were cleared')
    await a.context.close()
    await b.context.close()
  })

  it('refuses a wrong password and a cross-site form post', async () => {
    const a = await device()
    await a.page.goto(`${base}/`)
    await a.page.fill('input[name=user]', 'alice')
    await a.page.fill('input[name=password]', 'wrong')
    await submit(a.page, 'button[type=submit]')
    assert.equal(a.page.url(), `${base}/`)
    assert.match(await flash(a.page), /^That user name and password do not match/)
    const res = await fetch(`${base}/login`, {
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
    await a.page.goto(`${base}/`)
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
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
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
    await a.context.addCookies([{ name: 'flash', value: 'constructor', url: base }])
    const page = await a.page.goto(`${base}/`)
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
    await a.page.goto(`${base}/`)
    await a.page.fill('input[name=user]', 'alice')
    await a.page.fill('input[name=password]', 'wonderland')
    await submit(a.page, 'button[type=submit]')
    assert.equal(a.page.url(), `${base}/sessions`)
    const text = await flash(a.page)
    assert.match(text, /^You signed in, but this browser did not send the session cookie back/)
    assert.doesNotMatch(text, /another device/)
    await a.page.reload()
    assert.match(await flash(a.page), /^This device is not signed in/)
    await a.context.close()
  })

  it('over plain http at a LAN address, explains instead of signing in', {
    skip: noLan,
  }, async () => {
    const here = await device()
    await signIn(here.page, 'carol', 'singer')
    const sessionsBefore = await rows(here.page).count()
    const lan = `http://${LAN}:${demo.port}`
    const phone = await device(PHONE)
    await phone.page.goto(`${lan}/`)
    await phone.page.fill('input[name=user]', 'carol')
    await phone.page.fill('input[name=password]', 'singer')
    await submit(phone.page, 'button[type=submit]')
    assert.equal(phone.page.url(), `${lan}/login`)
    const alert = (await phone.page.locator('[role=alert]').textContent()) ?? ''
    assert.ok(alert.includes(lan), alert)
    assert.match(alert, /plain\s+http, at an address other than localhost/)
    assert.match(alert, /did not sign you in and created no session/)
    assert.match(
      (await phone.page.textContent('body')) ?? '',
      /SESSIONUP_INSECURE_LOCAL=1 npm start/,
    )
    assert.deepEqual(await phone.context.cookies(), [])
    await assertFits(phone.page, 390)
    await here.page.reload()
    assert.equal(await rows(here.page).count(), sessionsBefore, 'no phantom session in the store')
    await submit(here.page, 'text=Sign out everywhere')
    await here.context.close()
    await phone.context.close()
  })

  it('SESSIONUP_INSECURE_LOCAL=1 npm start: warns, and signs in at a LAN address', {
    skip: noLan,
  }, async () => {
    const root = resolve(import.meta.dirname, '..')
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/server.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', SESSIONUP_STORE: 'memory', SESSIONUP_INSECURE_LOCAL: '1' },
    })
    try {
      const demoLocal = await started(child)
      const lan = `http://${LAN}:${demoLocal.port}`
      const a = await device()
      await a.page.goto(`${lan}/`)
      await a.page.fill('input[name=user]', 'alice')
      await a.page.fill('input[name=password]', 'wonderland')
      await submit(a.page, 'button[type=submit]')
      assert.equal(a.page.url(), `${lan}/sessions`)
      assert.match(await flash(a.page), /^You are signed in/)
      assert.equal(await rows(a.page).count(), 1)
      assert.deepEqual(
        (await a.context.cookies()).map((c) => [c.name, c.secure, c.httpOnly, c.sameSite]),
        [['sessionup', false, true, 'Strict']],
      )
      assert.match(
        demoLocal.stderr(),
        /INSECURE LOCAL MODE: the session cookie "sessionup" is NOT Secure/,
      )
      assert.ok(demoLocal.stdout().includes(`from other devices: ${lan}\n`), demoLocal.stdout())
      await a.context.close()
    } finally {
      if (child.exitCode === null) {
        child.kill()
        await once(child, 'exit')
      }
    }
  })
})

/** Waits for a demo process to say its port; its output so far stays readable. */
function started(child: ChildProcess) {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  return new Promise<{ port: number; stdout: () => string; stderr: () => string }>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the demo did not start:\n${stdout}${stderr}`)),
      20_000,
    )
    child.on('exit', (code) => fail(new Error(`the demo exited with ${code}:\n${stderr}`)))
    child.stdout?.on('data', () => {
      const port = /on http:\/\/localhost:(\d+)/.exec(stdout)?.[1]
      if (!port) return
      clearTimeout(timer)
      ok({ port: Number(port), stdout: () => stdout, stderr: () => stderr })
    })
  })
}
