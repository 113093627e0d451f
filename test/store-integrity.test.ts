/**
 * Store integrity as GoTrue's transactions define it (issue 10 §1): a refused hook rolls back only
 * what its own flow wrote (gotrue:api/token.go, signup.go, verify.go run the hook inside
 * `a.db.Transaction`); a hook's own admin calls are separate requests and transactions
 * (gotrue:api/admin.go `adminUserUpdate` commits its own); an accepted hook with an empty or
 * metadata-free body writes nothing (gotrue:api/hooks.go, gotrue.md §2.3); indexes always agree.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import type { Identity } from '../src/index.js'
import type { Store } from '../src/gotrue/store.js'
import { call } from './gotrue-helpers.js'

const storeOf = (identity: Identity): Store => identity.users as unknown as Store
const invariant = (identity: Identity): void => expect(storeOf(identity).check().problems).toEqual([])

type Handler = (event: { body: string }) => Promise<{ statusCode: number; body?: string }>

/** An instance whose login/usermodified hooks run `behaviour`, served by its own msw server. */
function site(name: string, hooks: { login?: Handler; usermodified?: Handler; validate?: Handler }) {
  const identity = createIdentity({ siteUrl: `https://${name}.netlify.test`, functions: hooks })
  return identity
}

describe('the issue 10 §1 scenarios', () => {
  let changeTo = ''
  let identity: Identity
  const admin = () => identity.adminToken()
  beforeAll(() => {
    identity = site('integrity', {
      login: async (event) => {
        const { user } = JSON.parse(event.body)
        if (changeTo) await fetch(`${identity.url}/admin/users/${user.id}`, { method: 'PUT', headers: { authorization: `Bearer ${await admin()}` }, body: JSON.stringify({ email: changeTo, app_metadata: { plan: 'pro' } }) })
        return changeTo.startsWith('fail') ? { statusCode: 500 } : { statusCode: 200 }
      },
    })
    identity.listen()
  })
  afterAll(() => identity.close())

  test('a login hook that changes the e-mail through the admin API, then answers 500: refused, the PUT survives, indexes agree', async () => {
    const user = identity.createUser({ email: 'old@site.test', password: 'pw-1' })
    changeTo = 'fail-new@site.test'
    const login = await identity.login('old@site.test', 'pw-1')
    expect(login.status).toBe(422)
    expect(identity.users.get(user.id)!.email).toBe('fail-new@site.test')
    expect(identity.users.get(user.id)!.app_metadata.plan).toBe('pro')
    expect(identity.users.findByEmail('old@site.test')).toBeUndefined()
    expect(identity.users.findByEmail('fail-new@site.test')!.id).toBe(user.id)
    changeTo = ''
    // The old address is free again: a signup creates a new user with it, not a second holder.
    expect((await identity.signup({ email: 'old@site.test', password: 'pw-2' })).status).toBe(200)
    expect(identity.users.size).toBe(2)
    invariant(identity)
  })

  test('an allowed hook with an empty body writes nothing: the PUT it made itself stays', async () => {
    const user = identity.createUser({ email: 'keep@site.test', password: 'pw-1' })
    changeTo = 'kept@site.test'
    expect((await identity.login('keep@site.test', 'pw-1')).status).toBe(200)
    expect(identity.users.get(user.id)).toMatchObject({ email: 'kept@site.test', app_metadata: { plan: 'pro' } })
    changeTo = ''
    invariant(identity)
  })
})

describe('concurrent writes survive a slow failing hook, and a slow usermodified hook', () => {
  let release: (() => void) | undefined
  const identity = site('slow-integrity', {
    login: async () => {
      await new Promise<void>((resolve) => (release = resolve))
      return { statusCode: 500 }
    },
    // Slow, empty body: GoTrue writes nothing back.
    usermodified: async () => {
      await new Promise((r) => setTimeout(r, 30))
      return { statusCode: 200, body: '' }
    },
  })
  beforeAll(() => identity.listen())
  afterAll(() => identity.close())

  test('an admin PUT made while a failing login hook runs is kept after the rollback', async () => {
    const user = identity.createUser({ password: 'pw-1' })
    const login = identity.login(user.email, 'pw-1')
    for (let attempt = 0; attempt < 3; attempt++) {
      while (!release) await new Promise((r) => setTimeout(r, 1))
      if (attempt === 0) await call(identity, 'PUT', `/admin/users/${user.id}`, { token: await identity.adminToken(), json: { user_metadata: { during: true } } })
      const r = release
      release = undefined
      r()
    }
    expect((await login).status).toBe(422)
    expect(identity.users.get(user.id)!.user_metadata).toMatchObject({ during: true })
    invariant(identity)
  }, 15_000)

  test('two concurrent PUTs with a slow usermodified hook: the later write is the one stored', async () => {
    const user = identity.createUser()
    const admin = await identity.adminToken()
    const first = call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, json: { app_metadata: { plan: 'first' } } })
    await new Promise((r) => setTimeout(r, 5))
    const second = call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, json: { app_metadata: { plan: 'second' } } })
    await Promise.all([first, second])
    expect(identity.users.get(user.id)!.app_metadata.plan).toBe('second')
    invariant(identity)
  })
})

describe('e-mails are unique per audience (gotrue:models/user.go FindUserByEmailAndAudience, IsDuplicatedEmail)', () => {
  const identity = createIdentity({ siteUrl: 'https://aud.netlify.test' })
  beforeAll(() => identity.listen())
  afterAll(() => identity.close())

  test('the same address in two audiences is two users; within one it is taken', async () => {
    const admin = await identity.adminToken()
    const a = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'same@site.test', password: 'pw' } })
    const b = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'same@site.test', password: 'pw', aud: 'team' } })
    expect([a.status, b.status]).toEqual([200, 200])
    const again = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'SAME@site.test', aud: 'team' } })
    expect(again.body).toEqual({ code: 422, msg: 'Email address already registered by another user' })
    expect(identity.users.findByEmail('same@site.test', 'team')!.id).toBe(b.body.id)
    expect(identity.users.findByEmail('same@site.test')!.id).toBe(a.body.id)
    invariant(identity)
  })

  test('an admin PUT can give a user another user\'s address: GoTrue checks nothing (adminUserUpdate → SetEmail; no UNIQUE key in gotrue:migrations)', async () => {
    const admin = await identity.adminToken()
    const x = identity.createUser({ email: 'x@site.test', password: 'px' })
    const y = identity.createUser({ email: 'y@site.test', password: 'py' })
    const res = await call(identity, 'PUT', `/admin/users/${x.id}`, { token: admin, json: { email: 'y@site.test' } })
    expect(res.status).toBe(200)
    expect(storeOf(identity).check().shared).toEqual(['/y@site.test'])
    // GoTrue's lookup (First() over the (instance_id, email) index) yields the lower id.
    expect(identity.users.findByEmail('y@site.test')!.id).toBe([x.id, y.id].sort()[0])
    await call(identity, 'DELETE', `/admin/users/${y.id}`, { token: admin })
    expect(identity.users.findByEmail('y@site.test')!.id).toBe(x.id)
    invariant(identity)
  })
})

describe('property: random interleavings of flows, hooks and admin requests keep the store consistent', () => {
  const EMAILS = ['a@p.test', 'b@p.test', 'C@p.test', 'c@p.test', 'd@p.test']
  /** A hook: answers by `mode`, may PUT the user through the admin API first, may wait. */
  const hook = (identity: () => Identity, mode: () => { status: number; body: string; put?: object; delay: number }): Handler => async (event) => {
    const m = mode()
    const { user } = JSON.parse(event.body)
    // A usermodified hook that PUTs the user fires itself again, in GoTrue too: not here.
    if (m.put && JSON.parse(event.body).event !== 'usermodified' && identity().users.get(user.id)) {
      await fetch(`${identity().url}/admin/users/${user.id}`, { method: 'PUT', headers: { authorization: `Bearer ${await identity().adminToken()}` }, body: JSON.stringify(m.put) })
    }
    if (m.delay) await new Promise((r) => setTimeout(r, m.delay))
    return { statusCode: m.status, body: m.body }
  }
  const hookMode = fc.record({
    status: fc.constantFrom(200, 204, 500),
    body: fc.constantFrom('', '{}', '{"app_metadata":{"roles":["h"]}}', '{"user_metadata":{"full_name":"Hook"}}', 'null'),
    put: fc.option(fc.oneof(fc.record({ email: fc.constantFrom(...EMAILS) }), fc.constant({ app_metadata: { plan: 'p' } })), { nil: undefined }),
    delay: fc.constantFrom(0, 0, 3),
  })
  const op = fc.oneof(
    fc.record({ kind: fc.constant('signup' as const), email: fc.constantFrom(...EMAILS) }),
    fc.record({ kind: fc.constant('login' as const), email: fc.constantFrom(...EMAILS) }),
    fc.record({ kind: fc.constant('create' as const), email: fc.constantFrom(...EMAILS), aud: fc.constantFrom('', 'team') }),
    fc.record({ kind: fc.constant('put' as const), n: fc.nat(5), email: fc.option(fc.constantFrom(...EMAILS), { nil: undefined }) }),
    fc.record({ kind: fc.constant('delete' as const), n: fc.nat(5) }),
    fc.record({ kind: fc.constant('verify' as const), email: fc.constantFrom(...EMAILS) }),
  )
  let current: Identity
  let mode = { status: 200, body: '', delay: 0 } as { status: number; body: string; put?: object; delay: number }
  const h = hook(() => current, () => mode)
  const identity = createIdentity({ siteUrl: 'https://prop-integrity.netlify.test', functions: { validate: h, signup: h, login: h, usermodified: h } })
  current = identity
  beforeAll(() => identity.listen())
  afterAll(() => identity.close())

  test('after every batch of concurrent steps: indexes agree, shared e-mails arise only where GoTrue allows them', async () => {
    let steps = 0
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.array(op, { minLength: 1, maxLength: 3 }), hookMode), { minLength: 1, maxLength: 6 }), async (batches) => {
      identity.reset()
      const admin = await identity.adminToken()
      let puts = 0
      let concurrent = false
      for (const [ops, m] of batches) {
        mode = m
        if (ops.length > 1) concurrent = true
        if (m.put && 'email' in m.put) puts++
        await Promise.all(ops.map(async (o) => {
          const users = identity.users.all()
          const pick = (n: number) => users[n % Math.max(users.length, 1)]
          if (o.kind === 'signup') await identity.signup({ email: o.email, password: 'pw-123' })
          else if (o.kind === 'login') await identity.login(o.email, 'pw-123')
          else if (o.kind === 'create') await call(identity, 'POST', '/admin/users', { token: admin, json: { email: o.email, password: 'pw-123', confirm: true, aud: o.aud } })
          else if (o.kind === 'put' && pick(o.n)) {
            if (o.email) puts++
            await call(identity, 'PUT', `/admin/users/${pick(o.n)!.id}`, { token: admin, json: { email: o.email, user_metadata: { full_name: 'Put' } } })
          } else if (o.kind === 'delete' && pick(o.n)) await call(identity, 'DELETE', `/admin/users/${pick(o.n)!.id}`, { token: admin })
          else if (o.kind === 'verify') {
            const mail = identity.mail.last(o.email, 'confirmation')
            if (mail) await call(identity, 'POST', '/verify', { json: { type: 'signup', token: mail.token } })
          }
          steps++
        }))
        const { problems, shared } = storeOf(identity).check()
        expect(problems).toEqual([])
        // Shared addresses need an admin PUT of an e-mail or concurrent creations of one address.
        // (a shared address made by an earlier batch stays shared in later ones).
        if (shared.length) expect(puts > 0 || concurrent).toBe(true)
        // Every request got GoTrue's answer, never the emulator's own 500.
        expect(identity.requests.filter((r) => r.error !== undefined)).toEqual([])
      }
    }), { numRuns: 60 })
    expect(steps).toBeGreaterThan(100)
  }, 60_000)
})

describe('identity.requests is a snapshot', () => {
  test('a copy read earlier never grows, and changing it changes nothing', async () => {
    const identity = createIdentity({ siteUrl: 'https://snap.netlify.test' })
    identity.listen()
    try {
      await fetch(`${identity.url}/settings`)
      const before = identity.requests
      await fetch(`${identity.url}/settings`)
      expect(before).toHaveLength(1)
      ;(identity.requests as unknown[]).length = 0
      ;(identity.requests[0] as { status: number }).status = 999
      expect(identity.requests.map((r) => r.status)).toEqual([200, 200])
    } finally {
      identity.close()
    }
  })
})

describe('seeds, secrets and isolation between instances (issue 10 §2)', () => {
  test('reset() restarts the fake-value sequence: the same users as a fresh instance', () => {
    const a = createIdentity({ seed: 9 })
    const first = a.fakeUser()
    a.fakeUser()
    a.reset()
    expect(a.fakeUser()).toEqual(first)
    expect(createIdentity({ seed: 9 }).fakeUser()).toEqual(first)
  })

  test('instances with the same seed but other sites have other secrets and ids, and refuse each other\'s tokens', async () => {
    const a = createIdentity({ seed: 3, siteUrl: 'https://one.netlify.test' })
    const b = createIdentity({ seed: 3, siteUrl: 'https://two.netlify.test' })
    expect(a.jwtSecret).not.toBe(b.jwtSecret)
    expect(a.fakeUser().id).not.toBe(b.fakeUser().id)
    expect(createIdentity({ seed: 3, siteUrl: 'https://one.netlify.test' }).jwtSecret).toBe(a.jwtSecret)
    b.listen()
    try {
      const res = await fetch(`${b.url}/admin/users`, { headers: { authorization: `Bearer ${await a.adminToken()}` } })
      expect(await res.json()).toEqual({ code: 401, msg: 'Invalid token: signature is invalid' })
    } finally {
      b.close()
    }
  })

  test('an explicit jwtSecret is the instance secret; DEFAULT_JWT_SECRET is the default instance\'s', async () => {
    const { DEFAULT_JWT_SECRET } = await import('../src/index.js')
    expect(createIdentity().jwtSecret).toBe(DEFAULT_JWT_SECRET)
    expect(createIdentity({ jwtSecret: 'mine' }).jwtSecret).toBe('mine')
  })
})

describe('the record is the stored user; the shared e-mail app_metadata never escapes (issue 12, 6d)', () => {
  // A stored user's record holds the user's fields itself, and every record whose app_metadata is
  // exactly GoTrue's `{ provider: "email" }` (gotrue.md §3; gotrue:api/signup.go sets it) shares
  // one frozen map. Nothing outside the store may ever see that map or the record.
  test('stored e-mail users share one frozen map inside the store, and get their own copies outside', () => {
    const identity = createIdentity({ seed: 12 })
    const a = identity.createUser()
    const b = identity.createUser()
    const store = storeOf(identity)
    const [ra, rb] = [store.record(a.id)!, store.record(b.id)!]
    expect(ra.user.app_metadata).toBe(rb.user.app_metadata)
    expect(Object.isFrozen(ra.user.app_metadata)).toBe(true)
    for (const out of [a, b, identity.users.get(a.id)!, identity.users.findByEmail(b.email)!, ...identity.users.all()]) {
      expect(out.app_metadata).toEqual({ provider: 'email' })
      expect(Object.isFrozen(out.app_metadata)).toBe(false)
      expect(out.app_metadata).not.toBe(ra.user.app_metadata)
      expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    }
    a.app_metadata.roles = ['admin']
    ;(a.user_metadata as Record<string, unknown>).full_name = 'Changed Outside'
    identity.users.get(b.id)!.app_metadata.plan = 'pro'
    expect(identity.users.get(a.id)!.app_metadata).toEqual({ provider: 'email' })
    expect(identity.users.get(a.id)!.user_metadata).toEqual({ full_name: ra.user.user_metadata!.full_name })
    expect(ra.user.user_metadata!.full_name).not.toBe('Changed Outside')
    expect(identity.users.get(b.id)!.app_metadata).toEqual({ provider: 'email' })
    expect(identity.createUser().app_metadata).toEqual({ provider: 'email' })
    invariant(identity)
  })

  test('maps with more than the provider, or another provider, are stored as given', () => {
    const identity = createIdentity({ seed: 12 })
    const withRoles = identity.createUser({ roles: ['editor'] })
    const google = identity.createUser({ provider: 'google' })
    const store = storeOf(identity)
    // createUser hands out the object it stored from: the record must hold other maps.
    expect(store.record(withRoles.id)!.user.app_metadata).not.toBe(withRoles.app_metadata)
    expect(store.record(withRoles.id)!.user.user_metadata).not.toBe(withRoles.user_metadata)
    ;(withRoles.app_metadata.roles as string[]).push('admin')
    expect(store.record(withRoles.id)!.user.app_metadata).toEqual({ provider: 'email', roles: ['editor'] })
    const added = identity.users.add(identity.fakeUser({ roles: ['x'] }))
    expect(store.record(added.id)!.user.app_metadata).not.toBe(added.app_metadata)
    expect(store.record(added.id)!.user.user_metadata).not.toBe(added.user_metadata)
    expect(Object.isFrozen(store.record(withRoles.id)!.user.app_metadata)).toBe(false)
    expect(identity.users.get(google.id)!.app_metadata).toEqual({ provider: 'google' })
  })

  // gotrue.md §2: /signup (autoconfirm off) fires `validate`, whose returned map replaces the stored
  // one (§2.3); a `login` hook answering 401 is retried, then the password grant answers 422 and
  // its request is rolled back (§2.1, §2.2).
  test('an admin PUT, a validate hook and a rolled-back login write their own map: the other users keep theirs', async () => {
    let refuse = false
    const identity = createIdentity({
      seed: 12,
      siteUrl: 'https://shared-map.netlify.test',
      functions: {
        validate: async (event: { body: string }) => {
          const { user } = JSON.parse(event.body)
          return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['member'] } }) }
        },
        login: async () => ({ statusCode: refuse ? 401 : 200 }),
      },
    })
    identity.listen()
    try {
      const a = identity.createUser({ password: 'secret-1' })
      const b = identity.createUser()
      const put = await call(identity, 'PUT', `/admin/users/${a.id}`, { json: { app_metadata: { plan: 'pro' } }, token: await identity.adminToken() })
      expect(put.status).toBe(200)
      expect(identity.users.get(a.id)!.app_metadata).toEqual({ provider: 'email', plan: 'pro' })
      expect(identity.users.get(b.id)!.app_metadata).toEqual({ provider: 'email' })
      const signup = await call(identity, 'POST', '/signup', { json: { email: 'new@example.com', password: 'secret-2' } })
      expect(signup.status).toBe(200)
      expect(identity.users.findByEmail('new@example.com')!.app_metadata).toEqual({ provider: 'email', roles: ['member'] })
      expect(identity.users.get(b.id)!.app_metadata).toEqual({ provider: 'email' })
      refuse = true
      const login = await call(identity, 'POST', '/token', { body: `grant_type=password&username=${encodeURIComponent(a.email)}&password=secret-1`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      expect(login.status).toBe(422)
      expect(identity.users.get(a.id)!.app_metadata).toEqual({ provider: 'email', plan: 'pro' })
      expect(identity.users.get(b.id)!.app_metadata).toEqual({ provider: 'email' })
      invariant(identity)
    } finally {
      identity.close()
    }
  })

  test('a state file\'s user keeps only GoTrue\'s fields: "__proto__" or "password" keys are not fields', async () => {
    const { restoreState } = await import('../src/server/state.js')
    const identity = createIdentity({ seed: 12 })
    const user = JSON.parse(`{"id":"00000000-0000-4000-8000-000000000001","aud":"","role":"","email":"kept@example.com",
      "confirmed_at":"2026-01-01T00:00:00.000Z","app_metadata":{"provider":"email"},"user_metadata":{},
      "created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z",
      "__proto__":{"polluted":true},"password":"from-the-json","live":false}`)
    restoreState(storeOf(identity), { version: 1, generation: 1, users: [{ user, password: undefined }] } as never)
    const record = storeOf(identity).record(user.id)!
    expect(record.live).toBe(true)
    expect(record.password).toBeUndefined()
    expect((record as unknown as { polluted?: boolean }).polluted).toBeUndefined()
    expect(Object.keys(identity.users.get(user.id)!)).toEqual(['id', 'aud', 'role', 'email', 'confirmed_at', 'app_metadata', 'user_metadata', 'created_at', 'updated_at'])
    invariant(identity)
  })
})
