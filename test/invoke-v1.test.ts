import { describe, expect, test, vi } from 'vitest'
import { createIdentity } from '../src/index.js'
import type { HandlerEvent, LambdaContext } from '../src/index.js'

type Cb = (error?: unknown, result?: unknown) => void
const ok = { statusCode: 200, body: 'fine' }

describe('completion styles (functions-runtime.md §1.4)', () => {
  const identity = createIdentity()

  test.each([
    ['async return', async () => ok],
    ['callback(null, res)', (_e: HandlerEvent, _c: LambdaContext, cb: Cb) => { setTimeout(() => cb(null, ok), 1) }],
    ['context.done(null, res)', (_e: HandlerEvent, c: LambdaContext) => { c.done(null, ok) }],
    ['context.succeed(res)', (_e: HandlerEvent, c: LambdaContext) => { c.succeed(ok) }],
    ['a thenable', () => ({ then: (resolve: (v: unknown) => void) => resolve(ok) })],
  ])('%s completes', async (_label, handler) => {
    const res = await identity.invoke(handler as never)
    expect(res).toMatchObject({ statusCode: 200, body: 'fine' })
    expect(res.diagnostics).toEqual([])
  })

  test.each([
    ['throw', () => { throw new TypeError('boom') }],
    ['rejection', async () => { throw new TypeError('boom') }],
    ['callback(err)', (_e: HandlerEvent, _c: LambdaContext, cb: Cb) => cb(new TypeError('boom'))],
    ['context.fail(err)', (_e: HandlerEvent, c: LambdaContext) => c.fail(new TypeError('boom'))],
  ])('%s → 500 "<errorType>: <errorMessage>" plus a threw diagnostic (§3.9)', async (_label, handler) => {
    const res = await identity.invoke(handler as never)
    expect(res.statusCode).toBe(500)
    expect(res.body).toMatch(/^TypeError: boom\n {5}at /)
    expect(res.diagnostics.map((d) => d.code)).toEqual(['threw'])
  })

  test('a non-Error thrown value is reported too', async () => {
    const res = await identity.invoke((() => { throw 'plain string' }) as never)
    expect(res.statusCode).toBe(500)
    expect(res.body).toBe('Error: plain string')
    expect(res.diagnostics[0]!.message).toContain("'plain string'")
  })

  test('the first completion wins; later ones become a diagnostic', async () => {
    const res = await identity.invoke((async (_e: HandlerEvent, _c: LambdaContext, cb: Cb) => {
      cb(null, { statusCode: 201, body: 'callback' })
      return { statusCode: 200, body: 'promise' }
    }) as never)
    expect(res).toMatchObject({ statusCode: 201, body: 'callback' })
    expect(res.diagnostics).toEqual([expect.objectContaining({ code: 'multiple-completions', message: expect.stringContaining('first: callback, then: promise') })])
  })

  test('a synchronous return is ignored as in production: 500 "no lambda response" + sync-return', async () => {
    const res = await identity.invoke((() => ok) as never)
    expect(res.statusCode).toBe(500)
    expect(res.body).toBe('no lambda response. check your function code again. make sure to return a promise or use the callback.')
    expect(res.diagnostics.map((d) => d.code)).toEqual(['sync-return'])
  })

  test('a callback called synchronously before a truthy return still wins', async () => {
    const res = await identity.invoke(((_e: HandlerEvent, _c: LambdaContext, cb: Cb) => { cb(null, ok); return 'ignored' }) as never)
    expect(res.statusCode).toBe(200)
  })
})

describe('timeouts', () => {
  const identity = createIdentity()

  test('a handler that never completes times out, saying which style was pending, and leaves no timer', async () => {
    const res = await identity.invoke((() => undefined) as never, { timeoutMs: 30 })
    expect(res.statusCode).toBe(500)
    expect(res.body).toBe('TimeoutError: Task timed out after 0.03 seconds')
    expect(res.diagnostics[0]).toMatchObject({ code: 'timeout', message: expect.stringContaining('had not called the callback') })
  })

  test('a promise that never settles is named as such', async () => {
    const res = await identity.invoke((() => new Promise(() => {})) as never, { timeoutMs: 20 })
    expect(res.diagnostics[0]!.message).toContain('the promise it returned had not settled by then')
  })

  test('a completed call clears its timer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const pending = identity.invoke((async () => ok) as never, { timeoutMs: 60_000 })
      await vi.runAllTimersAsync()
      await pending
      expect(vi.getTimerCount()).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('invalid results (functions-runtime.md §3.9)', () => {
  const identity = createIdentity()
  test.each([
    ['undefined', undefined, 'lambda response was undefined. check your function code again', 'undefined-response'],
    ['a bare string', 'hello', 'Your function response must have a numerical statusCode. You gave: undefined', 'invalid-response'],
    ['an Error object', new Error('x'), 'Your function response must have a numerical statusCode. You gave: undefined', 'invalid-response'],
    ['a missing statusCode', { body: 'x' }, 'Your function response must have a numerical statusCode. You gave: undefined', 'invalid-response'],
    ['a non-numeric statusCode', { statusCode: 'ok' }, "Your function response must have a numerical statusCode. You gave: 'ok'", 'invalid-response'],
    ['statusCode 0', { statusCode: 0 }, 'Your function response must have a numerical statusCode. You gave: 0', 'invalid-response'],
    ['an object body', { statusCode: 200, body: { a: 1 } }, 'Your function response must have a string or a stream body. You gave: { a: 1 }', 'non-string-body'],
    ['a number body', { statusCode: 200, body: 42 }, 'Your function response must have a string or a stream body. You gave: 42', 'non-string-body'],
  ])('%s → 500 with Netlify’s message and a diagnostic', async (_label, value, body, code) => {
    const res = await identity.invoke((async () => value) as never)
    expect(res).toMatchObject({ statusCode: 500, body })
    expect(res.diagnostics.map((d) => d.code)).toEqual([code])
  })

  test('a numeric-string statusCode passes as Netlify does (Number(statusCode))', async () => {
    const res = await identity.invoke((async () => ({ statusCode: '201', body: '' })) as never)
    expect(res.statusCode).toBe(201)
  })

  test('headers are lower-cased; multiValueHeaders win for a name in both', async () => {
    const res = await identity.invoke((async () => ({
      statusCode: 200,
      headers: { 'Content-Type': 'text/plain', 'X-N': 1 },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'x-n': [2] },
      body: 'x',
    })) as never)
    expect(res.headers).toEqual({ 'content-type': 'text/plain', 'x-n': '2', 'set-cookie': 'a=1, b=2' })
    expect(res.multiValueHeaders['set-cookie']).toEqual(['a=1', 'b=2'])
  })

  test('diagnostics are not enumerable, so equality and snapshots ignore them', async () => {
    const res = await identity.invoke((async () => ({ statusCode: 204 })) as never)
    expect(Object.keys(res)).toEqual(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded'])
    expect(res).toEqual({ statusCode: 204, headers: {}, multiValueHeaders: {}, body: '', isBase64Encoded: false })
  })
})

describe('function inputs and env', () => {
  const identity = createIdentity()

  test('module namespaces: { handler } and a CommonJS default { handler }', async () => {
    expect((await identity.invoke({ handler: async () => ok })).statusCode).toBe(200)
    expect((await identity.invoke({ default: { handler: async () => ok } })).statusCode).toBe(200)
  })

  test('an unsupported value throws ERR_UNSUPPORTED_FUNCTION naming what it got', async () => {
    await expect(identity.invoke({ nothing: 1 } as never)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FUNCTION', message: expect.stringContaining('"nothing"') })
    await expect(identity.invoke(null as never)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FUNCTION' })
  })

  test('env is set for the call and restored after, even when the handler throws', async () => {
    process.env.HARNESS_KEEP = 'before'
    delete process.env.HARNESS_NEW
    const seen: (string | undefined)[] = []
    await identity.invoke((async () => {
      seen.push(process.env.HARNESS_NEW, process.env.HARNESS_KEEP)
      throw new Error('x')
    }) as never, { env: { HARNESS_NEW: 'yes', HARNESS_KEEP: undefined } })
    expect(seen).toEqual(['yes', undefined])
    expect(process.env.HARNESS_NEW).toBeUndefined()
    expect(process.env.HARNESS_KEEP).toBe('before')
  })
})

describe('deprecated context.succeed (functions-runtime.md §1.2)', () => {
  test('succeed(message, object) completes with the message, as lambda-local does: the object is ignored', async () => {
    const identity = createIdentity()
    const res = await identity.invoke(((_e: HandlerEvent, c: LambdaContext) => { c.succeed('msg', ok) }) as never)
    expect(res.statusCode).toBe(500)
    expect(res.body).toBe('Your function response must have a numerical statusCode. You gave: undefined')
    expect(res.diagnostics.map((d) => d.code)).toEqual(['invalid-response'])
  })
})

describe('admin-token-leaked (real-world-patterns.md: "leaks the admin token in the response body")', () => {
  test('a v1 HTTP function returning clientContext.identity.token is flagged; the response is unchanged', async () => {
    const identity = createIdentity()
    const res = await identity.invoke((async (_e: HandlerEvent, c: LambdaContext) => ({
      statusCode: 200,
      body: JSON.stringify({ token: c.clientContext.identity!.token }),
    })) as never)
    expect(res.statusCode).toBe(200)
    expect(JSON.parse(res.body).token).toBe(await identity.adminToken())
    expect(res.diagnostics.map((d) => d.code)).toEqual(['admin-token-leaked'])
  })

  test('a base64 body is decoded before the search', async () => {
    const identity = createIdentity()
    const res = await identity.invoke((async (_e: HandlerEvent, c: LambdaContext) => ({
      statusCode: 200,
      isBase64Encoded: true,
      body: Buffer.from(c.clientContext.identity!.token).toString('base64'),
    })) as never)
    expect(res.diagnostics.map((d) => d.code)).toEqual(['admin-token-leaked'])
  })

  test('using the token without returning it raises nothing', async () => {
    const identity = createIdentity()
    const res = await identity.invoke((async (_e: HandlerEvent, c: LambdaContext) => ({
      statusCode: 200,
      body: JSON.stringify({ url: c.clientContext.identity!.url, hasToken: Boolean(c.clientContext.identity!.token) }),
    })) as never)
    expect(res.diagnostics).toEqual([])
  })
})

describe('array header values (functions-runtime.md §1.3, §7.10)', () => {
  test('are kept as multiple values and flagged: repeated headers belong in multiValueHeaders', async () => {
    const identity = createIdentity()
    const res = await identity.invoke((async () => ({ statusCode: 200, headers: { 'Set-Cookie': ['a=1', 'b=2'] }, body: '' })) as never)
    expect(res.multiValueHeaders['set-cookie']).toEqual(['a=1', 'b=2'])
    expect(res.headers['set-cookie']).toBe('a=1, b=2')
    expect(res.diagnostics).toEqual([expect.objectContaining({ code: 'array-header', message: expect.stringContaining('multiValueHeaders') })])
  })
})
