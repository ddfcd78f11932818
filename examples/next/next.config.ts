import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NextConfig } from 'next'

const here = dirname(fileURLToPath(import.meta.url))

const config: NextConfig = {
  // A native module: loaded by Node at run time, never bundled.
  serverExternalPackages: ['better-sqlite3'],
  // `sessionup` is `file:../..`: its files live in the repository above this app.
  outputFileTracingRoot: resolve(here, '../..'),
  // The example has no ESLint set-up of its own; `next build` still type-checks it.
  eslint: { ignoreDuringBuilds: true },
}

export default config
