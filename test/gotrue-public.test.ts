import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { call, claimsOf, tokenRequest } from './gotrue-helpers.js'

// A controllable clock: token expiry, mail throttling and refresh-token lifetime follow it.
let now = new Date('2026-03-01T12:00:00.000Z')
const identity = createIdentity({ seed: 7, now: () => now })
const later = createIdentity({ seed: 7, siteUrl: 'https://autoconfirm.netlify.test', autoconfirm: true, now: () => now })

beforeAll(() => {
  // one msw server per process: the second instance's handlers join the first one's server
  identity.listen(...later.handlers)
})
afterAll(() => identity.close())
beforeEach(() => {
  now = new Date('2026-03-01T12:00:00.000Z')
  identity.reset()
})

const advance = (ms: number): void => {
  now = new Date(now.getTime() + ms)
}

describe('GET /settings (gotrue.md §5.4)', () => {
  test('shape, email provider on, autoconfirm from the option', async () => {
    const res = await call(identity, 'GET', '/settings')
    expect(res.body).toEqual({
      external: { bitbucket: false, github: false, gitlab: false, google: false, facebook: false, email: true, saml: false },
      external_labels: {},
      disable_signup: false,
      autoconfirm: false,
    })
    expect(res.headers.get('content-type')).toBe('application/json')
  })
})

describe('POST /signup (gotrue.md §5.4)', () => {
  test('200 with the user (not tokens), unconfirmed, confirmation_sent_at, a confirmation mail', async () => {
    const res = await call(identity, 'POST', '/signup', { json: { email: 'ann@site.test', password: 'pw', data: { full_name: 'Ann' } } })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      id: expect.any(String),
      aud: '',
      role: '',
      email: 'ann@site.test',
      confirmation_sent_at: '2026-03-01T12:00:00.000Z',
      app_metadata: { provider: 'email' },
      user_metadata: { full_name: 'Ann' },
      created_at: '2026-03-01T12:00:00.000Z',
      updated_at: '2026-03-01T12:00:00.000Z',
    })
    const mail = identity.mail.last('ann@site.test', 'confirmation')!
    expect(mail.token).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(mail.url).toBe(`${identity.siteUrl}/#confirmation_token=${mail.token}`)
  })

  test('without data user_metadata is null', async () => {
    const res = await call(identity, 'POST', '/signup', { json: { email: 'a@site.test', password: 'pw' } })
    expect(res.body.user_metadata).toBeNull()
  })

  test('errors: non-JSON 400, empty password 422, missing email 422', async () => {
    const bad = await call(identity, 'POST', '/signup', { body: 'email=a' })
    expect(bad.body).toEqual({ code: 400, msg: "Could not read Signup params: invalid character 'e' looking for beginning of value" })
    const empty = await call(identity, 'POST', '/signup', { body: '' })
    expect(empty.body).toEqual({ code: 400, msg: 'Could not read Signup params: EOF' })
    expect((await call(identity, 'POST', '/signup', { json: { email: 'a@site.test', password: '' } })).body).toEqual({
      code: 422,
      msg: 'Signup requires a valid password',
    })
    expect((await call(identity, 'POST', '/signup', { json: { password: 'pw' } })).body).toEqual({ code: 422, msg: 'An email address is required' })
  })

  test('a confirmed e-mail is 400; an unconfirmed one merges data and keeps the old password', async () => {
    const confirmed = identity.createUser()
    expect((await call(identity, 'POST', '/signup', { json: { email: confirmed.email, password: 'pw' } })).body).toEqual({
      code: 400,
      msg: 'A user with this email address has already been registered',
    })
    await call(identity, 'POST', '/signup', { json: { email: 'b@site.test', password: 'first', data: { a: 1 } } })
    const again = await call(identity, 'POST', '/signup', { json: { email: 'b@site.test', password: 'second', data: { b: 2 } } })
    expect(again.status).toBe(200)
    expect(again.body.user_metadata).toEqual({ a: 1, b: 2 })
    // the re-sent confirmation is throttled (one per 15 minutes): still one mail
    expect(identity.mail.all().filter((m) => m.to === 'b@site.test')).toHaveLength(1)
    const token = identity.mail.last('b@site.test')!.token
    await call(identity, 'POST', '/verify', { json: { type: 'signup', token } })
    expect((await identity.login('b@site.test', 'second')).status).toBe(400)
    expect((await identity.login('b@site.test', 'first')).status).toBe(200)
  })

  test('autoconfirm: confirmed at once, no mail', async () => {
    {
      const res = await call(later, 'POST', '/signup', { json: { email: 'c@site.test', password: 'pw' } })
      expect(res.body.confirmed_at).toBe('2026-03-01T12:00:00.000Z')
      expect(res.body).not.toHaveProperty('confirmation_sent_at')
      expect(later.mail.all()).toEqual([])
      expect((await call(later, 'GET', '/settings')).body.autoconfirm).toBe(true)
    }
  })
})

describe('POST /token (gotrue.md §4, §5.4)', () => {
  test('password grant: the token response; claims as GoTrue signs them', async () => {
    const user = identity.createUser({ password: 'secret', roles: ['member'] })
    const res = await tokenRequest(identity, { grant_type: 'password', username: user.email, password: 'secret' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 3600, refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) })
    const claims = claimsOf(res.body.access_token)
    expect(claims).toEqual({
      sub: user.id,
      exp: Math.floor(now.getTime() / 1000) + 3600,
      email: user.email,
      app_metadata: user.app_metadata,
      user_metadata: user.user_metadata,
    })
  })

  test('form values from the query string are read too', async () => {
    const user = identity.createUser({ password: 'secret' })
    const res = await call(identity, 'POST', `/token?grant_type=password&username=${encodeURIComponent(user.email)}&password=secret`)
    expect(res.status).toBe(200)
  })

  test('a JSON body is not read: no grant type', async () => {
    const user = identity.createUser({ password: 'secret' })
    const res = await call(identity, 'POST', '/token', { json: { grant_type: 'password', username: user.email, password: 'secret' } })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'unsupported_grant_type' })
  })

  test('wrong password, unknown user, unconfirmed user: OAuth errors', async () => {
    const user = identity.createUser({ password: 'secret' })
    const pending = identity.createUser({ password: 'secret', confirmed: false })
    const noUser = { error: 'invalid_grant', error_description: 'No user found with that email, or password invalid.' }
    expect((await tokenRequest(identity, { grant_type: 'password', username: user.email, password: 'nope' })).body).toEqual(noUser)
    expect((await tokenRequest(identity, { grant_type: 'password', username: 'who@site.test', password: 'x' })).body).toEqual(noUser)
    const res = await tokenRequest(identity, { grant_type: 'password', username: pending.email, password: 'secret' })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'invalid_grant', error_description: 'Email not confirmed' })
  })

  test('refresh tokens rotate; reuse and expiry are rejected', async () => {
    const user = identity.createUser({ password: 'secret' })
    const first = await identity.login(user.email, 'secret')
    const rt1 = (first.body as any).refresh_token
    const second = await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: rt1 })
    expect(second.status).toBe(200)
    expect(second.body.refresh_token).not.toBe(rt1)
    expect((await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: rt1 })).body).toEqual({
      error: 'invalid_grant',
      error_description: 'Invalid Refresh Token',
    })
    // Valid until strictly after 30 days (gotrue:models/refresh_token.go Expired: time.Now().After(created + lifetime)).
    advance(30 * 86_400_000 + 1000)
    const expiredAnswer = await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: second.body.refresh_token })
    expect(expiredAnswer.body).toEqual({
      error: 'invalid_grant',
      error_description: 'Refresh token expired',
    })
    expect((await tokenRequest(identity, { grant_type: 'refresh_token' })).body).toEqual({
      error: 'invalid_request',
      error_description: 'refresh_token required',
    })
  })

  test('a refreshed token carries the current metadata (roles take effect on refresh)', async () => {
    const user = identity.createUser({ password: 'secret' })
    const login = (await identity.login(user.email, 'secret')).body as any
    await call(identity, 'PUT', `/admin/users/${user.id}`, { token: await identity.adminToken(), json: { app_metadata: { roles: ['pro'] } } })
    expect(claimsOf(login.access_token).app_metadata.roles).toBeUndefined()
    const refreshed = await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: login.refresh_token })
    expect(claimsOf(refreshed.body.access_token).app_metadata.roles).toEqual(['pro'])
  })

  test('any other grant type: unsupported_grant_type without a description', async () => {
    const res = await tokenRequest(identity, { grant_type: 'client_credentials' })
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error: 'unsupported_grant_type' })
  })
})

describe('POST /verify (gotrue.md §5.4)', () => {
  test('signup: confirms, logs in, and the token is single use', async () => {
    await call(identity, 'POST', '/signup', { json: { email: 'v@site.test', password: 'pw' } })
    const token = identity.mail.last('v@site.test', 'confirmation')!.token
    advance(1000)
    const res = await call(identity, 'POST', '/verify', { json: { type: 'signup', token } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 })
    expect(identity.users.findByEmail('v@site.test')!.confirmed_at).toBe('2026-03-01T12:00:01.000Z')
    expect((await call(identity, 'POST', '/verify', { json: { type: 'signup', token } })).body).toEqual({ code: 404, msg: 'User not found' })
  })

  test('errors: blank token, bad type, expired confirmation (24 h)', async () => {
    expect((await call(identity, 'POST', '/verify', { json: { type: 'signup', token: '  ' } })).body).toEqual({ code: 422, msg: 'Verify requires a token' })
    expect((await call(identity, 'POST', '/verify', { json: { type: 'magic', token: 'x' } })).body).toEqual({
      code: 422,
      msg: 'Verify requires a verification type',
    })
    expect((await call(identity, 'POST', '/verify', { body: '[1]' })).body).toEqual({
      code: 400,
      msg: 'Could not read verification params: json: cannot unmarshal array into Go value of type api.VerifyParams',
    })
    await call(identity, 'POST', '/signup', { json: { email: 'late@site.test', password: 'pw' } })
    advance(24 * 3_600_000 + 1000)
    const token = identity.mail.last('late@site.test')!.token
    expect((await call(identity, 'POST', '/verify', { json: { type: 'signup', token } })).body).toEqual({ code: 422, msg: 'Confirmation token expired' })
  })

  test('recovery: /recover mails a token, /verify logs in without changing the password; 429 within 15 min', async () => {
    const user = identity.createUser({ password: 'old' })
    expect((await call(identity, 'POST', '/recover', { json: { email: user.email } })).body).toEqual({})
    expect(identity.users.get(user.id)!.recovery_sent_at).toBe('2026-03-01T12:00:00.000Z')
    expect((await call(identity, 'POST', '/recover', { json: { email: user.email } })).body).toEqual({
      code: 429,
      msg: 'Rate limit exceeded, try again later',
    })
    const mail = identity.mail.last(user.email, 'recovery')!
    expect(mail.url).toContain('#recovery_token=')
    const res = await call(identity, 'POST', '/verify', { json: { type: 'recovery', token: mail.token } })
    expect(res.status).toBe(200)
    expect((await identity.login(user.email, 'old')).status).toBe(200)
    expect((await call(identity, 'POST', '/verify', { json: { type: 'recovery', token: mail.token } })).status).toBe(404)
  })

  test('/recover: unknown e-mail is 200 {} (no enumeration); empty is 422', async () => {
    expect((await call(identity, 'POST', '/recover', { json: { email: 'nobody@site.test' } })).body).toEqual({})
    expect((await call(identity, 'POST', '/recover', { json: {} })).body).toEqual({ code: 422, msg: 'Password recovery requires an email' })
  })

  test('recovery of an expired token (24 h) is 422', async () => {
    const user = identity.createUser()
    await call(identity, 'POST', '/recover', { json: { email: user.email } })
    advance(25 * 3_600_000)
    const token = identity.mail.last(user.email)!.token
    expect((await call(identity, 'POST', '/verify', { json: { type: 'recovery', token } })).body).toEqual({ code: 422, msg: 'Recovery token expired' })
  })
})

describe('/user and /logout (gotrue.md §5.4)', () => {
  test('GET /user returns the stored user; bad tokens are 401', async () => {
    const user = identity.createUser()
    const token = await identity.token(user)
    expect((await call(identity, 'GET', '/user', { token })).body).toEqual(user)
    expect((await call(identity, 'GET', '/user')).body).toEqual({ code: 401, msg: 'This endpoint requires a Bearer token' })
    expect((await call(identity, 'GET', '/user', { token: await identity.token(user, { expiresIn: -60 }) })).body).toEqual({
      code: 401,
      msg: 'Invalid token: token is expired by 1m0s',
    })
  })

  test('GET /user with the system token: 400 Could not read User ID claim; deleted user: 404', async () => {
    expect((await call(identity, 'GET', '/user', { token: await identity.adminToken() })).body).toEqual({ code: 400, msg: 'Could not read User ID claim' })
    expect((await call(identity, 'GET', '/user', { token: await identity.token(identity.fakeUser()) })).body).toEqual({ code: 404, msg: 'User not found' })
  })

  test('X-JWT-AUD differing from the token aud: 400', async () => {
    const user = identity.createUser()
    const res = await call(identity, 'GET', '/user', { token: await identity.token(user), headers: { 'x-jwt-aud': 'x' } })
    expect(res.body).toEqual({ code: 400, msg: "Token audience doesn't match request audience" })
  })

  test('PUT /user: data merges into user_metadata (null deletes); user_metadata key ignored', async () => {
    const user = identity.createUser({ user_metadata: { full_name: 'A', city: 'Oslo' } })
    const token = await identity.token(user)
    const res = await call(identity, 'PUT', '/user', { token, json: { data: { city: null, lang: 'nb' }, user_metadata: { hacked: true } } })
    expect(res.status).toBe(200)
    expect(res.body.user_metadata).toEqual({ full_name: 'A', lang: 'nb' })
  })

  test('PUT /user: app_metadata needs admin privileges (roles in app_metadata do not count)', async () => {
    const user = identity.createUser({ roles: ['admin'] })
    const res = await call(identity, 'PUT', '/user', { token: await identity.token(user), json: { app_metadata: { roles: ['owner'] } } })
    expect(res.body).toEqual({ code: 401, msg: 'Updating app_metadata requires admin privileges' })
    const boss = identity.createUser({ role: 'admin' })
    const ok = await call(identity, 'PUT', '/user', { token: await identity.token(boss), json: { app_metadata: { roles: ['owner'] } } })
    expect(ok.body.app_metadata).toEqual({ provider: 'email', roles: ['owner'] })
  })

  test('PUT /user: password change, e-mail change with a mailed token, taken e-mail 422', async () => {
    const user = identity.createUser({ password: 'old' })
    const other = identity.createUser()
    const token = await identity.token(user)
    expect((await call(identity, 'PUT', '/user', { token, json: { email: other.email } })).body).toEqual({
      code: 422,
      msg: 'Email address already registered by another user',
    })
    const res = await call(identity, 'PUT', '/user', { token, json: { password: 'new', email: 'next@site.test' } })
    expect(res.body).toMatchObject({ email: user.email, new_email: 'next@site.test', email_change_sent_at: expect.any(String) })
    expect((await identity.login(user.email, 'new')).status).toBe(200)
    expect((await call(identity, 'PUT', '/user', { token, json: { email_change_token: 'wrong' } })).body).toEqual({
      code: 401,
      msg: "Email Change Token didn't match token on file",
    })
    const mail = identity.mail.last('next@site.test', 'email_change')!
    const done = await call(identity, 'PUT', '/user', { token, json: { email_change_token: mail.token } })
    expect(done.body.email).toBe('next@site.test')
    expect(done.body).not.toHaveProperty('new_email')
  })

  test('PUT /user: a non-JSON body is 400', async () => {
    const user = identity.createUser()
    const res = await call(identity, 'PUT', '/user', { token: await identity.token(user), body: 'x' })
    expect(res.body).toEqual({ code: 400, msg: "Could not read User Update params: invalid character 'x' looking for beginning of value" })
  })

  test('POST /logout: 204, no body; every refresh token of the user is gone; the access token still works', async () => {
    const user = identity.createUser({ password: 'pw' })
    const a = (await identity.login(user.email, 'pw')).body as any
    const b = (await identity.login(user.email, 'pw')).body as any
    const res = await call(identity, 'POST', '/logout', { token: a.access_token })
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    for (const rt of [a.refresh_token, b.refresh_token]) {
      expect((await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: rt })).body.error).toBe('invalid_grant')
    }
    expect((await call(identity, 'GET', '/user', { token: a.access_token })).status).toBe(200)
    expect((await call(identity, 'POST', '/logout')).status).toBe(401)
  })
})

describe('POST /invite (gotrue.md §5.3)', () => {
  test('admin only; creates a user without password, invited_at, an invite mail; app_metadata ignored', async () => {
    const admin = await identity.adminToken()
    const user = identity.createUser()
    expect((await call(identity, 'POST', '/invite', { token: await identity.token(user), json: { email: 'i@site.test' } })).body).toEqual({
      code: 401,
      msg: 'User not allowed',
    })
    const res = await call(identity, 'POST', '/invite', { token: admin, json: { email: 'i@site.test', data: { full_name: 'I' }, app_metadata: { roles: ['x'] } } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ email: 'i@site.test', invited_at: '2026-03-01T12:00:00.000Z', app_metadata: { provider: 'email' }, user_metadata: { full_name: 'I' } })
    expect(res.body.app_metadata).toEqual({ provider: 'email' })
    const mail = identity.mail.last('i@site.test', 'invite')!
    expect(mail.url).toBe(`${identity.siteUrl}/#invite_token=${mail.token}`)
    // accepting needs a password
    expect((await call(identity, 'POST', '/verify', { json: { type: 'signup', token: mail.token } })).body).toEqual({
      code: 422,
      msg: 'Invited users must specify a password',
    })
    const accepted = await call(identity, 'POST', '/verify', { json: { type: 'signup', token: mail.token, password: 'pw' } })
    expect(accepted.status).toBe(200)
    expect((await identity.login('i@site.test', 'pw')).status).toBe(200)
  })

  // gotrue:api/verify.go signupVerify measures expiry from ConfirmationSentAt only (InviteMaxAge when
  // the user is invited), and gotrue:api/mail.go sendInvite sets InvitedAt, never ConfirmationSentAt:
  // an invite alone never expires; a confirmation mail sent to the invited address later starts the 7 days.
  test('duplicate e-mail 422; an invite never expires, unless a confirmation mail is sent, then 7 days from it', async () => {
    const admin = await identity.adminToken()
    const user = identity.createUser()
    expect((await call(identity, 'POST', '/invite', { token: admin, json: { email: user.email } })).body).toEqual({
      code: 422,
      msg: 'Email address already registered by another user',
    })
    await call(identity, 'POST', '/invite', { token: admin, json: { email: 'slow@site.test' } })
    advance(6 * 86_400_000)
    const token = identity.mail.last('slow@site.test')!.token
    expect((await call(identity, 'POST', '/verify', { json: { type: 'signup', token } })).body.msg).toBe('Invited users must specify a password')
    advance(30 * 86_400_000)
    expect((await call(identity, 'POST', '/verify', { json: { type: 'signup', token, password: 'x' } })).status).toBe(200)

    await call(identity, 'POST', '/invite', { token: admin, json: { email: 'again@site.test' } })
    advance(10 * 86_400_000)
    // Signing up with the invited (unconfirmed) address sends a confirmation mail: confirmation_sent_at is set.
    expect((await call(identity, 'POST', '/signup', { json: { email: 'again@site.test', password: 'pw' } })).status).toBe(200)
    const resent = identity.mail.last('again@site.test', 'confirmation')!.token
    advance(7 * 86_400_000 + 1000)
    expect((await call(identity, 'POST', '/verify', { json: { type: 'signup', token: resent, password: 'x' } })).body).toEqual({
      code: 422,
      msg: 'Confirmation token expired',
    })
  })
})

describe('unknown routes (gotrue.md §5.1)', () => {
  test('a plain-text 404, never a crash', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/'], ['GET', '/token/'], ['GET', '/health/'], ['POST', '/settingsx'], ['GET', '/users']]) {
      const res = await call(identity, method!, path!)
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.text).toBe('404 page not found\n')
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    }
    const bare = await fetch(identity.url)
    expect(bare.status).toBe(404)
  })
})

// GoTrue's router is go-chi/chi v5.2.5 (gotrue:go.mod; routes in gotrue:api/api.go). gotrue.md is
// silent on a known path called with another method: chi answers 405 with one Allow per method
// (mux.go methodNotAllowedHandler, empty body), and a group's middleware runs before its routes
// are looked up (Route = Mount of a sub-router whose Use() chain wraps its routing).
describe('GoTrue\'s router (go-chi/chi v5.2.5)', () => {
  test('GET /health: GoTrue\'s name, description and the commit the emulator follows (gotrue:api/api.go HealthCheck)', async () => {
    const res = await call(identity, 'GET', '/health')
    expect(res.status).toBe(200)
    expect(res.text).toBe('{"description":"GoTrue is a user registration and authentication API","name":"GoTrue","version":"ab1bf15f0aa64542500a9befb09b218ec93b3568"}')
  })

  test('a known path with another method is a 405 with Allow and no body', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/signup', 'POST'], ['GET', '/token', 'POST'], ['PUT', '/verify', 'POST'], ['GET', '/recover', 'POST'],
      ['GET', '/logout', 'POST'], ['GET', '/invite', 'POST'], ['DELETE', '/settings', 'GET'], ['POST', '/authorize', 'GET'],
      // /health is a top-level route: the catch-all group has no /health, so chi's 405 flag stands.
      ['POST', '/health', 'GET'], ['HEAD', '/settings', 'GET'],
    ]
    for (const [method, path, allow] of cases) {
      const res = await call(identity, method, path)
      expect(res.status, `${method} ${path}`).toBe(405)
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow)
      expect(res.text).toBe('')
      expect(res.headers.get('content-type')).toBeNull()
    }
    // No route ran: a signup sent with PUT signs nobody up and mails nothing.
    const put = await call(identity, 'PUT', '/signup', { json: { email: 'put@site.test', password: 'pw' } })
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'POST'])
    expect(identity.users.size).toBe(0)
    expect(identity.mail.last('put@site.test')).toBeUndefined()
  })

  test('a method chi does not know is a 405 without Allow, whatever the path', async () => {
    for (const path of ['/settings', '/nope']) {
      const res = await call(identity, 'PROPFIND', path)
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBeNull()
    }
  })

  test('/user: requireAuthentication answers first, then 405 (GET, PUT) or 404 inside the group; /user/ is /user', async () => {
    expect((await call(identity, 'PATCH', '/user')).status).toBe(401)
    expect((await call(identity, 'GET', '/user/extra')).body).toEqual({ code: 401, msg: 'This endpoint requires a Bearer token' })
    const user = identity.createUser({ email: 'routes@site.test', password: 'pw' })
    const token = await identity.token(user)
    const patch = await call(identity, 'PATCH', '/user', { token })
    expect([patch.status, patch.headers.get('allow')]).toEqual([405, 'GET, PUT'])
    expect((await call(identity, 'GET', '/user/extra', { token })).status).toBe(404)
    const slash = await call(identity, 'GET', '/user/', { token })
    expect([slash.status, slash.body.email]).toEqual([200, 'routes@site.test'])
  })

  test('/admin: requireAdminCredentials first, then loadUser for /admin/users/{id}, then 405 or 404', async () => {
    const admin = await identity.adminToken()
    const user = identity.createUser({ email: 'target@site.test' })
    // Without credentials, anything under /admin is a 401 (the middleware wraps the whole group).
    for (const [method, path] of [['PATCH', '/admin/users'], ['GET', '/admin/users/a/b'], ['GET', '/admin'], ['POST', '/admin/audit']]) {
      expect((await call(identity, method!, path!)).status, `${method} ${path}`).toBe(401)
    }
    const allow = async (method: string, path: string) => {
      const res = await call(identity, method, path, { token: admin })
      return [res.status, res.headers.get('allow')]
    }
    expect(await allow('PATCH', '/admin/users')).toEqual([405, 'GET, POST'])
    expect(await allow('DELETE', '/admin/audit')).toEqual([405, 'GET'])
    expect(await allow('PATCH', `/admin/users/${user.id}`)).toEqual([405, 'GET, PUT, DELETE'])
    // loadUser runs before the method is looked at: a bad or unknown id answers first.
    expect((await call(identity, 'PATCH', '/admin/users/not-a-uuid', { token: admin })).body).toEqual({ code: 400, msg: 'user_id must be an UUID' })
    expect((await call(identity, 'PATCH', `/admin/users/${identity.fakeUser().id}`, { token: admin })).body).toEqual({ code: 404, msg: 'User not found' })
    expect((await call(identity, 'GET', `/admin/users/${user.id}/extra`, { token: admin })).status).toBe(404)
    expect((await call(identity, 'GET', '/admin/nope', { token: admin })).status).toBe(404)
    // Each group answers its own path with a trailing slash too.
    expect((await call(identity, 'GET', '/admin/users/', { token: admin })).body.users).toHaveLength(1)
    expect((await call(identity, 'GET', `/admin/users/${user.id}/`, { token: admin })).body.email).toBe('target@site.test')
    expect((await call(identity, 'GET', '/admin/audit/', { token: admin })).status).toBe(200)
  })

  test('PUT /admin/users/{id}: loadUser before the handler decodes the body (a missing user is a 404 whatever the body)', async () => {
    const admin = await identity.adminToken()
    const res = await call(identity, 'PUT', `/admin/users/${identity.fakeUser().id}`, { token: admin, json: { role: 7 } })
    expect(res.body).toEqual({ code: 404, msg: 'User not found' })
    const user = identity.createUser({ email: 'typed@site.test' })
    const typed = await call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, json: { role: 7 } })
    expect(typed.status).toBe(400)
    expect(typed.body.msg).toMatch(/^Could not decode admin user params: json: cannot unmarshal number into Go struct field adminUserParams\.role of type string$/)
  })
})
