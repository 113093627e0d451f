/**
 * External OAuth providers, site settings and the audit log, encoded from GoTrue's own tests and
 * source: gotrue:api/external.go, api/external_oauth.go, api/provider/*.go, api/external_test.go,
 * api/external_{github,gitlab,google,bitbucket,facebook}_test.go, api/settings.go (+_test),
 * api/signup.go, api/middleware.go `requireEmailProvider`, api/audit.go (+_test),
 * models/audit_log_entry.go, api/logout.go.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createIdentity, EXTERNAL_PROVIDERS } from '../src/index.js'
import type { ExternalProviderName, Identity } from '../src/index.js'
import { call, claimsOf, tokenRequest } from './gotrue-helpers.js'

let now = new Date('2026-03-01T10:00:00Z')
const refuse = () => ({ statusCode: 400, body: 'nope' })
const hooks: { event: string; provider: unknown }[] = []
const record = (event: string) => (event_: { body: string }) => {
  hooks.push({ event, provider: JSON.parse(event_.body).user.app_metadata?.provider })
  return { statusCode: 200, body: '' }
}
let signupFn: (e: { body: string }) => { statusCode: number; body: string } = record('signup')
const identity = createIdentity({
  seed: 14,
  siteUrl: 'https://oauth.netlify.test',
  providers: [...EXTERNAL_PROVIDERS],
  now: () => now,
  functions: {
    validate: { handler: async (e: { body: string }) => record('validate')(e) },
    signup: { handler: async (e: { body: string }) => signupFn(e) },
    login: { handler: async (e: { body: string }) => record('login')(e) },
  },
})
let admin: string

beforeAll(async () => {
  identity.listen()
  admin = await identity.adminToken()
})
afterAll(() => identity.close())
beforeEach(() => {
  identity.reset()
  hooks.length = 0
  signupFn = record('signup')
  now = new Date('2026-03-01T10:00:00Z')
})

const decode = (s: string): string => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))

/** The browser's round trip: /authorize → the fake consent page → its Authorize (or Cancel) link → /callback. */
async function browserLogin(target: Identity, provider: string, opts: { invite?: string; referer?: string; click?: 'authorize' | 'cancel' } = {}) {
  const q = new URLSearchParams({ provider })
  if (opts.invite) q.set('invite_token', opts.invite)
  const start = await fetch(`${target.url}/authorize?${q}`, { redirect: 'manual', headers: opts.referer ? { referer: opts.referer } : {} })
  expect(start.status).toBe(302)
  const consent = await fetch(start.headers.get('location')!)
  expect(consent.status).toBe(200)
  expect(consent.headers.get('content-type')).toMatch(/^text\/html/)
  const page = await consent.text()
  const href = decode(new RegExp(`id="${opts.click ?? 'authorize'}" href="([^"]+)"`).exec(page)![1]!)
  expect(href.startsWith(`${target.url}/callback?`)).toBe(true)
  const back = await fetch(href, { redirect: 'manual' })
  expect(back.status).toBe(302)
  const location = new URL(back.headers.get('location')!)
  return { location, fragment: new URLSearchParams(location.hash.slice(1)), page }
}

describe('GET /settings (gotrue:api/settings.go)', () => {
  test('answers the site settings exactly', async () => {
    const res = await call(identity, 'GET', '/settings')
    expect(res.text).toBe(JSON.stringify({
      external: { bitbucket: true, github: true, gitlab: true, google: true, facebook: true, email: true, saml: false },
      external_labels: {}, disable_signup: false, autoconfirm: false,
    }))
    const inviteOnly = createIdentity({ providers: ['google'], emailLogin: false, disableSignup: true, autoconfirm: true })
    const direct = await inviteOnly.handlers[0]!.run({ requestId: 'test', request: new Request(`${inviteOnly.url}/settings`) })
    expect(await direct!.response!.json()).toEqual({
      external: { bitbucket: false, github: false, gitlab: false, google: true, facebook: false, email: false, saml: false },
      external_labels: {}, disable_signup: true, autoconfirm: true,
    })
  })

  test('bad settings are HarnessErrors that say what to pass', () => {
    expect(() => createIdentity({ providers: ['twitter' as ExternalProviderName] })).toThrow(/not a provider GoTrue supports; use one of bitbucket, github/)
    expect(() => createIdentity({ providers: 'github' as unknown as ExternalProviderName[] })).toThrow(/providers must be an array/)
    expect(() => createIdentity({ disableSignup: 'yes' as unknown as boolean })).toThrow(/disableSignup must be a boolean/)
    expect(() => createIdentity({ emailLogin: 1 as unknown as boolean })).toThrow(/emailLogin must be a boolean/)
  })
})

describe('GET /authorize (gotrue:api/external.go ExternalProviderRedirect)', () => {
  test('an unknown provider is 400 (TestSignupExternalUnsupported); a disabled one too', async () => {
    const res = await call(identity, 'GET', '/authorize?provider=external')
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ code: 400, msg: 'Unsupported provider: Provider external could not be found' })
    // SAML is not emulated: answered as GoTrue answers with SAML off (gotrue:api/provider/saml.go).
    expect((await call(identity, 'GET', '/authorize?provider=saml')).body).toEqual({ code: 400, msg: 'Unsupported provider: SAML Provider is not enabled' })
    const off = createIdentity({ seed: 2, siteUrl: 'https://off.netlify.test', providers: ['github'] })
    const result = await off.loginWith('google')
    expect(result).toMatchObject({ status: 400, body: { code: 400, msg: 'Unsupported provider: Provider is not enabled' }, location: undefined })
  })

  const scopes: Record<ExternalProviderName, string> = { github: 'user:email', gitlab: 'read_user', google: 'email profile', bitbucket: 'account email', facebook: 'email' }
  test.each(EXTERNAL_PROVIDERS)('%s: 302 to the provider with client_id, redirect_uri, response_type, scope and an HS256 state (TestSignupExternalGithub)', async (name) => {
    const res = await fetch(`${identity.url}/authorize?provider=${name}`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    const to = new URL(res.headers.get('location')!)
    expect(to.origin).toBe(identity.siteUrl)
    expect(to.pathname.startsWith(`/.netlify/harness/oauth/${name}/`)).toBe(true)
    // url.Values.Encode: keys sorted.
    expect([...to.searchParams.keys()]).toEqual(['client_id', 'redirect_uri', 'response_type', 'scope', 'state'])
    expect(to.searchParams.get('client_id')).toBe(identity.providers[name].clientId)
    expect(to.searchParams.get('redirect_uri')).toBe(`${identity.url}/callback`)
    expect(to.searchParams.get('response_type')).toBe('code')
    expect(to.searchParams.get('scope')).toBe(scopes[name])
    const state = to.searchParams.get('state')!
    expect(JSON.parse(Buffer.from(state.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' })
    const claims = claimsOf(state)
    expect(claims).toMatchObject({ provider: name, site_url: identity.siteUrl, id: identity.instanceId, exp: now.getTime() / 1000 + 300 })
    expect(claims).not.toHaveProperty('invite_token')
  })

  test('an invite_token that is nobody\'s is a JSON 404 (TestInviteTokenExternalGitHubErrorWhenNoMatchingToken / WrongToken)', async () => {
    const res = await call(identity, 'GET', '/authorize?provider=github&invite_token=wrong_token')
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ code: 404, msg: 'User not found' })
  })
})

describe('GET /callback: new users, linking, hooks (gotrue:api/external.go)', () => {
  test('github: a new user with a verified e-mail gets tokens in the fragment, provider metadata and app_metadata.provider (TestSignupExternalGitHub_AuthorizationCode)', async () => {
    identity.providers.github.next({ email: 'github@example.com', name: 'GitHub Test', avatar: 'http://example.com/avatar' })
    const { location, fragment } = await browserLogin(identity, 'github', { referer: 'https://oauth.netlify.test/admin' })
    // The state's referrer (same host as the site) is where GoTrue redirects (performAuthorization asserts /admin).
    expect(location.pathname).toBe('/admin')
    expect([...fragment.keys()]).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type'])
    expect(fragment.get('token_type')).toBe('bearer')
    expect(fragment.get('expires_in')).toBe('3600')
    const user = identity.users.findByEmail('github@example.com')!
    expect(user.user_metadata).toEqual({ full_name: 'GitHub Test', avatar_url: 'http://example.com/avatar' })
    expect(user.app_metadata).toEqual({ provider: 'github' })
    expect(user.confirmed_at).toBe(now.toISOString())
    expect(claimsOf(fragment.get('access_token')!)).toMatchObject({ sub: user.id, email: 'github@example.com', app_metadata: { provider: 'github' } })
    // validate (signupNewUser), then signup before confirmation: hooks fire for external users today (gotrue.md §1.2).
    expect(hooks).toEqual([{ event: 'validate', provider: 'github' }, { event: 'signup', provider: 'github' }])
    const me = await call(identity, 'GET', '/user', { token: fragment.get('access_token')! })
    expect(me.body.email).toBe('github@example.com')
    const refreshed = await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: fragment.get('refresh_token')! })
    expect(refreshed.status).toBe(200)
  })

  test('a Referer from another host is ignored: the redirect goes to the site URL (getReferrer)', async () => {
    const { location } = await browserLogin(identity, 'google', { referer: 'https://evil.example/page' })
    expect(`${location.origin}${location.pathname}`).toBe(`${identity.siteUrl}/`)
  })

  test('a confirmed user logs in: no validate, no signup, `login` fires, no second user', async () => {
    identity.createUser({ email: 'ada@example.com', user_metadata: { full_name: 'Kept' } })
    const result = await identity.loginWith('gitlab', { email: 'ada@example.com', name: 'Ada GitLab' })
    expect(result.tokens?.token_type).toBe('bearer')
    expect(hooks.map((h) => h.event)).toEqual(['login'])
    expect(identity.users.all()).toHaveLength(1)
    // Linking changes nothing on the existing user (only new users get provider data).
    expect(result.user).toMatchObject({ app_metadata: { provider: 'email' }, user_metadata: { full_name: 'Kept' } })
  })

  test('an unverified provider e-mail: user created unconfirmed, confirmation mail, redirect without fragment', async () => {
    const result = await identity.loginWith('github', { email: 'new@example.com', verified: false })
    expect(result.status).toBe(302)
    expect(result.location).toBe(identity.siteUrl)
    expect(result.tokens).toBeUndefined()
    expect(result.error).toBeUndefined()
    const user = identity.users.findByEmail('new@example.com')!
    expect(user.confirmed_at).toBeUndefined()
    expect(identity.mail.last('new@example.com', 'confirmation')).toBeDefined()
    expect(hooks.map((h) => h.event)).toEqual(['validate'])
    // An unverified address never links to an existing user either: it would create a second one.
  })

  test('with autoconfirm an unverified e-mail is enough', async () => {
    const auto = createIdentity({ seed: 3, siteUrl: 'https://auto.netlify.test', providers: ['github'], autoconfirm: true })
    const result = await auto.loginWith('github', { email: 'u@example.com', verified: false })
    expect(result.tokens).toBeDefined()
    expect(result.user?.confirmed_at).toBeDefined()
  })

  test('the primary address is the new user\'s e-mail; any verified one links (TestSignupExternalGitHubDisableSignupSuccessWithNonPrimaryEmail)', async () => {
    const made = await identity.loginWith('github', { email: 'primary@example.com', emails: [{ email: 'secondary@example.com', verified: true }] })
    expect(made.user?.email).toBe('primary@example.com')
    identity.reset()
    identity.createUser({ email: 'secondary@example.com' })
    const linked = await identity.loginWith('github', { email: 'primary@example.com', emails: [{ email: 'secondary@example.com', verified: true }] })
    expect(linked.user?.email).toBe('secondary@example.com')
    expect(identity.users.all()).toHaveLength(1)
  })

  test('a refused signup hook: GoTrue\'s error fragment (netlify-identity-widget#173), and no user, no audit entry', async () => {
    signupFn = refuse
    const { fragment, location } = await browserLogin(identity, 'google')
    expect(location.hash).toBe('#error=server_error&error_description=Failed+to+handle+signup+webhook')
    expect(fragment.get('access_token')).toBeNull()
    expect(identity.users.all()).toEqual([])
    expect(identity.audit).toEqual([])
  })
})

describe('each provider end to end, with its real user-info JSON (gotrue:api/provider/*.go)', () => {
  const meta: Record<ExternalProviderName, Record<string, string>> = {
    github: { full_name: 'Ada Lovelace', avatar_url: 'http://example.com/a.png' },
    gitlab: { full_name: 'Ada Lovelace', avatar_url: 'http://example.com/a.png' },
    google: { full_name: 'Ada Lovelace', avatar_url: 'http://example.com/a.png' },
    bitbucket: { full_name: 'Ada Lovelace', avatar_url: 'http://example.com/a.png' },
    // facebook.go: slug is the `name`, full_name first + last.
    facebook: { slug: 'Ada Lovelace', full_name: 'Ada Lovelace', avatar_url: 'http://example.com/a.png' },
  }
  test.each(EXTERNAL_PROVIDERS)('%s over HTTP', async (name) => {
    identity.providers[name].next({ email: `${name}@example.com`, name: 'Ada Lovelace', avatar: 'http://example.com/a.png' })
    const { fragment, page } = await browserLogin(identity, name)
    expect(page).toContain(`${name}@example.com`)
    expect(fragment.get('access_token')).toBeTruthy()
    const user = identity.users.findByEmail(`${name}@example.com`)!
    expect(user.app_metadata.provider).toBe(name)
    expect(user.user_metadata).toEqual(meta[name])
  })

  test('the token and user-info endpoints answer with each provider\'s own shapes', async () => {
    const p = identity.providers.github
    p.next({ email: 'octo@example.com', name: 'Octo Cat', avatar: 'http://x/y.png', emails: [{ email: 'other@example.com' }] })
    const start = await fetch(`${identity.url}/authorize?provider=github`, { redirect: 'manual' })
    const page = await (await fetch(start.headers.get('location')!)).text()
    const code = new URL(decode(/id="authorize" href="([^"]+)"/.exec(page)![1]!)).searchParams.get('code')!
    const tok = await fetch(`${p.url}/login/oauth/access_token`, { method: 'POST', body: new URLSearchParams({ code, grant_type: 'authorization_code' }) })
    const { access_token } = await tok.json() as { access_token: string }
    const auth = { authorization: `Bearer ${access_token}` }
    expect(await (await fetch(`${p.url}/api/v3/user`, { headers: auth })).json()).toMatchObject({ name: 'Octo Cat', avatar_url: 'http://x/y.png', email: 'octo@example.com' })
    expect(await (await fetch(`${p.url}/api/v3/user/emails`, { headers: auth })).json()).toEqual([
      { email: 'octo@example.com', primary: true, verified: true, visibility: 'public' },
      { email: 'other@example.com', primary: false, verified: false, visibility: null },
    ])
    // A used code is refused, as GitHub does; no token, no user info.
    const again = await fetch(`${p.url}/login/oauth/access_token`, { method: 'POST', body: new URLSearchParams({ code }) })
    expect(again.status).toBe(400)
    expect((await fetch(`${p.url}/api/v3/user`)).status).toBe(401)
  })

  test('gitlab: the primary is verified by confirmed_at, its extra addresses never are', async () => {
    identity.createUser({ email: 'extra@example.com' })
    const r = await identity.loginWith('gitlab', { email: 'main@example.com', verified: false, emails: [{ email: 'extra@example.com', verified: true }] })
    // Nothing verified: no link to extra@, a new unconfirmed user for the primary.
    expect(r.tokens).toBeUndefined()
    expect(identity.users.findByEmail('main@example.com')?.confirmed_at).toBeUndefined()
  })
})

describe('provider failures and bad callbacks (gotrue:api/external_oauth.go oAuthCallback)', () => {
  test('the user cancels: the provider\'s error goes through as the fragment', async () => {
    const { location } = await browserLogin(identity, 'github', { click: 'cancel' })
    expect(location.hash).toBe('#error=access_denied&error_description=The+user+has+denied+your+application+access.')
    identity.providers.bitbucket.fail('denied', 'no thanks')
    expect((await identity.loginWith('bitbucket')).error).toEqual({ error: 'access_denied', error_description: 'no thanks' })
  })

  test('a failing code exchange and a failing user-info request are server_error fragments', async () => {
    identity.providers.google.fail('token')
    expect((await identity.loginWith('google')).error).toEqual({ error: 'server_error', error_description: 'Unable to exchange external code for google provider' })
    identity.providers.google.fail('userinfo')
    expect((await identity.loginWith('google')).error).toEqual({ error: 'server_error', error_description: 'Error getting user email from external provider' })
    expect(identity.users.all()).toEqual([])
  })

  test('no e-mail from the provider (TestSignupExternalGitHubDisableSignupErrorWhenEmptyEmail)', async () => {
    const r = await identity.loginWith('github', { email: '' })
    expect(r.location).toBe(`${identity.siteUrl}#error=server_error&error_description=Error+getting+user+email+from+external+provider`)
  })

  test('the /callback group: loadOAuthState runs first for any method or path in it, then chi answers 405 or 404; /callback/ is /callback', async () => {
    // gotrue:api/api.go mounts /callback with r.Use(api.loadOAuthState) (go-chi/chi v5.2.5 Mount).
    expect((await call(identity, 'POST', '/callback?code=x')).body).toEqual({ code: 400, msg: 'OAuth state parameter missing' })
    expect((await call(identity, 'GET', '/callback/extra')).body).toEqual({ code: 400, msg: 'OAuth state parameter missing' })
    const start = await fetch(`${identity.url}/authorize?provider=github`, { redirect: 'manual' })
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!
    const post = await call(identity, 'POST', `/callback?state=${state}`)
    expect([post.status, post.headers.get('allow'), post.text]).toEqual([405, 'GET', ''])
    expect((await call(identity, 'GET', `/callback/extra?state=${state}`)).status).toBe(404)
    const slash = await fetch(`${identity.url}/callback/?state=${state}`, { redirect: 'manual' })
    expect(slash.headers.get('location')).toBe(`${identity.siteUrl}#error=invalid_request&error_description=Authorization+code+missing`)
  })

  test('state: missing, tampered or expired are JSON 400s; a missing code is a fragment', async () => {
    expect((await call(identity, 'GET', '/callback?code=x')).body).toEqual({ code: 400, msg: 'OAuth state parameter missing' })
    const start = await fetch(`${identity.url}/authorize?provider=github`, { redirect: 'manual' })
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!
    const forged = await call(identity, 'GET', `/callback?code=x&state=${state.slice(0, -2)}AA`)
    expect(forged.body).toEqual({ code: 400, msg: 'OAuth state is invalid: signature is invalid' })
    const noCode = await fetch(`${identity.url}/callback?state=${state}`, { redirect: 'manual' })
    expect(noCode.headers.get('location')).toBe(`${identity.siteUrl}#error=invalid_request&error_description=Authorization+code+missing`)
    now = new Date(now.getTime() + 301_000)
    const late = await call(identity, 'GET', `/callback?code=x&state=${state}`)
    expect(late.status).toBe(400)
    expect(late.body.msg).toBe('OAuth state is invalid: token is expired by 1s')
    // The access token secret is not the state's key: an access token is no state.
    const notState = await call(identity, 'GET', `/callback?code=x&state=${await identity.adminToken()}`)
    expect(notState.body.msg).toBe('OAuth state is invalid: signature is invalid')
  })
})

describe('invites with an external provider (processInvite)', () => {
  async function invited(email: string): Promise<string> {
    const res = await call(identity, 'POST', '/invite', { token: admin, json: { email } })
    expect(res.status).toBe(200)
    return identity.mail.last(email, 'invite')!.token
  }

  test('a matching invite: provider set, metadata merged, signup hook, confirmed, tokens (TestInviteTokenExternalGitHubSuccessWhenMatchingToken)', async () => {
    const token = await invited('github@example.com')
    hooks.length = 0
    identity.providers.github.next({ email: 'github@example.com', name: 'GitHub Test', avatar: 'http://example.com/avatar' })
    const { fragment } = await browserLogin(identity, 'github', { invite: token })
    expect(fragment.get('access_token')).toBeTruthy()
    const user = identity.users.findByEmail('github@example.com')!
    expect(user).toMatchObject({ app_metadata: { provider: 'github' }, user_metadata: { full_name: 'GitHub Test', avatar_url: 'http://example.com/avatar' } })
    expect(user.confirmed_at).toBeDefined()
    expect(hooks.map((h) => h.event)).toEqual(['signup'])
    expect(identity.audit.map((e) => e.payload.action)).toEqual(['user_invited', 'invite_accepted'])
  })

  test('another e-mail from the provider: invalid_request, the invite stays open (TestInviteTokenExternalGitHubErrorWhenEmailDoesntMatch)', async () => {
    const token = await invited('github@example.com')
    const r = await identity.loginWith('github', { email: 'other@example.com' }, { inviteToken: token })
    expect(r.error).toEqual({ error: 'invalid_request', error_description: 'Invited email does not match emails from external provider' })
    expect(identity.users.findByEmail('github@example.com')?.confirmed_at).toBeUndefined()
    expect(identity.users.findByEmail('other@example.com')).toBeUndefined()
  })

  test('invites work on an invite-only site', async () => {
    const closed = createIdentity({ seed: 5, siteUrl: 'https://closed.netlify.test', providers: ['github'], disableSignup: true })
    const rt = closed.handlers[0]!
    const adminToken = await closed.adminToken()
    const inv = await rt.run({ requestId: 'test', request: new Request(`${closed.url}/invite`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: JSON.stringify({ email: 'i@example.com' }) }) })
    expect(inv!.response!.status).toBe(200)
    const r = await closed.loginWith('github', { email: 'i@example.com' }, { inviteToken: closed.mail.last('i@example.com', 'invite')!.token })
    expect(r.tokens).toBeDefined()
  })
})

describe('invite-only and e-mail-less sites (gotrue:api/signup.go, api/middleware.go requireEmailProvider)', () => {
  const closed = createIdentity({ seed: 6, siteUrl: 'https://closed2.netlify.test', providers: ['github'], disableSignup: true })
  const noEmail = createIdentity({ seed: 7, siteUrl: 'https://noemail.netlify.test', providers: ['github'], emailLogin: false })
  const send = async (target: Identity, method: string, path: string, init: RequestInit = {}) => {
    const handler = target.handlers[0]!
    const res = (await handler.run({ requestId: 'test', request: new Request(`${target.url}${path}`, { method, ...init }) }))!.response!
    return { status: res.status, body: await res.json().catch(() => undefined) }
  }

  test('disable_signup: /signup is 403 before its body is read; external newcomers are access_denied (TestSignupExternalGitHubDisableSignupErrorWhenNoUser)', async () => {
    expect(await send(closed, 'POST', '/signup', { body: 'not json' })).toEqual({ status: 403, body: { code: 403, msg: 'Signups not allowed for this instance' } })
    expect((await closed.signup({ email: 'a@example.com', password: 'pw' })).status).toBe(403)
    const r = await closed.loginWith('github', { email: 'github@example.com' })
    expect(r.location).toBe(`${closed.siteUrl}#error=access_denied&error_description=Signups+not+allowed+for+this+instance`)
    expect(closed.users.all()).toEqual([])
    // An existing user still logs in (TestSignupExternalGitHubDisableSignupSuccessWithPrimaryEmail); admin create still works.
    closed.createUser({ email: 'github@example.com' })
    expect((await closed.loginWith('github', { email: 'github@example.com' })).tokens).toBeDefined()
    const created = await send(closed, 'POST', '/admin/users', { headers: { authorization: `Bearer ${await closed.adminToken()}` }, body: JSON.stringify({ email: 'b@example.com' }) })
    expect(created.status).toBe(200)
  })

  test('e-mail provider off: /signup, /token, /recover and POST /admin/users are 400 Unsupported email provider', async () => {
    const expected = { status: 400, body: { code: 400, msg: 'Unsupported email provider' } }
    expect(await send(noEmail, 'POST', '/signup', { body: '{}' })).toEqual(expected)
    expect(await send(noEmail, 'POST', '/token', { body: 'grant_type=refresh_token&refresh_token=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).toEqual(expected)
    expect(await send(noEmail, 'POST', '/recover', { body: '{}' })).toEqual(expected)
    const adminToken = await noEmail.adminToken()
    expect(await send(noEmail, 'POST', '/admin/users', { headers: { authorization: `Bearer ${adminToken}` }, body: '{"email":"x@example.com"}' })).toEqual(expected)
    // Admin auth runs first (the /admin route's middleware).
    expect((await send(noEmail, 'POST', '/admin/users', { body: '{}' })).status).toBe(401)
    expect(await noEmail.login('x@example.com', 'pw')).toEqual({ status: 400, body: { code: 400, msg: 'Unsupported email provider' } })
    expect((await send(noEmail, 'POST', '/invite', { headers: { authorization: `Bearer ${adminToken}` }, body: '{"email":"i@example.com"}' })).status).toBe(200)
    expect((await noEmail.loginWith('github')).tokens).toBeDefined()
  })
})

describe('loginWith and fakeUser agree', () => {
  test('a default provider user is a seeded fake, shaped as fakeUser({ provider })', async () => {
    const a = createIdentity({ seed: 9, providers: ['google'] })
    const b = createIdentity({ seed: 9, providers: ['google'] })
    const ra = await a.loginWith('google')
    const rb = await b.loginWith('google')
    expect(ra.user?.email).toBe(rb.user?.email)
    const shaped = a.fakeUser({ provider: 'google' })
    expect(Object.keys(ra.user!.user_metadata!).sort()).toEqual(Object.keys(shaped.user_metadata!).sort())
    expect(ra.user!.app_metadata).toEqual(shaped.app_metadata)
    // The provider stream never shifts fakeUser()'s sequence.
    expect(createIdentity({ seed: 9 }).fakeUser({ provider: 'google' })).toEqual(shaped)
  })
})

describe('GET /admin/audit (gotrue:api/audit.go, api/audit_test.go)', () => {
  async function superAdmin(): Promise<string> {
    const u = identity.createUser({ email: 'test@example.com', role: 'admin', user_metadata: { full_name: 'Test User' } })
    return identity.token(u)
  }
  async function prepareDeleteEvent(token: string): Promise<void> {
    const u = identity.createUser({ email: 'test-delete@example.com' })
    expect((await call(identity, 'DELETE', `/admin/users/${u.id}`, { token })).status).toBe(200)
  }

  test('TestAuditGet: one entry, Link and X-Total-Count', async () => {
    const token = await superAdmin()
    await prepareDeleteEvent(token)
    const res = await call(identity, 'GET', '/admin/audit', { token })
    expect(res.status).toBe(200)
    expect(res.headers.get('link')).toBe('</admin/audit?page=1>; rel="last"')
    expect(res.headers.get('x-total-count')).toBe('1')
    expect(res.body).toHaveLength(1)
    const [entry] = res.body
    expect(Object.keys(entry)).toEqual(['id', 'payload', 'created_at'])
    expect(entry.payload).toEqual({
      action: 'user_deleted', actor_email: 'test@example.com', actor_id: identity.users.findByEmail('test@example.com')!.id, actor_name: 'Test User',
      log_type: 'team', timestamp: '2026-03-01T10:00:00Z', traits: { user_email: 'test-delete@example.com', user_id: expect.any(String) },
    })
  })

  test('TestAuditFilters, a bad scope, pagination', async () => {
    const token = await superAdmin()
    await prepareDeleteEvent(token)
    for (const q of ['action:user_deleted', 'type:team', 'author:user', 'author:@example.com', 'author:TEST USER']) {
      const res = await call(identity, 'GET', `/admin/audit?query=${encodeURIComponent(q)}`, { token })
      expect(res.body, q).toHaveLength(1)
      expect(res.body[0].payload.traits.user_email).toBe('test-delete@example.com')
    }
    expect((await call(identity, 'GET', '/admin/audit?query=action:login', { token })).body).toEqual([])
    for (const q of ['actor:x', 'author', 'constructor:x']) {
      const bad = await call(identity, 'GET', `/admin/audit?query=${q}`, { token })
      expect(bad.body).toEqual({ code: 400, msg: `Invalid query scope: ${q}` })
    }
    await prepareDeleteEvent(token)
    const page = await call(identity, 'GET', '/admin/audit?per_page=1&page=1', { token })
    expect(page.headers.get('x-total-count')).toBe('2')
    expect(page.body).toHaveLength(1)
    expect(page.headers.get('link')).toBe('</admin/audit?page=2&per_page=1>; rel="next", </admin/audit?page=2&per_page=1>; rel="last"')
    expect((await call(identity, 'GET', '/admin/audit?page=x', { token })).body.msg).toMatch(/^Bad Pagination Parameters: strconv.ParseUint/)
    expect((await call(identity, 'GET', '/admin/audit')).status).toBe(401)
  })

  test('the actions the emulator performs, newest first; the system user acts with an empty e-mail', async () => {
    const user = identity.createUser({ email: 'p@example.com', password: 'pw' })
    const login = await tokenRequest(identity, { grant_type: 'password', username: 'p@example.com', password: 'pw' })
    await tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: login.body.refresh_token })
    await call(identity, 'PUT', '/user', { token: login.body.access_token, json: { data: { a: 1 } } })
    await call(identity, 'POST', '/recover', { json: { email: 'p@example.com' } })
    await call(identity, 'PUT', `/admin/users/${user.id}`, { token: admin, json: { role: 'x' } })
    await call(identity, 'POST', '/logout', { token: login.body.access_token })
    const res = await call(identity, 'GET', '/admin/audit', { token: admin })
    expect(res.body.map((e: { payload: { action: string } }) => e.payload.action)).toEqual(['logout', 'user_modified', 'user_recovery_requested', 'user_modified', 'token_refreshed', 'login'])
    expect(res.body[1].payload).toMatchObject({ actor_id: '00000000-0000-0000-0000-000000000000', actor_email: '', traits: { user_email: 'p@example.com' } })
    expect(res.body[1].payload).not.toHaveProperty('actor_name')
  })

  test('auditLogLimit keeps the newest entries (default 1000)', async () => {
    const small = createIdentity({ seed: 10, siteUrl: 'https://small.netlify.test', auditLogLimit: 2 })
    small.createUser({ email: 's@example.com', password: 'pw' })
    for (let i = 0; i < 3; i++) expect((await small.login('s@example.com', 'pw')).status).toBe(200)
    expect(small.audit.map((e) => e.payload.action)).toEqual(['login', 'login'])
    expect(() => createIdentity({ auditLogLimit: 0 })).toThrow(/auditLogLimit must be a positive integer/)
  })

  test('a refused login hook rolls its audit entry back with the transaction', async () => {
    const blocked = createIdentity({ seed: 8, siteUrl: 'https://blocked.netlify.test', functions: { login: { handler: async () => ({ statusCode: 403 }) } } })
    blocked.createUser({ email: 'b@example.com', password: 'pw' })
    expect((await blocked.login('b@example.com', 'pw')).status).not.toBe(200)
    expect(blocked.audit).toEqual([])
  })
})

describe('POST /logout (gotrue:api/logout.go)', () => {
  test('a token whose user is gone: 401 Invalid user, and the cookie is cleared anyway', async () => {
    const user = identity.createUser({ email: 'gone@example.com' })
    const token = await identity.token(user)
    await call(identity, 'DELETE', `/admin/users/${user.id}`, { token: admin })
    const res = await call(identity, 'POST', '/logout', { token })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ code: 401, msg: 'Invalid user' })
    expect(res.headers.get('set-cookie')).toMatch(/^nf_jwt=; Path=\/; Expires=.*; Max-Age=0; HttpOnly; Secure$/)
    const live = await call(identity, 'POST', '/logout', { token: await identity.token(identity.createUser({ email: 'live@example.com' })) })
    expect(live.status).toBe(204)
  })
})

describe('README recipe: testing a GitHub login', () => {
  // The recipe's code, with the example site's identity-signup.js (member unless @acme.test).
  const recipe = createIdentity({
    siteUrl: 'https://recipe.netlify.test',
    providers: ['github'],
    functions: { signup: new URL('../examples/site/netlify/functions/identity-signup.js', import.meta.url).pathname },
  })

  test('a new GitHub user gets the member role and a session', async () => {
    recipe.providers.github.next({ email: 'octo@example.com', name: 'Octo Cat', verified: true })
    const { tokens, user } = await recipe.loginWith('github')
    expect(tokens?.token_type).toBe('bearer')
    expect(user?.app_metadata).toEqual({ provider: 'github', roles: ['member'] })
    expect(user?.user_metadata?.full_name).toBe('Octo Cat')
  })

  test("a refused signup comes back as GoTrue's error fragment", async () => {
    const blocking = createIdentity({ providers: ['github'], functions: { signup: { handler: async () => ({ statusCode: 403 }) } } })
    const result = await blocking.loginWith('github', { email: 'eve@example.com' })
    expect(result.error).toEqual({ error: 'server_error', error_description: 'Failed to handle signup webhook' })
    expect(blocking.users.all()).toEqual([])
  })
})

describe('the fake providers\' queue and inputs', () => {
  test('next() queues in order; a loginWith profile is that login\'s and leaves the queue alone', async () => {
    const p = identity.providers.gitlab
    p.next({ email: 'first@example.com' }).next({ email: 'second@example.com' })
    expect(p.pending).toBe(2)
    expect((await identity.loginWith('gitlab', { email: 'direct@example.com' })).user?.email).toBe('direct@example.com')
    expect(p.pending).toBe(2)
    expect((await identity.loginWith('gitlab')).user?.email).toBe('first@example.com')
    expect((await identity.loginWith('gitlab')).user?.email).toBe('second@example.com')
    identity.reset()
    expect(identity.providers.gitlab.pending).toBe(0)
  })

  test('bad profiles and failures are HarnessErrors', () => {
    expect(() => identity.providers.github.next({ email: 42 as unknown as string })).toThrow(/profile.email must be a string/)
    expect(() => identity.providers.github.next({ verified: 'yes' as unknown as boolean })).toThrow(/profile.verified must be a boolean/)
    expect(() => identity.providers.github.fail('boom' as 'token')).toThrow(/fail\(\) takes 'denied', 'token' or 'userinfo'/)
  })

  test('the provider name as written is what GoTrue stores (it matches case-insensitively)', async () => {
    const { fragment } = await browserLogin(identity, 'GitHub')
    expect(claimsOf(fragment.get('access_token')!).app_metadata).toEqual({ provider: 'GitHub' })
  })

  test('an unknown fake provider path is a 404 that names the providers', async () => {
    const res = await fetch(`${identity.siteUrl}/.netlify/harness/oauth/twitter/authorize`)
    expect(res.status).toBe(404)
    expect((await res.json()).message).toMatch(/use one of bitbucket, github/)
  })
})
