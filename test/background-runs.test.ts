import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'

// functions-runtime.md §5: a -background name or config.background: true → 202 at once; the run continues.
const identity = createIdentity({ seed: 41 })

describe('background identity functions', () => {
  test('GoTrue gets 202 at once: it can neither block nor change the user; the function still runs', async () => {
    const ran: string[] = []
    const fn = async (event: { body: string }) => {
      await new Promise((r) => setTimeout(r, 15))
      ran.push(JSON.parse(event.body).user.email)
      return { statusCode: 403, body: JSON.stringify({ app_metadata: { roles: ['ignored'] } }) }
    }
    const user = identity.fakeUser()
    const outcome = await identity.trigger(fn, user, { name: 'identity-login-background' })
    expect(outcome).toMatchObject({ event: 'login', allowed: true, status: 200, attempts: 1 })
    expect(outcome.response).toMatchObject({ statusCode: 202, body: '' })
    expect(outcome.user.app_metadata).toEqual(user.app_metadata)
    expect(outcome.diagnostics.map((d) => d.code)).toEqual(['background'])
    expect(ran).toEqual([])
    await expect(outcome.background).resolves.toMatchObject({ statusCode: 403 })
    expect(ran).toEqual([user.email])
  })

  test('a file named identity-login-background.mjs is a background function for login', async () => {
    const outcome = await identity.trigger('test/fixtures/functions/background/identity-login-background.mjs', identity.fakeUser())
    expect(outcome.event).toBe('login')
    expect(outcome.response?.statusCode).toBe(202)
    await expect(outcome.background).resolves.toMatchObject({ statusCode: 200 })
  })

  test('outcome.background rejects with what the function threw', async () => {
    const outcome = await identity.trigger('test/fixtures/functions/background/identity-login-background.mjs', identity.fakeUser({ email: 'fail@example.com' }))
    expect(outcome.allowed).toBe(true)
    await expect(outcome.background).rejects.toThrow('could not sync fail@example.com')
  })

  test('an ignored failing run causes no unhandled rejection', async () => {
    await identity.trigger(async () => {
      throw new Error('nobody awaits me')
    }, 'signup', identity.fakeUser(), { name: 'identity-signup-background' })
    // Vitest fails the run on an unhandled rejection; give it the chance to happen.
    await new Promise((r) => setTimeout(r, 20))
  })

  test('options.env stays applied until the background run settles', async () => {
    const seen: Array<string | undefined> = []
    const outcome = await identity.trigger(async () => {
      await new Promise((r) => setTimeout(r, 10))
      seen.push(process.env.NIH_BG_VAR)
    }, 'login', identity.fakeUser(), { name: 'identity-login-background', env: { NIH_BG_VAR: 'set' } })
    await outcome.background
    expect(seen).toEqual(['set'])
    expect(process.env.NIH_BG_VAR).toBeUndefined()
  })

  test('context: background functions get an empty clientContext in production as under netlify dev (netlify/cli#4383, #4395)', async () => {
    const contexts: unknown[] = []
    const fn = async (_e: unknown, context: { clientContext: unknown }) => {
      contexts.push({ ...(context.clientContext as object) })
    }
    await (await identity.trigger(fn, 'login', identity.fakeUser(), { name: 'identity-login-background' })).background
    await (await createIdentity({ mode: 'netlify-dev' }).trigger(fn, 'login', identity.fakeUser(), { name: 'identity-login-background' })).background
    expect(contexts).toEqual([{}, {}])
  })

  test('a background event function that reads clientContext.identity gets background-client-context', async () => {
    const fn = async (_e: unknown, context: { clientContext: { identity?: { token: string } } }) => {
      if (!context.clientContext.identity) throw new Error('no admin token')
    }
    const outcome = await identity.trigger(fn, 'signup', identity.fakeUser(), { name: 'identity-signup-background' })
    await expect(outcome.background).rejects.toThrow('no admin token')
    const d = outcome.diagnostics.find((x) => x.code === 'background-client-context')
    expect(d?.message).toContain('clientContext.identity')
    expect(d?.message).toContain('netlify/cli#4383')
  })
})

describe('background HTTP functions', () => {
  test('config.background: true on a v2 function → 202 now, the run in response.background', async () => {
    let done = false
    const res = await identity.invoke({
      default: async () => {
        await new Promise((r) => setTimeout(r, 10))
        done = true
      },
      config: { background: true },
    })
    expect(res).toMatchObject({ statusCode: 202, body: '' })
    expect(done).toBe(false)
    // It returned nothing: the run settles with the 202 Netlify already sent.
    await expect(res.background).resolves.toMatchObject({ statusCode: 202, body: '' })
    expect(done).toBe(true)
  })

  test('a typed object with config.background runs in the background too', async () => {
    const outcome = await identity.trigger({ default: { userSignup: () => undefined, config: { background: true } } }, 'signup', identity.fakeUser())
    expect(outcome.response?.statusCode).toBe(202)
    await expect(outcome.background).resolves.toMatchObject({ statusCode: 200 })
  })
})

describe('background functions under netlify dev (functions-runtime.md §3.6, §5)', () => {
  test.each(['production', 'netlify-dev'] as const)('an HTTP background function gets an empty clientContext even with a bearer token (%s)', async (mode) => {
    const identity = createIdentity({ mode })
    let seen: unknown
    let user: unknown = 'not read'
    const res = await identity.invoke(async (_e: unknown, context: { clientContext: { user?: unknown } }) => {
      seen = context.clientContext
      user = context.clientContext.user
      return { statusCode: 200, body: '' }
    }, { name: 'sync-background', user: identity.fakeUser() })
    expect(res.statusCode).toBe(202)
    await res.background
    expect({ ...(seen as object) }).toEqual({})
    expect(user).toBeUndefined()
    expect(res.diagnostics.map((d) => d.code)).toEqual(['background', 'background-client-context'])
  })
})
