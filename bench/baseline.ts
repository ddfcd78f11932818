// Round one (commit 1c8e895, schema v1) built beside this version, so a bench can time both in
// one run: its src/ and configs are extracted with `git archive` into bench/.baseline
// (gitignored) and compiled with this repository's TypeScript into bench/.baseline/dist.
// Run: npm run bench:baseline   (bench:v2 runs it on its own when the build is missing)
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const BASELINE_COMMIT = '1c8e89563a70c544e26471a6bee925382f9051f2'
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DIR = join(ROOT, 'bench', '.baseline')
export const BASELINE_DIST = join(DIR, 'dist')
/** Written last, so an interrupted build is not taken for a finished one. */
const STAMP = join(BASELINE_DIST, 'BASELINE_COMMIT')

function git(args: string[]): Buffer {
  return execFileSync('git', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
}

function checkCommit(): void {
  try {
    git(['cat-file', '-e', `${BASELINE_COMMIT}^{commit}`])
  } catch {
    let shallow = false
    try {
      shallow = git(['rev-parse', '--is-shallow-repository']).toString().trim() === 'true'
    } catch {
      throw new Error(`bench baseline: ${ROOT} is not a git work tree; clone the repository`)
    }
    throw new Error(
      `bench baseline: commit ${BASELINE_COMMIT.slice(0, 7)} (round one) is not in this clone's history${
        shallow ? ' (the clone is shallow: run `git fetch --unshallow`)' : ''
      }`,
    )
  }
}

/** Extracts and compiles round one; returns its dist directory. */
export function buildBaseline(): string {
  checkCommit()
  rmSync(DIR, { recursive: true, force: true })
  mkdirSync(DIR, { recursive: true })
  const files = ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json']
  const archive = git(['archive', '--format=tar', BASELINE_COMMIT, ...files])
  execFileSync('tar', ['-x', '-C', DIR], { input: archive })
  // Its own tsconfig, this repository's compiler and node_modules (found by walking up).
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  execFileSync(process.execPath, [tsc, '-p', join(DIR, 'tsconfig.build.json')], {
    cwd: DIR,
    stdio: 'inherit',
  })
  writeFileSync(STAMP, `${BASELINE_COMMIT}\n`)
  return BASELINE_DIST
}

/** The baseline's dist directory, building it first if it is missing or of another commit. */
export function ensureBaseline(): string {
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === BASELINE_COMMIT) {
    return BASELINE_DIST
  }
  checkCommit()
  console.error(`building round one (${BASELINE_COMMIT.slice(0, 7)}) into ${BASELINE_DIST}…`)
  return buildBaseline()
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(buildBaseline())
  } catch (error) {
    console.error((error as Error).message)
    process.exit(1)
  }
}
