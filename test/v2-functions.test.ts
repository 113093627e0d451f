import { getContext } from '@netlify/functions'
import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import type { V2Context } from '../src/netlify/v2-context.js'

const F = 'test/fixtures/functions/v2'
const v2 = (handler: (req: Request, context: V2Context) => unknown, config?: Record<string, unknown>) => ({ default: handler, ...(config ? { config } : {}) })
type Globals = { Netlify?: { context: V2Context | null; env: { get(k: string): string | undefined } }; netlifyIdentityContext?: { url: string; token: string; user?: { sub?: string } } }
const g = globalThis as unknown as Globals

describe('Functions v2: Request and Context (functions-runtime.md §2.2)', () => {
  test('the Request carries method, URL under siteUrl, headers, body and cookies', async () => {
    const identity = createIdentity({ seed: 5 })
    let seen: { method: string; url: string; type: string | null; body: unknown; cookie: string } | undefined
    const res = await identity.invoke(v2(async (req, context) => {
      seen = { method: req.method, url: req.url, type: req.headers.get('content-type'), body: await req.json(), cookie: context.cookies.get('theme') }
      return new Response('ok')
    }), { method: 'post', path: '/api/things?x=1', headers: { cookie: 'theme=dark; other=1' }, body: { a: 1 } })
    expect(res.statusCode).toBe(200)
    expect(seen).toEqual({ method: 'POST', url: 'https://site.netlify.test/api/things?x=1', type: 'application/json', body: { a: 1 }, cookie: 'dark' })
  })

  test('the Context has every field, from the x-nf-* headers and env', async () => {
    const identity = createIdentity({ seed: 5 })
    let ctx: V2Context | undefined
    await identity.invoke(v2((_req, context) => {
      ctx = context
      return undefined
    }), { path: '/api/users/42', name: 'users' })
    expect(Object.keys(ctx!).sort()).toEqual(['account', 'cookies', 'deploy', 'geo', 'ip', 'json', 'log', 'next', 'params', 'requestId', 'rewrite', 'server', 'site', 'url', 'waitUntil'])
    expect(ctx!.account.id).toMatch(/^\d{12}$/)
    expect(ctx!.deploy).toMatchObject({ context: 'production', published: true, id: expect.stringMatching(/^[0-9a-f]{24}$/) })
    expect(ctx!.geo).toMatchObject({ country: { code: 'US', name: 'United States' }, postalCode: '94107' })
    expect(ctx!.ip).toBe('127.0.0.1')
    expect(ctx!.requestId).toMatch(/^[0-9a-f]{26}$/)
    expect(ctx!.site.url).toBe('https://site.netlify.test')
    expect(ctx!.url.pathname).toBe('/api/users/42')
    expect(ctx!.server.region).toEqual(expect.any(String))
    // Same seed, same request id and deploy id: nothing random.
    let again: V2Context | undefined
    await createIdentity({ seed: 5 }).invoke(v2((_r, c) => { again = c; return undefined }), { path: '/api/users/42' })
    expect(again!.requestId).toBe(ctx!.requestId)
    expect(again!.deploy.id).toBe(ctx!.deploy.id)
  })

  test('params come from config.path; next() throws as in production; waitUntil needs a promise', async () => {
    const identity = createIdentity()
    const res = await identity.invoke(v2((_req, context) => {
      let nextError = ''
      try {
        void context.next()
      } catch (e) {
        nextError = (e as Error).message
      }
      let waitError = ''
      try {
        context.waitUntil(undefined as never)
      } catch (e) {
        waitError = (e as Error).name
      }
      return context.json({ params: context.params, nextError, waitError })
    }, { path: '/api/users/:id' }), { path: '/api/users/42' })
    expect(JSON.parse(res.body)).toEqual({ params: { id: '42' }, nextError: '`context.next` is not implemented for serverless functions', waitError: 'TypeError' })
    expect(res.headers['content-type']).toBe('application/json')
  })

  test('cookies.set/delete become set-cookie headers next to the Response\'s own', async () => {
    const res = await createIdentity().invoke(v2((_req, context) => {
      context.cookies.set({ name: 'nf_jwt', value: 'abc', path: '/', httpOnly: true, secure: true, sameSite: 'Lax' })
      context.cookies.delete('old')
      const r = new Response('hi', { headers: { 'X-Custom': 'Yes' } })
      r.headers.append('set-cookie', 'own=1')
      return r
    }))
    expect(res.headers['x-custom']).toBe('Yes')
    expect(res.multiValueHeaders['set-cookie']).toEqual([
      'own=1',
      'nf_jwt=abc; Path=/; Secure; HttpOnly; SameSite=Lax',
      'old=; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ])
  })

  test('waitUntil promises are awaited before the call returns', async () => {
    const done: string[] = []
    await createIdentity().invoke(v2((_req, context) => {
      context.waitUntil(new Promise((r) => setTimeout(r, 10)).then(() => done.push('later')))
      return new Response(null, { status: 204 })
    }))
    expect(done).toEqual(['later'])
  })
})

describe('Functions v2: results as the bootstrap maps them (§2.1)', () => {
  const identity = createIdentity()
  test('undefined → 204', async () => {
    const res = await identity.invoke(v2(() => undefined))
    expect(res).toMatchObject({ statusCode: 204, body: '' })
  })

  test('binary content types come back base64', async () => {
    const res = await identity.invoke(v2(() => new Response(new Uint8Array([0, 1, 2, 255]), { headers: { 'content-type': 'image/png' } })))
    expect(res).toMatchObject({ statusCode: 200, isBase64Encoded: true, body: Buffer.from([0, 1, 2, 255]).toString('base64') })
  })

  test('a Lambda-style object is not a Response: 500 plus a diagnostic', async () => {
    const res = await identity.invoke(v2(() => ({ statusCode: 200, body: 'x' })))
    expect(res.statusCode).toBe(500)
    expect(res.body).toBe("Error: Function returned an unsupported value. Accepted types are 'Response' or 'undefined'")
    expect(res.diagnostics.map((d) => d.code)).toEqual(['invalid-response'])
  })

  test('a throw → 500 with the error', async () => {
    const res = await identity.invoke(v2(() => {
      throw new RangeError('boom')
    }))
    expect(res.statusCode).toBe(500)
    expect(res.body).toMatch(/^RangeError: boom/)
    expect(res.diagnostics[0]!.code).toBe('threw')
  })

  test('a bare function is v1 unless told (shape: "v2"); a v1-run function returning a Response is flagged', async () => {
    const fn = () => Promise.resolve(new Response('v2!'))
    const asV1 = await identity.invoke(fn)
    expect(asV1.statusCode).toBe(500)
    expect(asV1.diagnostics.map((d) => d.code)).toContain('v2-as-v1')
    const asV2 = await identity.invoke(fn, { shape: 'v2' })
    expect(asV2).toMatchObject({ statusCode: 200, body: 'v2!' })
  })

  test('a module with both handler and default is v1 (zisi, §1)', async () => {
    const res = await identity.invoke({ handler: async () => ({ statusCode: 201, body: 'v1' }), default: () => new Response('v2') })
    expect(res).toMatchObject({ statusCode: 201, body: 'v1' })
  })
})

describe('Functions v2: globals for the call only (§1.5, §2.3)', () => {
  test('Netlify.context, Netlify.env, netlifyIdentityContext and getContext() inside; restored after', async () => {
    const identity = createIdentity({ seed: 8 })
    const user = identity.fakeUser()
    const before = Object.getOwnPropertyDescriptor(globalThis, 'Netlify')
    let inside: Record<string, unknown> = {}
    await identity.invoke(v2((_req, context) => {
      inside = {
        sameContext: g.Netlify?.context === context && getContext() === context,
        env: g.Netlify?.env.get('NIH_TEST_VAR'),
        identityUrl: g.netlifyIdentityContext?.url,
        hasToken: typeof g.netlifyIdentityContext?.token === 'string',
        sub: g.netlifyIdentityContext?.user?.sub,
      }
      return undefined
    }), { user, env: { NIH_TEST_VAR: 'on' } })
    expect(inside).toEqual({ sameContext: true, env: 'on', identityUrl: identity.url, hasToken: true, sub: user.id })
    expect(Object.getOwnPropertyDescriptor(globalThis, 'Netlify')).toEqual(before)
    expect(g.netlifyIdentityContext).toBeUndefined()
    expect(() => getContext()).toThrow(/getContext\(\) can only be called within a Netlify serverless function/)
  })

  test('no signed-in user without a valid token; an nf_jwt cookie signs in; a forged token does not', async () => {
    const identity = createIdentity({ seed: 8 })
    const user = identity.fakeUser()
    const read = v2(() => Response.json({ sub: g.netlifyIdentityContext?.user?.sub ?? null }))
    expect(JSON.parse((await identity.invoke(read)).body)).toEqual({ sub: null })
    const token = await identity.token(user)
    expect(JSON.parse((await identity.invoke(read, { headers: { cookie: `nf_jwt=${token}` } })).body)).toEqual({ sub: user.id })
    const forged = await createIdentity({ jwtSecret: 'another-secret' }).token(user)
    expect(JSON.parse((await identity.invoke(read, { token: forged })).body)).toEqual({ sub: null })
  })

  test('netlify dev sets no netlifyIdentityContext (§2.3)', async () => {
    const identity = createIdentity({ mode: 'netlify-dev' })
    const res = await identity.invoke(v2(() => Response.json({ has: g.netlifyIdentityContext !== undefined })), { user: identity.fakeUser() })
    expect(JSON.parse(res.body)).toEqual({ has: false })
  })

  test('concurrent invocations never see each other\'s user, context or request id', async () => {
    const identity = createIdentity({ seed: 9 })
    const users = Array.from({ length: 40 }, () => identity.fakeUser())
    const results = await Promise.all(users.map((user, i) =>
      identity.invoke(`${F}/whoami.mts`, { user, path: `/.netlify/functions/whoami?delay=${(i * 7) % 13}` })))
    results.forEach((res, i) => {
      const body = JSON.parse(res.body) as { sub: string; email: string; sameContext: boolean; requestId: string }
      expect(body.sub).toBe(users[i]!.id)
      expect(body.email).toBe(users[i]!.email)
      expect(body.sameContext).toBe(true)
    })
    expect(new Set(results.map((r) => (JSON.parse(r.body) as { requestId: string }).requestId)).size).toBe(users.length)
    expect(g.Netlify).toBeUndefined()
  })

  test('Netlify.env is readable at module scope while loading; config.path gives params', async () => {
    const identity = createIdentity()
    const res = await identity.invoke(`${F}/whoami.mts`, { path: '/api/whoami/7', env: { GREETING: 'hello' }, fresh: true })
    expect(JSON.parse(res.body)).toMatchObject({ envAtLoad: 'hello', params: { id: '7' }, sub: null })
  })
})

describe('legacy-filename v2 event function (identity-signup.mts with a default export, §2.3)', () => {
  test('gets a signed POST whose body is the event payload; its Response goes through GoTrue\'s rules', async () => {
    const identity = createIdentity({ seed: 2 })
    const outcome = await identity.trigger(`${F}/identity-signup.mts`, identity.fakeUser({ email: 'ok@example.com' }))
    expect(outcome.event).toBe('signup')
    expect(outcome.allowed).toBe(true)
    expect(outcome.user.app_metadata).toEqual({ provider: 'email', roles: ['new'] })
  })

  test('a 403 Response is retried and blocks the signup (gotrue.md §2.1)', async () => {
    const identity = createIdentity({ seed: 2 })
    const outcome = await identity.trigger(`${F}/identity-signup.mts`, identity.fakeUser({ email: 'no@elsewhere.test' }))
    expect(outcome).toMatchObject({ allowed: false, status: 422, attempts: 3 })
    expect(outcome.response?.body).toBe('not allowed')
  })
})

describe('admin-token-leaked in v2 (real-world-patterns.md)', () => {
  test('echoing netlifyIdentityContext.token in a header is flagged; the response is unchanged', async () => {
    const identity = createIdentity()
    const res = await identity.invoke(v2(() => new Response('ok', { headers: { 'x-token': g.netlifyIdentityContext!.token } })))
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('ok')
    expect(res.diagnostics.map((d) => d.code)).toEqual(['admin-token-leaked'])
    expect(res.diagnostics[0]!.message).toContain('netlifyIdentityContext.token')
  })

  test('a response without the token raises nothing', async () => {
    const identity = createIdentity()
    const res = await identity.invoke(v2(() => Response.json({ user: g.netlifyIdentityContext?.user ?? null })))
    expect(res.diagnostics).toEqual([])
  })
})
