// Tests added after a mutation-testing pass over src/: each one kills a mutation that the rest of
// the suite let through. Every test names the rule it pins down and where the reference states it.
import { format as prettyFormat } from '@vitest/pretty-format'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { createIdentity, DEFAULT_JWT_SECRET } from '../src/index.js'
import type { HandlerEvent, LambdaContext } from '../src/index.js'
import serializer from '../src/serializer.js'
import { call, tokenRequest } from './gotrue-helpers.js'

const NOW = new Date('2026-03-01T12:00:00.000Z')
const NIL_UUID = '00000000-0000-0000-0000-000000000000'
type IdentityGlobal = { netlifyIdentityContext?: { url: string; token: string; user?: { sub?: string } } }
const g = globalThis as unknown as IdentityGlobal

/** An HS512 token over GoTrue-shaped claims, signed with the instance's own secret. */
async function hs512Token(claims: Record<string, unknown>, secret = DEFAULT_JWT_SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS512', typ: 'JWT' }).sign(new TextEncoder().encode(secret))
}

describe('only HS256 is accepted when a bearer is parsed (gotrue.md §4 "only HS256 is accepted", §5.2)', () => {
  const identity = createIdentity({ seed: 404, now: () => NOW })
  beforeAll(() => identity.listen())
  afterAll(() => identity.close())

  test('an HS512 token signed with the right secret gets 401 "signing method HS512 is invalid" on /user', async () => {
    const user = identity.createUser({ password: 'pw-1' })
    const claims = { sub: user.id, email: user.email, exp: Math.floor(NOW.getTime() / 1000) + 3600, app_metadata: user.app_metadata, user_metadata: user.user_metadata }
    const res = await call(identity, 'GET', '/user', { token: await hs512Token(claims) })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ code: 401, msg: 'Invalid token: signing method HS512 is invalid' })
  })

  test('an HS512 system-user token (sub "0") is not an admin credential', async () => {
    const res = await call(identity, 'GET', '/admin/users', { token: await hs512Token({ sub: '0', exp: Math.floor(NOW.getTime() / 1000) + 60 }) })
    expect(res.status).toBe(401)
    expect(res.body.msg).toBe('Invalid token: signing method HS512 is invalid')
  })

  test('an HS512 bearer gives an HTTP function no clientContext.user (gotrue.md §6.1: only a valid token)', async () => {
    const user = identity.fakeUser()
    const token = await hs512Token({ sub: user.id, email: user.email, exp: Math.floor(NOW.getTime() / 1000) + 3600 })
    let seen: unknown = 'not called'
    await identity.invoke(async (_e: HandlerEvent, c: LambdaContext) => {
      seen = c.clientContext.user
      return { statusCode: 200 }
    }, { token })
    expect(seen).toBeUndefined()
  })
})

describe('the system user is sub "0" or the nil UUID (gotrue.md §5.2 requireAdminCredentials step 3)', () => {
  const identity = createIdentity({ seed: 405, now: () => NOW })
  beforeAll(() => identity.listen())
  afterAll(() => identity.close())

  test('a token whose sub is the nil UUID is the super-admin system user, though no such user is stored', async () => {
    const somebody = identity.fakeUser()
    const token = await identity.token(somebody, { claims: { sub: NIL_UUID, email: '' } })
    expect(identity.users.get(NIL_UUID)).toBeUndefined()
    const res = await call(identity, 'GET', '/admin/users', { token })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ users: [], aud: '' })
  })

  test('any other unknown UUID sub is 401 Invalid admin user', async () => {
    const somebody = identity.fakeUser()
    const res = await call(identity, 'GET', '/admin/users', { token: await identity.token(somebody) })
    expect(res.status).toBe(401)
    expect(res.body).toEqual({ code: 401, msg: 'Invalid admin user' })
  })
})

describe("v2 netlifyIdentityContext.user only for a verified, unexpired token (functions-runtime.md §2.3; gotrue.md §6.1)", () => {
  const read = { default: () => Response.json({ sub: g.netlifyIdentityContext?.user?.sub ?? null, has: g.netlifyIdentityContext !== undefined }) }

  test('an expired bearer token gives no user; the identity context is still there', async () => {
    const identity = createIdentity({ seed: 406, now: () => NOW })
    const token = await identity.token(identity.fakeUser(), { expiresIn: -60 })
    const res = await identity.invoke(read, { token })
    expect(JSON.parse(res.body)).toEqual({ sub: null, has: true })
  })

  test('an expired nf_jwt cookie gives no user; a fresh one does', async () => {
    const identity = createIdentity({ seed: 407, now: () => NOW })
    const user = identity.fakeUser()
    const expired = await identity.token(user, { expiresIn: -60 })
    expect(JSON.parse((await identity.invoke(read, { headers: { cookie: `nf_jwt=${expired}` } })).body)).toEqual({ sub: null, has: true })
    const fresh = await identity.token(user)
    expect(JSON.parse((await identity.invoke(read, { headers: { cookie: `nf_jwt=${fresh}` } })).body)).toEqual({ sub: user.id, has: true })
  })

  test('a token that expired after it was first accepted is refused on the next call (no cached verdict outlives exp)', async () => {
    let now = NOW
    const identity = createIdentity({ seed: 408, now: () => now })
    const user = identity.fakeUser()
    const token = await identity.token(user, { expiresIn: 30 })
    expect(JSON.parse((await identity.invoke(read, { token })).body)).toEqual({ sub: user.id, has: true })
    now = new Date(NOW.getTime() + 31_000)
    expect(JSON.parse((await identity.invoke(read, { token })).body)).toEqual({ sub: null, has: true })
  })
})

describe('snapshot placeholders: the same value always gets the same number (serializer docs; design.md "Public API contract")', () => {
  const format = (value: unknown): string => prettyFormat(value, { plugins: [serializer], printBasicPrototype: false, escapeString: false })

  test('one UUID written in upper and in lower case is one placeholder', () => {
    const id = '3f2504e0-4f89-41d3-9a0c-0305e82c3301'
    const text = format({
      statusCode: 200,
      headers: { 'x-user-id': id.toUpperCase() },
      multiValueHeaders: { 'x-user-id': [id.toUpperCase()] },
      body: JSON.stringify({ id }),
      isBase64Encoded: false,
    })
    expect(text).toContain('[uuid-1]')
    expect(text).not.toContain('[uuid-2]')
  })
})

describe('retries are immediate, with no backoff (gotrue.md §1.7 "A retry happens immediately, with no backoff")', () => {
  test('three failing attempts and the 422 verdict arrive without any timer having to fire', async () => {
    const identity = createIdentity({ seed: 409 })
    let runs = 0
    // Timers are frozen: a retry that waits on setTimeout (a backoff) can never happen.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      let outcome: Awaited<ReturnType<typeof identity.trigger>> | undefined
      void identity.trigger(async () => {
        runs++
        return { statusCode: 400 }
      }, 'validate').then((o) => { outcome = o })
      for (let i = 0; i < 500 && outcome === undefined; i++) await new Promise((r) => setImmediate(r))
      expect(runs).toBe(3)
      expect(outcome).toMatchObject({ allowed: false, status: 422, attempts: 3 })
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('refresh tokens live 30 days from their own creation (gotrue.md §4 "expire 30 days after creation")', () => {
  let now = NOW.getTime()
  const identity = createIdentity({ seed: 410, now: () => new Date(now) })
  beforeAll(() => identity.listen())
  afterAll(() => identity.close())
  const refresh = (token: string) => tokenRequest(identity, { grant_type: 'refresh_token', refresh_token: token })
  const DAY = 86_400_000

  test('still accepted after 29 days; the rotated token then lives its own 30 days', async () => {
    const user = identity.createUser({ password: 'secret-1' })
    const login = (await identity.login(user.email, 'secret-1')).body as { refresh_token: string }
    now += 29 * DAY
    const second = await refresh(login.refresh_token)
    expect(second.status).toBe(200)
    now += 29 * DAY + 23 * 3_600_000
    const third = await refresh(second.body.refresh_token)
    expect(third.status).toBe(200)
    // Strictly after 30 days (gotrue:models/refresh_token.go Expired): exactly 30 days is still valid.
    now += 30 * DAY + 1000
    expect((await refresh(third.body.refresh_token)).body).toEqual({ error: 'invalid_grant', error_description: 'Refresh token expired' })
  })
})

describe('context.waitUntil (functions-runtime.md §2.2; design.md "a function\'s mistakes are shown, not fixed")', () => {
  test('a rejected waitUntil promise leaves the response alone and is reported as wait-until-rejected', async () => {
    const identity = createIdentity({ seed: 411 })
    const fn = {
      default: (_req: Request, context: { waitUntil(p: Promise<unknown>): void }) => {
        context.waitUntil(Promise.reject(new Error('audit log unreachable')))
        return new Response('ok')
      },
    }
    const res = await identity.invoke(fn)
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('ok')
    const d = res.diagnostics.find((x) => x.code === 'wait-until-rejected')
    expect(d?.message).toContain('audit log unreachable')
  })
})
