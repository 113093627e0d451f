import { AssertionError } from 'node:assert'
import { describe, expect, test } from 'vitest'
import {
  createIdentity,
  expectAllows,
  expectAllowsLogin,
  expectAllowsSignup,
  expectAppMetadata,
  expectBlocks,
  expectBlocksLogin,
  expectBlocksSignup,
  expectRoles,
  expectNoDiagnostics,
  expectStatus,
  expectUserMetadata,
  EXPLANATORY_DIAGNOSTICS,
} from '../src/index.js'

const identity = createIdentity({ seed: 2 })
const user = identity.fakeUser()
const setRoles = async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ app_metadata: { provider: 'email', roles: ['member'] }, user_metadata: { full_name: 'Ada', plan: { tier: 'pro' } } }) })
const forbid = async () => ({ statusCode: 403, headers: { 'x-reason': 'domain' }, body: '{"error":"not on the allow-list"}' })

function failure(fn: () => void): AssertionError {
  try {
    fn()
  } catch (error) {
    if (error instanceof AssertionError) return error
    throw error
  }
  throw new Error('expected an AssertionError')
}

describe('allow / block on outcomes', () => {
  test('signup assertions cover validate and signup events', async () => {
    const allowed = await identity.trigger(setRoles, 'signup', user)
    const blocked = await identity.trigger(forbid, 'validate', user)
    expectAllowsSignup(allowed)
    expectBlocksSignup(blocked)
    expectAllows(allowed)
    expectBlocks(blocked)
    expect(() => expectBlocksSignup(allowed)).toThrow(AssertionError)
    expect(() => expectAllowsSignup(blocked)).toThrow(AssertionError)
  })

  test('login assertions', async () => {
    expectAllowsLogin(await identity.trigger(setRoles, 'login', user))
    expectBlocksLogin(await identity.trigger(forbid, 'login', user))
  })

  test('a wrong-event outcome fails with a clear message either way', async () => {
    const login = await identity.trigger(setRoles, 'login', user)
    expect(failure(() => expectAllowsSignup(login)).message).toMatch(/^this outcome is for a login event, not a signup/)
    expect(failure(() => expectBlocksSignup(login)).message).toMatch(/^this outcome is for a login event/)
    const signup = await identity.trigger(setRoles, 'signup', user)
    expect(failure(() => expectAllowsLogin(signup)).message).toMatch(/^this outcome is for a signup event, not a login/)
  })

  test('failure output shows the event, GoTrue verdict, attempts, status, headers, parsed body and diagnostics', async () => {
    const blocked = await identity.trigger(forbid, 'validate', user)
    const message = failure(() => expectAllowsSignup(blocked)).message
    expect(message).toContain('expected GoTrue to allow the signup (validate hook), but it blocks it')
    expect(message).toContain('event:        validate')
    expect(message).toContain('GoTrue:       blocks with 422 "Failed to handle signup webhook"')
    expect(message).toContain('attempts:     3')
    expect(message).toContain('function:     status 403')
    expect(message).toContain("'x-reason': 'domain'")
    expect(message).toContain("body:         { error: 'not on the allow-list' }")
    expect(message).toContain('- status-blocks:')
  })
})

describe('expectNoDiagnostics', () => {
  test('passes on a clean call, fails with an AssertionError naming each code and printing the answer', async () => {
    expectNoDiagnostics(await identity.trigger(setRoles, 'signup', user))
    // The provider dropped: GoTrue stores the map as returned (replace, gotrue.md §2.3).
    const dropping = await identity.trigger(async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles: ['x'] } }) }), 'signup', user)
    const error = failure(() => expectNoDiagnostics(dropping))
    expect(error.operator).toBe('expectNoDiagnostics')
    expect(error.message).toMatch(/^expected no diagnostics \(except [^)]+\), but the call had 1: dropped-provider\n/)
    expect(error.message).toContain('  - dropped-provider: ')
    expectNoDiagnostics(dropping, { except: ['dropped-provider'] })
    expect(EXPLANATORY_DIAGNOSTICS).toEqual(['status-blocks', 'non-blocking-event', 'background', 'timeout-budget'])
    expect(Object.isFrozen(EXPLANATORY_DIAGNOSTICS)).toBe(true)
  })
})

describe('raw function responses', () => {
  test('statuses follow GoTrue (201 blocks)', () => {
    expectAllowsSignup({ statusCode: 200 })
    expectAllowsSignup({ statusCode: 204, body: '' })
    expectBlocksSignup({ statusCode: 201, body: '{}' })
    expectBlocks({ statusCode: 500 })
  })

  test('malformed JSON from a 200 blocks; a non-string body blocks', () => {
    expectBlocksSignup({ statusCode: 200, body: 'nope' })
    expectBlocksSignup({ statusCode: 200, body: { app_metadata: {} } as never })
  })

  test('metadata of a raw response is the map it sets (replace)', () => {
    const res = { statusCode: 200, body: JSON.stringify({ app_metadata: { roles: ['a', 'b'] } }) }
    expectAppMetadata(res, { roles: ['a', 'b'] })
    expectRoles(res, ['b', 'a'])
    const message = failure(() => expectUserMetadata(res, { x: 1 })).message
    expect(message).toContain('the response does not set user_metadata')
  })

  test('expectStatus: the function\'s status; the failure is an AssertionError with the body and diagnostics', async () => {
    const res = await identity.invoke(async () => ({ statusCode: 401, body: '{"error":"log in"}' }))
    expectStatus(res, 401)
    const error = failure(() => expectStatus(res, 200))
    expect(error.message).toContain('expected the function to answer 200, but it answered 401')
    expect(error.message).toContain("body:         { error: 'log in' }")
    expect(error.actual).toBe(401)
    expect(error.expected).toBe(200)
    await expectStatus(new Response(null, { status: 204 }), 204)
    await expect(expectStatus(new Response(null, { status: 500 }), 204)).rejects.toThrow(AssertionError)
  })

  test('a fetch Response makes the assertion async', async () => {
    await expectAllowsSignup(new Response(null, { status: 204 }))
    await expectBlocksSignup(new Response('no', { status: 403 }))
    await expectAppMetadata(new Response('{"app_metadata":{"roles":["r"]}}', { status: 200 }), { roles: ['r'] })
    await expect(expectAllowsSignup(new Response('no', { status: 401 }))).rejects.toThrow(AssertionError)
  })

  test('anything else is a HarnessError, not a silent pass', () => {
    expect(() => expectAllows('200' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_RESPONSE' }))
    expect(() => expectAllows(null as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_RESPONSE' }))
  })
})

describe('metadata assertions', () => {
  test('partial deep match by default, exact on request, asymmetric matchers inside', async () => {
    const outcome = await identity.trigger(setRoles, 'signup', user)
    expectAppMetadata(outcome, { roles: ['member'] })
    expectAppMetadata(outcome, { provider: 'email', roles: ['member'] }, { exact: true })
    expect(() => expectAppMetadata(outcome, { roles: ['member'] }, { exact: true })).toThrow(AssertionError)
    expectUserMetadata(outcome, { plan: { tier: expect.any(String) } })
    expectUserMetadata(outcome, { full_name: expect.stringMatching(/^A/) })
    expect(() => expectAppMetadata(outcome, { roles: ['member', 'extra'] })).toThrow(/expected app_metadata to contain/)
    expect(() => expectAppMetadata(outcome, { roles: [] })).toThrow(AssertionError)
  })

  test('roles match as a set, exactly', async () => {
    const outcome = await identity.trigger(async () => ({ statusCode: 200, body: '{"app_metadata":{"roles":["b","a"]}}' }), 'signup', user)
    expectRoles(outcome, ['a', 'b'])
    expect(() => expectRoles(outcome, ['a'])).toThrow(/expected app_metadata.roles to be/)
    const stringRoles = await identity.trigger(async () => ({ statusCode: 200, body: '{"app_metadata":{"roles":"admin"}}' }), 'signup', user)
    expect(() => expectRoles(stringRoles, ['admin'])).toThrow(/roles must be an array of strings/)
  })

  test('metadata assertions on a blocked outcome explain that nothing was applied', async () => {
    const blocked = await identity.trigger(forbid, 'validate', user)
    expect(() => expectAppMetadata(blocked, { provider: 'email' })).toThrow(/GoTrue blocked the validate, so nothing was applied/)
    expect(() => expectRoles(blocked, [])).toThrow(/GoTrue blocked/)
  })

  test('the AssertionError carries actual and expected for diffs', async () => {
    const outcome = await identity.trigger(setRoles, 'signup', user)
    const error = failure(() => expectAppMetadata(outcome, { roles: ['x'] }))
    expect(error.actual).toEqual({ provider: 'email', roles: ['member'] })
    expect(error.expected).toEqual({ roles: ['x'] })
  })
})

describe('typical mistakes get a message that names them', () => {
  test('a forgotten await', () => {
    const pending = identity.trigger(setRoles, 'signup', user)
    expect(() => expectAllowsSignup(pending as never)).toThrow(/got a Promise: did you forget to `await`/)
    return pending
  })

  test('a wrong-event assertion names the right one', async () => {
    const login = await identity.trigger(setRoles, 'login', user)
    expect(failure(() => expectAllowsSignup(login)).message).toContain('use toAllowLogin/toBlockLogin (expectAllowsLogin/expectBlocksLogin)')
  })
})
