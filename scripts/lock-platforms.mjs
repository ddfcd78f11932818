// npm here records only the platform packages the registry it reaches serves, and `npm ci` then
// refuses the lock ("Missing: @biomejs/cli-win32-x64@ from lock file"). This adds an entry for
// each optional platform package a locked package names but the lock lacks, marked with its
// os/cpu so npm skips it on every other platform without fetching it.
// Run after changing dependencies: node scripts/lock-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs'

const file = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(file, 'utf8'))
const platform = (name) => {
  const os = ['android', 'darwin', 'linux', 'win32', 'freebsd'].find((o) => name.includes(`-${o}-`))
  const cpu = ['arm64', 'x64', 'arm', 'ia32'].find((c) => new RegExp(`-${c}(-|$)`).test(name))
  return os && cpu ? { os, cpu, musl: name.includes('-musl') } : null
}
let added = 0
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    const target = platform(name)
    if (lock.packages[key] || !target || path.includes('node_modules/node_modules')) continue
    lock.packages[key] = {
      version: version.replace(/^[\^~]/, ''),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [target.os],
      cpu: [target.cpu],
      ...(target.musl ? { libc: ['musl'] } : target.os === 'linux' ? { libc: ['glibc'] } : {}),
    }
    added++
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
)
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`added ${added} platform entries`)
