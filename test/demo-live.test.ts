import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { describe, it } from 'node:test'
import { currentId, demoInBrowser, flash, skip } from './demo-harness.js'

/** A second demo server, in a process of its own, on the same SQLite file. */
async function secondDemo(): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo/server.ts'], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const base = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (chunk) => {
      out += chunk
      const found = /on (http:\/\/localhost:\d+)/.exec(out)
      if (found?.[1]) resolve(found[1])
    })
    child.once('exit', (code) => reject(new Error(`the second demo exited (${code}): ${out}`)))
  })
  return { base, child }
}

// The sessions page keeps a live feed open; a revoke made by another server process, through
// the shared SQLite file, reaches it within moments, and the page leaves.
describe('the demo sessions page, live, in Chromium', { skip }, () => {
  const demo = demoInBrowser()

  it('a page open on one server leaves the moment another server process signs its session out', async () => {
    const { base: other, child } = await secondDemo()
    try {
      const laptop = await demo.device()
      await demo.signIn(laptop.page)
      const laptopId = await currentId(laptop.page)
      const phone = await demo.device()
      await phone.page.goto(`${other}/`)
      await phone.page.fill('input[name=user]', 'alice')
      await phone.page.fill('input[name=password]', 'wonderland')
      await Promise.all([
        phone.page.waitForURL(/\/sessions$/),
        phone.page.click('button[type=submit]'),
      ])
      const row = phone.page.locator(`tbody tr[data-session="${laptopId}"]`)
      await row.locator('button').click()
      await phone.page.waitForURL(/\/sessions$/)
      const started = Date.now()
      await laptop.page.waitForSelector('.live-ended', { timeout: 5_000 })
      const ms = Date.now() - started
      assert.match(await flash(laptop.page), /just been signed out/)
      assert.equal(await laptop.page.locator('button:enabled').count(), 0, 'its buttons are off')
      assert.ok(ms < 5_000, `the laptop's page left ${ms} ms after the revoke`)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
