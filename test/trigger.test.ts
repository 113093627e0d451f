import { describe, expect, test } from 'vitest'
import { createIdentity, HarnessError } from '../src/index.js'
import type { HandlerEvent } from '../src/index.js'
import { decodeFirstJsonValue } from '../src/gotrue/json-decode.js'

const identity = createIdentity({ seed: 21 })
const answer = (statusCode: number, body?: string) => async () => ({ statusCode, ...(body === undefined ? {} : { body }) })

describe('statuses (gotrue.md §2.1, §1.7)', () => {
  test.each([200, 202, 204])('%i allows after one attempt', async (status) => {
    const outcome = await identity.trigger(answer(status), 'validate')
    expect(outcome).toMatchObject({ event: 'validate', allowed: true, status: 200, attempts: 1 })
    expect(outcome.error).toBeUndefined()
  })

  test.each([201, 301, 400, 403, 500])('%i fails every attempt: 3 runs, then 422 "Failed to handle signup webhook"', async (status) => {
    let runs = 0
    const outcome = await identity.trigger(async () => { runs++; return { statusCode: status } }, 'signup')
    expect(runs).toBe(3)
    expect(outcome).toMatchObject({ allowed: false, status: 422, attempts: 3, error: { code: 422, msg: 'Failed to handle signup webhook' } })
    expect(outcome.diagnostics.map((d) => d.code)).toContain('status-blocks')
    expect(outcome.diagnostics.find((d) => d.code === 'status-blocks')!.message).toBe(
      `identity-signup answered ${status}, ${status}, ${status} on all 3 attempts; GoTrue accepts only 200, 202 or 204, retried twice and blocked with 422 "Failed to handle signup webhook".`,
    )
  })

  test.each([
    [1, 'its only attempt; GoTrue accepts only 200, 202 or 204, did not retry'],
    [2, 'all 2 attempts; GoTrue accepts only 200, 202 or 204, retried once'],
    [5, 'all 5 attempts; GoTrue accepts only 200, 202 or 204, retried 4 times'],
  ])('status-blocks counts the retries in words with attempts: %i', async (attempts, words) => {
    const outcome = await identity.trigger(answer(400), 'signup', identity.fakeUser(), { attempts })
    expect(outcome.attempts).toBe(attempts)
    expect(outcome.diagnostics.find((d) => d.code === 'status-blocks')!.message).toContain(` on ${words} and blocked with 422`)
  })

  test('the 422 message says "signup" for login too (§2.1)', async () => {
    const outcome = await identity.trigger(answer(401), 'login')
    expect(outcome.error).toEqual({ code: 422, msg: 'Failed to handle signup webhook' })
  })

  test('retries are immediate and stop at the first success (TestHookRetry: 400, 400, 200)', async () => {
    const statuses = [400, 400, 200]
    let i = 0
    const outcome = await identity.trigger(async () => ({ statusCode: statuses[i++]! }), 'validate')
    expect(outcome).toMatchObject({ allowed: true, attempts: 3 })
  })

  test('attempts and timeoutMs are configurable; bad values throw', async () => {
    let runs = 0
    const outcome = await identity.trigger(async () => { runs++; return { statusCode: 500 } }, 'validate', undefined, { attempts: 1 })
    expect(runs).toBe(1)
    expect(outcome.attempts).toBe(1)
    await expect(identity.trigger(answer(200), 'validate', undefined, { attempts: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' })
    // A fraction below one is no attempt at all: refused with a clear error, never a crash.
    await expect(identity.trigger(answer(200), 'validate', undefined, { attempts: 0.5 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', message: 'attempts must be at least 1; got 0.5' })
    await expect(identity.trigger(answer(200), 'validate', undefined, { timeoutMs: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' })
  })

  test('a final timeout is 504 with the configured seconds (TestHookTimeout)', async () => {
    let runs = 0
    const outcome = await identity.trigger(() => { runs++; return new Promise(() => {}) }, 'signup', undefined, { timeoutMs: 20 })
    expect(runs).toBe(3)
    expect(outcome).toMatchObject({ allowed: false, status: 504, attempts: 3, error: { code: 504, msg: 'Failed to perform webhook in time frame (0.02 seconds)' } })
    expect(outcome.diagnostics.map((d) => d.code)).toContain('timeout')
  })

  test('a thrown error is a 500 from Netlify, so GoTrue retries and blocks', async () => {
    let runs = 0
    const outcome = await identity.trigger(async (event: HandlerEvent) => { runs++; return JSON.parse(event.body!).nope.x }, 'signup')
    expect(runs).toBe(3)
    expect(outcome.status).toBe(422)
    expect(outcome.response?.statusCode).toBe(500)
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(['threw', 'status-blocks']))
  })

  test.each([
    ['undefined', undefined, 'undefined-response'],
    ['a bare string', 'ok', 'invalid-response'],
    ['an object body', { statusCode: 200, body: { app_metadata: {} } }, 'non-string-body'],
  ])('a function returning %s blocks, with a diagnostic naming the mistake', async (_l, value, code) => {
    const outcome = await identity.trigger(async () => value, 'signup')
    expect(outcome.allowed).toBe(false)
    expect(outcome.diagnostics.map((d) => d.code)).toContain(code)
  })

  test('diagnostics repeated on every attempt are reported once', async () => {
    const outcome = await identity.trigger(async () => undefined, 'signup')
    expect(outcome.diagnostics.filter((d) => d.code === 'undefined-response')).toHaveLength(1)
  })
})

describe('response body: replace, not merge (gotrue.md §2.3)', () => {
  const base = identity.fakeUser({ roles: ['old'], app_metadata: { plan: 'free' }, user_metadata: { full_name: 'A', keep: 1 } })

  test('app_metadata replaces the whole map: provider is dropped and flagged', async () => {
    const outcome = await identity.trigger(answer(200, JSON.stringify({ app_metadata: { roles: ['admin'] } })), 'signup', base)
    expect(outcome.user.app_metadata).toEqual({ roles: ['admin'] })
    expect(outcome.user.user_metadata).toEqual(base.user_metadata)
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(['dropped-provider'])
  })

  test('spreading the existing map keeps provider and raises no diagnostic', async () => {
    const outcome = await identity.trigger(async (event: HandlerEvent) => {
      const { user } = JSON.parse(event.body!)
      return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['admin'] } }) }
    }, 'signup', base)
    expect(outcome.user.app_metadata).toEqual({ provider: 'email', plan: 'free', roles: ['admin'] })
    expect(outcome.diagnostics).toEqual([])
  })

  test('null values are stored as null, not deleted; {} wipes the map', async () => {
    const nulls = await identity.trigger(answer(200, '{"user_metadata":{"full_name":null}}'), 'signup', base)
    expect(nulls.user.user_metadata).toEqual({ full_name: null })
    const wiped = await identity.trigger(answer(200, '{"app_metadata":{}}'), 'signup', base)
    expect(wiped.user.app_metadata).toEqual({})
  })

  test.each([
    ['an empty body', ''],
    ['a top-level null', 'null'],
    ['null maps', '{"app_metadata":null,"user_metadata":null}'],
    ['no metadata keys', '{"message":"ok"}'],
  ])('%s leaves the user unchanged', async (_l, body) => {
    const outcome = await identity.trigger(answer(200, body), 'signup', base)
    expect(outcome.allowed).toBe(true)
    expect(outcome.user.app_metadata).toEqual(base.app_metadata)
    expect(outcome.user.user_metadata).toEqual(base.user_metadata)
  })

  test('other top-level keys are ignored, with a diagnostic', async () => {
    const outcome = await identity.trigger(answer(200, '{"role":"admin","email":"x@y.z","app_metadata":{"provider":"email"}}'), 'signup', base)
    expect(outcome.user.role).toBe(base.role)
    expect(outcome.user.email).toBe(base.email)
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(['ignored-keys'])
  })

  test('only the first JSON value is read', async () => {
    const outcome = await identity.trigger(answer(200, '{"app_metadata":{"a":1}} {"app_metadata":{"b":2}} trailing'), 'signup', base)
    expect(outcome.user.app_metadata).toEqual({ a: 1 })
    // Go's json.Decoder ends an object at its closing brace and never reads what follows (a random
    // property-test seed found `{}!`): allowed, nothing written.
    const glued = await identity.trigger(answer(200, '{}!'), 'signup', base)
    expect(glued).toMatchObject({ allowed: true, status: 200 })
    expect(glued.user.app_metadata).toEqual(base.app_metadata)
  })

  test.each([
    ['invalid JSON', 'not json'],
    ['white space only', '   \n'],
    ['an array', '[1]'],
    ['a string', '"ok"'],
    ['a number', '42'],
    ['a non-object app_metadata', '{"app_metadata":["admin"]}'],
    ['a truncated object', '{"app_metadata":{"a":1}'],
  ])('%s from an allowed status is 500 malformed JSON and blocks without retrying', async (_l, body) => {
    let runs = 0
    const outcome = await identity.trigger(async () => { runs++; return { statusCode: 200, body } }, 'signup', base)
    expect(runs).toBe(1)
    expect(outcome).toMatchObject({ allowed: false, status: 500, error: { code: 500, msg: expect.stringMatching(/^Webhook returned malformed JSON: /), error_id: expect.any(String) } })
    expect(outcome.user).toEqual(base)
    expect(outcome.diagnostics.map((d) => d.code)).toContain('malformed-json')
  })

  test('a base64-encoded body is decoded before GoTrue reads it', async () => {
    const body = Buffer.from('{"app_metadata":{"provider":"email","roles":["b64"]}}').toString('base64')
    const outcome = await identity.trigger(async () => ({ statusCode: 200, body, isBase64Encoded: true }), 'signup', base)
    expect(outcome.user.app_metadata.roles).toEqual(['b64'])
  })

  test('the input user is never mutated and the outcome user is a copy', async () => {
    const before = structuredClone(base)
    const outcome = await identity.trigger(answer(200, '{"app_metadata":{"roles":["x"]}}'), 'signup', base)
    expect(base).toEqual(before)
    expect(outcome.user).not.toBe(base)
  })
})

describe('non-blocking events (gotrue.md §1.2)', () => {
  test('a failing usermodified hook is only logged: status 200, allowed false, diagnostic', async () => {
    const outcome = await identity.trigger(answer(500), 'usermodified')
    expect(outcome).toMatchObject({ event: 'usermodified', allowed: false, status: 200, attempts: 3 })
    expect(outcome.diagnostics.map((d) => d.code)).toContain('non-blocking-event')
  })

  test("userdeleted's body is ignored", async () => {
    const user = identity.fakeUser()
    const outcome = await identity.trigger(answer(200, '{"app_metadata":{"x":1}}'), 'userdeleted', user)
    expect(outcome.allowed).toBe(true)
    expect(outcome.user).toEqual(user)
  })
})

describe('trigger arguments', () => {
  test('the event is inferred from options.name (identity-<event>[-background])', async () => {
    expect((await identity.trigger(answer(200), identity.fakeUser(), { name: 'identity-login' })).event).toBe('login')
    expect((await identity.trigger(answer(200), undefined, undefined, { name: 'identity-validate-background' })).event).toBe('validate')
  })

  test('without an event or a name it throws ERR_EVENT_REQUIRED', async () => {
    await expect(identity.trigger(answer(200))).rejects.toMatchObject({ code: 'ERR_EVENT_REQUIRED' })
    await expect(identity.trigger(answer(200), undefined, undefined, { name: 'hello' })).rejects.toBeInstanceOf(HarnessError)
  })

  test('an unknown event throws ERR_UNKNOWN_EVENT', async () => {
    await expect(identity.trigger(answer(200), 'signin' as never)).rejects.toMatchObject({ code: 'ERR_UNKNOWN_EVENT' })
  })

  test('a bad user throws ERR_INVALID_USER', async () => {
    await expect(identity.trigger(answer(200), 'signup', 'x' as never)).rejects.toMatchObject({ code: 'ERR_INVALID_USER', message: expect.stringContaining('got the string "x": make one with identity.fakeUser(') })
  })

  test('a user without a string id or email is refused, naming what is missing (it would have sent email "" before)', async () => {
    await expect(identity.trigger(answer(200), 'signup', { id: 'u1', app_metadata: {} } as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_USER',
      message: 'trigger() needs a GoTrue user object with a string email, as every user GoTrue stores has; got an object with id, app_metadata: make one with identity.fakeUser({ email: … }) (it fills in the id, dates and metadata) or take a stored one (identity.users)',
    })
    await expect(identity.trigger(answer(200), 'signup', { email: 'a@b.test' } as never)).rejects.toMatchObject({ message: expect.stringContaining('with a string id, as every user') })
    await expect(identity.trigger(answer(200), 'signup', {} as never)).rejects.toMatchObject({ message: expect.stringContaining('with a string id and email, as every user GoTrue stores has; got an object with no keys') })
    // An empty e-mail is still a string: refused by GoTrue elsewhere, not here.
    await expect(identity.trigger(answer(200), 'signup', identity.fakeUser({ email: '' }))).resolves.toMatchObject({ allowed: true })
  })

  test('env applies to the attempts', async () => {
    const outcome = await identity.trigger(async () => ({ statusCode: process.env.ALLOW_LIST ? 200 : 500 }), 'validate', undefined, { env: { ALLOW_LIST: 'a@b.c' } })
    expect(outcome.allowed).toBe(true)
    expect(process.env.ALLOW_LIST).toBeUndefined()
  })
})

describe("Go's streaming decoder, first value only (gotrue.md §2.3)", () => {
  test.each([
    ['{"a":"}"} rest', { a: '}' }],
    ['  [1,{"b":[2]}]x', [1, { b: [2] }]],
    ['"x\\"y" 1', 'x"y'],
    ['true false', true],
    ['12 13', 12],
  ])('%s', (text, value) => {
    expect(decodeFirstJsonValue(text)).toEqual({ ok: true, value })
  })

  test('errors', () => {
    expect(decodeFirstJsonValue('')).toEqual({ ok: false, error: 'EOF' })
    expect(decodeFirstJsonValue('{"a":')).toEqual({ ok: false, error: 'unexpected EOF' })
    expect(decodeFirstJsonValue('<html>')).toEqual({ ok: false, error: "invalid character '<' looking for beginning of value" })
  })
})

describe('diagnostics for real-world mistakes (real-world-patterns.md)', () => {
  // functions-runtime.md §7.9: app_metadata.roles must be an array of strings.
  test.each([
    ['a string', '"admin"'],
    ['an array with a number', '["admin", 1]'],
    ['an object', '{"admin": true}'],
    ['null', 'null'],
  ])('roles set to %s → roles-not-array, and GoTrue still stores it (the outcome is unchanged)', async (_label, roles) => {
    const user = identity.fakeUser()
    const outcome = await identity.trigger(answer(200, `{"app_metadata":{"provider":"email","roles":${roles}}}`), 'signup', user)
    expect(outcome.allowed).toBe(true)
    expect(outcome.user.app_metadata.roles).toEqual(JSON.parse(roles))
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(['roles-not-array'])
  })

  test('roles as an array of strings (or no roles) raises no roles-not-array', async () => {
    const a = await identity.trigger(answer(200, '{"app_metadata":{"provider":"email","roles":["admin"]}}'), 'signup', identity.fakeUser())
    const b = await identity.trigger(answer(200, '{"app_metadata":{"provider":"email","plan":"pro"}}'), 'signup', identity.fakeUser())
    expect([...a.diagnostics, ...b.diagnostics]).toEqual([])
  })

  test('a typed handler returning a string role is flagged too', async () => {
    const outcome = await identity.trigger({
      userSignup: (event: { user: Record<string, unknown> }) => ({ user: { ...event.user, appMetadata: { provider: 'email', roles: 'admin' } } }),
    }, 'signup', identity.fakeUser())
    expect(outcome.diagnostics.map((d) => d.code)).toContain('roles-not-array')
  })

  test('reading event.user (always undefined) without reading the body → event-user-read; the outcome is production\'s', async () => {
    const outcome = await identity.trigger((async (event: HandlerEvent & { user?: { email?: string } }) => {
      if (!event.user?.email?.endsWith('@example.com')) return { statusCode: 403, body: 'not allowed' }
      return { statusCode: 200, body: '' }
    }) as never, 'validate', identity.fakeUser({ email: 'x@example.com' }))
    expect(outcome.allowed).toBe(false)
    expect(outcome.status).toBe(422)
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(['event-user-read', 'status-blocks'])
  })

  test('event.user with a fallback to the body, and the body alone, raise no event-user-read', async () => {
    const fallback = await identity.trigger((async (event: HandlerEvent & { user?: unknown }) => {
      const user = event.user ?? (JSON.parse(event.body!) as { user: unknown }).user
      return { statusCode: user ? 200 : 400, body: '' }
    }) as never, 'validate', identity.fakeUser())
    const plain = await identity.trigger(async (event: HandlerEvent) => ({ statusCode: JSON.parse(event.body!).user ? 200 : 400 }), 'validate', identity.fakeUser())
    expect(fallback.diagnostics).toEqual([])
    expect(plain.diagnostics).toEqual([])
  })

  test('the event still has no user key ("user" in event is false)', async () => {
    let has: boolean | undefined
    await identity.trigger(async (event: HandlerEvent) => {
      has = 'user' in event
      return { statusCode: 200 }
    }, 'login', identity.fakeUser())
    expect(has).toBe(false)
  })

  test('an event function echoing clientContext.identity.token → admin-token-leaked (body and header)', async () => {
    const outcome = await identity.trigger((async (_e: HandlerEvent, context: { clientContext: { identity: { token: string } } }) => ({
      statusCode: 200,
      headers: { 'x-debug-token': context.clientContext.identity.token },
      body: JSON.stringify({ user_metadata: { token: context.clientContext.identity.token } }),
    })) as never, 'signup', identity.fakeUser())
    expect(outcome.allowed).toBe(true)
    const leak = outcome.diagnostics.find((d) => d.code === 'admin-token-leaked')
    expect(leak?.message).toContain('its body and the x-debug-token header')
  })
})
