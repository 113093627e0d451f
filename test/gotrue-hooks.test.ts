import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { call, claimsOf } from './gotrue-helpers.js'

type Seen = { name: string; event: string; user: any; signature: string | undefined }

/** Wires recording functions to every event; `answers` decides each function's response. */
function wired(answers: Partial<Record<string, (user: any) => { statusCode: number; body?: string }>> = {}, options: { autoconfirm?: boolean; siteUrl: string }) {
  const seen: Seen[] = []
  const fn = (name: string) => async (event: { body: string; headers: Record<string, string> }) => {
    const payload = JSON.parse(event.body)
    seen.push({ name, event: payload.event, user: payload.user, signature: event.headers['x-webhook-signature'] })
    return answers[name]?.(payload.user) ?? { statusCode: 200, body: '' }
  }
  const identity = createIdentity({
    siteUrl: options.siteUrl,
    autoconfirm: options.autoconfirm ?? false,
    functions: {
      validate: fn('validate'),
      signup: fn('signup'),
      login: fn('login'),
      usermodified: fn('usermodified'),
      userdeleted: fn('userdeleted'),
    },
  })
  return { identity, seen }
}

const roles = (list: string[]) => (user: any) => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: list } }) })
const block = () => ({ statusCode: 403, body: 'no' })

// All instances share one msw server (msw allows one per process).
const plain = wired({ validate: roles(['v']), signup: roles(['member']), login: roles(['fresh']) }, { siteUrl: 'https://plain.netlify.test' })
const auto = wired({ validate: roles(['v']), signup: roles(['member']) }, { siteUrl: 'https://auto.netlify.test', autoconfirm: true })
const blockValidate = wired({ validate: block }, { siteUrl: 'https://block-validate.netlify.test' })
const blockSignup = wired({ signup: block }, { siteUrl: 'https://block-signup.netlify.test', autoconfirm: true })
const blockVerify = wired({ signup: block }, { siteUrl: 'https://block-verify.netlify.test' })
const blockLogin = wired({ login: block }, { siteUrl: 'https://block-login.netlify.test' })
const failingAdminHooks = wired(
  { usermodified: () => ({ statusCode: 500 }), userdeleted: () => ({ statusCode: 500 }) },
  { siteUrl: 'https://nonblocking.netlify.test' },
)
const all = [plain, auto, blockValidate, blockSignup, blockVerify, blockLogin, failingAdminHooks]

beforeAll(() => {
  const [first, ...rest] = all
  first!.identity.listen(...rest.flatMap((w) => w.identity.handlers))
})
afterAll(() => plain.identity.close())

describe('which events fire, in which order (gotrue.md §1.2)', () => {
  test('/signup without autoconfirm fires validate only; /verify then fires signup; the hooks metadata is in the tokens', async () => {
    const { identity, seen } = plain
    const res = await call(identity, 'POST', '/signup', { json: { email: 'a@plain.test', password: 'pw', data: { a: 1 } } })
    expect(res.status).toBe(200)
    expect(seen.map((s) => s.event)).toEqual(['validate'])
    // the validate payload: exactly GoTrue's 8 keys (TestWebhookTriggered)
    expect(Object.keys(seen[0]!.user).sort()).toEqual(['app_metadata', 'aud', 'created_at', 'email', 'id', 'role', 'updated_at', 'user_metadata'])
    expect(seen[0]!.signature).toEqual(expect.any(String))
    // the response shows the validate hook's metadata
    expect(res.body.app_metadata).toEqual({ provider: 'email', roles: ['v'] })

    const token = identity.mail.last('a@plain.test')!.token
    const verified = await call(identity, 'POST', '/verify', { json: { type: 'signup', token } })
    expect(verified.status).toBe(200)
    expect(seen.map((s) => s.event)).toEqual(['validate', 'signup'])
    expect(seen[1]!.user).not.toHaveProperty('confirmed_at')
    expect(claimsOf(verified.body.access_token).app_metadata).toEqual({ provider: 'email', roles: ['member'] })

    const login = await identity.login('a@plain.test', 'pw')
    expect(login.status).toBe(200)
    expect(seen.map((s) => s.event)).toEqual(['validate', 'signup', 'login'])
    expect(seen[2]!.user.confirmed_at).toEqual(expect.any(String))
    // the login hook runs before the token is minted: its roles are in this very token
    expect(claimsOf((login.body as any).access_token).app_metadata.roles).toEqual(['fresh'])
    expect(identity.users.findByEmail('a@plain.test')!.app_metadata.roles).toEqual(['fresh'])
  })

  test('/signup with autoconfirm fires validate then signup, and the signup payload has no confirmed_at', async () => {
    const { identity, seen } = auto
    const res = await identity.signup({ email: 'b@auto.test', password: 'pw' })
    expect(res.status).toBe(200)
    expect(seen.map((s) => s.event)).toEqual(['validate', 'signup'])
    expect(seen[1]!.user.app_metadata).toEqual({ provider: 'email', roles: ['v'] }) // later hooks see earlier changes
    expect(seen[1]!.user).not.toHaveProperty('confirmed_at')
    expect(res.body).toMatchObject({ confirmed_at: expect.any(String), app_metadata: { provider: 'email', roles: ['member'] } })
  })

  test('refresh grant, admin create and PUT /user fire nothing; admin PUT/DELETE fire usermodified/userdeleted', async () => {
    const { identity, seen } = plain
    seen.length = 0
    const admin = await identity.adminToken()
    const created = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'c@plain.test', password: 'pw', confirm: true } })
    expect(seen).toEqual([])
    await call(identity, 'PUT', '/user', { token: await identity.token(created.body), json: { data: { x: 1 } } })
    expect(seen).toEqual([])
    await call(identity, 'PUT', `/admin/users/${created.body.id}`, { token: admin, json: { user_metadata: { y: 2 } } })
    await call(identity, 'DELETE', `/admin/users/${created.body.id}`, { token: admin })
    expect(seen.map((s) => s.name)).toEqual(['usermodified', 'userdeleted'])
    expect(seen[0]!.user.user_metadata).toEqual({ x: 1, y: 2 })
  })

  test('/invite fires validate', async () => {
    const { identity, seen } = plain
    seen.length = 0
    const res = await call(identity, 'POST', '/invite', { token: await identity.adminToken(), json: { email: 'd@plain.test' } })
    expect(res.status).toBe(200)
    expect(seen.map((s) => s.event)).toEqual(['validate'])
  })
})

describe('a blocked hook rolls the operation back (gotrue.md §2.2)', () => {
  test('validate blocks /signup: 422, no user created, no mail, 3 attempts', async () => {
    const { identity, seen } = blockValidate
    const res = await call(identity, 'POST', '/signup', { json: { email: 'x@block.test', password: 'pw' } })
    expect(res.status).toBe(422)
    expect(res.body).toEqual({ code: 422, msg: 'Failed to handle signup webhook' })
    expect(identity.users.findByEmail('x@block.test')).toBeUndefined()
    expect(identity.mail.all()).toEqual([])
    expect(seen).toHaveLength(3)
  })

  test('validate blocks /invite: 422 and no user', async () => {
    const { identity } = blockValidate
    const res = await call(identity, 'POST', '/invite', { token: await identity.adminToken(), json: { email: 'inv@block.test' } })
    expect(res.body).toEqual({ code: 422, msg: 'Failed to handle signup webhook' })
    expect(identity.users.size).toBe(0)
  })

  test('signup blocks an autoconfirm /signup: no user', async () => {
    const { identity } = blockSignup
    const res = await identity.signup({ email: 'y@block.test', password: 'pw' })
    expect(res).toEqual({ status: 422, body: { code: 422, msg: 'Failed to handle signup webhook' } })
    expect(identity.users.all()).toEqual([])
  })

  test('signup blocks /verify: 422, still unconfirmed, and the token still works later', async () => {
    const { identity } = blockVerify
    await identity.signup({ email: 'z@block.test', password: 'pw' })
    const token = identity.mail.last('z@block.test')!.token
    const res = await call(identity, 'POST', '/verify', { json: { type: 'signup', token } })
    expect(res.body).toEqual({ code: 422, msg: 'Failed to handle signup webhook' })
    expect(identity.users.findByEmail('z@block.test')).not.toHaveProperty('confirmed_at')
    expect((await call(identity, 'POST', '/verify', { json: { type: 'signup', token } })).status).toBe(422) // not 404
  })

  test('signup blocks the recovery of an unconfirmed user: 500 Database error updating user', async () => {
    const { identity } = blockVerify
    const user = identity.createUser({ confirmed: false })
    await call(identity, 'POST', '/recover', { json: { email: user.email } })
    const token = identity.mail.last(user.email, 'recovery')!.token
    const res = await call(identity, 'POST', '/verify', { json: { type: 'recovery', token } })
    expect(res.status).toBe(500)
    expect(res.body).toEqual({ code: 500, msg: 'Database error updating user', error_id: expect.any(String) })
  })

  test('login blocks the password grant with GoTrue\'s shape (not OAuth): no tokens', async () => {
    const { identity } = blockLogin
    const user = identity.createUser({ password: 'pw' })
    const res = await call(identity, 'POST', '/token', {
      body: `grant_type=password&username=${encodeURIComponent(user.email)}&password=pw`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(res.status).toBe(422)
    expect(res.body).toEqual({ code: 422, msg: 'Failed to handle signup webhook' })
  })

  test('usermodified and userdeleted failures are only logged: 200', async () => {
    const { identity, seen } = failingAdminHooks
    const admin = await identity.adminToken()
    const user = identity.createUser()
    const put = await call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, json: { app_metadata: { roles: ['x'] } } })
    expect(put.status).toBe(200)
    expect(put.body.app_metadata.roles).toEqual(['x'])
    const del = await call(identity, 'DELETE', `/admin/users/${user.id}`, { token: admin })
    expect(del.status).toBe(200)
    expect(seen.map((s) => s.event)).toEqual(['usermodified', 'usermodified', 'usermodified', 'userdeleted', 'userdeleted', 'userdeleted'])
  })
})

describe('wired functions are resolved lazily', () => {
  test('a module namespace works, and nothing runs until an event fires', async () => {
    let calls = 0
    const identity = createIdentity({
      siteUrl: 'https://lazy.netlify.test',
      functions: { validate: { handler: async () => ((calls++), { statusCode: 204 }) } },
    })
    expect(calls).toBe(0)
    expect((await identity.signup({ email: 'l@lazy.test', password: 'pw' })).status).toBe(200)
    expect(calls).toBe(1)
  })

  test('signup() and login() without HTTP return { status, body } like the routes', async () => {
    const identity = createIdentity({ siteUrl: 'https://direct.netlify.test', autoconfirm: true })
    const signup = await identity.signup({ email: 'd@direct.test', password: 'pw', data: { full_name: 'D' } })
    expect(signup.status).toBe(200)
    expect(signup.body).toMatchObject({ email: 'd@direct.test', user_metadata: { full_name: 'D' } })
    expect(await identity.login('d@direct.test', 'bad')).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'No user found with that email, or password invalid.' },
    })
    expect((await identity.login('d@direct.test', 'pw')).body).toMatchObject({ token_type: 'bearer' })
    expect(identity.requests).toEqual([])
  })
})
