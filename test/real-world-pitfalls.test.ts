/**
 * Issue 11 items 6, 10–16: pitfalls seen in real Identity functions (real-world-patterns.md,
 * "Defects the harness should surface"), each with a small function of the pattern. The
 * production outcome is kept; a diagnostic names the mistake.
 */
import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import type { GoTrueUser, HandlerEvent, LambdaContext } from '../src/index.js'

const codes = (x: { diagnostics: { code: string }[] }) => x.diagnostics.map((d) => d.code)
const adminFetch = (context: LambdaContext, path: string, init: RequestInit = {}) =>
  fetch(`${context.clientContext.identity!.url}${path}`, { ...init, headers: { authorization: `Bearer ${context.clientContext.identity!.token}` } })

describe('request bodies as clients send them (item 6)', () => {
  test("a string body without a content type gets fetch's text/plain;charset=UTF-8 and arrives as text", async () => {
    const identity = createIdentity({ seed: 20 })
    const res = await identity.invoke(async (e: HandlerEvent) => ({ statusCode: 200, body: JSON.stringify({ type: e.headers['content-type'], b64: e.isBase64Encoded, x: JSON.parse(e.body!).x }) }), { method: 'POST', body: JSON.stringify({ x: 1 }) })
    expect(JSON.parse(res.body)).toEqual({ type: 'text/plain;charset=UTF-8', b64: false, x: 1 })
  })

  test('json: value sends JSON with content-type application/json; json and body together are refused', async () => {
    const identity = createIdentity({ seed: 21 })
    const res = await identity.invoke(async (e: HandlerEvent) => ({ statusCode: 200, body: `${e.headers['content-type']} ${e.body}` }), { method: 'POST', json: { a: [1] } })
    expect(res.body).toBe('application/json {"a":[1]}')
    await expect(identity.invoke(async () => ({ statusCode: 200 }), { json: {}, body: 'x' })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' })
  })

  test('a body base64-encoded by its content type, then a failed parse: base64-body', async () => {
    const identity = createIdentity({ seed: 22 })
    const res = await identity.invoke(async (e: HandlerEvent) => ({ statusCode: 200, body: String(JSON.parse(e.body!).x) }), { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/octet-stream' } })
    expect(res.statusCode).toBe(500)
    expect(res.diagnostics.find((d) => d.code === 'base64-body')?.message).toContain('application/octet-stream')
  })
})

describe('GoTrue answers during the call', () => {
  test('a GoTrue error the function ignored before answering 2xx: ignored-gotrue-error (item 11)', async () => {
    const identity = createIdentity({ seed: 23 })
    identity.listen()
    try {
      const outcome = await identity.trigger(async (event: HandlerEvent, context: LambdaContext) => {
        const { user } = JSON.parse(event.body!) as { user: GoTrueUser }
        await adminFetch(context, `/admin/users/${user.id}`, { method: 'PUT', body: JSON.stringify({ app_metadata: { roles: ['member'] } }) })
        return { statusCode: 200, body: '' }
      }, 'signup')
      expect(outcome.allowed).toBe(true)
      // the user is not stored yet when its signup hook runs: GoTrue answers 404
      expect(outcome.diagnostics.find((d) => d.code === 'ignored-gotrue-error')?.message).toMatch(/PUT \/admin\/users\/\S+ with 404/)
    } finally {
      identity.close()
    }
  })

  test('roles not an array in an admin PUT: admin-roles-not-array (item 12, netlify/functions#406)', async () => {
    const identity = createIdentity({ seed: 24 })
    identity.listen()
    try {
      const stored = identity.createUser()
      const res = await identity.invoke(async (_e: HandlerEvent, context: LambdaContext) => {
        const r = await adminFetch(context, `/admin/users/${stored.id}`, { method: 'PUT', body: JSON.stringify({ app_metadata: { roles: 'admin' } }) })
        return { statusCode: r.status, body: '' }
      })
      expect(res.statusCode).toBe(200)
      expect(res.diagnostics.find((d) => d.code === 'admin-roles-not-array')?.message).toContain('"admin"')
    } finally {
      identity.close()
    }
  })

  test('braces around the id in an admin path: admin-malformed-id (item 12)', async () => {
    const identity = createIdentity({ seed: 25 })
    identity.listen()
    try {
      const stored = identity.createUser()
      const res = await identity.invoke(async (_e: HandlerEvent, context: LambdaContext) => {
        const r = await adminFetch(context, `/admin/users/{${stored.id}}`)
        return { statusCode: 200, body: String(r.status) }
      })
      expect(res.diagnostics.find((d) => d.code === 'admin-malformed-id')?.message).toContain('braces')
      const byEmail = await identity.invoke(async (_e: HandlerEvent, context: LambdaContext) => {
        await adminFetch(context, `/admin/users/${stored.email}`)
        return { statusCode: 500, body: '' }
      })
      expect(codes(byEmail)).toContain('admin-malformed-id')
    } finally {
      identity.close()
    }
  })

  test('a missing id interpolated into an admin path (/admin/users/undefined): admin-malformed-id says the value was missing', async () => {
    const identity = createIdentity({ seed: 25 })
    identity.listen()
    try {
      const res = await identity.invoke(async (event: HandlerEvent, context: LambdaContext) => {
        const { userId } = JSON.parse(event.body ?? '{}') as { userId?: string }
        const r = await adminFetch(context, `/admin/users/${userId}`)
        return { statusCode: r.ok ? 204 : 502, body: '' }
      }, { method: 'POST', json: {} })
      const found = res.diagnostics.find((d) => d.code === 'admin-malformed-id')
      expect(found?.message).toContain('GET /admin/users/undefined: the user id is undefined, so the value put in the path was missing')
      expect(found?.message).not.toContain('braces')
      expect(found?.message).not.toContain('e-mail')
    } finally {
      identity.close()
    }
  })
})

describe('metadata, logs and files', () => {
  test('app_metadata.provider changed to another value: changed-provider (item 13)', async () => {
    const identity = createIdentity({ seed: 26 })
    const outcome = await identity.trigger(async (event: HandlerEvent) => {
      const { user } = JSON.parse(event.body!) as { user: GoTrueUser }
      return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, provider: 'github' } }) }
    }, 'signup')
    expect(outcome.user.app_metadata.provider).toBe('github')
    expect(outcome.diagnostics.find((d) => d.code === 'changed-provider')?.message).toContain('"email" to "github"')
    const kept = await identity.trigger(async (event: HandlerEvent) => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { ...JSON.parse(event.body!).user.app_metadata, roles: ['a'] } }) }), 'signup')
    expect(codes(kept)).toEqual([])
  })

  test('the admin token written to the log: admin-token-logged (item 14)', async () => {
    const identity = createIdentity({ seed: 27 })
    {
      const res = await identity.invoke(async (_e: HandlerEvent, context: LambdaContext) => {
        console.log('calling GoTrue with', context.clientContext.identity) // prints a test-only token
        return { statusCode: 200, body: '' }
      })
      expect(res.diagnostics.find((d) => d.code === 'admin-token-logged')?.message).toContain('console.log()')
      const quiet = await identity.invoke(async (_e: HandlerEvent, context: LambdaContext) => {
        console.log('calling', context.clientContext.identity!.url)
        return { statusCode: 200, body: '' }
      })
      expect(codes(quiet)).toEqual([])
    }
  })

  test('a file read outside the function folder: unbundled-file-read; a file beside it is fine (item 15)', async () => {
    const identity = createIdentity({ seed: 28 })
    const outside = await identity.trigger('test/fixtures/reads/netlify/functions/identity-validate.mjs', identity.fakeUser({ email: 'a@example.com' }))
    expect(outside.allowed).toBe(true)
    expect(outside.diagnostics.find((d) => d.code === 'unbundled-file-read')?.message).toContain('data/allowlist.txt')
    const beside = await identity.trigger('test/fixtures/reads/netlify/functions/identity-login.mjs')
    expect(codes(beside)).toEqual([])
  })

  test('sync-return: the diagnostic quotes the body Netlify answers (item 16)', async () => {
    const identity = createIdentity({ seed: 29 })
    const res = await identity.invoke((() => ({ statusCode: 200, body: 'ok' })) as never)
    expect(res.statusCode).toBe(500)
    const d = res.diagnostics.find((x) => x.code === 'sync-return')!
    expect(d.message).toContain(res.body)
    expect(d.message).not.toContain('invalid status code')
  })
})

describe('a function that lets a user write their own app_metadata: app-metadata-from-request (real-world-patterns.md, "Defects")', () => {
  /** The real-world shape: the signed-in user's update, forwarded to the admin API as it came. */
  const updateProfile = async (event: HandlerEvent, context: LambdaContext) => {
    const { user } = context.clientContext
    if (!user) return { statusCode: 401, body: 'login first' }
    const r = await adminFetch(context, `/admin/users/${user.sub}`, { method: 'PUT', body: event.body! })
    return { statusCode: r.status, body: await r.text() }
  }
  /** The other shape: one key picked from the body. */
  const setRoles = async (event: HandlerEvent, context: LambdaContext) => {
    const { user } = context.clientContext
    const { roles } = JSON.parse(event.body!)
    const r = await adminFetch(context, `/admin/users/${user?.sub}`, { method: 'PUT', body: JSON.stringify({ app_metadata: { roles } }) })
    return { statusCode: r.status, body: '' }
  }

  test('a member sends roles ["admin"] and the function forwards them: flagged, and the outcome stays production\'s (the store has the roles)', async () => {
    const identity = createIdentity({ seed: 40 })
    identity.listen()
    try {
      const member = identity.createUser({ roles: ['member'] })
      const res = await identity.invoke(updateProfile, { user: member, json: { app_metadata: { roles: ['admin'] }, user_metadata: { full_name: 'Mallory' } } })
      expect(res.statusCode).toBe(200)
      expect(identity.users.get(member.id)!.app_metadata.roles).toEqual(['admin'])
      const d = res.diagnostics.find((x) => x.code === 'app-metadata-from-request')
      expect(d?.message).toContain(`sent PUT /admin/users/${member.id} with app_metadata.roles = ["admin"] taken from the request body, for a caller who is not an admin`)
      const picked = await identity.invoke(setRoles, { user: identity.createUser(), json: { roles: ['editor'] } })
      expect(picked.diagnostics.find((x) => x.code === 'app-metadata-from-request')?.message).toContain('app_metadata.roles = ["editor"]')
    } finally {
      identity.close()
    }
  })

  test('not flagged: an admin caller, user_metadata only, a value the caller already had, a value the function chose', async () => {
    const identity = createIdentity({ seed: 41 })
    identity.listen()
    try {
      const admin = identity.createUser({ roles: ['admin'] })
      const asAdmin = await identity.invoke(setRoles, { user: admin, json: { roles: ['admin', 'editor'] } })
      expect(asAdmin.statusCode).toBe(200)
      expect(codes(asAdmin)).not.toContain('app-metadata-from-request')
      const member = identity.createUser({ roles: ['member'] })
      const profileOnly = await identity.invoke(updateProfile, { user: member, json: { user_metadata: { full_name: 'Mia' } } })
      expect(profileOnly.statusCode).toBe(200)
      expect(codes(profileOnly)).not.toContain('app-metadata-from-request')
      // The whole merged map sent back, roles unchanged: nothing was gained.
      const same = await identity.invoke(updateProfile, { user: member, json: { app_metadata: { roles: ['member'] } } })
      expect(codes(same)).not.toContain('app-metadata-from-request')
      const chosen = await identity.invoke(async (_e: HandlerEvent, context: LambdaContext) => {
        const r = await adminFetch(context, `/admin/users/${context.clientContext.user!.sub}`, { method: 'PUT', body: JSON.stringify({ app_metadata: { roles: ['member', 'newsletter'] } }) })
        return { statusCode: r.status, body: '' }
      }, { user: member, json: { roles: ['admin'] } })
      expect(codes(chosen)).not.toContain('app-metadata-from-request')
    } finally {
      identity.close()
    }
  })

  test('a caller without a valid token is named as such (the function trusted an id from the body)', async () => {
    const identity = createIdentity({ seed: 42 })
    identity.listen()
    try {
      const victim = identity.createUser()
      const res = await identity.invoke(async (event: HandlerEvent, context: LambdaContext) => {
        const { id, app_metadata } = JSON.parse(event.body!)
        const r = await adminFetch(context, `/admin/users/${id}`, { method: 'PUT', body: JSON.stringify({ app_metadata }) })
        return { statusCode: r.status, body: '' }
      }, { token: 'not-a-jwt', json: { id: victim.id, app_metadata: { plan: 'enterprise' } } })
      expect(res.statusCode).toBe(200)
      expect(res.diagnostics.find((x) => x.code === 'app-metadata-from-request')?.message).toContain('app_metadata.plan = "enterprise" taken from the request body, for a caller without a valid token')
    } finally {
      identity.close()
    }
  })
})
