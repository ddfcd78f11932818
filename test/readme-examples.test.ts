import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'

// Every README block that starts with "// example: <name>" runs as pasted, against the built
// package resolved by name (inside the repo, through package.json's self-reference), and checks
// its own claims with node:assert: a block whose claim is false exits non-zero.
const root = resolve(import.meta.dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const examples = [...readme.matchAll(/```js\n(\/\/ example: (.+)\n[\s\S]*?)```/g)].map((m) => ({
  name: m[2] ?? '',
  code: m[1] ?? '',
}))
const dir = mkdtempSync(join(root, '.tmp-readme-examples-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('README examples', () => {
  it('finds the examples', () => {
    assert.ok(examples.length >= 5, `found ${examples.length}`)
  })
  for (const [i, { name, code }] of examples.entries()) {
    it(`"${name}" runs and its assertions hold`, () => {
      const file = join(dir, `example-${i}.mjs`)
      writeFileSync(file, code)
      const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 })
      assert.equal(run.status, 0, run.stderr || run.stdout)
    })
  }
})
