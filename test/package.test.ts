import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
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
import { SessionupModule, type NestRequest } from 'sessionup/nest'
import { storeConformanceCases } from 'sessionup/testing'
const manager = new SessionManager(new MemoryStore(), { expiresIn: 60_000 })
const node = nodeSessions(manager)
const fetchSide = fetchSessions(manager)
const cases: number = storeConformanceCases(({ now }) => ({ store: new MemoryStore({ now }) })).length
const s: Session | null = null as unknown as ReturnType<typeof getSession>
const nest = SessionupModule.forRoot({ manager, csrf: true })
const req: NestRequest | null = null
export { node, fetchSide, cases, s, nest, req }
`,
    )
    assertTypeChecks(dir, 'consumer.ts')
  })

  it('loads no framework package unless its subpath is imported', () => {
    // A resolve hook that refuses framework packages: an import of one fails the run.
    writeFileSync(
      join(dir, 'refuse-frameworks.mjs'),
      `export async function resolve(specifier, context, next) {
  if (/^(@nestjs\\/|express$|fastify$|hono$)/.test(specifier)) throw new Error('loaded ' + specifier)
  return next(specifier, context)
}
`,
    )
    writeFileSync(
      join(dir, 'register.mjs'),
      "import { register } from 'node:module'\nregister('./refuse-frameworks.mjs', import.meta.url)\n",
    )
    const load = (subpath: string) => {
      const file = join(dir, `load-${subpath.replace('/', '-')}.mjs`)
      writeFileSync(file, `await import('${subpath}')\n`)
      return spawnSync(process.execPath, ['--import', './register.mjs', file], {
        cwd: dir,
        encoding: 'utf8',
      })
    }
    for (const subpath of ['sessionup', 'sessionup/node', 'sessionup/fetch', 'sessionup/testing']) {
      const run = load(subpath)
      assert.equal(run.status, 0, `${subpath}: ${run.stderr}`)
    }
    const nest = load('sessionup/nest')
    assert.notEqual(nest.status, 0, 'the check sees an import of @nestjs')
    assert.match(nest.stderr, /loaded @nestjs\/(common|core)/)
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
