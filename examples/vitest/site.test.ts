// The example site's functions, tested with Vitest. Run: npm run examples
import { fileURLToPath } from 'node:url'
import { describe } from 'vitest'
import { expect, test } from 'netlify-identity-harness/vitest'

/** A function file of the example site, by name. */
const fn = (file: string) => fileURLToPath(new URL(`../site/netlify/functions/${file}`, import.meta.url))

describe('identity-signup.js assigns roles', () => {
  test('staff e-mails become staff; provider is kept', async ({ identity }) => {
    const outcome = await identity.trigger(fn('identity-signup.js'), identity.fakeUser({ email: 'ada@acme.test' }))
    expect(outcome).toAllowSignup()
    expect(outcome).toHaveRoles(['staff'])
    expect(outcome).toSetAppMetadata({ provider: 'email' })
  })

  test('everyone else becomes a member (snapshot)', async ({ identity }) => {
    const outcome = await identity.trigger(fn('identity-signup.js'), identity.fakeUser({ email: 'grace@example.com', user_metadata: { full_name: 'Grace Hopper' } }))
    expect(outcome).toHaveRoles(['member'])
    expect(outcome).toMatchSnapshot()
  })
})

describe('identity-validate.mjs blocks sign-ups outside the allow-list', () => {
  test('an allowed domain signs up', async ({ identity }) => {
    expect(await identity.trigger(fn('identity-validate.mjs'), identity.fakeUser({ email: 'lin@example.com' }))).toAllowSignup()
  })

  test('another domain is blocked, after GoTrue retried the hook', async ({ identity }) => {
    const outcome = await identity.trigger(fn('identity-validate.mjs'), identity.fakeUser({ email: 'eve@elsewhere.test' }))
    expect(outcome).toBlockSignup()
    expect(outcome.status).toBe(422)
    expect(outcome.attempts).toBe(3)
  })

  test('the allow-list comes from the environment', async ({ identity }) => {
    const user = identity.fakeUser({ email: 'eve@elsewhere.test' })
    expect(await identity.trigger(fn('identity-validate.mjs'), 'validate', user, { env: { ALLOWED_DOMAINS: 'elsewhere.test' } })).toAllowSignup()
  })
})

describe('identity-login.ts', () => {
  test('stamps the login time', async ({ identity }) => {
    const outcome = await identity.trigger(fn('identity-login.ts'), identity.fakeUser())
    expect(outcome).toAllowLogin()
    expect(outcome).toSetAppMetadata({ provider: 'email', last_login_at: expect.any(String) })
  })

  test('blocks banned users (snapshot)', async ({ identity }) => {
    const outcome = await identity.trigger(fn('identity-login.ts'), identity.fakeUser({ email: 'mallory@example.com', app_metadata: { banned: true } }))
    expect(outcome).toBlockLogin()
    expect(outcome).toMatchSnapshot()
  })
})

describe('protected.mjs reads context.clientContext.user', () => {
  test('staff get their profile', async ({ identity }) => {
    const staff = identity.fakeUser({ email: 'ada@acme.test', roles: ['staff'] })
    const response = await identity.invoke(fn('protected.mjs'), { user: staff })
    expect(response).toHaveStatus(200)
    expect(JSON.parse(response.body)).toEqual({ email: 'ada@acme.test', roles: ['staff'] })
  })

  test('no token, a member, a forged token', async ({ identity }) => {
    expect(await identity.invoke(fn('protected.mjs'))).toHaveStatus(401)
    expect(await identity.invoke(fn('protected.mjs'), { user: identity.fakeUser({ roles: ['member'] }) })).toHaveStatus(403)
    const forged = await identity.token(identity.fakeUser({ roles: ['staff'] }))
    // production verifies the signature (gotrue.md §6.1): a tampered token is no user at all
    expect(await identity.invoke(fn('protected.mjs'), { token: `${forged.slice(0, -2)}xx` })).toHaveStatus(401)
  })
})

describe('promote.mjs calls the admin API', () => {
  test('staff give another user a role; GoTrue merges it into the stored user', async ({ identity }) => {
    const staff = identity.createUser({ email: 'ada@acme.test', roles: ['staff'] })
    const target = identity.createUser({ email: 'lin@example.com', roles: ['member'] })
    const response = await identity.invoke(fn('promote.mjs'), {
      user: staff,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: target.id, role: 'editor' }),
    })
    expect(response).toHaveStatus(200)
    expect(identity.users.get(target.id)?.app_metadata.roles).toEqual(['member', 'editor'])
    expect(identity.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /admin/users/${target.id}`, `PUT /admin/users/${target.id}`])
    expect(identity.requests[1]?.body).toEqual({ app_metadata: { roles: ['member', 'editor'] } })
  })

  test('a member may not', async ({ identity }) => {
    const member = identity.createUser({ roles: ['member'] })
    const response = await identity.invoke(fn('promote.mjs'), { user: member, method: 'POST', body: '{}' })
    expect(response).toHaveStatus(403)
    expect(identity.requests).toHaveLength(0)
  })

  test('a request without userId or role is refused before GoTrue is called', async ({ identity }) => {
    const staff = identity.createUser({ roles: ['staff'] })
    const response = await identity.invoke(fn('promote.mjs'), { user: staff, method: 'POST', json: { role: 'editor' } })
    expect(response).toHaveStatus(400)
    expect(identity.requests).toHaveLength(0)
    expect(response.diagnostics).toEqual([])
  })
})

describe('me.mts: Functions v2 with @netlify/identity', () => {
  test('getUser() returns the caller', async ({ identity }) => {
    const user = identity.createUser({ email: 'ada@acme.test', roles: ['staff'] })
    const response = await identity.invoke(fn('me.mts'), { user, path: '/api/me' })
    expect(response).toHaveStatus(200)
    expect(JSON.parse(response.body)).toEqual({ email: 'ada@acme.test', roles: ['staff'] })
  })

  test('no token: 401', async ({ identity }) => {
    expect(await identity.invoke(fn('me.mts'), { path: '/api/me' })).toHaveStatus(401)
  })
})

describe('user-events.mts: typed handlers', () => {
  test('userSignup adds the member role', async ({ identity }) => {
    const outcome = await identity.trigger(fn('user-events.mts'), 'signup', identity.fakeUser({ email: 'lin@example.com' }))
    expect(outcome).toAllowSignup()
    expect(outcome).toHaveRoles(['member'])
  })

  test('userValidate denies spam domains', async ({ identity }) => {
    expect(await identity.trigger(fn('user-events.mts'), 'validate', identity.fakeUser({ email: 'bot@spam.test' }))).toBlockSignup()
  })
})

describe('the whole flow over HTTP', () => {
  test.override('identityOptions', { autoconfirm: true, functions: fileURLToPath(new URL('../site/netlify/functions', import.meta.url)) })

  test('POST /signup runs identity-validate and identity-signup; the stored user has the role', async ({ identity }) => {
    const response = await fetch(`${identity.url}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@acme.test', password: 'correct horse' }),
    })
    expect(response.status).toBe(200)
    expect(identity.users.findByEmail('ada@acme.test')?.app_metadata.roles).toEqual(['staff'])
  })

  test('a blocked domain gets GoTrue\'s 422 and is not stored', async ({ identity }) => {
    const response = await fetch(`${identity.url}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'eve@elsewhere.test', password: 'correct horse' }),
    })
    expect(response.status).toBe(422)
    expect(identity.users.findByEmail('eve@elsewhere.test')).toBeUndefined()
  })
})
