import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { createIdentity, HarnessError } from '../src/index.js'
import { call } from './gotrue-helpers.js'

const a = createIdentity({ seed: 1, siteUrl: 'https://a.netlify.test', requestLogLimit: 5 })
const b = createIdentity({ seed: 1, siteUrl: 'https://b.netlify.test', jwtSecret: 'b-secret' })

// Users' own msw server composes the handlers of two instances (design.md: handlers are values).
const server = setupServer(...a.handlers, ...b.handlers, http.get('https://api.example.test/ping', () => HttpResponse.json({ ok: true })))
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())
beforeEach(() => {
  a.reset()
  b.reset()
})

describe('two instances on one msw server', () => {
  test('each answers only under its own URL, with its own store, secret and log', async () => {
    const ua = a.createUser()
    const ub = b.createUser()
    // same seed: equal fake users, but separate stores
    // Same seed, different sites: different users (issue 10 §2: ids derive from seed and site URL).
    expect(ua.id).not.toBe(ub.id)
    b.users.clear()
    expect((await call(a, 'GET', `/admin/users/${ua.id}`, { token: await a.adminToken() })).status).toBe(200)
    expect((await call(b, 'GET', `/admin/users/${ua.id}`, { token: await b.adminToken() })).status).toBe(404)
    // a's admin token is not valid on b (different secret)
    expect((await call(b, 'GET', '/admin/users', { token: await a.adminToken() })).body.msg).toBe('Invalid token: signature is invalid')
    expect(a.requests.map((r) => r.status)).toEqual([200])
    expect(b.requests.map((r) => r.status)).toEqual([404, 401])
    expect((await fetch('https://api.example.test/ping')).status).toBe(200)
  })

  test('a host nobody handles is an error, never the network', async () => {
    await expect(fetch('https://c.netlify.test/.netlify/identity/settings')).rejects.toThrow()
  })
})

describe('identity.requests', () => {
  test('records method, relative path, query, lower-case headers, parsed body, status and response, in order', async () => {
    const admin = await a.adminToken()
    const user = a.createUser()
    await fetch(`${a.url}/admin/users/${user.id}?x=1`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${admin}`, 'X-Custom': 'Yes' },
      body: JSON.stringify({ app_metadata: { roles: ['r'] } }),
    })
    await fetch(`${a.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&username=u&password=p',
    })
    const [put, token] = a.requests
    expect(put).toEqual({
      method: 'PUT',
      path: `/admin/users/${user.id}`,
      query: { x: '1' },
      headers: expect.objectContaining({ authorization: `Bearer ${admin}`, 'x-custom': 'Yes' }),
      body: { app_metadata: { roles: ['r'] } },
      status: 200,
      response: expect.objectContaining({ id: user.id, app_metadata: { provider: 'email', roles: ['r'] } }),
    })
    expect(token).toMatchObject({ method: 'POST', path: '/token', body: { grant_type: 'password', username: 'u', password: 'p' }, status: 400 })
  })

  test('keeps only the newest requestLogLimit entries; reset() empties it', async () => {
    for (let i = 0; i < 12; i++) await call(a, 'GET', `/settings?i=${i}`)
    expect(a.requests.map((r) => r.query.i)).toEqual(['7', '8', '9', '10', '11'])
    a.reset()
    expect(a.requests).toEqual([])
  })
})

describe('identity.inject (faults)', () => {
  test('a status with GoTrue\'s error body by default, `times` times, logged as a fault', async () => {
    const user = a.createUser()
    const admin = await a.adminToken()
    const fault = a.inject({ method: 'put', path: '/admin/users/:id', status: 503, times: 1 })
    const first = await call(a, 'PUT', `/admin/users/${user.id}`, { token: admin, json: {} })
    expect(first.status).toBe(503)
    expect(first.body).toEqual({ code: 503, msg: 'Injected fault', error_id: expect.any(String) })
    expect((await call(a, 'PUT', `/admin/users/${user.id}`, { token: admin, json: {} })).status).toBe(200)
    expect(fault.hits).toBe(1)
    expect(a.requests.map((r) => [r.status, r.fault])).toEqual([[503, true], [200, undefined]])
  })

  test('a custom body; only the matching method and path; remove()', async () => {
    const fault = a.inject({ method: 'GET', path: '/admin/*', status: 429, body: { code: 429, msg: 'slow down' } })
    const admin = await a.adminToken()
    expect((await call(a, 'GET', '/admin/users', { token: admin })).body).toEqual({ code: 429, msg: 'slow down' })
    expect((await call(a, 'POST', '/admin/users', { token: admin, json: { email: 'f@a.test' } })).status).toBe(200)
    expect((await call(a, 'GET', '/settings')).status).toBe(200)
    fault.remove()
    expect((await call(a, 'GET', '/admin/users', { token: admin })).status).toBe(200)
  })

  test('delayMs only slows the real answer down', async () => {
    a.inject({ path: '/settings', delayMs: 40 })
    const started = performance.now()
    const res = await call(a, 'GET', '/settings')
    expect(performance.now() - started).toBeGreaterThanOrEqual(35)
    expect(res.status).toBe(200)
    expect(a.requests[0]!.fault).toBe(true)
  })

  test('reset() removes faults; bad specs are HarnessErrors', async () => {
    a.inject({ path: '/settings', status: 500 })
    a.reset()
    expect((await call(a, 'GET', '/settings')).status).toBe(200)
    expect(() => a.inject({ path: '/settings' })).toThrow(HarnessError)
    expect(() => a.inject({ path: '/settings', status: 42 })).toThrowError(expect.objectContaining({ code: 'ERR_INVALID_FAULT' }))
  })
})

describe('identity.users', () => {
  test('all/get/findByEmail/add/clear; copies, never live objects', () => {
    const user = a.createUser({ email: 'Mixed@Case.test' })
    expect(a.users.findByEmail('mixed@case.TEST')).toEqual(user)
    expect(a.users.get('nope')).toBeUndefined()
    expect(a.users.findByEmail('nope@x.test')).toBeUndefined()
    a.users.get(user.id)!.app_metadata.roles = ['hacked']
    expect(a.users.get(user.id)!.app_metadata.roles).toBeUndefined()
    const other = a.users.add(a.fakeUser(), { password: 'pw' })
    expect(a.users.all().map((u) => u.id)).toEqual([user.id, other.id])
    expect(() => a.users.add(user)).toThrowError(expect.objectContaining({ code: 'ERR_DUPLICATE_USER' }))
    a.users.clear()
    expect(a.users.size).toBe(0)
  })

  test('never serialises passwords or tokens', async () => {
    const user = a.createUser({ password: 'secret-pw', confirmed: false })
    await call(a, 'POST', '/signup', { json: { email: user.email, password: 'x' } })
    const text = JSON.stringify([a.users.all(), a.requests.map((r) => r.response)])
    expect(text).not.toContain('secret-pw')
    expect(text).not.toMatch(/password|token/)
  })
})

describe('listen() / close()', () => {
  test('one own server per process: a second listen() is a HarnessError while another server is active', () => {
    server.close()
    try {
      a.listen()
      expect(() => a.listen()).toThrowError(expect.objectContaining({ code: 'ERR_ALREADY_LISTENING' }))
      expect(() => b.listen()).toThrowError(/one server per process/)
      a.close()
      expect(() => a.close()).toThrowError(expect.objectContaining({ code: 'ERR_NOT_LISTENING' }))
    } finally {
      server.listen({ onUnhandledRequest: 'error' })
    }
  })
})
