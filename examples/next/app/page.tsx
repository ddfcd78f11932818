import { cookies } from 'next/headers'
import type { ListedSession } from 'sessionup'
import { currentSession } from '../lib/current'
import { app } from '../lib/session'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

/**
 * The home page, a Server Component: the signed-in user and their devices, or the sign-in form.
 * It only reads cookies; the forms post to route handlers, which set and clear them.
 */
export default async function Home({
  searchParams,
}: {
  searchParams: Promise<{ error?: string }>
}) {
  const session = await currentSession()
  if (!session) {
    const lastUser = (await cookies()).get('last-user')?.value ?? ''
    const { error } = await searchParams
    return <SignIn lastUser={lastUser} failed={error === 'bad-login'} />
  }
  const devices = await app().manager.fetchAll(session)
  return (
    <main>
      <h1>
        Signed in as <span id="user">{session.userKey}</span>
      </h1>
      <h2>Your devices</h2>
      <ul>
        {devices.map((device) => (
          <Device key={device.id} device={device} />
        ))}
      </ul>
      <form method="post" action="/api/sessions">
        <input type="hidden" name="others" value="1" />
        <button type="submit">Sign out all other devices</button>
      </form>
      <form method="post" action="/api/logout">
        <button type="submit">Sign out</button>
      </form>
    </main>
  )
}

function Device({ device }: { device: ListedSession }) {
  const name = [device.agent.browser, device.agent.os].filter(Boolean).join(' on ') || 'Unknown'
  return (
    <li>
      {name}, signed in {device.createdAt.toISOString()}
      {device.current ? (
        ' (this device)'
      ) : (
        <form method="post" action="/api/sessions" style={{ display: 'inline' }}>
          <input type="hidden" name="id" value={device.id} />
          <button type="submit">Sign out</button>
        </form>
      )}
    </li>
  )
}

function SignIn({ lastUser, failed }: { lastUser: string; failed: boolean }) {
  return (
    <main>
      <h1>Sign in</h1>
      {failed && <p role="alert">Wrong user name or password.</p>}
      <form method="post" action="/api/login">
        <label>
          User <input name="user" defaultValue={lastUser} autoComplete="username" />
        </label>{' '}
        <label>
          Password <input name="password" type="password" autoComplete="current-password" />
        </label>{' '}
        <button type="submit">Sign in</button>
      </form>
      <p>Try alice / wonderland or bob / builder.</p>
    </main>
  )
}
