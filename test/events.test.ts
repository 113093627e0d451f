import { createHash } from 'node:crypto'
import { jwtVerify } from 'jose'
import { describe, expect, test } from 'vitest'
import { createIdentity, DEFAULT_JWT_SECRET } from '../src/index.js'
import type { HandlerEvent, LambdaContext } from '../src/index.js'

const secret = new TextEncoder().encode(DEFAULT_JWT_SECRET)
const NOW = new Date('2026-05-01T12:00:00Z')

/** A handler that records what it received and allows. */
function recorder() {
  const calls: { event: HandlerEvent; context: LambdaContext }[] = []
  const handler = async (event: HandlerEvent, context: LambdaContext) => {
    calls.push({ event, context })
    return { statusCode: 200, body: '' }
  }
  return { calls, handler }
}

function decodeCustom(context: LambdaContext): Record<string, unknown> {
  return JSON.parse(Buffer.from(context.clientContext.custom!.netlify, 'base64').toString('utf8'))
}

describe('identity event (gotrue.md §1.4, §1.6; functions-runtime.md §4.4)', () => {
  test('POST with lower-case headers, signature, JSON body {event, instance_id, user}', async () => {
    const identity = createIdentity({ seed: 4, now: () => NOW })
    const user = identity.fakeUser()
    const { calls, handler } = recorder()
    await identity.trigger(handler, 'validate', user, { name: 'identity-validate' })
    const { event } = calls[0]!
    expect(event).toMatchObject({
      httpMethod: 'POST',
      path: '/.netlify/functions/identity-validate',
      rawUrl: 'https://site.netlify.test/.netlify/functions/identity-validate',
      rawQuery: '',
      queryStringParameters: {},
      multiValueQueryStringParameters: {},
      isBase64Encoded: false,
    })
    expect(event.headers['content-type']).toBe('application/json')
    expect(event.headers['x-netlify-event']).toBe('identity_validate')
    expect(event.multiValueHeaders['x-netlify-event']).toEqual(['identity_validate'])
    for (const name of Object.keys(event.headers)) expect(name).toBe(name.toLowerCase())
    const body = JSON.parse(event.body!)
    expect(Object.keys(body)).toEqual(['event', 'instance_id', 'user'])
    expect(body).toEqual({ event: 'validate', instance_id: identity.instanceId, user })
    // §1.5: the signature's sha256 is of the exact body bytes
    const { payload } = await jwtVerify(event.headers['x-webhook-signature']!, new TextEncoder().encode(identity.jwtSecret))
    expect(payload).toMatchObject({ iss: 'gotrue', sub: identity.instanceId, iat: NOW.getTime() / 1000 })
    expect(payload.sha256).toBe(createHash('sha256').update(event.body!).digest('hex'))
  })

  test('a signup payload has no confirmed_at; a login payload has it (§1.6)', async () => {
    const identity = createIdentity()
    const confirmed = identity.fakeUser()
    const { calls, handler } = recorder()
    await identity.trigger(handler, 'signup', confirmed)
    await identity.trigger(handler, 'login', identity.fakeUser({ confirmed: false }))
    expect(JSON.parse(calls[0]!.event.body!).user).not.toHaveProperty('confirmed_at')
    expect(JSON.parse(calls[1]!.event.body!).user.confirmed_at).toEqual(expect.any(String))
  })

  test('each retry is a new request with its own signature (§1.5)', async () => {
    let t = NOW.getTime()
    const identity = createIdentity({ now: () => new Date((t += 1000)) })
    const sigs: string[] = []
    await identity.trigger(async (e: HandlerEvent) => {
      sigs.push(e.headers['x-webhook-signature']!)
      return { statusCode: 500 }
    }, 'validate')
    expect(sigs).toHaveLength(3)
    expect(new Set(sigs).size).toBe(3)
  })
})

describe('Lambda context (functions-runtime.md §1.2)', () => {
  test('has every field with realistic values', async () => {
    const identity = createIdentity({ seed: 8, now: () => NOW })
    const { calls, handler } = recorder()
    await identity.trigger(handler, 'login', undefined, { name: 'identity-login', timeoutMs: 2000 })
    const { context } = calls[0]!
    expect(context).toMatchObject({
      callbackWaitsForEmptyEventLoop: true,
      functionName: 'identity-login',
      functionVersion: '$LATEST',
      memoryLimitInMB: '1024',
      logGroupName: '/aws/lambda/identity-login',
    })
    expect(context.invokedFunctionArn).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:identity-login$/)
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/)
    expect(context.logStreamName).toMatch(/^2026\/05\/01\/\[\$LATEST\][0-9a-f]{32}$/)
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(1500)
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(2000)
    expect(typeof context.done).toBe('function')
    expect(typeof context.succeed).toBe('function')
    expect(typeof context.fail).toBe('function')
  })

  test('request ids are seeded: same seed, same ids', async () => {
    const ids = async (seed: number) => {
      const identity = createIdentity({ seed })
      const { calls, handler } = recorder()
      await identity.trigger(handler, 'validate', identity.fakeUser())
      await identity.trigger(handler, 'validate', identity.fakeUser())
      return calls.map((c) => c.context.awsRequestId)
    }
    expect(await ids(3)).toEqual(await ids(3))
    expect(await ids(3)).not.toEqual(await ids(4))
  })
})

describe('clientContext in production (gotrue.md §6.1)', () => {
  test('event functions get identity and custom.netlify, never user', async () => {
    const identity = createIdentity({ now: () => NOW })
    const { calls, handler } = recorder()
    await identity.trigger(handler, 'signup')
    const { context } = calls[0]!
    expect(context.clientContext.identity).toEqual({ url: identity.url, token: expect.any(String) })
    expect('user' in context.clientContext).toBe(false)
    const custom = decodeCustom(context)
    expect(custom).toEqual({ identity: context.clientContext.identity, site_url: 'https://site.netlify.test' })
    const { payload } = await jwtVerify(context.clientContext.identity!.token, secret, { currentDate: NOW })
    expect(payload.sub).toBe('0')
  })

  test('reading clientContext.user in an event function is a diagnostic (real-world-patterns.md)', async () => {
    const identity = createIdentity()
    const outcome = await identity.trigger(async (_e: HandlerEvent, ctx: LambdaContext) => {
      const { user } = ctx.clientContext
      return { statusCode: user ? 200 : 403 }
    }, 'signup')
    expect(outcome.allowed).toBe(false)
    expect(outcome.diagnostics.map((d) => d.code)).toContain('client-context-user-in-event')
  })

  test('HTTP functions get user = the decoded claims of a valid bearer token', async () => {
    const identity = createIdentity({ now: () => NOW })
    const user = identity.fakeUser({ roles: ['editor'] })
    const { calls, handler } = recorder()
    await identity.invoke(handler, { user })
    const { context, event } = calls[0]!
    expect(context.clientContext.user).toEqual({
      sub: user.id,
      exp: NOW.getTime() / 1000 + 3600,
      email: user.email,
      app_metadata: user.app_metadata,
      user_metadata: user.user_metadata,
    })
    expect(decodeCustom(context)).toEqual({ identity: context.clientContext.identity, user: context.clientContext.user, site_url: identity.siteUrl })
    expect(event.headers.authorization).toMatch(/^Bearer /)
  })

  test.each([
    ['an expired token', async (i: ReturnType<typeof createIdentity>) => i.token(i.fakeUser(), { expiresIn: -10 })],
    ['a token signed with another secret', async () => { const o = createIdentity({ jwtSecret: 'x' }); return o.token(o.fakeUser()) }],
    ['an alg:none token', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"1"}').toString('base64url')}.`],
    ['a malformed token', async () => 'abc.def'],
  ])('no user for %s, identity still present', async (_label, make) => {
    const identity = createIdentity({ now: () => NOW })
    const { calls, handler } = recorder()
    await identity.invoke(handler, { token: await make(identity) })
    const ctx = calls[0]!.context.clientContext
    expect(ctx.user).toBeUndefined()
    expect(ctx.identity?.url).toBe(identity.url)
  })

  test('"bearer" is accepted, other casings are not (gotrue.md §5.2)', async () => {
    const identity = createIdentity()
    const token = await identity.token(identity.fakeUser())
    const seen: unknown[] = []
    const handler = async (_e: HandlerEvent, c: LambdaContext) => {
      seen.push(c.clientContext.user)
      return { statusCode: 200 }
    }
    await identity.invoke(handler, { headers: { Authorization: `bearer ${token}` } })
    await identity.invoke(handler, { headers: { authorization: `BEARER ${token}` } })
    expect(seen[0]).toBeDefined()
    expect(seen[1]).toBeUndefined()
  })
})

describe("clientContext in mode 'netlify-dev' (gotrue.md §6.2)", () => {
  test('decodes without verifying: expired and foreign tokens give claims; fake identity; no site_url', async () => {
    const identity = createIdentity({ mode: 'netlify-dev' })
    const foreign = createIdentity({ jwtSecret: 'other' })
    const { calls, handler } = recorder()
    await identity.invoke(handler, { token: await foreign.token(foreign.fakeUser(), { expiresIn: -100 }) })
    const ctx = calls[0]!.context.clientContext
    expect(ctx.user?.sub).toEqual(expect.any(String))
    expect(ctx.identity?.url).toBe('https://netlify-dev-locally-emulated-identity.netlify.app/.netlify/identity')
    expect(decodeCustom(calls[0]!.context)).not.toHaveProperty('site_url')
  })

  test('{} without a bearer, with "bearer", and with a malformed token', async () => {
    const identity = createIdentity({ mode: 'netlify-dev' })
    const { calls, handler } = recorder()
    const token = await identity.token(identity.fakeUser())
    await identity.invoke(handler)
    await identity.invoke(handler, { headers: { authorization: `bearer ${token}` } })
    await identity.invoke(handler, { token: 'not.a.jwt' })
    expect(calls.map((c) => c.context.clientContext)).toEqual([{}, {}, {}])
  })

  test('a per-call mode overrides the instance mode', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler, { mode: 'netlify-dev' })
    expect(calls[0]!.context.clientContext).toEqual({})
  })
})

describe('HTTP event (functions-runtime.md §1.1, §3.3–3.5)', () => {
  test('method, path, query joined with ", ", rawQuery without ?, JSON body', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler, {
      method: 'post',
      path: '/api/things?x=1',
      query: { tag: ['a', 'b'] },
      body: { hello: 'world' },
      name: 'things',
    })
    const { event } = calls[0]!
    expect(event.httpMethod).toBe('POST')
    expect(event.path).toBe('/api/things')
    expect(event.rawQuery).toBe('x=1&tag=a&tag=b')
    expect(event.rawUrl).toBe('https://site.netlify.test/api/things?x=1&tag=a&tag=b')
    expect(event.queryStringParameters).toEqual({ x: '1', tag: 'a, b' })
    expect(event.multiValueQueryStringParameters).toEqual({ x: ['1'], tag: ['a', 'b'] })
    expect(event.body).toBe('{"hello":"world"}')
    expect(event.headers['content-type']).toBe('application/json')
    expect(event.isBase64Encoded).toBe(false)
  })

  test('defaults: GET /.netlify/functions/<name>, {} queries, null body; no content type counts as binary', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler, { name: 'hello' })
    expect(calls[0]!.event).toMatchObject({
      httpMethod: 'GET',
      path: '/.netlify/functions/hello',
      queryStringParameters: {},
      multiValueQueryStringParameters: {},
      body: null,
      isBase64Encoded: true,
    })
  })

  test('binary content types are base64-encoded, text ones are not', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler, { method: 'POST', body: new Uint8Array([0, 255]), headers: { 'content-type': 'application/octet-stream' } })
    await identity.invoke(handler, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } })
    expect(calls[0]!.event).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0, 255]).toString('base64') })
    expect(calls[1]!.event).toMatchObject({ isBase64Encoded: false, body: 'a=1' })
  })
})

describe('HTTP event details (audit against functions-runtime.md §3.3–3.5)', () => {
  test('rawQuery keeps the query as sent, without re-encoding it (§3.4: the search part of the original URL)', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler, { path: '/api/search?q=hello%20world&list=a%2Cb', query: { extra: 'x y' }, name: 'search' })
    const { event } = calls[0]!
    expect(event.rawQuery).toBe('q=hello%20world&list=a%2Cb&extra=x+y')
    expect(event.rawUrl).toBe('https://site.netlify.test/api/search?q=hello%20world&list=a%2Cb&extra=x+y')
    expect(event.queryStringParameters).toEqual({ q: 'hello world', list: 'a,b', extra: 'x y' })
  })

  test('a byte body with a text content type arrives as UTF-8 text, not Latin-1 (§3.5: Buffer → UTF-8 unless base64)', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler, { method: 'POST', body: new TextEncoder().encode('héllo ✓'), headers: { 'content-type': 'text/plain; charset=utf-8' } })
    expect(calls[0]!.event).toMatchObject({ isBase64Encoded: false, body: 'héllo ✓' })
    expect(calls[0]!.event.headers['content-length']).toBe(String(new TextEncoder().encode('héllo ✓').length))
  })

  test('repeated request headers arrive as Node joins them: cookie with "; ", others with ", ", one-element multiValueHeaders (§3.3)', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler, { headers: { Cookie: ['a=1', 'b=2'], Accept: ['text/html', 'application/json'] } })
    const { event } = calls[0]!
    expect(event.headers.cookie).toBe('a=1; b=2')
    expect(event.multiValueHeaders.cookie).toEqual(['a=1; b=2'])
    expect(event.headers.accept).toBe('text/html, application/json')
    expect(event.multiValueHeaders.accept).toEqual(['text/html, application/json'])
  })

  test('a repeated single-valued header (authorization, content-type, host, user-agent) keeps the first value, as Node does (§3.3)', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler, { headers: { 'user-agent': ['first', 'second'] } })
    expect(calls[0]!.event.headers['user-agent']).toBe('first')
    expect(calls[0]!.event.multiValueHeaders['user-agent']).toEqual(['first'])
  })

  test('v1 events carry the x-nf-account-id, x-nf-site-id and x-nf-geo headers Netlify injects (§3.3)', async () => {
    const identity = createIdentity()
    const { calls, handler } = recorder()
    await identity.invoke(handler)
    const { headers, multiValueHeaders } = calls[0]!.event
    expect(headers['x-nf-account-id']).toMatch(/.+/)
    expect(headers['x-nf-site-id']).toMatch(/.+/)
    expect(JSON.parse(Buffer.from(headers['x-nf-geo']!, 'base64').toString('utf8'))).toHaveProperty('country')
    expect(multiValueHeaders['x-nf-site-id']).toEqual([headers['x-nf-site-id']])
  })
})
