import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ago, DAY, duration, fromNow, HOUR, MINUTE } from '../examples/demo/time.js'

// The demo's words for times, on their edges (the browser tests see them on the page).
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
