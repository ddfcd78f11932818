import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { assertTypeChecks } from './typecheck.js'

// A separate package that depends on the built `sessionup` (npm test builds dist/ first),
// the way a third-party store author would.
const root = resolve(import.meta.dirname, '..')
const dir = mkdtempSync(join(tmpdir(), 'sessionup-consumer-'))
after(() => rmSync(dir, { recursive: true, force: true }))
mkdirSync(join(dir, 'node_modules'))
symlinkSync(root, join(dir, 'node_modules', 'sessionup'), 'dir')
// The consumer's own framework, as an app using `sessionup/fastify` would install it.
symlinkSync(join(root, 'node_modules', 'fastify'), join(dir, 'node_modules', 'fastify'), 'dir')
writeFileSync(
  join(dir, 'package.json'),
  '{ "name": "consumer", "type": "module", "private": true }',
)

describe('the published package', () => {
  it('runs the conformance suite from sessionup/testing in another package', () => {
    writeFileSync(
      join(dir, 'conformance.test.mjs'),
      `import { test } from 'node:test'
import { MemoryStore } from 'sessionup'
import { runStoreConformance } from 'sessionup/testing'
runStoreConformance(test, ({ now }) => ({ store: new MemoryStore({ now, cleanupInterval: 0 }) }))
`,
    )
    // Without NODE_TEST_CONTEXT the child reports as a top-level run, in TAP we can read.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env
    const run = spawnSync(
      process.execPath,
      ['--test', '--test-reporter=tap', 'conformance.test.mjs'],
      {
        cwd: dir,
        encoding: 'utf8',
        env,
      },
    )
    assert.equal(run.status, 0, run.stdout + run.stderr)
    const passed = Number(/# pass (\d+)/.exec(run.stdout)?.[1])
    assert.ok(passed >= 20, `expected the whole suite to run, saw ${passed} passing`)
    assert.match(run.stdout, /# fail 0/)
  })

  it('exposes typed subpath exports to a strict TypeScript consumer', () => {
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import { MemoryStore, SessionManager, type Session } from 'sessionup'
import { nodeSessions, getSession } from 'sessionup/node'
import { fetchSessions } from 'sessionup/fetch'
import { sessionup, type FastifySessions } from 'sessionup/fastify'
import Fastify from 'fastify'
import { SessionupModule, type NestRequest } from 'sessionup/nest'
import { storeConformanceCases } from 'sessionup/testing'
const manager = new SessionManager(new MemoryStore(), { expiresIn: 60_000 })
const node = nodeSessions(manager)
const fetchSide = fetchSessions(manager)
const cases: number = storeConformanceCases(({ now }) => ({ store: new MemoryStore({ now }) })).length
const s: Session | null = null as unknown as ReturnType<typeof getSession>
const app = Fastify()
await app.register(sessionup, { manager })
const hooks: FastifySessions = app.sessions
app.get('/me', { onRequest: hooks.auth }, async (request) => {
  const typed: Session | null = request.session
  return typed?.userKey
})
const nest = SessionupModule.forRoot({ manager, csrf: true })
const req: NestRequest | null = null
export { node, fetchSide, cases, s, nest, req }
`,
    )
    assertTypeChecks(dir, 'consumer.ts')
  })

  it('loads no framework or driver package for the core and Web subpaths', () => {
    // A package with sessionup and its one dependency only: no peer is there to load.
    const bare = mkdtempSync(join(tmpdir(), 'sessionup-bare-'))
    try {
      const into = join(bare, 'node_modules', 'sessionup')
      mkdirSync(into, { recursive: true })
      cpSync(join(root, 'dist'), join(into, 'dist'), { recursive: true })
      cpSync(join(root, 'package.json'), join(into, 'package.json'))
      cpSync(join(root, 'node_modules', 'bowser'), join(bare, 'node_modules', 'bowser'), {
        recursive: true,
      })
      const script = `
const core = ['sessionup', 'sessionup/node', 'sessionup/fetch', 'sessionup/testing']
for (const name of core) await import(name)
for (const name of ['sessionup/fastify', 'sessionup/nest']) {
  try {
    await import(name)
    console.log(name, 'loaded without its peers')
  } catch (error) {
    console.log(name, error.code, error.message)
  }
}`
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: bare,
        encoding: 'utf8',
      })
      assert.equal(run.status, 0, run.stderr)
      assert.match(
        run.stdout,
        /sessionup\/fastify ERR_MODULE_NOT_FOUND .*'fastify-plugin'/,
        'the Fastify peer stays behind its subpath',
      )
      assert.match(
        run.stdout,
        /sessionup\/nest ERR_MODULE_NOT_FOUND .*'@nestjs\/(common|core)'/,
        'the Nest peers stay behind their subpath',
      )
    } finally {
      rmSync(bare, { recursive: true, force: true })
    }
  })

  it('packs neither the examples nor their packages (examples/next has its own)', () => {
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' })
    assert.equal(pack.status, 0, pack.stderr)
    const [{ files }] = JSON.parse(pack.stdout) as [{ files: { path: string }[] }]
    const outside = files.map((f) => f.path).filter((path) => !path.startsWith('dist/'))
    assert.deepEqual(outside.sort(), ['LICENSE', 'README.md', 'package.json'])
  })

  it('ships source maps that carry their sources (src/ is not in the package)', () => {
    const maps = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.js.map'),
    )
    assert.ok(maps.length > 10, `found ${maps.length} maps`)
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(root, 'dist', file), 'utf8'))
      assert.equal(map.sourcesContent?.length, map.sources.length, `${file} embeds its sources`)
    }
  })
})
