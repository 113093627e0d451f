/**
 * Property tests for the in-memory GoTrue: random methods, paths, headers and bodies get
 * GoTrue-shaped answers (gotrue.md §5.1: `{ code, msg }`, OAuth `{ error }` on /token, plain-text
 * 404 for unknown routes), never an unhandled exception (a 5xx, as no function is wired), and
 * never change the store unless the request was an authorised write that succeeded.
 */
import fc from 'fast-check'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import type { Identity } from '../src/index.js'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

const NOW = new Date('2026-05-01T12:00:00Z')

interface Req {
  method: string
  path: string
  auth: 'none' | 'admin' | 'user' | 'admin-role-user' | 'garbage' | 'expired' | 'foreign' | 'lowercase'
  contentType: string | undefined
  body: string | undefined
}

const uuid = fc.uuid({ version: 4 })
const segment = fc.oneof(fc.constantFrom('admin', 'users', 'user', 'token', 'signup', 'verify', '%7Bid%7D', ''), fc.stringMatching(/^[a-zA-Z0-9_-]{0,8}$/))
const pathArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('/settings', '/signup', '/token', '/verify', '/recover', '/logout', '/user', '/invite', '/admin/users', '/health', '/admin/audit') },
  { weight: 4, arbitrary: fc.constantFrom('USER', 'OTHER', 'RANDOM').chain((w) => (w === 'RANDOM' ? uuid.map((u) => `/admin/users/${u}`) : fc.constant(`/admin/users/${w}`))) },
  { weight: 1, arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('/admin/users', '/token'), fc.constantFrom('?page=2&per_page=1', '?per_page=x', '?sort=email', '?grant_type=password', '?filter=a', '?page=-1')).map(([p, q]) => p + q) },
)
const jsonBody = fc.oneof(
  fc.record({
    email: fc.oneof(fc.constantFrom('new@example.com', 'taken@example.com', '', 'not-an-email'), fc.emailAddress()),
    password: fc.oneof(fc.constant(''), fc.string({ maxLength: 10 })),
    data: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    app_metadata: fc.oneof(fc.constant(null), fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })),
    user_metadata: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    role: fc.constantFrom('', 'admin', 'editor'),
    confirm: fc.boolean(),
    type: fc.constantFrom('signup', 'recovery', 'magic'),
    token: fc.string({ maxLength: 22 }),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
)
const bodyArb = fc.oneof(
  fc.constant(undefined),
  { weight: 4, arbitrary: jsonBody },
  fc.string({ maxLength: 30 }),
  fc.constantFrom('grant_type=password&username=taken%40example.com&password=secret1', 'grant_type=refresh_token&refresh_token=nope', 'grant_type=magic', '{"email":', '\u0000\u0001'),
)
const reqArb: fc.Arbitrary<Req> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'PUT', 'DELETE', 'PATCH'),
  path: pathArb,
  auth: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom<Req['auth']>('admin', 'user') },
    { weight: 2, arbitrary: fc.constantFrom<Req['auth']>('none', 'admin-role-user', 'garbage', 'expired', 'foreign', 'lowercase') },
  ),
  contentType: fc.constantFrom(undefined, 'application/json', 'application/x-www-form-urlencoded', 'text/plain'),
  body: bodyArb,
})

async function setup(): Promise<{ identity: Identity; tokens: Record<Req['auth'], string | undefined>; ids: Record<string, string> }> {
  const identity = createIdentity({ seed: 5, now: () => NOW, siteUrl: 'https://prop.netlify.test' })
  server.resetHandlers(...identity.handlers)
  const taken = identity.createUser({ email: 'taken@example.com', password: 'secret1' } as never)
  const other = identity.createUser({ email: 'other@example.com' })
  const adminRole = identity.createUser({ email: 'boss@example.com', role: 'admin' })
  const foreign = createIdentity({ jwtSecret: 'someone-else', now: () => NOW })
  const userToken = await identity.token(taken)
  return {
    identity,
    ids: { USER: taken.id, OTHER: other.id },
    tokens: {
      none: undefined,
      admin: await identity.adminToken(),
      user: userToken,
      'admin-role-user': await identity.token(adminRole),
      garbage: 'garbage',
      expired: await identity.token(taken, { expiresIn: -60 }),
      foreign: await foreign.token(foreign.fakeUser()),
      lowercase: userToken,
    },
  }
}

const WRITE_ROUTES = /^\/(signup|verify|recover|invite|user|logout|token|admin\/users(\/[^/?]+)?)(\?|$)/

async function check(r: Req): Promise<void> {
  const { identity, tokens, ids } = await setup()
  const path = r.path.replace('/admin/users/USER', `/admin/users/${ids.USER}`).replace('/admin/users/OTHER', `/admin/users/${ids.OTHER}`)
  const headers: Record<string, string> = {}
  const token = tokens[r.auth]
  if (token) headers.authorization = r.auth === 'lowercase' ? `bearer ${token}` : `Bearer ${token}`
  if (r.contentType) headers['content-type'] = r.contentType
  const before = JSON.stringify(identity.users.all())
  let res: Response
  try {
    res = await fetch(`${identity.url}${path}`, { method: r.method, headers, body: r.method === 'GET' ? undefined : r.body })
  } catch (error) {
    throw new Error(`the request itself failed: ${String(error)}`)
  }
  const text = await res.text()
  expect(res.status, text).toBeLessThan(500)
  if (res.status >= 400) {
    if ((res.headers.get('content-type') ?? '').includes('json')) {
      const body = JSON.parse(text) as Record<string, unknown>
      const gotrueShape = typeof body.code === 'number' && typeof body.msg === 'string' && body.code === res.status
      const oauthShape = typeof body.error === 'string'
      expect(gotrueShape || oauthShape, text).toBe(true)
    } else {
      // The router's own answers: the plain-text 404, or chi's 405 with an empty body (go-chi/chi v5.2.5 mux.go).
      if (res.status === 405) expect(text, 'a 405 has no body').toBe('')
      else expect(res.status, `a non-JSON error must be the router's 404 or 405: ${text}`).toBe(404)
    }
  }
  const after = JSON.stringify(identity.users.all())
  if (after !== before) {
    expect(res.status, `the store changed on a failed request: ${r.method} ${path} → ${res.status} ${text}`).toBeLessThan(300)
    expect(['POST', 'PUT', 'DELETE'], `the store changed on ${r.method}`).toContain(r.method)
    expect(path, 'the store changed on a route that does not write').toMatch(WRITE_ROUTES)
    if (path.startsWith('/admin/') || path.startsWith('/invite')) expect(['admin', 'admin-role-user']).toContain(r.auth)
  }
}

describe('the emulator answers anything with GoTrue-shaped responses (property)', () => {
  test('fixed seed', async () => {
    await fc.assert(fc.asyncProperty(reqArb, check), { seed: 424242, numRuns: 300 })
  })

  test('random seed (logged; rerun with FC_SEED=<seed>)', async () => {
    const seed = Number(process.env.FC_SEED ?? (Date.now() % 2 ** 31))
    console.log(`property-emulator random seed: ${seed} (FC_SEED=${seed} to reproduce)`)
    await fc.assert(fc.asyncProperty(reqArb, check), { seed, numRuns: 300 })
  })
})
