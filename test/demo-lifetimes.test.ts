import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import {
  currentId,
  DAY,
  demoInBrowser,
  flash,
  MINUTE,
  rows,
  sessionCookie,
  skip,
} from './demo-harness.js'

// Sessions over time, in Chromium, on the demo's clock: "Keep me signed in" and rotation.
describe('the demo over time, in Chromium', { skip }, () => {
  const demo = demoInBrowser()
  const { device, signIn, clock } = demo

  /** A row's time cell as epoch ms (its <time datetime>). */
  const timeIn = async (page: Page, row: string, cell: string) =>
    Date.parse((await page.locator(`${row} td.${cell} time`).getAttribute('datetime')) ?? '')

  it('"Keep me signed in": a 30-day cookie without idle limit; unticked, a browser-session cookie', async () => {
    const kept = await device()
    const plain = await device()
    await plain.page.goto(`${demo.base}/`)
    assert.match(
      (await plain.page.locator('form').textContent()) ?? '',
      /Keep me signed in\s*For 30 days on this browser, even after it is closed/,
    )
    await signIn(kept.page, 'alice', 'wonderland', { remember: true })
    await signIn(plain.page, 'alice', 'wonderland')

    const keptCookie = await sessionCookie(kept)
    const plainCookie = await sessionCookie(plain)
    assert.ok(keptCookie && plainCookie)
    const wanted = (clock.now() + 30 * DAY) / 1000
    assert.ok(
      Math.abs(keptCookie.expires - wanted) < 60,
      `Expires in 30 days: ${new Date(keptCookie.expires * 1000).toISOString()}`,
    )
    assert.equal(plainCookie.expires, -1, 'no Expires: the cookie ends with the browser')
    assert.deepEqual(
      [plainCookie.secure, plainCookie.httpOnly, plainCookie.sameSite],
      [true, true, 'Strict'],
    )

    // Seen from the plain device: the remembered one is marked, with its own lifetime.
    await plain.page.reload()
    const keptRow = `tr[data-session="${await currentId(kept.page)}"]`
    assert.match(
      (await plain.page.locator(`${keptRow} td.device`).textContent()) ?? '',
      /kept signed in/,
    )
    assert.equal(await plain.page.locator(`${keptRow} td.idle`).textContent(), 'no idle limit')
    const keptSpan =
      (await timeIn(plain.page, keptRow, 'latest')) -
      (await timeIn(plain.page, keptRow, 'signed-in'))
    assert.equal(keptSpan, 30 * DAY)
    assert.doesNotMatch(
      (await plain.page.locator('tr.current td.device').textContent()) ?? '',
      /kept/,
    )
    const caption = (await plain.page.locator('caption').textContent()) ?? ''
    assert.match(caption, /With “Keep me signed in”, the browser keeps the cookie for 30 days/)
    assert.match(caption, /no idle limit and ends 30 days after signing in/)

    // 31 idle minutes later the plain session has ended, the remembered one has not.
    clock.advance(31 * MINUTE)
    await plain.page.reload()
    assert.match(await flash(plain.page), /^The session of this device has ended/)
    await kept.page.reload()
    assert.equal(await rows(kept.page).count(), 1, 'still signed in, the only device left')
    await kept.context.close()
    await plain.context.close()
  })

  it('"Last active" per device, in relative time, written at most every 5 minutes', async () => {
    const a = await device()
    const b = await device()
    await signIn(a.page, 'carol', 'singer', { remember: true })
    await signIn(b.page, 'carol', 'singer', { remember: true })
    const idB = await currentId(b.page)
    const lastActive = (page: Page, row: string) =>
      page.locator(`${row} td.last-active`).textContent()
    await a.page.reload()
    assert.equal(await lastActive(a.page, 'tr.current'), 'just now')
    assert.equal(await lastActive(a.page, `tr[data-session="${idB}"]`), 'just now')
    assert.match(
      (await a.page.locator('caption').textContent()) ?? '',
      /records use at most once every 5 minutes, so “Last active” can be up to 5 minutes behind/,
    )

    clock.advance(3 * MINUTE)
    await a.page.reload()
    assert.equal(await lastActive(a.page, 'tr.current'), '3 minutes ago', 'not written yet')
    clock.advance(2 * MINUTE)
    await a.page.reload()
    assert.equal(await lastActive(a.page, 'tr.current'), 'just now', 'written after 5 minutes')
    assert.equal(await lastActive(a.page, `tr[data-session="${idB}"]`), '5 minutes ago')
    const written = await timeIn(a.page, 'tr.current', 'last-active')
    assert.ok(Math.abs(written - clock.now()) < 5_000, 'the datetime is the written time')

    clock.advance(3 * 60 * MINUTE)
    await a.page.reload()
    assert.equal(await lastActive(a.page, `tr[data-session="${idB}"]`), '3 hours ago')
    clock.advance(22 * 60 * MINUTE)
    await a.page.reload()
    assert.equal(await lastActive(a.page, `tr[data-session="${idB}"]`), 'yesterday')
    assert.equal(await lastActive(a.page, 'tr.current'), 'just now')
    await a.context.close()
    await b.context.close()
  })

  it('rotates the cookie every 15 minutes: same session, new secret; the old one works 1 minute more', async () => {
    const a = await device()
    await signIn(a.page, 'bob', 'builder', { remember: true })
    const id = await currentId(a.page)
    const before = await sessionCookie(a)
    assert.ok(id && before)
    assert.equal(before.value.split('.')[0], id, 'the cookie is <id>.<secret>')

    clock.advance(14 * MINUTE)
    await a.page.reload()
    assert.equal((await sessionCookie(a))?.value, before.value, 'not yet 15 minutes old')

    clock.advance(2 * MINUTE)
    await a.page.reload()
    const after = await sessionCookie(a)
    assert.ok(after)
    assert.notEqual(after.value, before.value, 'a new cookie')
    assert.equal(after.value.split('.')[0], id, 'for the same session')
    assert.equal(await currentId(a.page), id, 'the same row in the device list')
    // Chromium sets Expires against the response's Date header, to the second: same deadline.
    assert.ok(Math.abs(after.expires - before.expires) < 2, 'and the same deadline')

    // A request that left with the old cookie (another tab, in flight) is still let in…
    const late = await device()
    await late.context.addCookies([before])
    await late.page.goto(`${demo.base}/sessions`)
    assert.equal(await currentId(late.page), id, 'the old cookie works within the grace minute')
    // …but not once the grace minute is over.
    clock.advance(MINUTE + 1_000)
    await late.page.reload()
    assert.match(await flash(late.page), /^The session of this device has ended/)
    await a.page.reload()
    assert.equal(await currentId(a.page), id, 'the new cookie still works')
    assert.match(
      (await a.page.locator('caption').textContent()) ?? '',
      /Once a session's cookie is 15 minutes old, the next request gets a new one/,
    )
    await a.context.close()
    await late.context.close()
  })
})
