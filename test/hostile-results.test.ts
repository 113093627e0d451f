/**
 * Issue 10 §3: whatever a function returns or throws, trigger/invoke give Netlify's outcome plus
 * a diagnostic — never an internal error, never a hang. The only rejection allowed is a
 * HarnessError for misuse. Netlify's answers: functions-runtime.md §1.4 (completion), §2.1 (v2
 * values), §3.9 (500 bodies; a header that cannot be set → 500).
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { createIdentity, HarnessError } from '../src/index.js'

const identity = createIdentity({ seed: 10 })
const throwing = () => { throw new Error('getter threw') }
const hostileObject = () => Object.defineProperty({}, 'statusCode', { get: throwing, enumerable: true })
const hostileProxy = () => new Proxy({}, { get: throwing, has: throwing, ownKeys: throwing, getPrototypeOf: throwing, getOwnPropertyDescriptor: throwing })
const symbolNamed = () => Object.assign(new Error('symbol name'), { name: Symbol('weird') })
// (stack first: redefining it after name would make V8 format the stack through the throwing getters)
const errorWithGetters = () => Object.defineProperties(Object.defineProperty(new Error('x'), 'stack', { get: throwing }), { message: { get: throwing }, name: { get: throwing } })

/** [label, v1 handler, expected status] — each was an internal error before (issue 10 §3). */
const v1Cases: Array<[string, (...args: never[]) => unknown, number, string]> = [
  ['throw Object.create(null)', () => { throw Object.create(null) }, 500, 'threw'],
  ['an Error whose name is a Symbol', () => { throw symbolNamed() }, 500, 'threw'],
  ['an Error with throwing getters', () => { throw errorWithGetters() }, 500, 'threw'],
  ['a throwing Proxy thrown', () => { throw hostileProxy() }, 500, 'threw'],
  ['{ statusCode: Symbol() }', async () => ({ statusCode: Symbol('s') }), 500, 'invalid-response'],
  ['a header value whose toString throws', async () => ({ statusCode: 200, headers: { 'x-a': { toString: throwing } }, body: '' }), 500, 'invalid-header'],
  ['a thenable whose then getter throws', () => Object.defineProperty({}, 'then', { get: throwing }), 500, 'threw'],
  ['a response object with a throwing getter', async () => hostileObject(), 500, 'unreadable-response'],
  // resolving a promise with it reads `then`: the invocation fails
  ['an async handler resolving a Proxy whose traps throw', async () => hostileProxy(), 500, 'threw'],
  ['a Proxy response whose traps throw, through the callback', (_e: unknown, _c: unknown, cb?: (e: unknown, r: unknown) => void) => { cb!(null, hostileProxy()) }, 500, 'unreadable-response'],
  ['a headers Proxy whose ownKeys throws', async () => ({ statusCode: 200, headers: new Proxy({}, { ownKeys: throwing }) }), 500, 'invalid-header'],
  ['a rejection with a revoked Proxy', () => { const p = Proxy.revocable({}, {}); p.revoke(); return Promise.reject(p.proxy) }, 500, 'threw'],
]

describe('hostile v1 results get a verdict and a diagnostic', () => {
  test.each(v1Cases)('%s', async (_label, handler, status, code) => {
    const res = await identity.invoke(handler, { timeoutMs: 200 })
    expect(res.statusCode).toBe(status)
    expect(res.diagnostics.map((d) => d.code)).toContain(code)
    const outcome = await identity.trigger(handler, 'signup', identity.fakeUser(), { timeoutMs: 200 })
    expect(outcome).toMatchObject({ allowed: false, status: 422 })
  })

  test('the throwing-then thenable leaves no harness timer behind', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    await identity.invoke(() => Object.defineProperty({}, 'then', { get: throwing }), { timeoutMs: 60_000 })
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(before)
  })
})

describe('v2 responses', () => {
  test('throw Object.create(null) in a v2 function → 500 and threw', async () => {
    const res = await identity.invoke({ default: async () => { throw Object.create(null) } })
    expect(res.statusCode).toBe(500)
    expect(res.diagnostics.map((d) => d.code)).toEqual(['threw'])
  })

  test('a Response whose body stream errors keeps its status and the bytes before the error (response-stream-error)', async () => {
    const res = await identity.invoke({
      default: async () => {
        let pulls = 0
        return new Response(new ReadableStream({
          pull(c) {
            if (pulls++ === 0) c.enqueue(new TextEncoder().encode('partial'))
            else c.error(new Error('upstream reset'))
          },
        }), { status: 200, headers: { 'content-type': 'text/plain' } })
      },
    })
    expect(res).toMatchObject({ statusCode: 200, body: 'partial' })
    const d = res.diagnostics.find((x) => x.code === 'response-stream-error')
    expect(d?.message).toContain('upstream reset')
  })

  test('a text/event-stream that never closes is cut at timeoutMs instead of hanging invoke', async () => {
    const res = await identity.invoke({
      default: async () => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('data: 1\n\n')) } }), { headers: { 'content-type': 'text/event-stream' } }),
    }, { timeoutMs: 50 })
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('data: 1\n\n')
    expect(res.diagnostics.find((d) => d.code === 'timeout')?.message).toContain('still streaming')
    // as a hook, GoTrue's client times out reading the body: retried, then 504 (gotrue.md §1.7, §2.1)
    const outcome = await identity.trigger({ default: async () => new Response(new ReadableStream({ start() {} })) }, 'signup', identity.fakeUser(), { timeoutMs: 20, attempts: 2 })
    expect(outcome).toMatchObject({ allowed: false, status: 504, attempts: 2 })
  })
})

describe('unhandled rejections belong to the call that left them', () => {
  test('reported on the outcome (unhandled-rejection), not as a failure of the test run', async () => {
    const res = await identity.invoke(async () => {
      void Promise.reject(new Error('forgotten promise'))
      await new Promise((r) => setTimeout(r, 5))
      return { statusCode: 200, body: '' }
    })
    expect(res.statusCode).toBe(200)
    expect(res.diagnostics.find((d) => d.code === 'unhandled-rejection')?.message).toContain('forgotten promise')
  })
})

describe('the test runner never kills a hanging hook first', () => {
  test('with testTimeout 2000 ms, a never-completing hook gets 3 shortened attempts, a 504 and timeout-budget, well inside 2 s', async () => {
    const short = createIdentity({ seed: 11, testTimeout: 2000 })
    const started = performance.now()
    const outcome = await short.trigger(() => undefined, 'signup', short.fakeUser())
    const took = performance.now() - started
    expect(outcome).toMatchObject({ allowed: false, status: 504, attempts: 3 })
    // GoTrue's own message keeps its 5 s (gotrue.md §2.1)
    expect(outcome.error?.msg).toBe('Failed to perform webhook in time frame (5 seconds)')
    expect(outcome.diagnostics.map((d) => d.code)).toContain('timeout-budget')
    expect(took).toBeLessThan(2000)
  })

  test('an explicit timeoutMs is honoured; a completing hook gets no timeout-budget note', async () => {
    const short = createIdentity({ seed: 12, testTimeout: 2000 })
    const outcome = await short.trigger(async () => ({ statusCode: 204 }), 'signup', short.fakeUser())
    expect(outcome.diagnostics.map((d) => d.code)).toEqual([])
    expect(() => createIdentity({ testTimeout: -1 })).toThrow(HarnessError)
  })
})

// ---- property: arbitrary values, Proxies, getters, symbols, thenables, streams ----------------
// fast-check inspects the values it generates, so it generates recipes; the hostile values are
// built inside the property.
const HOSTILE: Record<string, () => unknown> = {
  proxy: hostileProxy,
  getter: hostileObject,
  symbolName: symbolNamed,
  errorGetters: errorWithGetters,
  thenGetter: () => Object.defineProperty({}, 'then', { get: throwing }),
  thenRejectsProxy: () => ({ then: (_ok: unknown, fail: (e: unknown) => void) => fail(hostileProxy()) }),
  badPrimitive: () => ({ toString: throwing, valueOf: throwing }),
  revoked: () => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy },
  nullProto: () => Object.create(null),
  symbol: () => Symbol('s'),
  bigint: () => 10n,
}
type Recipe = { hostile: string } | { plain: unknown } | { record: Record<string, Recipe> }
const leafArb: fc.Arbitrary<Recipe> = fc.oneof(
  fc.anything().map((plain) => ({ plain })),
  fc.constantFrom(...Object.keys(HOSTILE)).map((hostile) => ({ hostile })),
)
const recipeArb: fc.Arbitrary<Recipe> = fc.oneof(
  leafArb,
  fc.record({
    statusCode: fc.oneof(fc.constantFrom(200, 204, 500).map((plain) => ({ plain })), leafArb),
    body: fc.oneof(fc.string().map((plain) => ({ plain })), leafArb),
    headers: fc.oneof(fc.dictionary(fc.string({ maxLength: 5 }), leafArb, { maxKeys: 3 }).map((record) => ({ record })), leafArb),
    multiValueHeaders: leafArb,
  }, { requiredKeys: [] }).map((record) => ({ record })),
)
function build(r: Recipe): unknown {
  if ('hostile' in r) return HOSTILE[r.hostile]!()
  if ('plain' in r) return r.plain
  return Object.fromEntries(Object.entries(r.record).map(([k, v]) => [k, build(v)]))
}
const styleArb = fc.constantFrom('return', 'resolve', 'reject', 'throw', 'callback-error', 'callback-result', 'v2-return', 'v2-throw', 'v2-stream-error')

function handlerFor(style: string, value: unknown): { fn: unknown; shape?: 'v2' } {
  switch (style) {
    case 'return': return { fn: () => value }
    case 'resolve': return { fn: async () => value }
    case 'reject': return { fn: () => Promise.reject(value) }
    case 'throw': return { fn: () => { throw value } }
    case 'callback-error': return { fn: (_e: unknown, _c: unknown, cb: (e: unknown) => void) => { cb(value) } }
    case 'callback-result': return { fn: (_e: unknown, _c: unknown, cb: (e: unknown, r: unknown) => void) => { cb(null, value) } }
    case 'v2-return': return { fn: async () => value, shape: 'v2' }
    case 'v2-throw': return { fn: async () => { throw value }, shape: 'v2' }
    default: return { fn: async () => new Response(new ReadableStream({ pull(c) { c.error(value) } })), shape: 'v2' }
  }
}

describe('property: trigger and invoke only ever resolve (HarnessError aside) whatever the function does', () => {
  test('300 runs', async () => {
    await fc.assert(fc.asyncProperty(styleArb, recipeArb, async (style, recipe) => {
      const { fn, shape } = handlerFor(style, build(recipe))
      const res = await identity.invoke(fn as never, { timeoutMs: 30, ...(shape ? { shape } : {}) })
      expect(typeof res.statusCode).toBe('number')
      expect(Array.isArray(res.diagnostics)).toBe(true)
      const outcome = await identity.trigger(fn as never, 'signup', identity.fakeUser(), { timeoutMs: 30, attempts: 1, ...(shape ? { shape } : {}) })
      expect(typeof outcome.allowed).toBe('boolean')
    }), { seed: 20261201, numRuns: 300 })
  })
})
