/**
 * GoTrue's CORS middleware (gotrue `api/api.go`: rs/cors v1.11.0 with GET/POST/PUT/DELETE,
 * Accept/Authorization/Content-Type/X-JWT-AUD/X-Use-Cookie, credentials; `cors.go`
 * `handlePreflight`/`handleActualRequest`), through the msw transport. test/server-http.test.ts
 * checks that the HTTP transport answers the same.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { call } from './gotrue-helpers.js'

const identity = createIdentity({ seed: 3 })
beforeAll(() => identity.listen())
afterAll(() => identity.close())
beforeEach(() => identity.reset())

const ORIGIN = 'https://app.example.test'

function preflight(method: string, headers?: string, origin: string | null = ORIGIN) {
  const h: Record<string, string> = { 'access-control-request-method': method }
  if (origin !== null) h.origin = origin
  if (headers !== undefined) h['access-control-request-headers'] = headers
  return call(identity, 'OPTIONS', '/token', { headers: h })
}

describe('preflight', () => {
  test('an allowed method and headers: 204 with the origin *, the method and headers echoed, credentials', async () => {
    const res = await preflight('PUT', 'authorization,content-type,x-use-cookie')
    expect(res.status).toBe(204)
    expect(res.text).toBe('')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-methods')).toBe('PUT')
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type,x-use-cookie')
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
    expect(res.headers.get('access-control-max-age')).toBeNull()
  })

  test('a method GoTrue does not allow (PATCH) or a lower-case one: 204 with Vary only', async () => {
    for (const method of ['PATCH', 'put']) {
      const res = await preflight(method)
      expect(res.status).toBe(204)
      expect(res.headers.get('access-control-allow-origin')).toBeNull()
      expect(res.headers.get('access-control-allow-methods')).toBeNull()
      expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
    }
  })

  test('a header outside the list, or a list not sorted as browsers send it: no CORS headers', async () => {
    for (const list of ['x-custom', 'content-type,authorization', 'accept, content-type', 'accept,']) {
      const res = await preflight('POST', list)
      expect(res.status, list).toBe(204)
      expect(res.headers.get('access-control-allow-origin'), list).toBeNull()
    }
  })

  test('no Origin: Vary only', async () => {
    const res = await preflight('GET', undefined, null)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('vary')).toContain('Origin')
  })

  test('never reaches a route or an injected fault, and is logged as answered', async () => {
    const fault = identity.inject({ path: '/token', status: 503 })
    const res = await preflight('POST', 'content-type')
    expect(res.status).toBe(204)
    expect(fault.hits).toBe(0)
    expect(identity.requests.map((r) => [r.method, r.path, r.status])).toEqual([['OPTIONS', '/token', 204]])
  })
})

describe('actual requests', () => {
  test('with an Origin: Allow-Origin * and credentials beside the route answer, Vary: Origin', async () => {
    const res = await call(identity, 'GET', '/settings', { headers: { origin: ORIGIN } })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
    expect(res.headers.get('vary')).toBe('Origin')
  })

  test('errors and the plain-text 404 get them too (the middleware wraps the router)', async () => {
    const bad = await call(identity, 'GET', '/user', { headers: { origin: ORIGIN } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('access-control-allow-origin')).toBe('*')
    const missing = await call(identity, 'GET', '/nope', { headers: { origin: ORIGIN } })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('access-control-allow-origin')).toBe('*')
  })

  test('without an Origin: only Vary: Origin', async () => {
    const res = await call(identity, 'GET', '/settings')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('vary')).toBe('Origin')
  })

  test('a method outside the list (PATCH) gets no CORS headers, whatever the route says', async () => {
    const res = await call(identity, 'PATCH', '/user', { headers: { origin: ORIGIN } })
    // The /user group's requireAuthentication answers before chi's 405 (gotrue-public.test.ts).
    expect(res.status).toBe(401)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('vary')).toBe('Origin')
  })

  test('a cookie-mode /token keeps its Set-Cookie next to the CORS headers', async () => {
    identity.createUser({ email: 'c@example.test', password: 'pw' })
    const res = await call(identity, 'POST', '/token', {
      body: 'grant_type=password&username=c%40example.test&password=pw',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-use-cookie': '1', origin: ORIGIN },
    })
    expect(res.status).toBe(200)
    expect(res.headers.getSetCookie()[0]).toMatch(/^nf_jwt=/)
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
  })
})
