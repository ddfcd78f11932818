// How the demo's pages write times and lengths of time. Every page takes the time from the
// demo's clock (DemoOptions.now), never from `new Date()`, so that a test can move it.

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** "2026-11-22 06:53 UTC" */
export function utc(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 16)} UTC`
}

/** "in 29 min", "in 5 h", "in 3 days": how far ahead `ms` is. */
export function fromNow(ms: number): string {
  if (ms < MINUTE) return 'in under a minute'
  if (ms < 90 * MINUTE) return `in ${Math.round(ms / MINUTE)} min`
  if (ms < 2 * DAY) return `in ${Math.round(ms / HOUR)} h`
  return `in ${Math.round(ms / DAY)} days`
}

/**
 * "just now", "2 minutes ago", "3 hours ago", "yesterday", "5 days ago": how long ago something
 * happened that was `ms` ago. Whole units, rounded down, as people say them ("2 minutes ago"
 * until the third minute is full). "yesterday" means 24 to 48 hours ago: the server does not
 * know the reader's time zone, so it cannot tell calendar days.
 */
export function ago(ms: number): string {
  if (ms < MINUTE) return 'just now'
  if (ms < HOUR) return plural(Math.floor(ms / MINUTE), 'minute', 'ago')
  if (ms < DAY) return plural(Math.floor(ms / HOUR), 'hour', 'ago')
  if (ms < 2 * DAY) return 'yesterday'
  return plural(Math.floor(ms / DAY), 'day', 'ago')
}

/** "30 minutes", "7 days", "36 hours", "1 minute": a length of time from an option's ms. */
export function duration(ms: number): string {
  if (ms % DAY === 0) return plural(ms / DAY, 'day')
  if (ms % HOUR === 0) return plural(ms / HOUR, 'hour')
  if (ms % MINUTE === 0) return plural(ms / MINUTE, 'minute')
  return plural(Math.round(ms / 1000), 'second')
}

function plural(count: number, unit: string, suffix = ''): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}${suffix ? ` ${suffix}` : ''}`
}
