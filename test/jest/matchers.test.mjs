// The Jest entry, run by real Jest over dist/: matchers on @jest/globals' expect, `.not`,
// asymmetric matchers, async fetch Responses, failure output, the serializer, useIdentity.
import { describe, expect, test } from '@jest/globals'
import { useIdentity } from 'netlify-identity-harness/jest'
import { createIdentity } from 'netlify-identity-harness'
import { HttpHandler } from 'msw'

const identity = useIdentity({ seed: 7 })
const member = async (event) => {
  const { user } = JSON.parse(event.body)
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['member'] } }) }
}
const forbid = async () => ({ statusCode: 403, headers: { 'x-reason': 'domain' }, body: '{"error":"not on the allow-list"}' })

describe('matchers on Jest', () => {
  test('allow / block, with .not (gotrue.md §2: 200/202/204 allow)', async () => {
    const user = identity.fakeUser({ email: 'ada@example.com' })
    const allowed = await identity.trigger(member, 'signup', user)
    const blocked = await identity.trigger(forbid, 'validate', user)
    expect(allowed).toAllowSignup()
    expect(allowed).not.toBlockSignup()
    expect(blocked).toBlockSignup()
    expect(blocked).not.toAllow()
    expect(await identity.trigger(member, 'login', user)).toAllowLogin()
    expect(await identity.trigger(forbid, 'login', user)).toBlockLogin()
  })

  test('metadata with asymmetric matchers, roles', async () => {
    const outcome = await identity.trigger(member, 'signup', identity.fakeUser())
    expect(outcome).toSetAppMetadata({ provider: expect.any(String), roles: expect.arrayContaining(['member']) })
    expect(outcome).not.toSetAppMetadata({ roles: ['admin'] })
    expect(outcome).toHaveRoles(['member'])
  })

  test('toHaveNoDiagnostics: an intended block passes, a dropped provider fails naming it', async () => {
    expect(await identity.trigger(forbid, 'validate', identity.fakeUser())).toHaveNoDiagnostics()
    const dropping = await identity.trigger(async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles: ['x'] } }) }), 'signup', identity.fakeUser())
    expect(() => expect(dropping).toHaveNoDiagnostics()).toThrow(/but the call had 1: dropped-provider\n[\s\S]*- dropped-provider: /)
    expect(dropping).toHaveNoDiagnostics({ except: ['dropped-provider'] })
  })

  test('a fetch Response is checked asynchronously', async () => {
    await expect(new Response('{}', { status: 200 })).toAllow()
    await expect(new Response('no', { status: 401 })).toBlock()
  })

  test('failure output shows status, headers, parsed body', async () => {
    const blocked = await identity.trigger(forbid, 'validate', identity.fakeUser())
    expect(() => expect(blocked).toAllowSignup()).toThrow(/status 403[\s\S]*x-reason[\s\S]*not on the allow-list/)
    const login = await identity.trigger(member, 'login', identity.fakeUser())
    expect(() => expect(login).not.toAllowSignup()).toThrow(/this outcome is for a login event/)
  })

  test('the serializer is registered: a stable snapshot', async () => {
    const outcome = await identity.trigger(member, 'signup', identity.fakeUser({ email: 'grace@example.com', user_metadata: { full_name: 'Grace Hopper' } }))
    expect(outcome).toMatchSnapshot()
  })
})

describe('useIdentity', () => {
  test('starts an msw server on which unhandled requests are errors', async () => {
    await expect(fetch('https://unhandled.example.test/')).rejects.toThrow()
  })

  test('reset after each test: the store starts empty', () => {
    if (typeof identity.users?.all !== 'function') return // the in-memory GoTrue store is not there yet
    expect(identity.users.all()).toEqual([])
  })
})

describe('useIdentity({ testTimeout }) budgets each test, not the file', () => {
  const timed = useIdentity({ seed: 9, testTimeout: 1500 })
  const hang = () => new Promise(() => {})

  test('a first test that takes longer than the budget', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1600))
  })

  test('the next test gets the whole budget again: three attempts share ~1.35 s, not nothing', async () => {
    const started = performance.now()
    const outcome = await timed.trigger(hang, 'validate', timed.fakeUser())
    const elapsed = performance.now() - started
    const note = outcome.diagnostics.find((d) => d.code === 'timeout-budget')
    const perAttempt = Number(/to (\d+) ms/.exec(note?.message ?? '')?.[1])
    // 1500 ms minus the 150 ms margin, over 3 attempts: ~450 ms each (before the fix: the 10 ms floor).
    expect(perAttempt).toBeGreaterThan(300)
    expect(elapsed).toBeGreaterThan(900)
    expect(outcome).toBlockSignup()
  }, 5000)
})

// Issue 12: the core loads msw only when an instance serves; under Jest's ESM mode it must be the
// copy this file imports from Jest's registry (the runner entry hands it over), never a second one.
describe('one copy of msw', () => {
  test('handlers are instances of the msw this test imports', () => {
    expect(createIdentity({ seed: 1 }).handlers[0]).toBeInstanceOf(HttpHandler)
    expect(identity.handlers[0]).toBeInstanceOf(HttpHandler)
  })
})
