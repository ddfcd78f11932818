// Installs the Next.js example's own packages (examples/next, a package apart from sessionup)
// when they are missing, so `npm test` works on a fresh clone after `npm ci`. Run by `npm test`.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'

const example = resolve(import.meta.dirname, '..', 'examples', 'next')
if (!existsSync(join(example, 'node_modules', '.bin', 'next'))) {
  console.error('examples/next: installing its packages (npm ci --prefix examples/next)')
  execFileSync('npm', ['ci', '--prefix', example, '--no-audit', '--no-fund'], { stdio: 'inherit' })
}
