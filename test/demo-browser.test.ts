import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { startDemo } from '../examples/demo/server.js'

// The demo in a real headless Chromium (Debian's package; .ci/run installs it). Two browser
// contexts are two devices of one user.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = 'test-artifacts'
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`

describe('the demo in Chromium', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-demo-'))
  let demo: Awaited<ReturnType<typeof startDemo>>
  let browser: Browser
  let base = ''

  before(async () => {
    process.env.SESSIONUP_DB = join(dir, 'demo.db')
    demo = await startDemo(0, 'sqlite')
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

  async function device(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext()
    context.setDefaultTimeout(5_000)
    return { context, page: await context.newPage() }
  }

  async function signIn(page: Page, user = 'alice', password = 'wonderland') {
    await page.goto(`${base}/`)
    await page.fill('input[name=user]', user)
    await page.fill('input[name=password]', password)
    await Promise.all([page.waitForURL(/\/sessions/), page.click('button[type=submit]')])
  }

  const rows = (page: Page) => page.locator('tbody tr')
  /** Every button's accessible name, as Chromium's accessibility tree has it. */
  async function buttonNames(page: Page): Promise<string[]> {
    const tree = await page.locator('body').ariaSnapshot()
    // YAML: `- button "name"`, quoted as `- 'button "name"'` when the name has a colon.
    return [...tree.matchAll(/- '?button "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '')
  }
  const currentId = (page: Page) => page.locator('tbody tr.current').getAttribute('data-session')

  it('two devices see each other; "sign out other devices" signs out only the other', async () => {
    const a = await device()
    const b = await device()
    await signIn(a.page)
    await signIn(b.page)
    await a.page.reload()
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
    const cookies = await a.context.cookies()
    assert.deepEqual(
      cookies.map((c) => [c.name, c.secure, c.httpOnly, c.sameSite]),
      [['__Host-sessionup', true, true, 'Strict']],
      'Chromium keeps the secure defaults on http://localhost',
    )

    mkdirSync(ARTIFACTS, { recursive: true })
    await a.page.screenshot({ path: join(ARTIFACTS, 'sessions.png'), fullPage: true })

    await a.page.click('text=Sign out all other devices')
    await a.page.waitForURL(/others-signed-out/)
    assert.equal(await rows(a.page).count(), 1)
    await b.page.reload()
    assert.match(
      b.page.url(),
      /\/\?msg=signed-out-elsewhere$/,
      'B is sent to sign-in on its next load',
    )
    assert.ok(await b.page.locator('input[name=password]').isVisible())
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
    await Promise.all([
      a.page.waitForURL(/device-signed-out/),
      a.page.click(`tr[data-session="${idB}"] button`),
    ])
    assert.equal(await rows(a.page).count(), 1)
    await b.page.goto(`${base}/sessions`)
    assert.match(b.page.url(), /signed-out-elsewhere/)

    await signIn(b.page, 'bob', 'builder')
    await a.page.reload()
    assert.equal(await rows(a.page).count(), 2)
    await Promise.all([
      a.page.waitForURL(/signed-out-everywhere/),
      a.page.click('text=Sign out everywhere'),
    ])
    await a.page.goto(`${base}/sessions`)
    assert.match(a.page.url(), /signed-out-elsewhere/, 'A is signed out too')
    await b.page.goto(`${base}/sessions`)
    assert.match(b.page.url(), /signed-out-elsewhere/)
    assert.deepEqual(await a.context.cookies(), [], 'the cookie was cleared')
    await a.context.close()
    await b.context.close()
  })

  it('refuses a wrong password and a cross-site form post', async () => {
    const a = await device()
    await a.page.goto(`${base}/`)
    await a.page.fill('input[name=user]', 'alice')
    await a.page.fill('input[name=password]', 'wrong')
    await Promise.all([a.page.waitForURL(/bad-login/), a.page.click('button[type=submit]')])
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
})
