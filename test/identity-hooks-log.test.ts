import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import type { HookOutcome } from '../src/index.js'
import '../src/vitest.js'
import { call } from './gotrue-helpers.js'

// identity.hooks: the outcomes of the hooks the emulator fired in its flows. A flow only answers
// GoTrue's `422 Failed to handle signup webhook` (gotrue.md §2.2); the log says why.

type Event = { body: string }
const roles = (list: string[]) => async (event: Event) => {
  const { user } = JSON.parse(event.body)
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: list } }) }
}
/** A signup hook with the real-world bug: it assumes `user_metadata.plan`; a signup without `data` has `user_metadata` null. */
const crashesWithoutPlan = async (event: Event) => {
  const { user } = JSON.parse(event.body)
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { roles: [user.user_metadata.plan.toUpperCase()] } }) }
}

const served = createIdentity({ siteUrl: 'https://hooks-log.netlify.test', autoconfirm: true, functions: { validate: roles(['v']), signup: roles(['member']) } })
const merged = createIdentity({ siteUrl: 'https://hooks-log-merge.netlify.test', seed: 4, autoconfirm: true, functions: { signup: roles(['member']) } })
const broken = createIdentity({ siteUrl: 'https://hooks-log-broken.netlify.test', seed: 6, autoconfirm: true, functions: { validate: 'test/fixtures/functions/broken/syntax.ts' } })
// msw allows one server per process: one instance serves the others' handlers too.
beforeAll(() => served.listen(...merged.handlers, ...broken.handlers))
afterAll(() => served.close())

describe('identity.hooks', () => {
  test('says why a flow answered 422: the wired function crashed, on each of GoTrue\'s 3 attempts', async () => {
    const identity = createIdentity({ seed: 3, autoconfirm: true, functions: { signup: crashesWithoutPlan } })
    expect(identity.hooks).toEqual([])
    const res = await identity.signup({ email: 'ada@example.com', password: 'secret-1234' })
    expect(res).toMatchObject({ status: 422, body: { code: 422, msg: 'Failed to handle signup webhook' } })
    expect(identity.hooks).toHaveLength(1)
    const [outcome] = identity.hooks as [HookOutcome]
    expect(outcome).toMatchObject({ event: 'signup', allowed: false, status: 422, attempts: 3, response: { statusCode: 500 } })
    const threw = outcome.diagnostics.find((d) => d.code === 'threw')
    expect(threw?.message).toMatch(/TypeError: Cannot read properties of null \(reading 'plan'\) at .*identity-hooks-log\.test\.ts:\d+/)
    expect(outcome).toBlockSignup()
    // The same signup with the plan the function needs goes through, and is logged after it.
    const ok = await identity.signup({ email: 'grace@example.com', password: 'secret-1234', data: { plan: 'pro' } })
    expect(ok.status).toBe(200)
    expect(identity.hooks.map((h) => [h.event, h.allowed, h.user.email])).toEqual([
      ['signup', false, 'ada@example.com'],
      ['signup', true, 'grace@example.com'],
    ])
    expect(identity.hooks[1]).toAllowSignup()
    // Allowed, but GoTrue stores the replaced map: the log shows the provider the function dropped.
    expect(identity.hooks[1]!.user.app_metadata).toEqual({ roles: ['PRO'] })
    expect(identity.hooks[1]!.diagnostics.map((d) => d.code)).toContain('dropped-provider')
  })

  test('hooks fired over HTTP (msw) are logged in the order they settled: validate, then signup', async () => {
    const before = served.hooks.length
    const res = await call(served, 'POST', '/signup', { json: { email: 'http@hooks-log.test', password: 'secret-1234' } })
    expect(res.status).toBe(200)
    const fired = served.hooks.slice(before)
    expect(fired.map((h) => h.event)).toEqual(['validate', 'signup'])
    expect(fired.map((h) => h.user.app_metadata.roles)).toEqual([['v'], ['member']])
    expect(fired.every((h) => h.user.email === 'http@hooks-log.test')).toBe(true)
  })

  test('each read is a copy, and an entry keeps the user as the hook left it while the store moves on', async () => {
    const identity = merged
    await identity.signup({ email: 'lin@example.com', password: 'secret-1234' })
    const first = identity.hooks[0]!
    first.user.app_metadata.roles = ['hacked']
    first.diagnostics.push({ code: 'mine', message: 'added by the test' })
    expect(identity.hooks[0]!.user.app_metadata.roles).toEqual(['member'])
    expect(identity.hooks[0]!.diagnostics.map((d) => d.code)).not.toContain('mine')
    const stored = identity.users.findByEmail('lin@example.com')!
    expect(stored.app_metadata.roles).toEqual(['member'])
    // An admin update replaces the roles in the stored map: the logged outcome does not change with it.
    const put = await call(identity, 'PUT', `/admin/users/${stored.id}`, { token: await identity.adminToken(), json: { app_metadata: { roles: ['owner'] } } })
    expect(put.status).toBe(200)
    expect(identity.users.get(stored.id)!.app_metadata.roles).toEqual(['owner'])
    expect(identity.hooks[0]!.user.app_metadata.roles).toEqual(['member'])
  })

  test('reset() empties it; only the newest requestLogLimit outcomes are kept', async () => {
    const identity = createIdentity({ seed: 5, autoconfirm: true, requestLogLimit: 2, functions: { validate: roles(['v']) } })
    for (const name of ['a', 'b', 'c']) await identity.signup({ email: `${name}@example.com`, password: 'secret-1234' })
    expect(identity.hooks.map((h) => h.user.email)).toEqual(['b@example.com', 'c@example.com'])
    identity.reset()
    expect(identity.hooks).toEqual([])
  })

  test('a wired function that does not build fires no hook: over HTTP the request answers 500 with the error in its log entry; signup() rejects with it', async () => {
    const res = await call(broken, 'POST', '/signup', { json: { email: 'x@example.com', password: 'secret-1234' } })
    expect(res.status).toBe(500)
    expect(res.body).toMatchObject({ code: 500, msg: 'Internal server error' })
    expect(broken.hooks).toEqual([])
    expect(broken.requests.at(-1)).toMatchObject({ path: '/signup', status: 500, error: expect.stringContaining('syntax.ts:4:1: Unexpected end of file') })
    await expect(broken.signup({ email: 'y@example.com', password: 'secret-1234' })).rejects.toThrow(/cannot build .*syntax\.ts/)
    expect(broken.hooks).toEqual([])
  })

  test('a background variant: logged with GoTrue\'s 202 at once, its run still awaitable', async () => {
    const identity = createIdentity({ seed: 7, functions: 'test/fixtures/functions/background' })
    const user = identity.createUser({ email: 'fail@example.com', password: 'secret-1234', confirmed: true })
    const res = await identity.login('fail@example.com', 'secret-1234')
    expect(res.status).toBe(200)
    const [outcome] = identity.hooks as [HookOutcome]
    expect(outcome).toMatchObject({ event: 'login', allowed: true, attempts: 1, response: { statusCode: 202 } })
    expect(outcome.user.id).toBe(user.id)
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(['background'])
    await expect(outcome.background).rejects.toThrow('could not sync fail@example.com')
  })
})
