// The example site's functions, tested with Jest (ESM mode). Run: npm run examples
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from '@jest/globals'
import { useIdentity } from 'netlify-identity-harness/jest'

const identity = useIdentity({ seed: 2024 })
const fn = (file) => fileURLToPath(new URL(`../site/netlify/functions/${file}`, import.meta.url))

describe('identity-signup.js assigns roles', () => {
  test('staff e-mails become staff; provider is kept', async () => {
    const outcome = await identity.trigger(fn('identity-signup.js'), identity.fakeUser({ email: 'ada@acme.test' }))
    expect(outcome).toAllowSignup()
    expect(outcome).toHaveRoles(['staff'])
    expect(outcome).toSetAppMetadata({ provider: expect.any(String) })
  })

  test('everyone else becomes a member (snapshot)', async () => {
    const outcome = await identity.trigger(fn('identity-signup.js'), identity.fakeUser({ email: 'grace@example.com', user_metadata: { full_name: 'Grace Hopper' } }))
    expect(outcome).toMatchSnapshot()
  })
})

describe('identity-validate.mjs', () => {
  test('blocks domains outside the allow-list', async () => {
    expect(await identity.trigger(fn('identity-validate.mjs'), identity.fakeUser({ email: 'lin@example.com' }))).toAllowSignup()
    expect(await identity.trigger(fn('identity-validate.mjs'), identity.fakeUser({ email: 'eve@elsewhere.test' }))).toBlockSignup()
  })
})

describe('identity-login.ts', () => {
  test('blocks banned users, stamps the others', async () => {
    expect(await identity.trigger(fn('identity-login.ts'), identity.fakeUser({ app_metadata: { banned: true } }))).toBlockLogin()
    expect(await identity.trigger(fn('identity-login.ts'), identity.fakeUser())).toSetAppMetadata({ last_login_at: expect.any(String) })
  })
})

describe('HTTP functions', () => {
  test('protected.mjs needs a staff token', async () => {
    expect(await identity.invoke(fn('protected.mjs'))).toHaveStatus(401)
    const response = await identity.invoke(fn('protected.mjs'), { user: identity.fakeUser({ email: 'ada@acme.test', roles: ['staff'] }) })
    expect(JSON.parse(response.body)).toEqual({ email: 'ada@acme.test', roles: ['staff'] })
  })

  test('promote.mjs updates a user through the admin API', async () => {
    const staff = identity.createUser({ roles: ['staff'] })
    const target = identity.createUser({ roles: ['member'] })
    const response = await identity.invoke(fn('promote.mjs'), {
      user: staff,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: target.id, role: 'editor' }),
    })
    expect(response).toHaveStatus(200)
    expect(identity.users.get(target.id).app_metadata.roles).toEqual(['member', 'editor'])
  })

  test('the store was reset after the previous test', () => {
    expect(identity.users.all()).toEqual([])
  })

  test('me.mts (v2 + @netlify/identity) returns the caller', async () => {
    const user = identity.createUser({ email: 'ada@acme.test', roles: ['staff'] })
    const response = await identity.invoke(fn('me.mts'), { user, path: '/api/me' })
    expect(JSON.parse(response.body)).toEqual({ email: 'ada@acme.test', roles: ['staff'] })
  })
})

describe('user-events.mts (typed handlers)', () => {
  test('userSignup adds the member role; userValidate denies spam', async () => {
    expect(await identity.trigger(fn('user-events.mts'), 'signup', identity.fakeUser())).toHaveRoles(['member'])
    expect(await identity.trigger(fn('user-events.mts'), 'validate', identity.fakeUser({ email: 'bot@spam.test' }))).toBlockSignup()
  })
})
