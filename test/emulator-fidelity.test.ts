/** Inputs as GoTrue judges them (issue 10 §3, §5; issue 11 items 7, 18–20). */
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { call, tokenRequest } from './gotrue-helpers.js'

let now = new Date('2026-05-01T12:00:00Z').getTime()
const identity = createIdentity({ siteUrl: 'https://fidelity.netlify.test', now: () => new Date(now) })
beforeAll(() => identity.listen())
afterAll(() => identity.close())

describe('identity.token expiresIn (issue 11 item 7): what jose accepts', () => {
  const exp = async (expiresIn: number | string) => decodeJwt(await identity.token(identity.fakeUser(), { expiresIn })).exp! - Math.floor(now / 1000)
  test.each([[60, 60], ['5m', 300], ['2 hours', 7200], ['1 day', 86400], ['30s', 30], ['-5m', -300], ['5m ago', -300], ['+1h', 3600], ['1 week', 604800], ['1.5h', 5400]] as const)('%s', async (input, seconds) => {
    expect(await exp(input)).toBe(seconds)
  })
  test.each(['5 parsecs', '', 'soon', '-5m ago', Number.NaN, Infinity])('refuses %s with ERR_INVALID_OPTION', async (input) => {
    await expect(identity.token(identity.fakeUser(), { expiresIn: input as never })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' })
  })
})

describe('inject() refuses specs the emulator cannot honour (issue 10 §3)', () => {
  test.each([
    [{ path: '/settings', status: 204, body: { a: 1 } }, /204 cannot have a body/],
    [{ path: '/settings', status: 304, body: 'x' }, /304 cannot have a body/],
    [{ path: /settings/g, status: 500 }, /g flag/],
    [{ path: /settings/y, status: 500 }, /y flag/],
    [{ path: '/settings', status: 500, body: { when: new Date() } as never }, /JSON data/],
    [{ path: '/settings', status: 500, method: 5 as never }, /method/],
  ])('%o', (spec, message) => {
    expect(() => identity.inject(spec as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_FAULT', message: expect.stringMatching(message) }))
  })
})

describe('e-mail validation with Go net/mail.ParseAddress (gotrue:api/mail.go validateEmail, gotrue:mailer/template.go)', () => {
  test('/signup, /invite, POST /admin/users answer 422 with Go\'s error; a display-name form is valid and stored whole', async () => {
    const admin = await identity.adminToken()
    expect((await call(identity, 'POST', '/signup', { json: { email: 'not-an-email', password: 'pw' } })).body)
      .toEqual({ code: 422, msg: "Unable to validate email address: mail: missing '@' or angle-addr" })
    expect((await call(identity, 'POST', '/invite', { token: admin, json: { email: 'a@b@c' } })).body)
      .toEqual({ code: 422, msg: 'Unable to validate email address: mail: expected single address, got "@c"' })
    expect((await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'a..b@site.test' } })).body)
      .toEqual({ code: 422, msg: 'Unable to validate email address: mail: no angle-addr' })
    const named = await call(identity, 'POST', '/admin/users', { token: admin, json: { email: 'Ada <ada@site.test>' } })
    expect(named.body.email).toBe('Ada <ada@site.test>')
  })
})

describe('filter= is SQL LIKE (gotrue:models/user.go FindUsersInAudience: "%" + filter + "%", unescaped)', () => {
  test('% and _ are wildcards, \\ escapes them, matching is case- and accent-insensitive', async () => {
    const admin = await identity.adminToken()
    for (const [email, name] of [['like1@f.test', 'José Núñez'], ['like2@f.test', '100% Real'], ['likeXY@f.test', 'Plain']] as const) {
      await call(identity, 'POST', '/admin/users', { token: admin, json: { email, user_metadata: { full_name: name } } })
    }
    const emails = async (filter: string) => (await call(identity, 'GET', `/admin/users?filter=${encodeURIComponent(filter)}`, { token: admin })).body.users.map((u: { email: string }) => u.email).sort()
    expect(await emails('like_@f')).toEqual(['like1@f.test', 'like2@f.test'])
    expect(await emails('lik%y@')).toEqual(['likeXY@f.test'])
    expect(await emails('jose nunez')).toEqual(['like1@f.test'])
    expect(await emails('100\\%')).toEqual(['like2@f.test'])
    expect(await emails('0\\_')).toEqual([])
  })
})

describe('/token reads fields as Go\'s FormValue (gotrue:api/token.go; net/http ParseMultipartForm)', () => {
  test('multipart/form-data works; for urlencoded the body wins over the query, for multipart the query wins', async () => {
    const user = identity.createUser({ password: 'pw-multi' })
    const form = new FormData()
    form.set('grant_type', 'password')
    form.set('username', user.email)
    form.set('password', 'pw-multi')
    const multipart = await fetch(`${identity.url}/token`, { method: 'POST', body: form })
    expect(multipart.status).toBe(200)
    const queryWins = await fetch(`${identity.url}/token?password=wrong`, { method: 'POST', body: form })
    expect(queryWins.status).toBe(400)
    const bodyWins = await fetch(`${identity.url}/token?password=wrong`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: user.email, password: 'pw-multi' }),
    })
    expect(bodyWins.status).toBe(200)
  })
})

describe('__proto__ and constructor keys are plain data everywhere', () => {
  test('admin merges keep them, the list shows them, a hook reply keeps them', async () => {
    const admin = await identity.adminToken()
    const user = identity.createUser()
    const put = await call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, body: '{"user_metadata":{"__proto__":{"polluted":true},"constructor":"c"}}' })
    expect(Object.hasOwn(put.body.user_metadata, '__proto__')).toBe(true)
    const stored = identity.users.get(user.id)!.user_metadata as Record<string, unknown>
    expect(Object.hasOwn(stored, '__proto__')).toBe(true)
    expect(stored.constructor).toBe('c')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const outcome = await identity.trigger(async () => ({ statusCode: 200, body: '{"app_metadata":{"__proto__":{"x":1},"roles":["a"]}}' }), 'login', user)
    expect(Object.hasOwn(outcome.user.app_metadata, '__proto__')).toBe(true)
  })
})

describe('issue 11 items 18–20', () => {
  test('an expired refresh token clears nf_jwt in cookie mode; exactly 30 days is still valid (models/refresh_token.go Expired)', async () => {
    const user = identity.createUser({ password: 'pw-cookie' })
    const login = (await identity.login(user.email, 'pw-cookie')).body as { refresh_token: string }
    now += 30 * 86_400_000
    const ok = await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: login.refresh_token })
    expect(ok.status).toBe(200)
    now += 30 * 86_400_000 + 1000
    const res = await fetch(`${identity.url}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-use-cookie': '1' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: ok.body.refresh_token }),
    })
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'Refresh token expired' })
    expect(res.headers.get('set-cookie')).toMatch(/^nf_jwt=; Path=\/; Expires=.*; Max-Age=0; HttpOnly; Secure$/)
  })

  test('/verify\'s blank-token check is Go\'s strings.TrimSpace (api/verify.go)', async () => {
    const blank = await call(identity, 'POST', '/verify', { json: { type: 'signup', token: '\u0085\u00a0\u3000' } })
    expect(blank.body).toEqual({ code: 422, msg: 'Verify requires a token' })
    // U+FEFF is not white space in Go (it is for JavaScript's trim): a lookup, not a blank.
    const bom = await call(identity, 'POST', '/verify', { json: { type: 'signup', token: '\ufeff' } })
    expect(bom.body).toEqual({ code: 404, msg: 'User not found' })
  })
})
