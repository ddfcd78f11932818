import type { ListedSession } from 'sessionup'

/** The one-shot messages a redirect can leave for the next page (see flash.ts). */
export const FLASHES = {
  'bad-login': 'That user name and password do not match. Try one of the demo users below.',
  'signed-in': 'You are signed in. This page lists every device signed in to your account.',
  'signed-out': 'You signed out of this device. Your other devices stay signed in.',
  'signed-out-everywhere': 'You signed out everywhere: every device of yours must sign in again.',
  'signed-out-elsewhere':
    'This device is not signed in (or was signed out from another device). Please sign in.',
  'others-signed-out': 'Every other device was signed out. Only this one is still signed in.',
  'device-signed-out':
    'That device was signed out. It will be asked to sign in on its next request.',
  'not-yours': 'That session belongs to someone else, so it was left alone.',
} as const

export type Flash = keyof typeof FLASHES

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · sessionup demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
tr.current{background:#eef6ff}.msg{background:#fff8e1;border:1px solid #f0d98c;padding:.6rem 1rem;border-radius:6px}
form.inline{display:inline}button{cursor:pointer}.actions{display:flex;gap:.5rem;margin-top:1rem}
</style></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`
}

function message(code: Flash | null): string {
  return code ? `<p class="msg" role="status">${escapeHtml(FLASHES[code])}</p>` : ''
}

export function signInPage(msg: Flash | null): string {
  return page(
    'Sign in',
    `${message(msg)}
<form method="post" action="/login">
<p><label>User <input name="user" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p></form>
<p>Demo users: <code>alice</code> / <code>wonderland</code>, <code>bob</code> / <code>builder</code>, <code>carol</code> / <code>singer</code>.</p>`,
  )
}

/** "Chrome on Linux, signed in 2026-11-22 06:53:24 UTC": how a person tells their devices apart. */
function deviceName(s: ListedSession): string {
  return `${s.agent.browser || 'unknown browser'} on ${s.agent.os || 'unknown OS'}, signed in ${utc(s.createdAt)}`
}

function utc(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`
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

function row(s: ListedSession, name: string): string {
  const marker = s.current ? ' <strong>(this device)</strong>' : ''
  return `<tr class="${s.current ? 'current' : ''}" data-session="${escapeHtml(s.id)}">
<td>${escapeHtml(s.agent.browser || 'unknown browser')}${marker}</td><td>${escapeHtml(s.agent.os || 'unknown OS')}</td>
<td>${escapeHtml(s.ip ?? 'unknown')}</td><td>${utc(s.createdAt)}</td><td>${utc(s.expiresAt)}</td><td>${signOutButton(s, name)}</td></tr>`
}

/** Names for the other devices' buttons, numbered where two would read the same. */
function distinctNames(sessions: ListedSession[]): string[] {
  const names = sessions.map((s) => (s.current ? '' : deviceName(s)))
  return names.map((name, i) => {
    if (names.filter((other) => other === name).length < 2) return name
    return `${name} (${names.slice(0, i + 1).filter((other) => other === name).length})`
  })
}

export function sessionsPage(user: string, sessions: ListedSession[], msg: Flash | null): string {
  const names = distinctNames(sessions)
  const others = sessions.some((s) => !s.current)
  return page(
    `Your sessions, ${user}`,
    `${message(msg)}
<table><thead><tr><th>Browser</th><th>OS</th><th>IP</th><th>Signed in</th><th>Expires</th><th></th></tr></thead>
<tbody>${sessions.map((s, i) => row(s, names[i] ?? '')).join('')}</tbody></table>
<div class="actions">
${others ? '<form method="post" action="/sessions/logout-others"><button type="submit">Sign out all other devices</button></form>' : ''}
<form method="post" action="/sessions/logout-all"><button type="submit">Sign out everywhere</button></form>
</div>`,
  )
}
