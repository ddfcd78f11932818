import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  InvalidOptionError,
  type ManagerOptions,
  MemoryStore,
  SessionManager,
} from '../src/index.js'

const store = new MemoryStore({ cleanupInterval: 0 })
const build = (options: ManagerOptions) => new SessionManager(store, options)

describe('manager options', () => {
  it('rejects contradictory or injectable cookie options, naming the option', () => {
    const bad: Array<[ManagerOptions, string]> = [
      [{ cookieName: '__Host-sid', domain: 'example.com' }, 'cookieName'],
      [{ cookieName: '__Host-sid', path: '/app' }, 'cookieName'],
      [{ cookieName: '__Host-sid', secure: false }, 'cookieName'],
      [{ cookieName: '__Secure-sid', secure: false }, 'cookieName'],
      // Browsers match the prefixes case-insensitively (RFC 6265bis), so we must too.
      [{ cookieName: '__host-sid', path: '/app' }, 'cookieName'],
      [{ cookieName: '__HOST-sid', domain: 'example.com' }, 'cookieName'],
      [{ cookieName: '__hOsT-sid', secure: false }, 'cookieName'],
      [{ cookieName: '__secure-sid', secure: false }, 'cookieName'],
      [{ cookieName: '__SECURE-sid', secure: false }, 'cookieName'],
      [{ cookieName: 'sid;admin=1' }, 'cookieName'],
      [{ cookieName: 'sid\r\nSet-Cookie: x' }, 'cookieName'],
      [{ cookieName: '' }, 'cookieName'],
      [{ path: '/a; Domain=evil.com' }, 'path'],
      [{ path: '/a\nb' }, 'path'],
      [{ path: 'relative' }, 'path'],
      [{ domain: 'example.com; Secure' }, 'domain'],
      [{ domain: 'exa mple.com' }, 'domain'],
      [{ domain: 'example.com\r\n' }, 'domain'],
      [{ sameSite: 'none', secure: false }, 'sameSite'],
      [{ sameSite: 'sometimes' as 'lax' }, 'sameSite'],
      [{ secure: 'yes' as unknown as boolean }, 'secure'],
      [{ expiresIn: -1 }, 'expiresIn'],
      [{ expiresIn: Number.NaN }, 'expiresIn'],
      [{ idleTimeout: Number.POSITIVE_INFINITY }, 'idleTimeout'],
      [{ absoluteTimeout: 0 }, 'absoluteTimeout'],
      [{ maxSessionsPerUser: 1.5 }, 'maxSessionsPerUser'],
      [{ trustProxy: -1 }, 'trustProxy'],
      [{ trustProxy: ['10.0.0.0/33'] }, 'trustProxy'],
      [{ trustProxy: ['not-an-ip'] }, 'trustProxy'],
      [{ validate: true, withIp: false }, 'validate'],
      [{ reject: 'nope' as unknown as ManagerOptions['reject'] }, 'reject'],
      [{ expiresin: 5 } as ManagerOptions, 'expiresin'],
    ]
    for (const [options, name] of bad) {
      assert.throws(
        () => build(options),
        (error: unknown) => error instanceof InvalidOptionError && error.option === name,
        `${JSON.stringify(options)} should be rejected as "${name}"`,
      )
    }
  })

  it('picks the strongest cookie name prefix the other options allow', () => {
    assert.equal(build({}).cookieName, '__Host-sessionup')
    assert.equal(build({ domain: 'example.com' }).cookieName, '__Secure-sessionup')
    assert.equal(build({ path: '/app' }).cookieName, '__Secure-sessionup')
    assert.equal(build({ secure: false }).cookieName, 'sessionup')
  })

  it('accepts a prefix in any case when its conditions hold', () => {
    assert.equal(build({ cookieName: '__host-sid' }).cookieName, '__host-sid')
    assert.equal(build({ cookieName: '__SECURE-sid', path: '/app' }).cookieName, '__SECURE-sid')
    assert.equal(build({ cookieName: '_host-sid', secure: false }).cookieName, '_host-sid')
  })

  it('rejects a store that is not a store', () => {
    assert.throws(() => new SessionManager({} as MemoryStore), InvalidOptionError)
  })
})
