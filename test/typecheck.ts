import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

/**
 * Type-checks `file` in `dir` as a consumer's strict TypeScript project would (NodeNext, the
 * package resolved by name), and fails with tsc's output if it does not compile.
 */
export function assertTypeChecks(dir: string, file: string): void {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
      },
      files: [file],
    }),
  )
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const run = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' })
  assert.equal(run.status, 0, run.stdout + run.stderr)
}
