import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { buttonNames, currentId, demoInBrowser, flash, skip, submit } from './demo-harness.js'

// What a user changes from the sessions page, in Chromium: the name of this device.
describe('the demo account page, in Chromium', { skip }, () => {
  const demo = demoInBrowser()
  const { device, signIn } = demo

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
})
