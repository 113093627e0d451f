/**
 * `serveIdentity()` over real HTTP on loopback, with the example widget site (examples/widget-site):
 * GoTrue under /.netlify/identity (the same core as msw), the site's functions with production's
 * contexts, role-based redirects as production applies them, static files, the outbox.
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { signWebhook } from '../src/tokens/signature.js'
import { SecretKey } from '../src/tokens/key.js'
import type { IdentityServer, ServeEvent } from '../src/server.js'
import { copySite, serve, until } from './server-helpers.js'

let site: ReturnType<typeof copySite>
let server: IdentityServer & { events: ServeEvent[] }
beforeAll(async () => {
  site = copySite()
  writeFileSync(
    join(site.dir, 'netlify/functions/echo.mjs'),
    `export const handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({
      path: event.path, rawUrl: event.rawUrl, query: event.multiValueQueryStringParameters, method: event.httpMethod,
      base64: event.isBase64Encoded, body: event.body, host: event.headers.host, cookie: event.headers.cookie, ip: event.headers['x-nf-client-connection-ip'],
    }) })\n`,
  )
  writeFileSync(join(site.dir, 'netlify/functions/slow.mjs'), 'export const handler = async () => { await new Promise((r) => setTimeout(r, 1500)); return { statusCode: 200, body: "late" } }\n')
  server = await serve({ site: site.dir })
})
afterAll(async () => {
  await server.close()
  site.remove()
})
beforeEach(() => {
  server.identity.reset()
  server.events.length = 0
})

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers, redirect: 'manual' })
const json = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

describe('the front door', () => {
  test('url is the loopback origin; the instance behind it lives there (mail links, identity.url)', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.identity.url).toBe(`${server.url}/.netlify/identity`)
    expect(server.identity.siteUrl).toBe(server.url)
  })

  test('static files from [build] publish: index, pretty URLs, 404.html with 404, nothing outside the folder', async () => {
    const home = await get('/')
    expect(home.status).toBe(200)
    expect(home.headers.get('content-type')).toContain('text/html')
    expect(await home.text()).toContain('<h1>Widget site</h1>')
    expect(await (await get('/login')).text()).toContain('Please log in')
    const missing = await get('/nope')
    expect(missing.status).toBe(404)
    expect(await missing.text()).toContain('Page not found')
    expect((await get('/..%2fnetlify.toml')).status).toBe(404)
    expect((await get('/%2e%2e/netlify.toml')).status).toBe(404)
  })
})

describe('GoTrue over HTTP', () => {
  test('signup → validate hook → confirmation mail (link on the site) → verify with X-Use-Cookie → signup hook roles in token and nf_jwt', async () => {
    const signup = await json('/.netlify/identity/signup', { email: 'ada@example.test', password: 'pw-123456', data: { full_name: 'Ada' } })
    expect(signup.status).toBe(200)
    expect(await signup.json()).toMatchObject({ email: 'ada@example.test', confirmation_sent_at: expect.any(String) })

    const mail = server.identity.mail.last('ada@example.test', 'confirmation')!
    expect(mail.url).toBe(`${server.url}/#confirmation_token=${mail.token}`)
    await until(() => server.events.some((e) => e.type === 'mail'), 'the mail event')
    expect(server.events).toContainEqual({ type: 'mail', mail })
    expect(server.events).toContainEqual(expect.objectContaining({ type: 'hook', event: 'validate', allowed: true, status: 200, attempts: 1, functionStatus: 200 }))

    const verify = await json('/.netlify/identity/verify', { type: 'signup', token: mail.token }, { 'x-use-cookie': '1' })
    expect(verify.status).toBe(200)
    const tokens = (await verify.json()) as { access_token: string }
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString())
    expect(claims.app_metadata).toEqual({ provider: 'email', roles: ['member'] })
    expect(verify.headers.getSetCookie()[0]).toMatch(new RegExp(`^nf_jwt=${tokens.access_token}; Path=/; Expires=[^;]+; Max-Age=86400; HttpOnly; Secure$`))
    expect(server.events).toContainEqual(expect.objectContaining({ type: 'hook', event: 'signup', allowed: true }))
    // the same request log the msw transport fills
    expect(server.identity.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['POST /signup 200', 'POST /verify 200'])
  })

  test("a refused signup: the validate function's 403 becomes GoTrue's 422, three attempts, no user", async () => {
    const res = await json('/.netlify/identity/signup', { email: 'eve@blocked.test', password: 'pw-123456' })
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ code: 422, msg: 'Failed to handle signup webhook' })
    expect(server.identity.users.findByEmail('eve@blocked.test')).toBeUndefined()
    expect(server.events).toContainEqual(
      expect.objectContaining({ type: 'hook', event: 'validate', allowed: false, status: 422, attempts: 3, functionStatus: 403, error: { code: 422, msg: 'Failed to handle signup webhook' } }),
    )
  })

  test("GoTrue's CORS over HTTP (same core as msw): preflight and actual request", async () => {
    const pre = await fetch(`${server.url}/.netlify/identity/token`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-use-cookie' },
    })
    expect(pre.status).toBe(204)
    expect(Object.fromEntries([...pre.headers].filter(([k]) => k.startsWith('access-control') || k === 'vary'))).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'content-type,x-use-cookie',
      'access-control-allow-credentials': 'true',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    })
    const settings = await get('/.netlify/identity/settings', { origin: 'http://localhost:5173' })
    expect(settings.headers.get('access-control-allow-origin')).toBe('*')
    expect((await get('/.netlify/identity/nope')).status).toBe(404)
  })

  test('every Set-Cookie survives the transport (logout clears nf_jwt)', async () => {
    const user = server.identity.createUser({ email: 'l@example.test', password: 'pw' })
    const res = await fetch(`${server.url}/.netlify/identity/logout`, { method: 'POST', headers: { authorization: `Bearer ${await server.identity.token(user)}` } })
    expect(res.status).toBe(204)
    expect(res.headers.getSetCookie()).toEqual([expect.stringMatching(/^nf_jwt=; Path=\/; Expires=.*; Max-Age=0; HttpOnly; Secure$/)])
  })
})

describe('functions with production contexts', () => {
  test('a protected v1 function: roles for a verified token, 401 without one or for a forged one; via a rewrite and by name', async () => {
    const user = server.identity.createUser({ email: 'm@example.test', roles: ['member'] })
    const token = await server.identity.token(user)
    for (const path of ['/api/roles', '/.netlify/functions/roles']) {
      const ok = await get(path, { authorization: `Bearer ${token}` })
      expect(ok.status, path).toBe(200)
      expect(await ok.json()).toEqual({ email: 'm@example.test', roles: ['member'] })
      expect((await get(path)).status).toBe(401)
      const forged = `${token.split('.').slice(0, 2).join('.')}.${Buffer.from('forged').toString('base64url')}`
      expect((await get(path, { authorization: `Bearer ${forged}` })).status).toBe(401)
    }
    expect(server.events.filter((e) => e.type === 'request' && e.path === '/api/roles').map((e) => (e as { via: string }).via)).toContain(
      `rewrite ${site.dir}/public/_redirects:7 → /.netlify/functions/roles → function roles`,
    )
  })

  test("a v2 function on config.path calls GoTrue's admin API with its identity token, through this server", async () => {
    server.identity.createUser()
    server.identity.createUser()
    const res = await get('/api/users-count')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ users: 2 })
    expect(server.identity.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(['GET /admin/users 200'])
  })

  test('an unknown function is a 404; an identity event function answers GoTrue only (403 unsigned, runs when signed)', async () => {
    expect((await get('/.netlify/functions/nope')).status).toBe(404)
    const user = server.identity.fakeUser({ email: 'x@example.test', confirmed: false })
    const body = JSON.stringify({ event: 'signup', instance_id: server.identity.instanceId, user })
    const direct = await fetch(`${server.url}/.netlify/functions/identity-signup`, { method: 'POST', body })
    expect(direct.status).toBe(403)
    const signature = signWebhook(body, server.identity.instanceId, Math.floor(Date.now() / 1000), new SecretKey(server.identity.jwtSecret))
    const signed = await fetch(`${server.url}/.netlify/functions/identity-signup`, { method: 'POST', body, headers: { 'x-webhook-signature': signature } })
    expect(signed.status).toBe(200)
    expect(JSON.parse(await signed.text())).toEqual({ app_metadata: { provider: 'email', roles: ['member'] } })
    // a signature for another body does not open the door
    const other = await fetch(`${server.url}/.netlify/functions/identity-signup`, { method: 'POST', body: `${body} `, headers: { 'x-webhook-signature': signature } })
    expect(other.status).toBe(403)
    expect(createHash('sha256').update(body).digest('hex')).toHaveLength(64)
  })

  test('the event Netlify builds from the real request: path, rawUrl, repeated query keys, binary bodies as base64, the Host', async () => {
    const bytes = Uint8Array.from([0, 255, 1, 254])
    const res = await fetch(`${server.url}/.netlify/functions/echo/sub?a=1&a=2&b=x`, { method: 'POST', body: bytes, headers: { 'content-type': 'application/octet-stream', cookie: 'c=1' } })
    expect(await res.json()).toEqual({
      path: '/.netlify/functions/echo/sub',
      rawUrl: `${server.url}/.netlify/functions/echo/sub?a=1&a=2&b=x`,
      query: { a: ['1', '2'], b: ['x'] },
      method: 'POST',
      base64: true,
      body: Buffer.from(bytes).toString('base64'),
      host: new URL(server.url).host,
      cookie: 'c=1',
      ip: '127.0.0.1',
    })
    const text = await fetch(`${server.url}/.netlify/functions/echo`, { method: 'PUT', body: 'héllo', headers: { 'content-type': 'text/plain' } })
    expect(await text.json()).toMatchObject({ base64: false, body: 'héllo', method: 'PUT' })
    const head = await fetch(`${server.url}/.netlify/functions/echo`, { method: 'HEAD' })
    expect([head.status, await head.text()]).toEqual([200, ''])
  })

  test('a body over Netlify’s 6 MB is refused with 413', async () => {
    const res = await fetch(`${server.url}/.netlify/functions/roles`, { method: 'POST', body: 'x'.repeat(6 * 1024 * 1024 + 1) })
    expect(res.status).toBe(413)
  })
})

describe('role-based redirects, as production applies them', () => {
  const cookie = (token: string) => ({ cookie: `nf_jwt=${token}` })

  test('/members/* (_redirects, 200! Role=member): the member sees it, a visitor and a non-member get the 401 fallback', async () => {
    const member = server.identity.createUser({ roles: ['member'] })
    const other = server.identity.createUser({ roles: ['reader'] })
    const ok = await get('/members/', cookie(await server.identity.token(member)))
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('Members area')
    for (const headers of [{}, cookie(await server.identity.token(other))]) {
      const denied = await get('/members/', headers)
      expect(denied.status).toBe(401)
      expect(await denied.text()).toContain('Please log in')
    }
  })

  test('the nf_jwt must be valid: expired, forged or without roles in app_metadata.roles all fall back', async () => {
    const member = server.identity.createUser({ roles: ['member'] })
    const expired = await server.identity.token(member, { expiresIn: -10 })
    const wrongClaim = await server.identity.token(server.identity.createUser({ app_metadata: { authorization: { roles: ['member'] } } }))
    const forged = (await server.identity.token(member)).slice(0, -4) + 'AAAA'
    for (const token of [expired, wrongClaim, forged]) expect((await get('/members/', cookie(token))).status).toBe(401)
  })

  test('netlify.toml [[redirects]] conditions = { Role = ["staff"] } with its fallback', async () => {
    const staff = server.identity.createUser({ roles: ['member', 'staff'] })
    const member = server.identity.createUser({ roles: ['member'] })
    expect(await (await get('/staff/', cookie(await server.identity.token(staff)))).text()).toContain('Staff area')
    const denied = await get('/staff/', cookie(await server.identity.token(member)))
    expect(denied.status).toBe(401)
    // The server reports a request when its answer is written, possibly after the client read it.
    await until(() => server.events.some((e) => e.type === 'request' && e.path === '/staff/' && e.status === 401), 'the request event')
    expect(server.events).toContainEqual(expect.objectContaining({ type: 'request', path: '/staff/', status: 401, via: expect.stringContaining('netlify.toml [[redirects]] #2 → /login.html (401)') }))
  })
})

describe('the outbox and the harness API', () => {
  test('mail, mail/last, users, requests, reset', async () => {
    await json('/.netlify/identity/signup', { email: 'o@example.test', password: 'pw-123456' })
    const all = await (await get('/.netlify/harness/mail')).json()
    expect(all).toEqual([expect.objectContaining({ type: 'confirmation', to: 'o@example.test', url: expect.stringContaining('#confirmation_token=') })])
    expect(await (await get('/.netlify/harness/mail/last?to=O@example.test&type=confirmation')).json()).toEqual(all[0])
    expect((await get('/.netlify/harness/mail/last?type=recovery')).status).toBe(404)
    expect((await get('/.netlify/harness/mail?type=nope')).status).toBe(400)

    const created = await json('/.netlify/harness/users', { email: 'seeded@example.test', password: 'pw', roles: ['member'] })
    expect(created.status).toBe(201)
    const login = await fetch(`${server.url}/.netlify/identity/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=seeded%40example.test&password=pw',
    })
    expect(login.status).toBe(200)
    expect((await (await get('/.netlify/harness/users')).json()).map((u: { email: string }) => u.email)).toEqual(['o@example.test', 'seeded@example.test'])
    expect((await (await get('/.netlify/harness/requests')).json()).map((r: { path: string }) => r.path)).toEqual(['/signup', '/token'])
    expect((await json('/.netlify/harness/users', { email: 'seeded@example.test' })).status).toBe(422)

    expect((await fetch(`${server.url}/.netlify/harness/mail`, { method: 'DELETE' })).status).toBe(204)
    expect(server.identity.mail.all()).toEqual([])
    expect((await fetch(`${server.url}/.netlify/harness/reset`, { method: 'POST' })).status).toBe(204)
    expect(server.identity.users.size).toBe(0)
    expect((await get('/.netlify/harness/nope')).status).toBe(404)
  })

  test('one request event per call, naming who answered', async () => {
    // Reported when each answer has been written out and the response closed ('close'), which for a streamed static file
    // can come after the client already has the headers and sent its next request: so each call
    // waits for its own report (the previous test's last reports may arrive too, hence the filter).
    const mine = () => server.events.filter((e) => e.type === 'request' && ['/', '/.netlify/identity/settings', '/members/'].includes(e.path))
    for (const [n, path] of ['/', '/.netlify/identity/settings', '/members/'].entries()) {
      await (await get(path)).arrayBuffer()
      await until(() => mine().length === n + 1, `the request event for ${path}`)
    }
    expect(mine().map((e) => [(e as { path: string }).path, (e as { status: number }).status, (e as { via: string }).via])).toEqual([
      ['/', 200, 'static'],
      ['/.netlify/identity/settings', 200, 'identity'],
      ['/members/', 401, `rewrite ${site.dir}/public/_redirects:4 → /login.html (401)`],
    ])
  })

  test('a request the client gave up on is still in the log, marked as closed before its answer', async () => {
    const abort = new AbortController()
    const call = fetch(`${server.url}/.netlify/functions/slow`, { signal: abort.signal }).catch((e: unknown) => e)
    setTimeout(() => abort.abort(), 200)
    expect(await call).toMatchObject({ name: 'AbortError' })
    await until(() => server.events.some((e) => e.type === 'request' && e.path === '/.netlify/functions/slow'), 'the request event for the aborted call')
    expect(server.events.find((e) => e.type === 'request' && e.path === '/.netlify/functions/slow')).toMatchObject({
      status: 0,
      via: expect.stringMatching(/closed by the client before the answer was complete$/),
    })
  })
})
