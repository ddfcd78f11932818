import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { NextConfig } from 'next'

const here = dirname(fileURLToPath(import.meta.url))

type Callback = (error?: Error | null, external?: string) => void

/** Leaves `import 'sessionup…'` to Node, as `serverExternalPackages` does for installed ones. */
function linkedSessionup({ request }: { request?: string }, callback: Callback): void {
  if (request && /^sessionup(\/|$)/.test(request)) callback(null, `module ${request}`)
  else callback()
}

const config: NextConfig = {
  // Loaded by Node at run time, never bundled: better-sqlite3 is a native module, and sessionup
  // keeps per-process state (which session each Request carries; its error classes). Bundled,
  // it is evaluated afresh each time `next dev` compiles a route, while the manager cached on
  // globalThis keeps the first copy: `requireSession` of the new copy then finds no session.
  serverExternalPackages: ['better-sqlite3', 'sessionup'],
  // Only because sessionup is `file:../..` here, a symlink into the repository: Next keeps a
  // listed package external only when its real path runs through node_modules/, which this
  // link's does not. An app that installs sessionup from npm does not need this hook.
  webpack(webpackConfig, { isServer }) {
    if (isServer) webpackConfig.externals = [linkedSessionup, ...[webpackConfig.externals].flat()]
    return webpackConfig
  },
  // The files sessionup is linked to live in the repository above this app.
  outputFileTracingRoot: resolve(here, '../..'),
  // The example has no ESLint set-up of its own; `next build` still type-checks it.
  eslint: { ignoreDuringBuilds: true },
}

export default config
