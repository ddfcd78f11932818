import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

// Builds and serves examples/next (a package of its own) with its own `next`, for
// test/next-example.test.ts.

const root = resolve(import.meta.dirname, '..')
export const exampleDir = join(root, 'examples', 'next')
const nextBin = join(exampleDir, 'node_modules', '.bin', 'next')

/** Why the example cannot run, or `null`: the test fails with this rather than skipping. */
export function missingSetup(): string | null {
  if (!existsSync(nextBin)) {
    return 'examples/next/node_modules is missing: run `npm ci --prefix examples/next` (after the root `npm ci` and `npm run build`)'
  }
  if (!existsSync(join(root, 'dist', 'http', 'fetch.js'))) {
    return 'dist/ is missing: run `npm run build` in the repository root (the example uses the built package)'
  }
  return null
}

/** The environment of `next`: no telemetry, no test-runner variables, the given extras. */
function nextEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _, NODE_ENV: __, ...env } = process.env
  return { ...env, NEXT_TELEMETRY_DISABLED: '1', ...extra }
}

/** Runs `next build`; resolves its duration in ms, rejects with its output if it fails. */
export function buildExample(): Promise<number> {
  const started = performance.now()
  const child = spawn(nextBin, ['build'], { cwd: exampleDir, env: nextEnv({}) })
  let output = ''
  child.stdout.on('data', (chunk) => {
    output += chunk
  })
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  return new Promise((resolveBuild, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code === 0) resolveBuild(performance.now() - started)
      else reject(new Error(`next build failed (exit ${code}):\n${output}`))
    })
  })
}

/** A running `next start`: its base URL, and `stop` that ends it and removes its data. */
export interface RunningExample {
  url: string
  stop(): Promise<void>
}

/**
 * Starts `next start` (the build's server) or `next dev` on a free port (`-p 0`: the kernel
 * picks one; Next prints it) with the SQLite file in a temporary directory; resolves once Next
 * says it is ready.
 */
export async function startExample(command: 'start' | 'dev'): Promise<RunningExample> {
  const data = mkdtempSync(join(tmpdir(), 'sessionup-next-'))
  const child = spawn(nextBin, [command, '-p', '0', '-H', '127.0.0.1'], {
    cwd: exampleDir,
    env: nextEnv({ SESSIONUP_DB: join(data, 'sessions.db') }),
    detached: true, // its own process group, so `stop` ends whatever Next forks too
  })
  const stop = async () => {
    await kill(child)
    rmSync(data, { recursive: true, force: true })
  }
  try {
    const url = await readyUrl(child)
    return { url, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The URL Next prints, once it has also printed "Ready". */
function readyUrl(child: ChildProcess): Promise<string> {
  let output = ''
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`next start never got ready:\n${output}`)),
      60_000,
    )
    child.stdout?.on('data', (chunk) => {
      output += chunk
      const url = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (url && /Ready in/.test(output)) {
        clearTimeout(timer)
        resolveUrl(url)
      }
    })
    child.stderr?.on('data', (chunk) => {
      output += chunk
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`next start exited (${code}):\n${output}`))
    })
  })
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return Promise.resolve()
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  process.kill(-child.pid, 'SIGTERM')
  return exited
}
