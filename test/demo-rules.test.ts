import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkDeviceName } from '../examples/demo/device-name.js'
import { ago, DAY, duration, fromNow, HOUR, MINUTE } from '../examples/demo/time.js'

// The demo's own rules on their edges; the browser tests see them at work on the page.
describe('the demo writes times as people say them', () => {
  it('ago: just now, minutes, hours, yesterday, days; rounded down', () => {
    const cases: [number, string][] = [
      [-5_000, 'just now'], // a clock a little behind the store's
      [0, 'just now'],
      [MINUTE - 1, 'just now'],
      [MINUTE, '1 minute ago'],
      [2 * MINUTE + 59_999, '2 minutes ago'],
      [HOUR - 1, '59 minutes ago'],
      [HOUR, '1 hour ago'],
      [3 * HOUR + 59 * MINUTE, '3 hours ago'],
      [DAY - 1, '23 hours ago'],
      [DAY, 'yesterday'],
      [2 * DAY - 1, 'yesterday'],
      [2 * DAY, '2 days ago'],
      [30 * DAY, '30 days ago'],
    ]
    for (const [ms, text] of cases) assert.equal(ago(ms), text, `${ms} ms ago`)
  })

  it('fromNow and duration', () => {
    assert.equal(fromNow(30_000), 'in under a minute')
    assert.equal(fromNow(29 * MINUTE), 'in 29 min')
    assert.equal(fromNow(5 * HOUR), 'in 5 h')
    assert.equal(fromNow(3 * DAY), 'in 3 days')
    assert.equal(duration(MINUTE), '1 minute')
    assert.equal(duration(30 * MINUTE), '30 minutes')
    assert.equal(duration(36 * HOUR), '36 hours')
    assert.equal(duration(7 * DAY), '7 days')
    assert.equal(duration(90_000), '90 seconds')
  })
})

describe('the demo checks device names', () => {
  it('trims, and takes an empty name as "back to the default"', () => {
    assert.deepEqual(checkDeviceName('  Work laptop \n'), { name: 'Work laptop' })
    assert.deepEqual(checkDeviceName('   '), { name: null })
    assert.deepEqual(checkDeviceName(null), { name: null })
  })

  it('allows 40 characters as the form counts them, not 41', () => {
    assert.deepEqual(checkDeviceName('x'.repeat(40)), { name: 'x'.repeat(40) })
    assert.deepEqual(checkDeviceName('x'.repeat(41)), { error: 'name-too-long' })
    assert.deepEqual(checkDeviceName('📱'.repeat(21)), { error: 'name-too-long' }) // 42 UTF-16 units
    assert.deepEqual(checkDeviceName(`  ${'x'.repeat(40)}  `), { name: 'x'.repeat(40) })
  })

  it('refuses control characters and direction overrides inside a name', () => {
    for (const bad of [
      'a\tb',
      'a\nb',
      'a\u0000b',
      'a\u0007b',
      'a\u0085b',
      'a\u202eb',
      'a\u2066b',
    ]) {
      assert.deepEqual(checkDeviceName(bad), { error: 'name-control' }, JSON.stringify(bad))
    }
    assert.deepEqual(checkDeviceName('Ünïcødé 👨‍👩‍👧 <b>'), { name: 'Ünïcødé 👨‍👩‍👧 <b>' })
  })
})
