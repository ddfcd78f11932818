// What the demo's browser tests share: the demo on a fresh SQLite file, one headless Chromium
// (Debian's package; .ci/run installs it, nothing is ever downloaded), and the steps a user takes.
// Each browser context is one device.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before } from 'node:test'
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core'
import { startDemo } from '../examples/demo/server.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const ARTIFACTS = 'test-artifacts'
/** The `skip` of every browser suite: a reason without Chromium, else `false`. */
export const skip = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium)`
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
export const MINUTE = 60_000
export const DAY = 24 * 60 * MINUTE

/**
 * The demo's clock: real time plus an offset the test moves forward, so that idle limits,
 * activity, rotation and freshness are tested without sleeps. Cookies' Expires come from it too,
 * so it stays near the browser's own clock (minutes or days ahead, never behind).
 */
export class Clock {
  offset = 0
  readonly now = () => Date.now() + this.offset
  advance(ms: number): void {
    this.offset += ms
  }
}

export interface Device {
  context: BrowserContext
  page: Page
}

export interface DemoInBrowser {
  /** `http://localhost:<port>` of the demo. */
  readonly base: string
  readonly port: number
  /** The clock of the demo's manager, store and pages. */
  readonly clock: Clock
  /** A new device: a browser context of its own (its own cookies). */
  device(options?: BrowserContextOptions): Promise<Device>
  /** Signs in through the form (ticking "Keep me signed in" with `remember`), to the sessions page. */
  signIn(
    page: Page,
    user?: string,
    password?: string,
    options?: { remember?: boolean },
  ): Promise<void>
}

/** Starts the demo and Chromium before the suite's tests, and stops both after them. */
export function demoInBrowser(): DemoInBrowser {
  const dir = mkdtempSync(join(tmpdir(), 'sessionup-demo-'))
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined
  let browser: Browser | undefined
  const harness = {
    base: '',
    port: 0,
    clock: new Clock(),
    async device(options: BrowserContextOptions = {}): Promise<Device> {
      if (!browser) throw new Error('the browser is not running')
      const context = await browser.newContext(options)
      context.setDefaultTimeout(5_000)
      return { context, page: await context.newPage() }
    },
    async signIn(page: Page, user = 'alice', password = 'wonderland', { remember = false } = {}) {
      await page.goto(`${harness.base}/`)
      await page.fill('input[name=user]', user)
      await page.fill('input[name=password]', password)
      if (remember) await page.check('input[name=remember]')
      await Promise.all([page.waitForURL(/\/sessions$/), page.click('button[type=submit]')])
    },
  }

  before(async () => {
    process.env.SESSIONUP_DB = join(dir, 'demo.db')
    demo = await startDemo({ store: 'sqlite', now: harness.clock.now })
    harness.port = demo.port
    harness.base = `http://localhost:${demo.port}`
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
  return harness
}

/** Clicks a button that posts a form, and waits for the page its answer (or redirect) shows. */
export async function submit(page: Page, selector: string) {
  await Promise.all([page.waitForEvent('framenavigated'), page.click(selector)])
  await page.waitForLoadState()
}

/** The page is no wider than the screen: nothing to scroll sideways. */
export async function assertFits(page: Page, width: number) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ])
  assert.equal(client, width)
  assert.ok((scroll ?? 0) <= width, `${page.url()}: ${scroll} px wide on a ${width} px screen`)
}

/** The message the page shows, or '' without one. */
export const flash = async (page: Page) => (await page.locator('.msg').allTextContents()).join(' ')

/** The rows of the sessions table, one per device. */
export const rows = (page: Page) => page.locator('tbody tr')

/** The session cookie this device holds, or `undefined`. */
export async function sessionCookie(device: Device) {
  return (await device.context.cookies()).find((c) => c.name === '__Host-sessionup')
}

/** The session id of the row marked as this device. */
export const currentId = (page: Page) =>
  page.locator('tbody tr.current').getAttribute('data-session')

/** Every button's accessible name, as Chromium's accessibility tree has it. */
export async function buttonNames(page: Page): Promise<string[]> {
  const tree = await page.locator('body').ariaSnapshot()
  // YAML: `- button "name"`, quoted as `- 'button "name"'` when the name has a colon.
  const quoted = [...tree.matchAll(/- '?button "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? '')
  return quoted.map((name) => name.replace(/\\(.)/g, '$1'))
}
