/**
 * The shape of a trigger's cost, counted instead of timed (issue 12): on Node 20 every promise made
 * while an AsyncLocalStorage is in use pays an init hook and two properties, which made promises a
 * third of a concurrent trigger's time. Counting them is deterministic where the bench's ratios are
 * noisy, so a change that brings back async layers fails here first.
 */
import { createHook } from 'node:async_hooks'
import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'

/** Promises created while `run` runs `n` times, per run. */
async function promisesPer(n: number, run: () => Promise<unknown>): Promise<number> {
  let count = 0
  const hook = createHook({ init: (_id, type) => { if (type === 'PROMISE') count++ } })
  hook.enable()
  try {
    for (let i = 0; i < n; i++) await run()
  } finally {
    hook.disable()
  }
  return count / n
}

describe('what one trigger costs', () => {
  const identity = createIdentity({ seed: 7 })
  const user = identity.fakeUser()
  // The handler's own promises: its async function, its await and the value it awaits.
  const handler = async (event: { body: string }) => {
    const { user: u } = JSON.parse(event.body) as { user: { app_metadata: object } }
    await null
    return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...u.app_metadata, roles: ['member'] } }) }
  }

  test('a v1 trigger of a function value makes a handful of promises of its own (5 on Node 20, 28 before the work on issue 12)', async () => {
    for (let i = 0; i < 20; i++) await identity.trigger(handler, 'signup', user) // warm
    const outcome = await identity.trigger(handler, 'signup', user)
    expect(outcome).toMatchObject({ allowed: true, attempts: 1, user: { app_metadata: { provider: 'email', roles: ['member'] } } })
    const withTrigger = await promisesPer(100, () => identity.trigger(handler, 'signup', user))
    // The same loop awaiting the handler's own work alone: what is not the harness's.
    const body = JSON.stringify({ user })
    const alone = await promisesPer(100, () => handler({ body }))
    const own = withTrigger - alone
    expect(alone).toBeGreaterThanOrEqual(3)
    expect(own).toBeGreaterThan(0)
    expect(own).toBeLessThanOrEqual(7)
  })

  test('a hook that answers through the callback still waits for a late completion (and says so)', async () => {
    const outcome = await identity.trigger(async (_e: unknown, _c: unknown, cb: (e: null, r: object) => void) => {
      cb(null, { statusCode: 200, body: '' })
      return { statusCode: 500 }
    }, 'signup', user)
    expect(outcome.allowed).toBe(true)
    expect(outcome.diagnostics.map((d) => d.code)).toContain('multiple-completions')
  })
})
