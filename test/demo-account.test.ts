import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import {
  buttonNames,
  currentId,
  demoInBrowser,
  flash,
  MINUTE,
  rows,
  sessionCookie,
  skip,
  submit,
} from './demo-harness.js'

// What a user changes from the sessions page, in Chromium: the name of this device, and the
// sign-outs of several devices at once, which need a fresh password.
describe('the demo account page, in Chromium', { skip }, () => {
  const demo = demoInBrowser()
  const { device, signIn, clock } = demo

  const nameOf = (page: Page, row: string) => page.locator(`${row} td.device .name`).textContent()
  /** Types `name` into this device's name field and saves it. */
  async function rename(page: Page, name: string) {
    await page.fill('input[name=device]', name)
    await submit(page, 'text=Save name')
  }

  it('renames this device: kept in meta, shown escaped everywhere, refused when too long or with control characters', async () => {
    const a = await device()
    const b = await device()
    let dialogs = 0
    a.page.on('dialog', (dialog) => {
      dialogs++
      void dialog.dismiss()
    })
    await signIn(a.page, 'bob', 'builder')
    await signIn(b.page, 'bob', 'builder')
    const idA = await currentId(a.page)
    await a.page.reload()
    assert.equal(await nameOf(a.page, 'tr.current'), 'Chrome on Linux', 'named by its browser')
    assert.equal(await a.page.getAttribute('input[name=device]', 'placeholder'), 'Chrome on Linux')
    assert.match((await a.page.textContent('body')) ?? '', /A device can rename only itself/)

    const name = '<img src=x onerror=alert(1)> & "Q"'
    await rename(a.page, `   ${name}  `)
    assert.match(await flash(a.page), /^This device has its new name/)
    assert.equal(await nameOf(a.page, 'tr.current'), name, 'trimmed, and shown as typed')
    assert.equal(await a.page.locator('tbody img').count(), 0, 'not markup')
    assert.equal(dialogs, 0, 'and no script ran')
    assert.equal(await a.page.inputValue('input[name=device]'), name)
    assert.equal(await a.page.locator('tr.current .agent').textContent(), 'Chrome on Linux')

    // Another device sees the name (stored with the session, not in this browser).
    await b.page.reload()
    assert.equal(await nameOf(b.page, `tr[data-session="${idA}"]`), name)
    assert.equal(await b.page.locator('tbody img').count(), 0)
    assert.ok(
      (await buttonNames(b.page)).some((n) =>
        n.startsWith(`Sign out that device: ${name}, signed in`),
      ),
      (await buttonNames(b.page)).join(' | '),
    )
    await rename(b.page, 'Phone')
    await a.page.reload()
    assert.equal(await nameOf(a.page, `tr[data-session="${await currentId(b.page)}"]`), 'Phone')
    assert.equal(await nameOf(a.page, 'tr.current'), name, 'each device renamed only itself')

    // Too long: the form's maxlength stops typing at 40; a request past it is refused too.
    await a.page.fill('input[name=device]', 'x'.repeat(45))
    assert.equal((await a.page.inputValue('input[name=device]')).length, 40)
    await a.page.evaluate(() =>
      document.querySelector('input[name=device]')?.removeAttribute('maxlength'),
    )
    await rename(a.page, 'x'.repeat(41))
    assert.match(await flash(a.page), /^A device name can have at most 40 characters/)
    assert.equal(await nameOf(a.page, 'tr.current'), name, 'unchanged')
    await rename(a.page, 'y'.repeat(40))
    assert.equal(await nameOf(a.page, 'tr.current'), 'y'.repeat(40), '40 is allowed')

    // Control characters: a bell typed into the field, a line break from a script.
    await a.page.evaluate(() => {
      const input = document.querySelector<HTMLInputElement>('input[name=device]')
      if (input) input.value = 'Work\u0007laptop'
    })
    await submit(a.page, 'text=Save name')
    assert.match(await flash(a.page), /^A device name cannot contain control characters/)
    const answer = await a.page.evaluate(async () => {
      const body = new URLSearchParams({ device: 'two\nlines' })
      // Not followed, so that the message waits for the reload below.
      return (await fetch('/sessions/rename', { method: 'POST', body, redirect: 'manual' })).type
    })
    assert.equal(answer, 'opaqueredirect', 'a redirect back to the sessions page')
    await a.page.reload()
    assert.match(await flash(a.page), /^A device name cannot contain control characters/)
    assert.equal(await nameOf(a.page, 'tr.current'), 'y'.repeat(40), 'unchanged')

    // Empty: back to the browser's name.
    await rename(a.page, '   ')
    assert.match(await flash(a.page), /^This device is called by its browser and system again/)
    assert.equal(await nameOf(a.page, 'tr.current'), 'Chrome on Linux')
    assert.equal(await a.page.locator('tr.current .agent').count(), 0)
    await a.context.close()
    await b.context.close()
  })

  const heading = (page: Page) => page.locator('h1').textContent()
  /** Enters `password` on the page that asked for it again. */
  async function confirm(page: Page, password: string) {
    await page.fill('input[name=password]', password)
    await submit(page, 'button:has-text("Confirm")')
  }

  it('signing out other devices 11 minutes after sign-in asks for the password; a wrong one is refused, the right one rotates the cookie and goes on', async () => {
    const a = await device()
    const b = await device()
    await signIn(a.page)
    await signIn(b.page)
    const [idA, idB] = [await currentId(a.page), await currentId(b.page)]
    clock.advance(11 * MINUTE)
    await a.page.reload()
    assert.equal(await rows(a.page).count(), 2, 'the list itself never asks')
    assert.match(
      (await a.page.locator('.password-age').textContent()) ?? '',
      /^You last entered your password here 11 minutes ago\. .* more than 10 minutes ago/,
    )
    const before = await sessionCookie(a)

    const [asked] = await Promise.all([
      a.page.waitForResponse((r) => r.url().endsWith('/sessions/logout-others')),
      submit(a.page, 'text=Sign out all other devices'),
    ])
    assert.equal(asked.status(), 403, "protectFresh's answer, made by the demo's reject")
    assert.equal(await heading(a.page), 'Enter your password again')
    assert.match((await a.page.textContent('body')) ?? '', /more than\s+10 minutes ago/)
    await b.page.reload()
    assert.equal(await currentId(b.page), idB, 'nothing was signed out yet')

    await confirm(a.page, 'builder') // bob's
    assert.equal(await heading(a.page), 'Enter your password again')
    assert.match(await flash(a.page), /^That is not the password of this account/)
    await b.page.reload()
    assert.equal(await currentId(b.page), idB, 'still nothing signed out')

    await confirm(a.page, 'wonderland')
    assert.equal(a.page.url(), `${demo.base}/sessions`)
    assert.match(await flash(a.page), /^Every other device was signed out/)
    assert.equal(await rows(a.page).count(), 1)
    assert.equal(await currentId(a.page), idA, 'the same session')
    const after = await sessionCookie(a)
    assert.ok(before && after && after.value !== before.value, 'with a new cookie (rotated)')
    assert.equal(after.value.split('.')[0], idA)
    assert.match(
      (await a.page.locator('.password-age').textContent()) ?? '',
      /^You last entered your password here just now/,
    )
    await b.page.reload()
    assert.match(await flash(b.page), /^The session of this device has ended/)

    // Fresh now: signing out everywhere goes straight through.
    await signIn(b.page)
    await a.page.reload()
    await submit(a.page, 'text=Sign out everywhere')
    assert.match(await flash(a.page), /^You signed out everywhere/)
    assert.deepEqual(await a.context.cookies(), [])
    await a.context.close()
    await b.context.close()
  })

  it('within 10 minutes no password is asked; after them "Sign out everywhere" asks, signing out one device never does', async () => {
    const a = await device()
    const b = await device()
    await signIn(a.page, 'carol', 'singer')
    await signIn(b.page, 'carol', 'singer')
    clock.advance(9 * MINUTE)
    await a.page.reload()
    await submit(a.page, 'text=Sign out all other devices')
    assert.match(await flash(a.page), /^Every other device was signed out/, 'straight through')

    clock.advance(2 * MINUTE) // 11 minutes since A's sign-in
    await signIn(b.page, 'carol', 'singer')
    await a.page.reload()
    await submit(a.page, `tr[data-session="${await currentId(b.page)}"] button`)
    assert.match(await flash(a.page), /^That device was signed out/, 'one device: no password')

    await signIn(b.page, 'carol', 'singer')
    await a.page.reload()
    await submit(a.page, 'text=Sign out everywhere')
    assert.equal(await heading(a.page), 'Enter your password again')
    await confirm(a.page, 'singer')
    assert.equal(a.page.url(), `${demo.base}/`)
    assert.match(await flash(a.page), /^You signed out everywhere/)
    assert.deepEqual(await a.context.cookies(), [], 'the cookie was cleared')
    await b.page.reload()
    assert.match(await flash(b.page), /^The session of this device has ended/)
    await a.context.close()
    await b.context.close()
  })
})
