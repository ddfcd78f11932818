import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  defaultReject,
  hashSecret,
  InvalidArgumentError,
  InvalidOptionError,
  MemoryStore,
  SessionManager,
  UnauthorizedError,
} from '../src/index.js'
import { sessionRecord, v1Token } from '../src/testing/index.js'
import { cookiePair, partsOf, setup, tokenOf, view } from './helpers.js'

const MIN = 60_000

describe('options of session model v2', () => {
  const store = new MemoryStore({ cleanupInterval: 0 })
  const refuses = (options: object, option: string) =>
    assert.throws(
      () => new SessionManager(store, options),
      (e: unknown) => e instanceof InvalidOptionError && e.option === option,
      JSON.stringify(options),
    )

  it('checks every new option and names it', () => {
    refuses({ rotationGrace: -1 }, 'rotationGrace')
    refuses({ rotateEvery: 0 }, 'rotateEvery')
    refuses({ rememberFor: Number.POSITIVE_INFINITY }, 'rememberFor')
    refuses({ idleTimeout: 1.5 }, 'idleTimeout')
    refuses({ expiresIn: Number.MAX_SAFE_INTEGER }, 'expiresIn')
    refuses({ idleTimeout: 10 * MIN, activityInterval: 10 * MIN }, 'activityInterval')
    refuses({ generateSecret: 'x' }, 'generateSecret')
    assert.throws(
      () => new SessionManager(store, { generateToken: () => 'x' } as object),
      /renamed generateSecret/,
    )
    assert.ok(new SessionManager(store, { rotationGrace: 0, rotateEvery: MIN }))
  })

  it('a custom secret generator: 22–256 characters without a dot', async () => {
    const { manager } = setup({ generateSecret: () => `my-${'s'.repeat(30)}` })
    const { setCookie } = await manager.init(view(), 'alice')
    assert.equal(partsOf(setCookie).secret, `my-${'s'.repeat(30)}`)
    assert.ok((await manager.authenticate(view({ cookie: cookiePair(setCookie) }))).session)
    const dotted = manager.clone({ generateSecret: () => `a.${'b'.repeat(30)}` })
    await assert.rejects(dotted.init(view(), 'alice'), /generateSecret/)
  })
})

describe('init options', () => {
  it('refuses what is not { meta, remember }, naming it', async () => {
    const { manager, store } = setup()
    const cases: Array<[unknown, string]> = [
      [{ role: 'admin' }, 'options.role'],
      [{ remember: 'yes' }, 'options.remember'],
      [{ remember: -5 }, 'options.remember'],
      [{ remember: 1.5 }, 'options.remember'],
      [[], 'options'],
    ]
    for (const [options, argument] of cases) {
      await assert.rejects(
        manager.init(view(), 'alice', options as object),
        (e: unknown) => e instanceof InvalidArgumentError && e.argument === argument,
        argument,
      )
    }
    assert.equal(store.calls.create, 0, 'nothing was created')
  })

  it('remember is capped by absoluteTimeout, and expiresIn does not shorten it', async () => {
    const { manager, clock } = setup({ expiresIn: 60 * MIN, absoluteTimeout: 7 * 24 * 60 * MIN })
    const { session, setCookie } = await manager.init(view(), 'alice', { remember: true })
    assert.equal(session.deadline?.getTime(), clock.now() + 7 * 24 * 60 * MIN, 'capped')
    assert.match(setCookie, new RegExp(`Expires=${session.deadline?.toUTCString()}`))
    clock.advance(2 * 60 * MIN)
    assert.ok((await manager.authenticate(view({ cookie: cookiePair(setCookie) }))).session)
  })
})

describe('persistent: false', () => {
  it('caps ordinary sessions on the server while their cookie ends with the browser', async () => {
    const week = 7 * 24 * 60 * MIN
    const { manager, clock } = setup({ expiresIn: week, idleTimeout: 30 * MIN, persistent: false })
    const plain = await manager.init(view(), 'alice')
    assert.doesNotMatch(plain.setCookie, /Expires=/)
    assert.equal(plain.session.deadline?.getTime(), clock.now() + week)
    assert.equal(plain.session.persistent, false)
    const kept = await manager.init(view(), 'alice', { remember: true })
    assert.equal(kept.session.deadline?.getTime(), clock.now() + 30 * 24 * 60 * MIN, 'not capped')
    assert.match(kept.setCookie, /Expires=/)
    assert.throws(
      () => setup({ idleTimeout: 30 * MIN, persistent: true }),
      (e: unknown) => e instanceof InvalidOptionError && e.option === 'persistent',
    )
  })
})

describe('secrets', () => {
  it('login revokes a carried session only when its cookie proves it (not by id alone)', async () => {
    const { manager, store } = setup()
    const victim = await manager.init(view(), 'victim')
    const planted = `__Host-sessionup=${victim.session.id}.${'A'.repeat(43)}`
    await manager.init(view({ cookie: planted }), 'attacker')
    assert.ok(
      await store.fetchById(victim.session.id),
      'a known id with a wrong secret deletes nothing',
    )
    const own = await manager.init(view({ cookie: cookiePair(victim.setCookie) }), 'victim')
    assert.equal(await store.fetchById(victim.session.id), null, 'the real cookie is revoked')
    assert.ok(await store.fetchById(own.session.id))
  })

  it('a rotated session keeps one id; the old secret fails after the grace window', async () => {
    const { manager, clock } = setup({ rotationGrace: 1_000 })
    const first = await manager.init(view(), 'alice')
    const rotated = await manager.rotate(first.session)
    assert.ok(rotated)
    assert.equal(partsOf(rotated.setCookie).id, first.session.id)
    assert.notEqual(partsOf(rotated.setCookie).secret, partsOf(first.setCookie).secret)
    clock.advance(1_000)
    const old = await manager.authenticate(view({ cookie: cookiePair(first.setCookie) }))
    assert.equal((old.error as UnauthorizedError).reason, 'unknown-session')
  })

  it('a v1 session (no secret hash, id = SHA-256 of its token) is found by its v1 cookie', async () => {
    const { manager, store, clock } = setup({ expiresIn: 60 * MIN })
    const { token, id } = v1Token()
    await store.create(
      sessionRecord({
        id,
        userKey: 'old',
        createdAt: new Date(clock.now()),
        expiresAt: new Date(clock.now() + 60 * MIN),
        secretHash: null,
        version: 0,
      }),
    )
    const found = await manager.authenticate(view({ cookie: `__Host-sessionup=${token}` }))
    assert.equal(found.session?.id, id)
    assert.equal(found.session?.persistent, true, 'the manager’s policy (expiresIn) applies')
    assert.equal(found.session?.deadline?.getTime(), clock.now() + 60 * MIN)
    const forged = await manager.authenticate(view({ cookie: `__Host-sessionup=${id}` }))
    assert.ok(forged.error, 'the public id is not the token')
    const upgraded = await manager.rotate(found.session ?? assert.fail())
    assert.ok(upgraded)
    const stored = await store.fetchById(id)
    assert.equal(stored?.secretHash, hashSecret(partsOf(upgraded.setCookie).secret))
    assert.equal(stored?.persistent, true, 'the lifetime is written with the upgrade')
    assert.match(tokenOf(upgraded.setCookie), new RegExp(`^${id}\\.`))
  })
})

describe('found in review', () => {
  it('a rotated-out secret, still in its grace window, cannot mint a new secret with rotate()', async () => {
    const { manager } = setup()
    const first = await manager.init(view(), 'alice')
    const stolen = cookiePair(first.setCookie)
    const rotated = await manager.rotate(first.session) // the owner rotates
    assert.ok(rotated)
    const thief = await manager.authenticate(view({ cookie: stolen }))
    assert.ok(thief.session, 'inside the grace window the old secret is accepted')
    assert.equal(await manager.rotate(thief.session), null, 'but it cannot rotate')
    const owner = await manager.authenticate(view({ cookie: cookiePair(rotated.setCookie) }))
    assert.ok(owner.session)
    assert.ok(await manager.rotate(owner.session), 'the current secret still can')
  })

  it('every method that takes the current session refuses what is not one', async () => {
    const { manager, store } = setup()
    const victim = await manager.init(view(), 'victim')
    const notSessions = [{}, null, { id: victim.session.id }, { userKey: 'x' }]
    for (const bad of notSessions) {
      const current = bad as unknown as typeof victim.session
      await assert.rejects(manager.revokeByIdExt(current, victim.session.id), InvalidArgumentError)
      await assert.rejects(manager.revoke(current), InvalidArgumentError)
      await assert.rejects(manager.revokeOther(current), InvalidArgumentError)
      await assert.rejects(manager.revokeAll(current), InvalidArgumentError)
      await assert.rejects(manager.fetchAll(current), InvalidArgumentError)
      assert.throws(() => manager.isFresh(current, MIN), InvalidArgumentError)
    }
    assert.ok(await store.fetchById(victim.session.id), 'nothing was deleted')
  })

  it('rotateEvery shorter than the renewal window still rotates on time', async () => {
    const { manager, clock } = setup({ rotateEvery: 5 * MIN }) // window: 1 hour
    const { setCookie } = await manager.init(view(), 'alice')
    clock.advance(4 * MIN)
    assert.equal(
      (await manager.authenticate(view({ cookie: cookiePair(setCookie) }))).setCookie,
      undefined,
    )
    clock.advance(2 * MIN)
    const due = await manager.authenticate(view({ cookie: cookiePair(setCookie) }))
    assert.ok(due.setCookie, 'rotated at 6 minutes, not at the hour')
  })

  it('reauthenticate follows the manager’s liveness rules (absoluteTimeout)', async () => {
    const { manager, clock } = setup({ absoluteTimeout: 60 * MIN, idleTimeout: 90 * MIN })
    const { session } = await manager.init(view(), 'alice')
    clock.advance(61 * MIN)
    assert.equal(await manager.reauthenticate(session), null)
  })

  it('init checks the user key and the secret generator before revoking the carried session', async () => {
    const { manager, store } = setup()
    const carried = await manager.init(view(), 'alice')
    const cookie = cookiePair(carried.setCookie)
    await assert.rejects(manager.init(view({ cookie }), 'a\0b'), /userKey/)
    await assert.rejects(
      manager.clone({ generateSecret: () => 'bad' }).init(view({ cookie }), 'alice'),
      /generateSecret/,
    )
    assert.ok(await store.fetchById(carried.session.id), 'the carried session is still there')
  })
})

describe('freshness and meta', () => {
  it('not-fresh has its own reason and default answer (403), distinct from unauthorized', () => {
    const answer = defaultReject(new UnauthorizedError('not-fresh'))
    assert.equal(answer.status, 403)
    assert.equal(answer.body, '{"error":"reauthentication-required"}')
    assert.equal(defaultReject(new UnauthorizedError('unknown-session')).status, 401)
  })

  it('isFresh, updateMeta and rotate refuse bad arguments before any store call', async () => {
    const { manager, store } = setup()
    const { session } = await manager.init(view(), 'alice', { meta: { a: '1' } })
    for (const age of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => manager.isFresh(session, age), /maxAgeMs/)
    }
    const before = store.calls.touch
    const bad: unknown[] = [null, ['a'], { a: 1 }, { a: undefined }]
    for (const patch of bad) {
      await assert.rejects(
        manager.updateMeta(session, patch as Record<string, string>),
        InvalidArgumentError,
      )
    }
    await assert.rejects(manager.updateMeta(session, { big: 'x'.repeat(70_000) }), /65536/)
    await assert.rejects(manager.rotate({} as typeof session), /current/)
    assert.equal(store.calls.touch, before)
    const kept = await manager.updateMeta(session, { ['__proto__']: 'plain' })
    assert.equal(Object.getPrototypeOf(kept?.meta), Object.prototype)
    assert.equal(Object.getOwnPropertyDescriptor(kept?.meta, '__proto__')?.value, 'plain')
  })
})
