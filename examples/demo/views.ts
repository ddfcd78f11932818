import { escapeHtml, page } from './layout.js'
import { FRESH_FOR, LIFETIMES } from './lifetimes.js'
import { type Message, message } from './messages.js'
import { duration } from './time.js'

export function signInPage(msg: Message | null): string {
  return page(
    'Sign in',
    `${message(msg)}
<form method="post" action="/login">
<p><label>User <input name="user" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><label><input type="checkbox" name="remember"> Keep me signed in</label><br>
<span class="note">For ${duration(LIFETIMES.rememberFor)} on this browser, even after it is closed. Unticked, closing the browser (or ${duration(LIFETIMES.idleTimeout)} without use) signs you out: the choice for a computer others use.</span></p>
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

/**
 * Asks for the password again before an action that needs a fresh sign-in. The form has no
 * `action`: it posts back to the URL that answered with this page, that is to the action itself,
 * which checks the password and goes on.
 */
export function passwordAgainPage(msg: Message | null): string {
  return page(
    'Enter your password again',
    `${message(msg)}
<p>Signing out several devices at once needs your password when you last entered it more than
${duration(FRESH_FOR)} ago.</p>
<form method="post">
<p><label>Password <input name="password" type="password" autocomplete="current-password" required autofocus></label></p>
<p><button type="submit">Confirm</button> <a href="/sessions">Cancel</a></p></form>`,
  )
}
