import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveTrustedOrigins } from '../src/csrf.js'
import { InvalidOptionError, isForged, type OriginView, type SessionEvent } from '../src/index.js'
import { setup } from './helpers.js'

const COOKIE = '__Host-sessionup'
const rule = resolveTrustedOrigins(['https://admin.example.com', 'http://localhost:5173'])
const post = (headers: Partial<OriginView>): OriginView => ({
  method: 'POST',
  origin: undefined,
  secFetchSite: undefined,
  host: 'app.example.com',
  cookie: `${COOKIE}=abc.def`,
  ...headers,
})
const forged = (headers: Partial<OriginView>) => isForged(rule, post(headers), COOKIE)

describe('the CSRF guard', () => {
  it('lets safe methods through whatever their origin', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) {
      assert.equal(forged({ method, origin: 'https://evil.example' }), false, method)
    }
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND']) {
      assert.equal(forged({ method, origin: 'https://evil.example' }), true, method)
    }
  })

  it('follows Sec-Fetch-Site when the browser sends it', () => {
    assert.equal(forged({ secFetchSite: 'same-origin', origin: 'https://app.example.com' }), false)
    assert.equal(forged({ secFetchSite: 'none' }), false, 'typed into the address bar')
    assert.equal(forged({ secFetchSite: 'cross-site' }), true)
    assert.equal(forged({ secFetchSite: 'same-site', origin: 'https://blog.example.com' }), true)
    assert.equal(
      forged({ secFetchSite: 'same-site', origin: 'https://admin.example.com' }),
      false,
      'a sibling subdomain passes only when trusted',
    )
  })

  it('compares Origin with Host without Sec-Fetch-Site, default ports included', () => {
    assert.equal(forged({ origin: 'https://app.example.com' }), false)
    assert.equal(forged({ origin: 'https://app.example.com', host: 'app.example.com:443' }), false)
    assert.equal(
      forged({ origin: 'http://app.example.com:8080', host: 'app.example.com:8080' }),
      false,
    )
    assert.equal(forged({ origin: 'https://app.example.com.evil.example' }), true)
    assert.equal(forged({ origin: 'https://app.example.com:8443' }), true, 'another port')
    assert.equal(forged({ origin: 'null' }), true, 'a sandboxed frame or a data: page')
    assert.equal(forged({ origin: 'https://evil.example', host: undefined }), true)
    assert.equal(forged({ origin: 'http://localhost:5173', host: 'api.example.com' }), false)
  })

  it('lets a request with neither header through: it is not a browser’s', () => {
    assert.equal(forged({}), false)
  })

  it('lets a bearer request through only when it carries no session cookie', () => {
    const evil = { origin: 'https://evil.example', authorization: 'Bearer abc.def' }
    assert.equal(forged({ ...evil, cookie: undefined }), false)
    assert.equal(forged(evil), true, 'the browser added the cookie: the guard still applies')
    assert.equal(forged({ ...evil, cookie: undefined, authorization: 'Bearer a b' }), true)
  })

  it('checks trustedOrigins and names the entry that is not an origin', () => {
    const bad: [unknown, RegExp][] = [
      ['https://a.example', /expected an array/],
      [['https://a.example/path'], /trustedOrigins\[0\].*not an origin/],
      [['https://a.example', '*.example.com'], /trustedOrigins\[1\].*not a URL/],
      [['https://*.example.com'], /trustedOrigins\[0\]/],
      [['ftp://a.example'], /not an http or https origin/],
      [['https://user@a.example'], /not an origin/],
      [[42], /trustedOrigins\[0\].*expected a string/],
    ]
    for (const [value, message] of bad) {
      assert.throws(
        () => resolveTrustedOrigins(value),
        (e: unknown) => e instanceof InvalidOptionError && message.test(e.message),
        String(value),
      )
    }
    const ok = resolveTrustedOrigins(['HTTPS://Admin.Example.com/', 'https://a.example:8443'])
    assert.deepEqual([...ok.trusted], ['https://admin.example.com', 'https://a.example:8443'])
  })

  it('the manager refuses with a cross-origin error and a rejected event', async () => {
    const { manager } = setup({ trustedOrigins: ['https://admin.example.com'] })
    const events: SessionEvent[] = []
    manager.subscribe((e) => {
      events.push(e)
    })
    const error = manager.checkOrigin(post({ origin: 'https://evil.example' }))
    assert.equal(error?.reason, 'cross-origin')
    assert.equal(manager.checkOrigin(post({ origin: 'https://admin.example.com' })), null)
    const answer = manager.rejection(error ?? new Error('none'))
    assert.deepEqual([answer.status, answer.body], [403, '{"error":"cross-origin-request"}'])
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(
      events.map((e) => (e.type === 'rejected' ? e.reason : e.type)),
      ['cross-origin'],
    )
  })
})
