/**
 * What a page can tell the user: one-shot messages a redirect leaves (see flash.ts), and what
 * the sessions page finds when no valid session came with the request.
 */
export const MESSAGES = {
  'bad-login': 'That user name and password do not match. Try one of the demo users below.',
  'signed-in': 'You are signed in. This page lists every device signed in to your account.',
  'signed-out': 'You signed out of this device. Your other devices stay signed in.',
  'signed-out-everywhere': 'You signed out everywhere: every device of yours must sign in again.',
  'others-signed-out': 'Every other device was signed out. Only this one is still signed in.',
  'device-signed-out':
    'That device was signed out. It will be asked to sign in on its next request.',
  'not-found': 'None of your sessions has that id, so nothing was signed out.',
  'not-signed-in': 'This device is not signed in. Please sign in.',
  'session-ended':
    'The session of this device has ended: it was signed out (here or from another device) or it expired. Please sign in again.',
  'cookie-not-returned':
    'You signed in, but this browser did not send the session cookie back, so the server cannot tell it is you. Browsers drop a Secure cookie on a plain http page whose address is not localhost, and some are set to refuse cookies from this site. The session the sign-in created will expire unused.',
} as const

export type Message = keyof typeof MESSAGES

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

export function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · sessionup demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:68rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}
tr.current{background:#eef6ff}.msg{background:#fff8e1;border:1px solid #f0d98c;padding:.6rem 1rem;border-radius:6px}
form.inline{display:inline}button{cursor:pointer}.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}
td time,td button{white-space:nowrap}
caption{caption-side:bottom;text-align:left;color:#555;font-size:.9rem;padding-top:.6rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
/* Phones: each session becomes a card of label/value lines (labels from data-label). */
@media (max-width:600px){body{margin:1rem auto}h1{font-size:1.6rem}
table{display:flex;flex-direction:column}caption{order:1}tbody,tr,td{display:block}thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
tr{border:1px solid #ddd;border-radius:8px;margin-bottom:.8rem;padding:.4rem .8rem}
td{border:0;padding:.2rem 0;display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 1rem;overflow-wrap:anywhere}
td[data-label]::before{content:attr(data-label);font-weight:600}td>*{margin-left:auto;text-align:right}
td.action{padding-top:.5rem}td.action>*{margin-left:0}}
</style></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`
}

export function message(code: Message | null): string {
  return code ? `<p class="msg" role="status">${escapeHtml(MESSAGES[code])}</p>` : ''
}

export function signInPage(msg: Message | null): string {
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

/** Why the demo did not sign in over plain http from a non-localhost address, and what to do. */
export function plainHttpPage(origin: string, cookieName: string): string {
  const port = new URL(origin).port
  const local = `http://localhost${port ? `:${port}` : ''}`
  return page(
    'Signing in needs https here',
    `<div class="msg" role="alert"><p>You opened the demo at <code>${escapeHtml(origin)}</code>: plain
http, at an address other than localhost. The demo's session cookie, <code>${escapeHtml(cookieName)}</code>,
is <code>Secure</code>, and browsers keep Secure cookies only from https pages or from localhost.
This browser would drop it, so the demo did not sign you in and created no session.</p></div>
<p>To try the demo:</p>
<ul><li>on the computer running it, open <code>${escapeHtml(local)}</code>;</li>
<li>or put it behind https (a reverse proxy with a certificate);</li>
<li>or, on a network you trust, restart it with <code>SESSIONUP_INSECURE_LOCAL=1 npm start</code>.
Its cookie is then not Secure: anyone who can watch the network can read it and take over the session.</li></ul>
<p><a href="/">Back to sign-in</a></p>`,
  )
}
