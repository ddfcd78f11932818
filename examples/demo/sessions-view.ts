import type { ListedSession } from 'sessionup'
import { escapeHtml, page } from './layout.js'
import { type Message, message } from './messages.js'
import { duration, fromNow, utc } from './time.js'

/** The manager's lifetimes, so that the page says what the server actually does. */
export interface Lifetimes {
  /** Milliseconds from sign-in after which a session ends however active it is. */
  expiresIn: number
  /** Milliseconds without a request after which a session ends. */
  idleTimeout: number
}

export interface SessionsPageData {
  user: string
  sessions: ListedSession[]
  lifetimes: Lifetimes
  flash: Message | null
  now?: Date
}

export function sessionsPage({
  user,
  sessions,
  lifetimes,
  flash,
  now = new Date(),
}: SessionsPageData) {
  const names = distinctNames(sessions)
  const others = sessions.some((s) => !s.current)
  return page(
    `Your sessions, ${user}`,
    `${message(flash)}
<table><caption>${caption(lifetimes)}</caption>
<thead><tr><th>Device</th><th>IP</th><th>Signed in</th><th>Expires if idle</th><th>Signs out at latest</th><th><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>${sessions.map((s, i) => row(s, names[i] ?? '', lifetimes, now)).join('')}</tbody></table>
<div class="actions">
${others ? '<form method="post" action="/sessions/logout-others"><button type="submit">Sign out all other devices</button></form>' : ''}
<form method="post" action="/sessions/logout-all"><button type="submit">Sign out everywhere</button></form>
</div>`,
  )
}

function caption({ expiresIn, idleTimeout }: Lifetimes): string {
  const idle = duration(idleTimeout)
  const cap = duration(expiresIn)
  return `A session ends after ${idle} without use, or ${cap} after signing in, whichever comes first. Using the site pushes the idle limit back to ${idle} from then (the server renews it at most once every ${duration(idleTimeout / 2)}). The browser keeps the cookie for ${cap}, but the server stops accepting it once the session has ended.`
}

function row(s: ListedSession, name: string, { expiresIn }: Lifetimes, now: Date): string {
  const device = `<span>${escapeHtml(agentOf(s))}${s.current ? ' <strong>(this device)</strong>' : ''}</span>`
  const latest = new Date(s.createdAt.getTime() + expiresIn)
  return `<tr class="${s.current ? 'current' : ''}" data-session="${escapeHtml(s.id)}">
<td class="device" data-label="Device">${device}</td><td class="ip" data-label="IP">${escapeHtml(s.ip ?? 'unknown')}</td>
<td class="signed-in" data-label="Signed in">${time(s.createdAt, utc(s.createdAt))}</td>
<td class="idle" data-label="Expires if idle">${time(s.expiresAt, idleText(s.expiresAt, now))}</td>
<td class="latest" data-label="Signs out at latest">${time(latest, utc(latest))}</td><td class="action">${signOutButton(s, name)}</td></tr>`
}

/**
 * The row's button. Its accessible name tells the devices apart (a screen reader lists buttons
 * out of context); the visible text starts it, so speech users can say what they see.
 */
function signOutButton(s: ListedSession, name: string): string {
  if (s.current) {
    return `<form class="inline" method="post" action="/sessions/logout"><button type="submit" aria-label="Sign out this device">Sign out</button></form>`
  }
  return `<form class="inline" method="post" action="/sessions/revoke"><input type="hidden" name="id" value="${escapeHtml(s.id)}"><button type="submit" aria-label="Sign out that device: ${escapeHtml(name)}">Sign out that device</button></form>`
}

function agentOf(s: ListedSession): string {
  return `${s.agent.browser || 'unknown browser'} on ${s.agent.os || 'unknown OS'}`
}

/** Names for the other devices' buttons, numbered where two would read the same. */
function distinctNames(sessions: ListedSession[]): string[] {
  // "Chrome on Linux, signed in 2026-11-22 06:53 UTC": how a person tells their devices apart.
  const names = sessions.map((s) =>
    s.current ? '' : `${agentOf(s)}, signed in ${utc(s.createdAt)}`,
  )
  return names.map((name, i) => {
    if (names.filter((other) => other === name).length < 2) return name
    return `${name} (${names.slice(0, i + 1).filter((other) => other === name).length})`
  })
}

/** "in 29 min (11:14 UTC)"; the date too when it is not today's. */
function idleText(expiresAt: Date, now: Date): string {
  const at = utc(expiresAt)
  const sameDay = at.slice(0, 10) === utc(now).slice(0, 10)
  return `${fromNow(expiresAt.getTime() - now.getTime())} (${sameDay ? at.slice(11) : at})`
}

function time(date: Date, text: string): string {
  return `<time datetime="${date.toISOString()}">${escapeHtml(text)}</time>`
}
