import type { ListedSession } from 'sessionup'
import { agentName, DEVICE_NAME_MAX, deviceName, givenName } from './device-name.js'
import { escapeHtml, page } from './layout.js'
import { explainLifetimes, FRESH_FOR, type Lifetimes } from './lifetimes.js'
import { LIVE_SCRIPT } from './live.js'
import { type Message, message } from './messages.js'
import { ago, duration, fromNow, utc } from './time.js'

export interface SessionsPageData {
  user: string
  sessions: ListedSession[]
  lifetimes: Lifetimes
  flash: Message | null
  /** The demo's clock. */
  now: Date
}

export function sessionsPage({ user, sessions, lifetimes, flash, now }: SessionsPageData) {
  const names = distinctNames(sessions)
  const others = sessions.some((s) => !s.current)
  return page(
    `Your sessions, ${user}`,
    `${message(flash)}
<table><caption>${explainLifetimes(lifetimes)}</caption>
<thead><tr><th>Device</th><th>IP</th><th>Signed in</th><th>Last active</th><th>Expires if idle</th><th>Signs out at latest</th><th><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>${sessions.map((s, i) => row(s, names[i] ?? '', now)).join('')}</tbody></table>
<div class="actions">
${others ? '<form method="post" action="/sessions/logout-others"><button type="submit">Sign out all other devices</button></form>' : ''}
<form method="post" action="/sessions/logout-all"><button type="submit">Sign out everywhere</button></form>
</div>
${thisDevice(
  sessions.find((s) => s.current),
  now,
)}${LIVE_SCRIPT}`,
  )
}

function row(s: ListedSession, name: string, now: Date): string {
  const device = `<span>${deviceCell(s)}</span>`
  return `<tr class="${s.current ? 'current' : ''}" data-session="${escapeHtml(s.id)}">
<td class="device" data-label="Device">${device}</td><td class="ip" data-label="IP">${escapeHtml(s.ip ?? 'unknown')}</td>
<td class="signed-in" data-label="Signed in">${time(s.createdAt, utc(s.createdAt))}</td>
<td class="last-active" data-label="Last active">${time(s.lastActiveAt, ago(now.getTime() - s.lastActiveAt.getTime()))}</td>
<td class="idle" data-label="Expires if idle">${idleCell(s, now)}</td>
<td class="latest" data-label="Signs out at latest">${s.deadline ? time(s.deadline, utc(s.deadline)) : 'never'}</td><td class="action">${signOutButton(s, name)}</td></tr>`
}

/** The device's name, whether it is this one or remembered, and its browser if it has a name. */
function deviceCell(s: ListedSession): string {
  const mark = s.current ? ' <strong>(this device)</strong>' : ''
  const kept = s.persistent ? ' <span class="tag">kept signed in</span>' : ''
  const agent =
    givenName(s) === null ? '' : `<span class="agent">${escapeHtml(agentName(s))}</span>`
  return `<span class="name">${escapeHtml(deviceName(s))}</span>${mark}${kept}${agent}`
}

/** The form that names this device (the only one a request can rename, see account.ts). */
function thisDevice(current: ListedSession | undefined, now: Date): string {
  if (!current) return ''
  const entered = current.authenticatedAt
  return `<h2>This device</h2>
<form method="post" action="/sessions/rename"><p><label>Device name <input name="device" value="${escapeHtml(givenName(current) ?? '')}" placeholder="${escapeHtml(agentName(current))}" maxlength="${DEVICE_NAME_MAX}"></label>
<button type="submit">Save name</button></p></form>
<p class="note">Every list of your devices shows it. Empty, the device is called by its browser and system. A device can rename only itself: the name is kept with its own session.</p>
<p class="note password-age">You last entered your password here ${time(entered, ago(now.getTime() - entered.getTime()))}. Signing out other devices, or everywhere, asks for it again once that is more than ${duration(FRESH_FOR)} ago.</p>`
}

/** When the session ends if left unused; a remembered one has no idle limit. */
function idleCell(s: ListedSession, now: Date): string {
  if (s.idleTimeout === null) return 'no idle limit'
  return time(s.expiresAt, idleText(s.expiresAt, now))
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

/** Names for the other devices' buttons, numbered where two would read the same. */
function distinctNames(sessions: ListedSession[]): string[] {
  // "Chrome on Linux, signed in 2026-11-22 06:53 UTC": how a person tells their devices apart.
  const names = sessions.map((s) =>
    s.current ? '' : `${deviceName(s)}, signed in ${utc(s.createdAt)}`,
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
