import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { networkInterfaces } from 'node:os'
import { resolve } from 'node:path'
import { describe, it } from 'node:test'
import { assertFits, demoInBrowser, flash, PHONE, rows, skip, submit } from './demo-harness.js'

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

// The demo reached from another device: plain http at a LAN address, and the local mode.
describe('the demo from another device, in Chromium', { skip }, () => {
  const demo = demoInBrowser()
  const { device, signIn } = demo

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
