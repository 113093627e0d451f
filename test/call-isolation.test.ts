/**
 * Issue 10 §2: nothing a call started may change another call's or another test's world.
 * A function that timed out keeps running (lambda-local settles the response but does not kill
 * the handler, functions-runtime.md §3.7); production freezes the sandbox, so its later requests
 * never land. Here they are refused with `late-request`, and its env writes stay in its own layer.
 */
import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import type { HandlerEvent, LambdaContext } from '../src/index.js'
import { observeEnvReads } from '../src/functions/env.js'
import type { EnvRead } from '../src/functions/env.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Runs `body` with a listening identity, collecting the `late-request` process warnings meanwhile;
 * the listener and the server are gone afterwards, whatever happens.
 */
async function withLateWarnings(seed: number, body: (identity: ReturnType<typeof createIdentity>, warnings: string[]) => Promise<void>): Promise<void> {
  const identity = createIdentity({ seed })
  identity.listen()
  const warnings: string[] = []
  const onWarning = (w: Error & { code?: string }) => { if (w.code === 'late-request') warnings.push(w.message) }
  process.on('warning', onWarning)
  try {
    await body(identity, warnings)
  } finally {
    process.off('warning', onWarning)
    identity.close()
  }
}

describe('a call that timed out keeps running but cannot reach the next test', () => {
  test('its later admin request is refused (late-request), nothing is stored or logged, and its env writes vanish', async () => {
    const first = createIdentity({ seed: 1 })
    first.listen()
    let lateError: unknown
    const finished = new Promise<void>((resolve) => {
      const hang = async (_e: HandlerEvent, context: LambdaContext) => {
        await sleep(40) // after the 15 ms timeout
        process.env.NIH_GHOST = 'from the timed-out call'
        try {
          await fetch(`${context.clientContext.identity!.url}/admin/users`, {
            method: 'POST',
            headers: { authorization: `Bearer ${context.clientContext.identity!.token}` },
            body: JSON.stringify({ email: 'ghost@example.com', password: 'x' }),
          })
        } catch (error) {
          lateError = error
        }
        resolve()
        return { statusCode: 200, body: '' }
      }
      void first.trigger(hang, 'signup', first.fakeUser(), { timeoutMs: 15, attempts: 1 }).then((outcome) => {
        expect(outcome.status).toBe(504)
        ;(globalThis as { nihOutcome?: typeof outcome }).nihOutcome = outcome
      })
    })
    const warnings: string[] = []
    const onWarning = (w: Error & { code?: string }) => { if (w.code === 'late-request') warnings.push(w.message) }
    process.on('warning', onWarning)
    try {
      await finished
      await sleep(5)
    } finally {
      process.off('warning', onWarning)
      first.close()
    }
    expect(lateError).toBeInstanceOf(TypeError)
    expect(first.users.findByEmail('ghost@example.com')).toBeUndefined()
    expect(first.requests.filter((r) => r.path === '/admin/users')).toEqual([])
    expect(process.env.NIH_GHOST).toBeUndefined()
    const outcome = (globalThis as { nihOutcome?: { diagnostics: { code: string; message: string }[] } }).nihOutcome!
    const late = outcome.diagnostics.find((d) => d.code === 'late-request')
    expect(late?.message).toContain('POST https://site.netlify.test/.netlify/identity/admin/users')
    expect(warnings).toHaveLength(1)
  })

  test('an un-awaited request to another host, sent after the function answered: late-request on the outcome, not lost', () =>
    // (Before, a request nothing served was added to the call's list after its verdict was made,
    // and so reported nowhere.)
    withLateWarnings(4, async (identity, warnings) => {
      let sent!: Promise<unknown>
      const outcome = await identity.trigger(async () => {
        sent = sleep(5).then(() => fetch('https://crm.example.test/contacts', { method: 'PUT' })).catch((e: unknown) => e)
        return { statusCode: 204 }
      }, 'signup')
      expect(outcome.allowed).toBe(true)
      expect(await sent).toBeInstanceOf(TypeError)
      await sleep(5)
      const late = outcome.diagnostics.filter((d) => d.code === 'late-request')
      expect(late).toHaveLength(1)
      expect(late[0]!.message).toBe(
        "identity-signup sent PUT https://crm.example.test/contacts after its call had settled (it timed out, or answered before its request went out), and nothing serves it in the test, so it failed. Await every request before answering. Serve it with an msw handler, identityServer.use(http.put('https://crm.example.test/contacts', …)), or identity.listen(handler).",
      )
      expect(outcome.diagnostics.map((d) => d.code)).not.toContain('unserved-request')
      expect(warnings).toEqual([late[0]!.message])
    }))

  test('the same late request retried: one late-request and one warning, not one per retry', () =>
    withLateWarnings(6, async (identity, warnings) => {
      let sent!: Promise<unknown>
      const outcome = await identity.trigger(async () => {
        const once = () => fetch('https://crm.example.test/contacts', { method: 'PUT' }).catch(() => undefined)
        sent = sleep(5).then(once).then(once).then(once)
        return { statusCode: 204 }
      }, 'signup')
      await sent
      await sleep(5)
      expect(outcome.diagnostics.filter((d) => d.code === 'late-request')).toHaveLength(1)
      expect(warnings).toHaveLength(1)
    }))

  test('a timed-out call still retrying a host nothing serves: late-request on its outcome, but no process warning', () =>
    // (check runs such a client: its stderr must stay clean, and the timeout says what happened.)
    withLateWarnings(5, async (identity, warnings) => {
      let retried!: () => void
      const done = new Promise<void>((r) => (retried = r))
      const outcome = await identity.trigger(async () => {
        await sleep(30)
        await fetch('https://crm.example.test/contacts', { method: 'POST' }).catch(() => undefined)
        retried()
        return { statusCode: 204 }
      }, 'signup', identity.fakeUser(), { timeoutMs: 10, attempts: 1 })
      expect(outcome.status).toBe(504)
      await done
      await sleep(5)
      expect(outcome.diagnostics.map((d) => d.code)).toEqual(['timeout', 'late-request'])
      expect(warnings).toEqual([])
    }))

  test('a request made before the call settled is answered and logged as usual', async () => {
    const identity = createIdentity({ seed: 2 })
    identity.listen()
    try {
      const res = await identity.invoke(async (_e: HandlerEvent, context: LambdaContext) => {
        const r = await fetch(`${context.clientContext.identity!.url}/admin/users`, { headers: { authorization: `Bearer ${context.clientContext.identity!.token}` } })
        return { statusCode: 200, body: String(r.status) }
      })
      expect(res.body).toBe('200')
      expect(res.diagnostics.map((d) => d.code)).not.toContain('late-request')
      expect(identity.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /admin/users'])
    } finally {
      identity.close()
    }
  })
})

describe('process.env during calls', () => {
  test('overlapping calls with env each see their own value, and process.env ends exactly as it was', async () => {
    const identity = createIdentity({ seed: 3 })
    const before = { ...process.env }
    const fn = async () => {
      const a = process.env.NIH_OVERLAP
      await sleep(5)
      process.env.NIH_WRITTEN = `${a}-written`
      await sleep(5)
      return { statusCode: 200, body: JSON.stringify({ a, b: process.env.NIH_OVERLAP, w: process.env.NIH_WRITTEN, keys: Object.keys(process.env).includes('NIH_OVERLAP') }) }
    }
    const [one, two] = await Promise.all([
      identity.invoke(fn, { env: { NIH_OVERLAP: 'one' } }),
      identity.invoke(fn, { env: { NIH_OVERLAP: 'two' } }),
    ])
    expect(JSON.parse(one.body)).toEqual({ a: 'one', b: 'one', w: 'one-written', keys: true })
    expect(JSON.parse(two.body)).toEqual({ a: 'two', b: 'two', w: 'two-written', keys: true })
    expect({ ...process.env }).toEqual(before)
  })

  test('env: { X: undefined } unsets X for the call only', async () => {
    process.env.NIH_PRESET = 'outside'
    try {
      const identity = createIdentity({ seed: 4 })
      const res = await identity.invoke(async () => ({ statusCode: 200, body: String('NIH_PRESET' in process.env) }), { env: { NIH_PRESET: undefined } })
      expect(res.body).toBe('false')
      expect(process.env.NIH_PRESET).toBe('outside')
    } finally {
      delete process.env.NIH_PRESET
    }
  })

  test("Netlify's runtime variables are set during a call from the instance, overridable by env, and never outside (issue 11 item 5)", async () => {
    const identity = createIdentity({ seed: 5, siteUrl: 'https://shop.netlify.test' })
    const names = ['URL', 'DEPLOY_URL', 'DEPLOY_PRIME_URL', 'SITE_NAME', 'SITE_ID', 'CONTEXT', 'NETLIFY', 'BRANCH', 'DEPLOY_ID'] as const
    const read = async () => ({ statusCode: 200, body: JSON.stringify(Object.fromEntries(names.map((n) => [n, process.env[n]]))) })
    const env = JSON.parse((await identity.invoke(read)).body) as Record<string, string>
    expect(env.URL).toBe('https://shop.netlify.test')
    expect(env.SITE_NAME).toBe('shop')
    expect(env.CONTEXT).toBe('production')
    expect(env.NETLIFY).toBe('true')
    expect(env.SITE_ID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(env.DEPLOY_URL).toBe(`https://${env.DEPLOY_ID}--shop.netlify.app`)
    expect(env.DEPLOY_PRIME_URL).toBe('https://main--shop.netlify.app')
    const v2 = await identity.invoke({ default: async (_r: Request, c: { site: { url?: string; name?: string } }) => Response.json(c.site) })
    expect(JSON.parse(v2.body)).toMatchObject({ url: 'https://shop.netlify.test', name: 'shop' })
    const preview = JSON.parse((await identity.invoke(read, { env: { CONTEXT: 'deploy-preview' } })).body) as Record<string, string>
    expect(preview.CONTEXT).toBe('deploy-preview')
    const dev = JSON.parse((await createIdentity({ mode: 'netlify-dev' }).invoke(read)).body) as Record<string, string>
    expect(dev.CONTEXT).toBe('dev')
    for (const n of names) expect(process.env[n], n).toBe(undefined)
  })

  test('observeEnvReads reports module-scope and call-time reads with the value the reader got (for check)', async () => {
    const identity = createIdentity({ seed: 6 })
    const reads: EnvRead[] = []
    await observeEnvReads(() => identity.trigger(async () => {
      void process.env.NIH_NEVER_SET
      void process.env.URL
      return { statusCode: 204 }
    }, 'signup'), (r) => reads.push(r))
    expect(reads).toContainEqual({ name: 'NIH_NEVER_SET', value: undefined })
    expect(reads).toContainEqual({ name: 'URL', value: 'https://site.netlify.test' })
    void process.env.NIH_AFTER
    expect(reads.some((r) => r.name === 'NIH_AFTER')).toBe(false)
  })
})

describe('v2 globals', () => {
  test('deleting globalThis.Netlify in one call does not break the calls after it while another is pending', async () => {
    const identity = createIdentity({ seed: 7 })
    let release!: () => void
    const slow = identity.invoke({ default: async () => { await new Promise<void>((r) => { release = r }); return new Response('slow') } })
    await sleep(1)
    await identity.invoke({ default: async () => { delete (globalThis as { Netlify?: unknown }).Netlify; return new Response('deleted') } })
    const later = await identity.invoke({ default: async () => new Response(typeof (globalThis as { Netlify?: { env?: unknown } }).Netlify?.env) })
    expect(later.body).toBe('object')
    release()
    expect((await slow).body).toBe('slow')
    expect((globalThis as { Netlify?: unknown }).Netlify).toBeUndefined()
  })
})

describe('one rule for the Authorization header (issue 10 §5)', () => {
  test('user (or token) together with headers.authorization is refused with a HarnessError', async () => {
    const identity = createIdentity({ seed: 8 })
    const fn = async () => ({ statusCode: 200, body: '' })
    await expect(identity.invoke(fn, { user: identity.fakeUser(), headers: { Authorization: 'Bearer other' } })).rejects.toMatchObject({ name: 'HarnessError', code: 'ERR_INVALID_OPTION' })
    await expect(identity.invoke(fn, { user: identity.fakeUser(), token: 'raw' })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' })
  })

  test('the client context is built from the header the function receives', async () => {
    const identity = createIdentity({ seed: 9 })
    const user = identity.fakeUser()
    const token = await identity.token(user)
    const res = await identity.invoke(async (e: HandlerEvent, c: LambdaContext) => ({ statusCode: 200, body: JSON.stringify({ header: e.headers.authorization, sub: c.clientContext.user?.sub }) }), { headers: { AUTHORIZATION: `Bearer ${token}` } })
    expect(JSON.parse(res.body)).toEqual({ header: `Bearer ${token}`, sub: user.id })
  })
})
