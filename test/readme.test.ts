import assert from 'node:assert/strict'
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { assertTypeChecks } from './typecheck.js'

// The README's quick start, run as pasted (against the built package, resolved by name).
const root = resolve(import.meta.dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const quickStart = /## Quick start[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
const nestMain = /\*\*NestJS\*\*[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
// Inside the repo, `import 'sessionup'` resolves through package.json "exports" (self-reference).
const dir = mkdtempSync(join(root, '.tmp-readme-'))
after(() => rmSync(dir, { recursive: true, force: true }))

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  server.close()
  return port
}

async function start(file: string): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, [file], { env: { ...process.env, PORT: String(port) } })
  return new Promise((resolveStart, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => reject(new Error(`quick start exited with ${code}`)))
    child.stdout?.on('data', (chunk: Buffer) => {
      const port = /localhost:(\d+)/.exec(chunk.toString())?.[1]
      if (port) resolveStart({ child, base: `http://127.0.0.1:${port}` })
    })
  })
}

describe('README quick start', () => {
  it('runs as pasted: login sets a secure cookie, /me needs it', async () => {
    assert.ok(quickStart.includes("from 'sessionup'"), 'found the quick start block')
    const file = join(dir, 'quickstart.mjs')
    writeFileSync(file, quickStart)
    const { child, base } = await start(file)
    try {
      const login = await fetch(`${base}/login`, { method: 'POST' })
      const setCookie = login.headers.get('set-cookie') ?? ''
      assert.match(
        setCookie,
        /^__Host-sessionup=[\w-]{22}\.[\w-]{43}; Path=\/; Expires=.*; HttpOnly; Secure; SameSite=Strict$/,
      )
      const cookie = setCookie.split(';')[0] ?? ''
      assert.equal(
        await (await fetch(`${base}/me`, { headers: { cookie } })).text(),
        'hello alice\n',
      )
      const denied = await fetch(`${base}/me`)
      assert.equal(denied.status, 401)
      assert.deepEqual(await denied.json(), { error: 'unauthorized' })
    } finally {
      child.kill()
    }
  })

  it('type-checks as TypeScript under strict, as pasted into a .ts file', () => {
    writeFileSync(join(dir, 'quickstart.ts'), quickStart)
    assertTypeChecks(dir, 'quickstart.ts')
  })

  it('runs the NestJS main.ts, compiled as a Nest project compiles it (legacy decorators)', async () => {
    assert.ok(nestMain.includes("from 'sessionup/nest'"), 'found the NestJS block')
    const nest = join(dir, 'nest')
    mkdirSync(nest)
    writeFileSync(join(nest, 'main.ts'), nestMain)
    const compilerOptions = {
      strict: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
    }
    writeFileSync(
      join(nest, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: ['main.ts'] }),
    )
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const build = spawnSync(process.execPath, [tsc, '-p', nest], { encoding: 'utf8' })
    assert.equal(build.status, 0, build.stdout + build.stderr)
    const { child, base } = await start(join(nest, 'main.js'))
    try {
      const call = (method: string, path: string, cookie = '') =>
        fetch(`${base}${path}`, { method, headers: cookie ? { cookie } : {} })
      assert.equal((await call('GET', '/me')).status, 401)
      assert.equal(await (await call('GET', '/home')).text(), 'welcome')
      const login = await call('POST', '/login')
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
      assert.equal(await (await call('GET', '/me', cookie)).text(), 'hello alice')
      assert.equal(await (await call('GET', '/home', cookie)).text(), 'welcome back alice')
      const devices = await (await call('GET', '/devices', cookie)).json()
      assert.equal(devices.length, 1)
      assert.equal(await (await call('POST', '/delete-account', cookie)).text(), 'deleted')
      assert.equal(await (await call('POST', '/logout', cookie)).text(), 'signed out')
      assert.equal((await call('GET', '/me', cookie)).status, 401)
    } finally {
      child.kill()
    }
  })
})
