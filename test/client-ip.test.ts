import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createClientIpResolver } from '../src/client-ip.js'
import { normalizeIp } from '../src/index.js'

describe('client IP', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    const resolve = createClientIpResolver(false)
    assert.equal(resolve('10.0.0.2', '1.2.3.4'), '10.0.0.2')
  })

  it('with a hop count, takes that many addresses from the right', () => {
    const one = createClientIpResolver(1)
    assert.equal(one('10.0.0.2', 'spoofed, 203.0.113.9'), '203.0.113.9')
    assert.equal(one('10.0.0.2', undefined), '10.0.0.2', 'no header: the socket')
    const two = createClientIpResolver(2)
    assert.equal(two('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.0.0.1'), '203.0.113.9')
    assert.equal(createClientIpResolver(0)('10.0.0.2', '1.1.1.1'), '10.0.0.2')
  })

  it('with a list, takes the rightmost address that is not a trusted proxy', () => {
    const resolve = createClientIpResolver(['10.0.0.0/8', '::1'])
    assert.equal(resolve('10.0.0.2', '6.6.6.6, 203.0.113.9, 10.1.2.3'), '203.0.113.9')
    assert.equal(resolve('::1', '203.0.113.9'), '203.0.113.9')
    assert.equal(resolve('198.51.100.1', '203.0.113.9'), '198.51.100.1', 'untrusted peer')
    assert.equal(resolve('10.0.0.2', '10.0.0.3'), '10.0.0.3', 'all trusted: the leftmost')
    assert.equal(resolve('10.0.0.2', 'garbage, 10.0.0.3'), null, 'unparsable hop: unknown')
  })

  it('normalizes IPv4-mapped IPv6 and IPv6 spellings', () => {
    assert.equal(normalizeIp('::ffff:192.0.2.1'), '192.0.2.1')
    assert.equal(normalizeIp('[2001:DB8:0:0::1]'), '2001:db8::1')
    assert.equal(normalizeIp('not an ip'), null)
    const resolve = createClientIpResolver(['192.0.2.1'])
    assert.equal(resolve('::ffff:192.0.2.1', '203.0.113.9'), '203.0.113.9')
  })
})
