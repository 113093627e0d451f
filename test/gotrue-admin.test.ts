import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { SignJWT } from 'jose'
import { createIdentity } from '../src/index.js'
import { call } from './gotrue-helpers.js'

const identity = createIdentity({ seed: 31 })
let admin: string

beforeAll(async () => {
  identity.listen()
  admin = await identity.adminToken()
})
afterAll(() => identity.close())
beforeEach(() => identity.reset())

describe('auth on /admin (gotrue.md §5.2)', () => {
  test('no bearer: 401 This endpoint requires a Bearer token', async () => {
    const res = await call(identity, 'GET', '/admin/users')
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ code: 401, msg: 'This endpoint requires a Bearer token' })
  })

  test('a malformed authorization header (two spaces, other scheme) is no bearer', async () => {
    for (const header of [`Bearer  ${admin}`, `Token ${admin}`, `BEARER ${admin}`]) {
      const res = await call(identity, 'GET', '/admin/users', { headers: { authorization: header } })
      expect(res.body.msg).toBe('This endpoint requires a Bearer token')
    }
    const lower = await call(identity, 'GET', '/admin/users', { headers: { authorization: `bearer ${admin}` } })
    expect(lower.status).toBe(200)
  })

  test('the admin token (sub "0") is the system user and passes', async () => {
    const res = await call(identity, 'GET', '/admin/users', { token: admin })
    expect(res.status).toBe(200)
  })

  test("a user's own token is 401 User not allowed, even with app_metadata.roles admin (never 403)", async () => {
    const user = identity.createUser({ roles: ['admin'] })
    const res = await call(identity, 'GET', '/admin/users', { token: await identity.token(user) })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ code: 401, msg: 'User not allowed' })
  })

  test('a user whose top-level role is "admin" in the same aud is an admin', async () => {
    const user = identity.createUser({ role: 'admin' })
    const res = await call(identity, 'GET', '/admin/users', { token: await identity.token(user) })
    expect(res.status).toBe(200)
    // …but not when the request's audience (X-JWT-AUD) differs from the user's aud
    const other = await call(identity, 'GET', '/admin/users', { token: await identity.token(user), headers: { 'x-jwt-aud': 'other' } })
    expect(other.body).toEqual({ code: 401, msg: 'User not allowed' })
  })

  test('a token for a user that does not exist: 401 Invalid admin user', async () => {
    const ghost = identity.fakeUser()
    const res = await call(identity, 'GET', '/admin/users', { token: await identity.token(ghost) })
    expect(res.body).toEqual({ code: 401, msg: 'Invalid admin user' })
  })

  test('an expired token: 401 Invalid token: token is expired by …', async () => {
    const user = identity.createUser({ role: 'admin' })
    const res = await call(identity, 'GET', '/admin/users', { token: await identity.token(user, { expiresIn: -300 }) })
    expect(res.status).toBe(401)
    expect(res.body.msg).toMatch(/^Invalid token: token is expired by 5m0s$/)
  })

  test('a token signed with another secret: 401 Invalid token: signature is invalid', async () => {
    const other = createIdentity({ jwtSecret: 'another-secret' })
    const res = await call(identity, 'GET', '/admin/users', { token: await other.adminToken() })
    expect(res.body).toEqual({ code: 401, msg: 'Invalid token: signature is invalid' })
  })

  test('a token with another algorithm is refused', async () => {
    const token = await new SignJWT({ sub: '0' }).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode('x'.repeat(64)))
    const res = await call(identity, 'GET', '/admin/users', { token })
    expect(res.status).toBe(401)
    expect(res.body.msg).toMatch(/^Invalid token: /)
  })

  test('a non-JSON body on an admin route is 400 Could not decode admin user params', async () => {
    const user = identity.createUser()
    const res = await call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, body: 'roles=admin' })
    expect(res.status).toBe(400)
    expect(res.body.msg).toBe("Could not decode admin user params: invalid character 'r' looking for beginning of value")
  })

  test('a body "aud" decides the audience of the admin check', async () => {
    const user = identity.createUser({ role: 'admin' })
    const token = await identity.token(user)
    const target = identity.createUser()
    const res = await call(identity, 'PUT', `/admin/users/${target.id}`, { token, json: { aud: 'elsewhere', role: 'x' } })
    expect(res.body).toEqual({ code: 401, msg: 'User not allowed' })
  })
})

describe('GET /admin/users (gotrue.md §5.3)', () => {
  test('lists { users, aud } newest first with X-Total-Count and Link', async () => {
    const a = identity.createUser({ created_at: '2025-01-01T00:00:00Z' })
    const b = identity.createUser({ created_at: '2025-02-01T00:00:00Z' })
    const res = await call(identity, 'GET', '/admin/users', { token: admin })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ users: [b, a], aud: '' })
    expect(res.headers.get('x-total-count')).toBe('2')
    expect(res.headers.get('link')).toBe('</admin/users?page=1>; rel="last"')
  })

  test('Link with one user, as in the GoTrue tests', async () => {
    identity.createUser()
    const res = await call(identity, 'GET', '/admin/users', { token: admin })
    expect(res.headers.get('link')).toBe('</admin/users?page=1>; rel="last"')
  })

  test('Link with 3 users and per_page=1, as in the GoTrue tests', async () => {
    identity.createUser()
    identity.createUser()
    identity.createUser()
    const res = await call(identity, 'GET', '/admin/users?per_page=1', { token: admin })
    expect(res.body.users).toHaveLength(1)
    expect(res.headers.get('x-total-count')).toBe('3')
    expect(res.headers.get('link')).toBe('</admin/users?page=2&per_page=1>; rel="next", </admin/users?page=3&per_page=1>; rel="last"')
  })

  test('page 2 of 3 has next, prev and last; query keys sorted and re-encoded', async () => {
    for (let i = 0; i < 3; i++) identity.createUser()
    const res = await call(identity, 'GET', '/admin/users?per_page=1&page=2&filter=example', { token: admin })
    expect(res.headers.get('link')).toBe(
      '</admin/users?filter=example&page=3&per_page=1>; rel="next", </admin/users?filter=example&page=1&per_page=1>; rel="prev", </admin/users?filter=example&page=3&per_page=1>; rel="last"',
    )
  })

  test('per_page defaults to 50', async () => {
    for (let i = 0; i < 51; i++) identity.createUser()
    const res = await call(identity, 'GET', '/admin/users', { token: admin })
    expect(res.body.users).toHaveLength(50)
    expect(res.headers.get('link')).toBe('</admin/users?page=2>; rel="next", </admin/users?page=2>; rel="last"')
  })

  test('filter is a case-insensitive substring of email or full name', async () => {
    const ann = identity.createUser({ email: 'ann@corp.test', user_metadata: { full_name: 'Ann Smith' } })
    const bob = identity.createUser({ email: 'bob@corp.test', user_metadata: { full_name: 'Robert Jones' } })
    identity.createUser({ email: 'carl@else.test', user_metadata: { full_name: 'Carl' } })
    expect((await call(identity, 'GET', '/admin/users?filter=CORP', { token: admin })).body.users.map((u: any) => u.id).sort()).toEqual(
      [ann.id, bob.id].sort(),
    )
    expect((await call(identity, 'GET', '/admin/users?filter=jones', { token: admin })).body.users).toEqual([bob])
  })

  test('sort=created_at asc', async () => {
    const a = identity.createUser({ created_at: '2025-01-01T00:00:00Z' })
    const b = identity.createUser({ created_at: '2025-02-01T00:00:00Z' })
    const res = await call(identity, 'GET', `/admin/users?sort=${encodeURIComponent('created_at asc')}`, { token: admin })
    expect(res.body.users.map((u: any) => u.id)).toEqual([a.id, b.id])
  })

  test('bad sort field and bad pagination are 400', async () => {
    const sort = await call(identity, 'GET', '/admin/users?sort=email', { token: admin })
    expect(sort.body).toEqual({ code: 400, msg: "Bad Sort Parameters: bad field for sort 'email'" })
    const page = await call(identity, 'GET', '/admin/users?page=two', { token: admin })
    expect(page.status).toBe(400)
    expect(page.body.msg).toMatch(/^Bad Pagination Parameters: /)
  })

  test('only users of the request audience are listed', async () => {
    identity.createUser({ aud: 'other' })
    const mine = identity.createUser()
    expect((await call(identity, 'GET', '/admin/users', { token: admin })).body.users).toEqual([mine])
    const res = await call(identity, 'GET', '/admin/users', { token: admin, headers: { 'x-jwt-aud': 'other' } })
    expect(res.body.aud).toBe('other')
    expect(res.body.users).toHaveLength(1)
  })
})

describe('POST /admin/users (gotrue.md §5.3)', () => {
  test('200 (not 201); app_metadata ignored; user_metadata stored; confirm sets confirmed_at', async () => {
    const res = await call(identity, 'POST', '/admin/users', {
      token: admin,
      json: { email: 'new@site.test', password: 'pw', confirm: true, user_metadata: { full_name: 'New' }, app_metadata: { roles: ['admin'] } },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ email: 'new@site.test', aud: '', role: '', app_metadata: { provider: 'email' }, user_metadata: { full_name: 'New' } })
    expect(res.body.app_metadata).toEqual({ provider: 'email' })
    expect(res.body.confirmed_at).toEqual(expect.any(String))
    expect(identity.users.findByEmail('NEW@site.test')).toEqual(res.body)
    expect(identity.mail.all()).toEqual([])
    expect(await identity.login('new@site.test', 'pw')).toMatchObject({ status: 200 })
  })

  test('without data user_metadata is null, without confirm no confirmed_at', async () => {
    const res = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'bare@site.test' } })
    expect(res.body.user_metadata).toBeNull()
    expect(res.body).not.toHaveProperty('confirmed_at')
  })

  test('missing email is 422, duplicate is 422', async () => {
    expect((await call(identity, 'POST', '/admin/users', { token: admin, json: {} })).body).toEqual({ code: 422, msg: 'An email address is required' })
    const user = identity.createUser()
    const dup = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: user.email.toUpperCase() } })
    expect(dup.body).toEqual({ code: 422, msg: 'Email address already registered by another user' })
  })

  test('a JSON body without a content type is read (functions often omit it)', async () => {
    const res = await fetch(`${identity.url}/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
      body: JSON.stringify({ email: 'plain@site.test' }),
    })
    expect(res.status).toBe(200)
    expect(identity.requests.at(-1)!.body).toEqual({ email: 'plain@site.test' })
  })

  test('a field of the wrong type is a Go decode error', async () => {
    const res = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'x@site.test', user_metadata: 'x' } })
    expect(res.body).toEqual({
      code: 400,
      msg: 'Could not decode admin user params: json: cannot unmarshal string into Go struct field adminUserParams.user_metadata of type map[string]interface {}',
    })
  })
})

describe('GET|PUT|DELETE /admin/users/:id (gotrue.md §5.3)', () => {
  test('GET returns the user; unknown id 404; non-UUID 400', async () => {
    const user = identity.createUser()
    expect((await call(identity, 'GET', `/admin/users/${user.id}`, { token: admin })).body).toEqual(user)
    expect((await call(identity, 'GET', `/admin/users/${identity.fakeUser().id}`, { token: admin })).body).toEqual({ code: 404, msg: 'User not found' })
    expect((await call(identity, 'GET', '/admin/users/42', { token: admin })).body).toEqual({ code: 400, msg: 'user_id must be an UUID' })
  })

  test('braced and URN UUID forms are accepted by GoTrue\'s parser (so `{${id}}` still works)', async () => {
    const user = identity.createUser()
    expect((await call(identity, 'GET', `/admin/users/{${user.id}}`, { token: admin })).status).toBe(200)
    expect((await call(identity, 'GET', `/admin/users/urn:uuid:${user.id}`, { token: admin })).status).toBe(200)
    expect((await call(identity, 'GET', `/admin/users/${user.id.toUpperCase()}`, { token: admin })).status).toBe(200)
    expect((await call(identity, 'GET', `/admin/users/{${user.id}`, { token: admin })).body.msg).toBe('user_id must be an UUID')
  })

  test('PUT merges app_metadata and user_metadata key by key; null deletes; provider survives', async () => {
    const user = identity.createUser({ app_metadata: { plan: 'free', beta: true }, user_metadata: { full_name: 'A', city: 'Oslo' } })
    const res = await call(identity, 'PUT', `/admin/users/${user.id}`, {
      token: admin,
      json: { app_metadata: { roles: ['editor'], beta: null }, user_metadata: { city: 'Bergen', nested: { a: 1 } } },
    })
    expect(res.status).toBe(200)
    expect(res.body.app_metadata).toEqual({ provider: 'email', plan: 'free', roles: ['editor'] })
    expect(res.body.user_metadata).toEqual({ full_name: 'A', city: 'Bergen', nested: { a: 1 } })
    expect(identity.users.get(user.id)).toEqual(res.body)
  })

  test('PUT as in TestAdminUserUpdate: role, roles and name all applied', async () => {
    const user = identity.createUser()
    const res = await call(identity, 'PUT', `/admin/users/${user.id}`, {
      token: admin,
      json: { role: 'testing', app_metadata: { roles: ['writer', 'editor'] }, user_metadata: { name: 'David' } },
    })
    expect(res.body).toMatchObject({ role: 'testing', app_metadata: { roles: ['writer', 'editor'] }, user_metadata: { name: 'David' } })
  })

  test('PUT merging into a null user_metadata assigns the map as is (nulls kept)', async () => {
    const user = identity.createUser({ user_metadata: null })
    const res = await call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, json: { user_metadata: { a: 1, b: null } } })
    expect(res.body.user_metadata).toEqual({ a: 1, b: null })
  })

  test('PUT role is trimmed; confirm true confirms, false does not unconfirm; email set; password changes', async () => {
    const user = identity.createUser({ confirmed: false, password: 'old' })
    const res = await call(identity, 'PUT', `/admin/users/${user.id}`, {
      token: admin,
      json: { role: '  admin  ', confirm: true, email: 'moved@site.test', password: 'new' },
    })
    expect(res.body.role).toBe('admin')
    expect(res.body.confirmed_at).toEqual(expect.any(String))
    expect(res.body.email).toBe('moved@site.test')
    expect(identity.users.findByEmail('moved@site.test')?.id).toBe(user.id)
    expect(identity.users.findByEmail(user.email)).toBeUndefined()
    expect((await identity.login('moved@site.test', 'new')).status).toBe(200)
    expect((await identity.login('moved@site.test', 'old')).status).toBe(400)
    const again = await call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, json: { confirm: false } })
    expect(again.body.confirmed_at).toBe(res.body.confirmed_at)
  })

  test('PUT on a missing user is 404, DELETE is 200 {} and removes the user', async () => {
    const user = identity.createUser()
    expect((await call(identity, 'PUT', `/admin/users/${identity.fakeUser().id}`, { token: admin, json: {} })).status).toBe(404)
    const del = await call(identity, 'DELETE', `/admin/users/${user.id}`, { token: admin })
    expect(del.status).toBe(200)
    expect(del.body).toEqual({})
    expect(identity.users.get(user.id)).toBeUndefined()
    expect((await call(identity, 'DELETE', `/admin/users/${user.id}`, { token: admin })).body).toEqual({ code: 404, msg: 'User not found' })
  })
})
