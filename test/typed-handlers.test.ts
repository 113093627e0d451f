import type { User } from '@netlify/functions'
import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { fromCamelUser, toCamelUser } from '../src/users/camel.js'
import type { GoTrueUser } from '../src/types.js'

const identity = createIdentity({ seed: 31 })
const FILE = 'test/fixtures/functions/typed/identity.mts'

describe('camelCase User ↔ GoTrue snake_case (functions-runtime.md §2.3)', () => {
  const gotrue: GoTrueUser = {
    id: '6f1c1c53-9b2f-4d0e-8a53-0c2b1f3f6a10', aud: '', role: '', email: 'ada@example.com',
    confirmed_at: '2025-01-02T00:00:00Z', invited_at: '2025-01-01T00:00:00Z', new_email: 'ada@new.example.com',
    app_metadata: { provider: 'github', roles: ['admin'], plan: 'pro' },
    user_metadata: { full_name: 'Ada L', avatar_url: 'https://img.test/a.png', theme: 'dark' },
    created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-03T00:00:00Z',
  }

  test('snake → camel: fields lifted from the maps, empty role omitted, maps copied', () => {
    const user = toCamelUser(gotrue)
    const typed: User = user // the shape @netlify/functions 5.3 declares
    expect(typed).toEqual({
      id: gotrue.id, email: 'ada@example.com', confirmedAt: '2025-01-02T00:00:00Z', createdAt: '2025-01-01T00:00:00Z',
      updatedAt: '2025-01-03T00:00:00Z', invitedAt: '2025-01-01T00:00:00Z', pendingEmail: 'ada@new.example.com',
      provider: 'github', name: 'Ada L', pictureUrl: 'https://img.test/a.png', roles: ['admin'],
      userMetadata: gotrue.user_metadata, appMetadata: gotrue.app_metadata,
    })
    expect(user.appMetadata).not.toBe(gotrue.app_metadata)
  })

  test('null user_metadata and non-array roles', () => {
    const user = toCamelUser({ ...gotrue, user_metadata: null, app_metadata: { provider: 'email', roles: 'admin' as never } })
    expect(user.userMetadata).toEqual({})
    expect(user).not.toHaveProperty('roles')
    expect(user).not.toHaveProperty('name')
  })

  test('camel → snake: roles/provider into app_metadata, name/pictureUrl into user_metadata', () => {
    const { user, diagnostics } = fromCamelUser({ ...toCamelUser(gotrue), roles: ['editor'], name: 'Ada Lovelace', pictureUrl: 'https://img.test/b.png' })
    expect(user).toMatchObject({
      id: gotrue.id, email: 'ada@example.com', confirmed_at: '2025-01-02T00:00:00Z', new_email: 'ada@new.example.com',
      app_metadata: { provider: 'github', roles: ['editor'], plan: 'pro' },
      user_metadata: { full_name: 'Ada Lovelace', avatar_url: 'https://img.test/b.png', theme: 'dark' },
    })
    expect(diagnostics).toEqual([])
  })

  test('a change made only in appMetadata.roles is overwritten by the stale top-level roles, and flagged', () => {
    const received = toCamelUser(gotrue)
    const returned = { ...received, appMetadata: { ...received.appMetadata, roles: ['editor'] } }
    const { user, diagnostics } = fromCamelUser(returned, received)
    expect((user.app_metadata as { roles: string[] }).roles).toEqual(['admin'])
    expect(diagnostics.map((d) => d.code)).toEqual(['typed-user-conflict'])
  })
})

describe('typed event handlers through GoTrue\'s rules (§2.3)', () => {
  test('deny() → 401 → retried and blocked', async () => {
    const outcome = await identity.trigger(FILE, 'validate', identity.fakeUser({ email: 'x@blocked.test' }))
    expect(outcome).toMatchObject({ allowed: false, status: 422, attempts: 3 })
    expect(outcome.response?.statusCode).toBe(401)
  })

  test('undefined → 200 with no body: allowed, user unchanged', async () => {
    const user = identity.fakeUser()
    const outcome = await identity.trigger(FILE, 'validate', user)
    expect(outcome).toMatchObject({ allowed: true, status: 200 })
    expect(outcome.response).toMatchObject({ statusCode: 200, body: '' })
    expect(outcome.user.app_metadata).toEqual(user.app_metadata)
  })

  test('{ user } → snake_case, then GoTrue replaces the maps', async () => {
    const outcome = await identity.trigger(FILE, 'signup', identity.fakeUser())
    expect(outcome.allowed).toBe(true)
    expect(outcome.user.app_metadata).toEqual({ provider: 'email', roles: ['subscriber'] })
    expect(outcome.user.user_metadata).toEqual({ full_name: 'From Typed Handler' })
    expect(outcome.diagnostics).toEqual([])
  })

  test('userDeleted gets no deny()', async () => {
    let hasDeny: boolean | undefined
    const outcome = await identity.trigger({ default: { userDeleted: (e: { deny?: unknown }) => { hasDeny = 'deny' in e; return undefined } } }, 'userdeleted', identity.fakeUser())
    expect(hasDeny).toBe(false)
    expect(outcome.allowed).toBe(true)
  })

  test('an object without a handler for the event blocks with a diagnostic', async () => {
    const outcome = await identity.trigger({ userSignup: () => undefined }, 'login', identity.fakeUser())
    expect(outcome.allowed).toBe(false)
    expect(outcome.diagnostics.map((d) => d.code)).toContain('typed-no-handler')
  })

  test('a payload the bootstrap rejects gets its 400 body', async () => {
    const typed = { default: { userSignup: () => undefined } }
    const bad = await identity.invoke(typed, { method: 'POST', headers: { 'x-netlify-event': 'identity_signup' }, body: { user: { id: 'x' } } })
    expect(bad.statusCode).toBe(400)
    expect(JSON.parse(bad.body)).toEqual({ error: 'Invalid event payload for "identity_signup": user.email must be a string' })
    const garbage = await identity.invoke(typed, { method: 'POST', headers: { 'x-netlify-event': 'identity_signup', 'content-type': 'application/json' }, body: '{nope' })
    expect(JSON.parse(garbage.body)).toEqual({ error: 'Failed to parse event payload as JSON for "identity_signup"' })
  })

  test('an unsupported return value: one invalid-response (500, retried, blocked), not also a crash of the function', async () => {
    const outcome = await identity.trigger({ default: { userSignup: () => ({ app_metadata: { roles: ['member'] } }) } }, 'signup', identity.fakeUser())
    expect(outcome).toMatchObject({ allowed: false, status: 422, attempts: 3 })
    expect(outcome.response?.statusCode).toBe(500)
    const codes = outcome.diagnostics.map((d) => d.code)
    expect(codes).toContain('invalid-response')
    expect(codes).not.toContain('threw')
    // A throw of the handler's own is still a crash.
    const thrown = await identity.trigger({ default: { userSignup: () => { throw new Error('boom') } } }, 'signup', identity.fakeUser())
    expect(thrown.diagnostics.map((d) => d.code)).toContain('threw')
  })

  test('an HTTP request without x-netlify-event goes to fetch', async () => {
    const res = await identity.invoke({ default: { userSignup: () => undefined, fetch: () => new Response('fetched') } })
    expect(res).toMatchObject({ statusCode: 200, body: 'fetched' })
  })
})
