import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readCookie } from '../src/cookie.js'

/** What readCookie must return, written the obvious way: one segment at a time. */
function readBySplitting(header: string, name: string): string | undefined {
  for (const segment of header.split(';')) {
    const eq = segment.indexOf('=')
    if (eq === -1 || segment.slice(0, eq).trim() !== name) continue
    const value = segment.slice(eq + 1).trim()
    const quoted = value.length > 1 && value.startsWith('"') && value.endsWith('"')
    return quoted ? value.slice(1, -1) : value
  }
  return undefined
}

/** A small seeded generator (mulberry32), so a failing case can be replayed. */
function seededRandom(seed: number): (n: number) => number {
  let state = seed >>> 0
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t)
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n)
  }
}

const KIB = 1024

describe('readCookie', () => {
  it('finds the named cookie among others, exactly by name', () => {
    const header = 'x__Host-sid=wrong; __Host-sid = "right" ; other=1'
    assert.equal(readCookie(header, '__Host-sid'), 'right')
    assert.equal(readCookie('a=1;b=2', 'b'), '2')
    assert.equal(readCookie('a=1; b', 'b'), undefined)
    assert.equal(readCookie('', 'a'), undefined)
    assert.equal(readCookie(undefined, 'a'), undefined)
    assert.equal(readCookie('sid=first; sid=second', 'sid'), 'first')
    assert.equal(readCookie('sidx=1; xsid=2; si=3; sid=4', 'sid'), '4')
    assert.equal(readCookie('sid x=1; sid=2', 'sid'), '2', 'a longer name is not this name')
    assert.equal(readCookie('sid; sid=2', 'sid'), '2', 'a bare name is no value')
  })

  it('trims whitespace around names and values, and one pair of surrounding quotes', () => {
    assert.equal(readCookie('\tsid\t=\t1\t', 'sid'), '1')
    assert.equal(readCookie('\u00a0sid\u00a0=\u00a0x\u00a0', 'sid'), 'x', 'as String#trim does')
    assert.equal(readCookie('sid=a=b', 'sid'), 'a=b')
    assert.equal(readCookie('sid=', 'sid'), '')
    assert.equal(readCookie('sid=;x=1', 'sid'), '')
    assert.equal(readCookie('sid=""', 'sid'), '')
    assert.equal(readCookie('sid="', 'sid'), '"')
    assert.equal(readCookie('sid="a', 'sid'), '"a')
    assert.equal(readCookie('sid=""a""', 'sid'), '"a"')
  })

  it('reads huge runs of separators, equals signs and spaces', () => {
    const runs = [';', '=', ' ', '; ', '=;', ';='].map((unit) =>
      unit.repeat((256 * KIB) / unit.length),
    )
    for (const run of runs) {
      const label = JSON.stringify(run.slice(0, 2))
      assert.equal(readCookie(run, 'sid'), undefined, `${label}…`)
      assert.equal(readCookie(`${run};sid=end`, 'sid'), 'end', `${label}… then sid`)
      assert.equal(readCookie(`sid=start;${run}`, 'sid'), 'start', `sid then ${label}…`)
    }
    assert.equal(readCookie(`sid${' '.repeat(256 * KIB)}=v`, 'sid'), 'v')
    assert.equal(readCookie(`sid=${' '.repeat(256 * KIB)}v`, 'sid'), 'v')
    assert.equal(readCookie(`sid=${'='.repeat(256 * KIB)}`, 'sid'), '='.repeat(256 * KIB))
  })

  it('finds a match after 100,000 other cookies', () => {
    const others = 'a=1; '.repeat(100_000)
    assert.equal(readCookie(`${others}sid=last`, 'sid'), 'last')
    assert.equal(readCookie(`${'sid'.repeat(100_000)}=x; sid=last`, 'sid'), 'last')
    assert.equal(readCookie(others, 'sid'), undefined)
  })

  it('agrees with a segment-by-segment reading on random headers', () => {
    const pieces = [';', '=', ' ', '\t', '"', '\u00a0', 'sid', 'si', 'd', 'x', '1', '; ', 'sid=']
    const names = ['sid', 'x', 'd', '__Host-sid']
    const seed = 20240611
    const random = seededRandom(seed)
    for (let round = 0; round < 20_000; round++) {
      let header = ''
      const length = random(24)
      for (let i = 0; i < length; i++) header += pieces[random(pieces.length)]
      const name = names[random(names.length)] ?? 'sid'
      assert.equal(
        readCookie(header, name),
        readBySplitting(header, name),
        `seed ${seed}, round ${round}: ${JSON.stringify(header)} / ${name}`,
      )
    }
  })
})
