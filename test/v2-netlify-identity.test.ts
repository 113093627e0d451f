import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'

// @netlify/identity 1.2.0 inside an invoked v2 function, against the emulator (functions-runtime.md §2.3):
// it reads globalThis.netlifyIdentityContext ({ url, token, user }) and calls GoTrue over fetch.
const FN = 'test/fixtures/functions/v2/identity-admin.mts'
const identity = createIdentity({ seed: 21 })
const call = (action: string, init: Parameters<typeof identity.invoke>[1] = {}) =>
  identity.invoke(FN, { path: `/.netlify/functions/identity-admin?action=${action}`, ...init })

beforeAll(() => identity.listen())
afterAll(() => identity.close())

describe('@netlify/identity in a v2 function', () => {
  test('getUser() returns the signed-in user, null without one', async () => {
    const user = identity.createUser({ password: 'password-1' })
    const me = JSON.parse((await call('me', { user })).body) as { user: { id: string; email: string; provider: string } | null }
    expect(me.user).toMatchObject({ id: user.id, email: user.email, provider: 'email' })
    const anon = JSON.parse((await call('me')).body) as { user: unknown }
    expect(anon.user).toBeNull()
  })

  test("getUser()'s GET /user with the admin token (then the token's claims) is the library's path, not an ignored GoTrue error", async () => {
    identity.reset()
    const res = await call('me', { user: identity.createUser() })
    expect(res.statusCode).toBe(200)
    // GoTrue answers the admin token (it names no user) with 400 "Could not read User ID claim".
    expect(identity.requests.some((r) => r.method === 'GET' && r.path === '/user' && r.status === 400)).toBe(true)
    expect(res.diagnostics.map((d) => d.code)).not.toContain('ignored-gotrue-error')
  })

  test('admin.listUsers / getUser / createUser / updateUser / deleteUser reach the store', async () => {
    identity.reset()
    const user = identity.createUser({ email: 'first@example.com' })
    expect(JSON.parse((await call('list')).body)).toEqual({ emails: ['first@example.com'] })
    expect(JSON.parse((await call(`get&id=${user.id}`)).body)).toMatchObject({ id: user.id, email: 'first@example.com' })

    const created = await call('create')
    expect(created.statusCode).toBe(201)
    expect(JSON.parse(created.body)).toMatchObject({ email: 'created@example.com', provider: 'email' })
    expect(identity.users.findByEmail('created@example.com')).toBeDefined()

    await call(`update&id=${user.id}`)
    expect(identity.users.get(user.id)?.app_metadata).toEqual({ provider: 'email', roles: ['admin'] })

    const deleted = await call(`delete&id=${user.id}`)
    expect(deleted.body).toBe("")
    expect(deleted.statusCode).toBe(204)
    expect(identity.users.get(user.id)).toBeUndefined()
    // Every admin call carried the function's admin token.
    expect(identity.requests.filter((r) => r.path.startsWith('/admin/')).length).toBe(5)
  })

  test('under netlify dev there is no identity context: admin calls fail inside the function', async () => {
    const dev = createIdentity({ seed: 21, mode: 'netlify-dev' })
    const res = await dev.invoke(FN, { path: '/.netlify/functions/identity-admin?action=list' })
    expect(res.statusCode).toBe(500)
    expect(res.body).toMatch(/AuthError/)
  })
})
