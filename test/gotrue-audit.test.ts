import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { call, tokenRequest } from './gotrue-helpers.js'

// Discrepancies found by auditing the emulator against gotrue.md and real-world-patterns.md.
let now = new Date('2026-03-01T12:00:00.000Z')
const identity = createIdentity({ seed: 11, now: () => now })

/** A validate hook that answers only when released: lets two requests overlap inside a hook. */
let release: (() => void) | undefined
const slow = createIdentity({
  seed: 12,
  siteUrl: 'https://slow.netlify.test',
  now: () => now,
  functions: {
    validate: async () => {
      await new Promise<void>((resolve) => {
        const previous = release
        release = () => {
          previous?.()
          resolve()
        }
      })
      return { statusCode: 200, body: '' }
    },
  },
})

let admin: string
beforeAll(async () => {
  identity.listen(...slow.handlers)
  admin = await identity.adminToken()
})
afterAll(() => identity.close())
beforeEach(() => {
  now = new Date('2026-03-01T12:00:00.000Z')
  identity.reset()
  slow.reset()
})

const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/

async function loggedIn(email = 'c@site.test', password = 'pw') {
  const user = identity.createUser({ email, password })
  const res = await tokenRequest(identity, { grant_type: 'password', username: email, password })
  return { user, tokens: res.body as { access_token: string; refresh_token: string } }
}

describe('cookie mode: X-Use-Cookie (gotrue.md §4)', () => {
  test('the password grant sets nf_jwt (HttpOnly, Secure, Path=/, Max-Age 86400) with the access token', async () => {
    identity.createUser({ email: 'c@site.test', password: 'pw' })
    const res = await tokenRequest(identity, { grant_type: 'password', username: 'c@site.test', password: 'pw' }, { 'x-use-cookie': '1' })
    expect(res.status).toBe(200)
    const cookie = res.headers.get('set-cookie')!
    const [pair, ...attrs] = cookie.split('; ')
    expect(pair).toBe(`nf_jwt=${res.body.access_token}`)
    expect(attrs[0]).toBe('Path=/')
    expect(attrs[1]).toMatch(/^Expires=/)
    expect(new Date(attrs[1]!.slice(8)).toISOString()).toBe('2026-03-02T12:00:00.000Z')
    expect(attrs[1]!.slice(8)).toMatch(HTTP_DATE)
    expect(attrs.slice(2)).toEqual(['Max-Age=86400', 'HttpOnly', 'Secure'])
  })

  test('"session" gives a session cookie (no Expires, no Max-Age); the refresh grant sets it too', async () => {
    const { tokens } = await loggedIn()
    const res = await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { 'x-use-cookie': 'session' })
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toBe(`nf_jwt=${res.body.access_token}; Path=/; HttpOnly; Secure`)
  })

  test('/verify sets it; without the header no cookie is set anywhere', async () => {
    await call(identity, 'POST', '/signup', { json: { email: 'v@site.test', password: 'pw' } })
    expect((await tokenRequest(identity, { grant_type: 'password', username: 'nobody@site.test', password: 'x' })).headers.get('set-cookie')).toBeNull()
    const token = identity.mail.last('v@site.test', 'confirmation')!.token
    const res = await call(identity, 'POST', '/verify', { json: { type: 'signup', token }, headers: { 'x-use-cookie': 'session' } })
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toBe(`nf_jwt=${res.body.access_token}; Path=/; HttpOnly; Secure`)
    const { tokens } = await loggedIn('plain@site.test')
    const plain = await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    expect(plain.headers.get('set-cookie')).toBeNull()
  })

  test('a failed cookie-mode login sets no cookie', async () => {
    identity.createUser({ email: 'c@site.test', password: 'pw' })
    const res = await tokenRequest(identity, { grant_type: 'password', username: 'c@site.test', password: 'wrong' }, { 'x-use-cookie': '1' })
    expect(res.status).toBe(400)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  test('an invalid bearer token, a reused refresh token and /logout clear the cookie', async () => {
    const clear = /^nf_jwt=; Path=\/; Expires=[^;]+; Max-Age=0; HttpOnly; Secure$/
    const bad = await call(identity, 'GET', '/user', { token: 'not.a.jwt' })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('set-cookie')).toMatch(clear)
    const missing = await call(identity, 'GET', '/user')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('set-cookie')).toMatch(clear)
    const { tokens } = await loggedIn()
    await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    const reused = await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
    expect(reused.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid Refresh Token' })
    expect(reused.headers.get('set-cookie')).toMatch(clear)
    const out = await call(identity, 'POST', '/logout', { token: tokens.access_token })
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toMatch(clear)
  })
})

describe('audience (gotrue.md §5.2, §5.4)', () => {
  test('the X-JWT-AUD rule belongs to GET /user only: PUT /user with another aud header still updates', async () => {
    const { tokens } = await loggedIn()
    const res = await call(identity, 'PUT', '/user', { token: tokens.access_token, json: { data: { a: 1 } }, headers: { 'x-jwt-aud': 'other' } })
    expect(res.status).toBe(200)
    expect(res.body.user_metadata).toMatchObject({ a: 1 })
    const get = await call(identity, 'GET', '/user', { token: tokens.access_token, headers: { 'x-jwt-aud': 'other' } })
    expect(get.body).toEqual({ code: 400, msg: "Token audience doesn't match request audience" })
  })

  test('GET /user reads the User ID claim before comparing audiences', async () => {
    const res = await call(identity, 'GET', '/user', { token: admin, headers: { 'x-jwt-aud': 'other' } })
    expect(res.body).toEqual({ code: 400, msg: 'Could not read User ID claim' })
  })

  test('/signup creates the user in the X-JWT-AUD audience; /token and /recover look users up in the request audience', async () => {
    const res = await call(identity, 'POST', '/signup', { json: { email: 'aud@site.test', password: 'pw' }, headers: { 'x-jwt-aud': 'shop' } })
    expect(res.status).toBe(200)
    expect(res.body.aud).toBe('shop')
    identity.createUser({ email: 'plain@site.test', password: 'pw' })
    const other = await tokenRequest(identity, { grant_type: 'password', username: 'plain@site.test', password: 'pw' }, { 'x-jwt-aud': 'shop' })
    expect(other.body).toEqual({ error: 'invalid_grant', error_description: 'No user found with that email, or password invalid.' })
    const recover = await call(identity, 'POST', '/recover', { json: { email: 'plain@site.test' }, headers: { 'x-jwt-aud': 'shop' } })
    expect(recover).toMatchObject({ status: 200, body: {} })
    expect(identity.mail.last('plain@site.test', 'recovery')).toBeUndefined()
  })
})

describe('decode errors name the route (gotrue.md §5.1; messages from GoTrue where §5 is silent)', () => {
  test('/invite with a field of the wrong type: 400 Could not read Invite params', async () => {
    const res = await call(identity, 'POST', '/invite', { token: admin, json: { email: 5 } })
    expect(res.body).toEqual({
      code: 400,
      msg: 'Could not read Invite params: json: cannot unmarshal number into Go struct field InviteParams.email of type string',
    })
  })

  test('/recover with a non-JSON body: 400 Could not read verification params', async () => {
    const res = await call(identity, 'POST', '/recover', { body: 'email=a' })
    expect(res.body).toEqual({ code: 400, msg: "Could not read verification params: invalid character 'e' looking for beginning of value" })
  })
})

describe('pagination parameters (gotrue.md §5.3)', () => {
  test('a page beyond uint64 is 400 value out of range, as strconv.ParseUint says', async () => {
    const res = await call(identity, 'GET', '/admin/users?page=18446744073709551616', { token: admin })
    expect(res.body).toEqual({
      code: 400,
      msg: 'Bad Pagination Parameters: strconv.ParseUint: parsing "18446744073709551616": value out of range',
    })
  })

  test('per_page=0 answers an empty page instead of crashing', async () => {
    identity.createUser()
    const res = await call(identity, 'GET', '/admin/users?per_page=0', { token: admin })
    expect(res.status).toBe(200)
    expect(res.body.users).toEqual([])
    expect(res.headers.get('x-total-count')).toBe('1')
  })
})

describe('robustness: never a 500 Internal server error', () => {
  test('a body nested deeper than Go allows is a 400 decode error, not a stack overflow', async () => {
    const deep = `{"email":"d@site.test","password":"pw","data":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`
    const res = await call(identity, 'POST', '/signup', { body: deep })
    expect(res.body).toEqual({ code: 400, msg: 'Could not read Signup params: exceeded max depth' })
    const admin400 = await call(identity, 'POST', '/admin/users', { token: admin, body: deep })
    expect(admin400.body).toEqual({ code: 400, msg: 'Could not decode admin user params: exceeded max depth' })
  })

  // Go's limit is 10,000 levels; the emulator's is 1,000 (see MAX_JSON_DEPTH): past it, a 400, never a 500.
  test('metadata nested 1,000 deep is stored and served; 1,001 deep is exceeded max depth', async () => {
    const nest = (n: number) => `${'{"a":'.repeat(n - 1)}1${'}'.repeat(n - 1)}`
    const over = await call(identity, 'POST', '/admin/users', { token: admin, body: `{"email":"n@site.test","user_metadata":${nest(1001)}}` })
    expect(over.body).toEqual({ code: 400, msg: 'Could not decode admin user params: exceeded max depth' })
    const data = nest(1000)
    const res = await call(identity, 'POST', '/admin/users', { token: admin, body: `{"email":"n@site.test","user_metadata":${data}}` })
    expect(res.status).toBe(200)
    const got = await call(identity, 'GET', `/admin/users/${res.body.id}`, { token: admin })
    expect(got.status).toBe(200)
  })

  test('a 5 MB body is read and answered', async () => {
    const big = 'x'.repeat(5_000_000)
    const res = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'big@site.test', user_metadata: { big } } })
    expect(res.status).toBe(200)
    expect(res.body.user_metadata.big).toHaveLength(5_000_000)
  })

  test('unicode e-mails: stored as sent, found case-insensitively, listed by an unencoded filter', async () => {
    const email = 'Zoë.Ünïcødé@exämple.test'
    const created = await call(identity, 'POST', '/admin/users', { token: admin, json: { email, password: 'pw', confirm: true } })
    expect(created.body.email).toBe(email)
    const login = await tokenRequest(identity, { grant_type: 'password', username: email.toLowerCase(), password: 'pw' })
    expect(login.status).toBe(200)
    const list = await call(identity, 'GET', '/admin/users?filter=zoë.ünï', { token: admin })
    expect(list.body.users.map((u: { email: string }) => u.email)).toEqual([email])
  })

  // GoTrue looks the e-mail up before its transaction and inserts at its end, and the database has
  // no unique key on e-mail (gotrue:api/signup.go Signup; gotrue:migrations users_instance_id_email_idx
  // is a plain KEY): two concurrent signups with one new address both create a user.
  test('concurrent signups of one e-mail while a hook runs: both succeed and two users share it, as in GoTrue; no 500', async () => {
    const a = call(slow, 'POST', '/signup', { json: { email: 'race@site.test', password: 'pw' } })
    const b = call(slow, 'POST', '/signup', { json: { email: 'race@site.test', password: 'pw' } })
    while (!release) await new Promise((resolve) => setTimeout(resolve, 1))
    await new Promise((resolve) => setTimeout(resolve, 20))
    release()
    release = undefined
    const answers = await Promise.all([a, b])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200])
    expect(answers[0]!.body.id).not.toBe(answers[1]!.body.id)
    expect(slow.users.size).toBe(2)
    expect(slow.requests.every((r) => r.error === undefined)).toBe(true)
    // The lookup GoTrue's login uses returns one of them: the lower id (the e-mail index's order).
    const ids = answers.map((r) => r.body.id as string).sort()
    expect(slow.users.findByEmail('race@site.test')!.id).toBe(ids[0])
  })

  // gotrue:api/invite.go checks FindUserByEmailAndAudience before its transaction, like signup.
  test('concurrent invites of one e-mail while a hook runs: both 200, as in GoTrue', async () => {
    const a = call(slow, 'POST', '/invite', { token: await slow.adminToken(), json: { email: 'inv@site.test' } })
    const b = call(slow, 'POST', '/invite', { token: await slow.adminToken(), json: { email: 'inv@site.test' } })
    while (!release) await new Promise((resolve) => setTimeout(resolve, 1))
    await new Promise((resolve) => setTimeout(resolve, 20))
    release()
    release = undefined
    const answers = await Promise.all([a, b])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200])
    expect(slow.users.size).toBe(2)
    // A later invite sees them: the same answer as for any taken address.
    const later = await call(slow, 'POST', '/invite', { token: await slow.adminToken(), json: { email: 'inv@site.test' } })
    expect(later.body).toEqual({ code: 422, msg: 'Email address already registered by another user' })
  })

  test('PUT /admin/users/:id setting an e-mail another user has does not corrupt the store', async () => {
    const a = identity.createUser({ email: 'a@site.test', password: 'pa' })
    identity.createUser({ email: 'b@site.test', password: 'pb' })
    const res = await call(identity, 'PUT', `/admin/users/${a.id}`, { token: admin, json: { email: 'b@site.test' } })
    expect(res.status).toBe(200)
    expect(res.body.email).toBe('b@site.test')
    // b@site.test still logs in as the user who had it first; deleting a leaves b intact.
    await call(identity, 'DELETE', `/admin/users/${a.id}`, { token: admin })
    const login = await tokenRequest(identity, { grant_type: 'password', username: 'b@site.test', password: 'pb' })
    expect(login.status).toBe(200)
  })
})

describe('requests real functions make (real-world-patterns.md)', () => {
  test('POST /signup with the admin token is an ordinary signup (no auth on /signup, aud "")', async () => {
    const res = await call(identity, 'POST', '/signup', { token: admin, body: JSON.stringify({ email: 'fn@site.test', password: 'pw' }) })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ email: 'fn@site.test', aud: '', role: '' })
    expect(res.body.confirmed_at).toBeUndefined()
  })

  test('response.json() on the admin DELETE reads {} (gotrue.md §5.3)', async () => {
    const user = identity.createUser()
    const res = await fetch(`${identity.url}/admin/users/${user.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${admin}` } })
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(await res.json()).toEqual({})
  })
})
