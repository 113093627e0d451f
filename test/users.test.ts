import { describe, expect, test } from 'vitest'
import { createIdentity, HarnessError } from '../src/index.js'

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('fakeUser: GoTrue user JSON (gotrue.md §3)', () => {
  test('has exactly the keys GoTrue serialises for a confirmed email user, in GoTrue order', () => {
    const user = createIdentity({ seed: 7 }).fakeUser()
    expect(Object.keys(user)).toEqual(['id', 'aud', 'role', 'email', 'confirmed_at', 'app_metadata', 'user_metadata', 'created_at', 'updated_at'])
    expect(user.id).toMatch(UUID_V4)
    expect(user.aud).toBe('')
    expect(user.role).toBe('')
    expect(user.app_metadata).toEqual({ provider: 'email' })
    expect(user.email).toMatch(/^[^@\s]+@example\.(com|net|org)$/)
    for (const k of ['confirmed_at', 'created_at', 'updated_at'] as const) expect(user[k]).toMatch(RFC3339)
    expect(user).not.toHaveProperty('email_confirmed_at')
  })

  test('an unconfirmed user omits confirmed_at and has confirmation_sent_at (§3: omitted when null)', () => {
    const user = createIdentity().fakeUser({ confirmed: false })
    expect(user).not.toHaveProperty('confirmed_at')
    expect(user.confirmation_sent_at).toMatch(RFC3339)
  })

  test('timestamps are ordered and relative to a fixed reference date without a clock', () => {
    const user = createIdentity({ seed: 3 }).fakeUser()
    expect(Date.parse(user.created_at)).toBeLessThanOrEqual(Date.parse(user.confirmed_at!))
    expect(Date.parse(user.confirmed_at!)).toBeLessThanOrEqual(Date.parse('2026-01-01T00:00:00Z'))
  })

  test('follows the instance clock when one is given', () => {
    const identity = createIdentity({ now: () => new Date('2030-06-01T00:00:00Z') })
    const user = identity.fakeUser()
    expect(Date.parse(user.created_at)).toBeGreaterThan(Date.parse('2029-05-31T00:00:00Z'))
    expect(Date.parse(user.updated_at)).toBeLessThanOrEqual(Date.parse('2030-06-01T00:00:00Z'))
  })
})

describe('fakeUser: overrides and shorthands', () => {
  const identity = createIdentity({ seed: 11 })

  test('top-level fields replace; metadata maps merge shallowly over the defaults', () => {
    const user = identity.fakeUser({
      email: 'ada@example.com',
      role: 'admin',
      app_metadata: { plan: 'pro' },
      user_metadata: { theme: 'dark' },
    })
    expect(user.email).toBe('ada@example.com')
    expect(user.role).toBe('admin')
    expect(user.app_metadata).toEqual({ provider: 'email', plan: 'pro' })
    expect(user.user_metadata).toMatchObject({ theme: 'dark', full_name: expect.any(String) })
  })

  test('roles and provider shorthands write app_metadata', () => {
    const user = identity.fakeUser({ roles: ['editor', 'admin'], provider: 'email' })
    expect(user.app_metadata).toEqual({ provider: 'email', roles: ['editor', 'admin'] })
  })

  test("external providers get GoTrue's full_name and avatar_url (§3)", () => {
    const user = identity.fakeUser({ provider: 'github' })
    expect(user.app_metadata.provider).toBe('github')
    expect(user.user_metadata).toEqual({ full_name: expect.any(String), avatar_url: expect.stringMatching(/^https:\/\//) })
  })

  test('an empty map override gives an empty map (merging {} would silently keep the generated keys)', () => {
    // The README's headline bug: a hook reading user_metadata.full_name must be testable without it.
    expect(identity.fakeUser({ user_metadata: {} }).user_metadata).toEqual({})
    expect(identity.fakeUser({ app_metadata: {} }).app_metadata).toEqual({})
    expect(identity.createUser({ user_metadata: {} }).user_metadata).toEqual({})
    // The shorthands still write into the emptied map; a key set to undefined removes just that key.
    expect(identity.fakeUser({ app_metadata: {}, roles: ['a'] }).app_metadata).toEqual({ roles: ['a'] })
    expect(identity.fakeUser({ user_metadata: { full_name: undefined, theme: 'x' } }).user_metadata).toEqual({ theme: 'x' })
  })

  test('user_metadata: null gives the null map GoTrue returns for users created without data', () => {
    expect(identity.fakeUser({ user_metadata: null }).user_metadata).toBeNull()
  })

  test('rejects bad overrides with stable codes', () => {
    expect(() => identity.fakeUser({ roles: 'admin' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_USER' }))
    expect(() => identity.fakeUser('x' as never)).toThrow(HarnessError)
    expect(() => identity.fakeUser({ provider: 3 as never })).toThrow(/provider must be a string/)
  })

  test('a key no GoTrue user has is refused, naming what was probably meant, instead of dropped', () => {
    // @netlify/identity hands out camelCase users: their spelling is the likeliest slip.
    expect(() => identity.fakeUser({ userMetadata: { plan: 'pro' } } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_USER', message: expect.stringMatching(/^fakeUser\(\) and createUser\(\) have no "userMetadata" override: did you mean "user_metadata"\? They take GoTrue's snake_case user fields \(id, aud, role, email, /) }),
    )
    expect(() => identity.fakeUser({ confirmedAt: '2026-01-01T00:00:00Z' } as never)).toThrow(/did you mean "confirmed_at"\?/)
    expect(() => identity.fakeUser({ emial: 'a@example.com' } as never)).toThrow(/no "emial" override: did you mean "email"\?/)
    expect(() => identity.fakeUser({ role: 'x', provder: 'github' } as never)).toThrow(/no "provder" override: did you mean "provider"\?/)
    expect(() => identity.fakeUser({ password: 'secret' } as never)).toThrow(/no "password" override\. .*createUser\(\) also password/)
    // …and nothing was stored or used up: the next user is the one that would have come anyway.
    const fresh = createIdentity({ seed: 5 })
    expect(() => fresh.createUser({ appMetadata: {} } as never)).toThrow(/did you mean "app_metadata"\?/)
    expect(() => fresh.fakeUser({ zzz: 1 } as never)).toThrow(/^fakeUser\(\) and createUser\(\) have no "zzz" override\. They take/)
    expect(fresh.users.all()).toEqual([])
    expect(fresh.fakeUser()).toEqual(createIdentity({ seed: 5 }).fakeUser())
  })

  test('returned users are independent copies', () => {
    const roles = ['a']
    const user = identity.fakeUser({ roles })
    roles.push('b')
    expect(user.app_metadata.roles).toEqual(['a'])
  })
})

describe('fakeUser: determinism (design.md, rules of fidelity)', () => {
  test('same seed => equal users; different seeds => different ids and e-mails', () => {
    const a = createIdentity({ seed: 5 })
    const b = createIdentity({ seed: 5 })
    const c = createIdentity({ seed: 6 })
    const ua = [a.fakeUser(), a.fakeUser()]
    expect([b.fakeUser(), b.fakeUser()]).toEqual(ua)
    const uc = [c.fakeUser(), c.fakeUser()]
    expect(uc.map((u) => u.id)).not.toEqual(ua.map((u) => u.id))
    expect(uc.map((u) => u.email)).not.toEqual(ua.map((u) => u.email))
  })

  test('does not depend on the global faker or Math.random', async () => {
    const { faker } = await import('@faker-js/faker/locale/en')
    const first = createIdentity({ seed: 9 }).fakeUser()
    faker.seed(123)
    faker.person.firstName()
    const random = Math.random
    Math.random = () => 0.5
    try {
      expect(createIdentity({ seed: 9 }).fakeUser()).toEqual(first)
    } finally {
      Math.random = random
    }
  })

  test('10,000 users from one instance are all distinct', () => {
    const identity = createIdentity({ seed: 1 })
    const ids = new Set<string>()
    const emails = new Set<string>()
    for (let i = 0; i < 10_000; i++) {
      const u = identity.fakeUser()
      ids.add(u.id)
      emails.add(u.email)
    }
    expect(ids.size).toBe(10_000)
    expect(emails.size).toBe(10_000)
  })
})

describe('createIdentity options', () => {
  test('url is siteUrl + /.netlify/identity, trailing slash removed', () => {
    expect(createIdentity().url).toBe('https://site.netlify.test/.netlify/identity')
    expect(createIdentity({ siteUrl: 'https://example.netlify.app/' }).url).toBe('https://example.netlify.app/.netlify/identity')
  })

  test('invalid options throw ERR_INVALID_OPTION', () => {
    expect(() => createIdentity({ siteUrl: 'not a url' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION' }))
    expect(() => createIdentity({ siteUrl: 'ftp://x.test' })).toThrow(/http/)
    expect(() => createIdentity({ seed: 1.5 })).toThrow(/integer/)
    expect(() => createIdentity({ jwtSecret: '' })).toThrow(/jwtSecret/)
    expect(() => createIdentity({ mode: 'dev' as never })).toThrow(/mode/)
  })

  test('functions keys are event names: a file name, a typo or a non-object throws ERR_INVALID_OPTION naming the fix', () => {
    const handler = async () => ({ statusCode: 200 })
    expect(() => createIdentity({ functions: { 'identity-signup': handler } as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', message: expect.stringMatching(/unknown key "identity-signup".*write signup: /) }),
    )
    expect(() => createIdentity({ functions: { 'identity-login-background': handler } as never })).toThrow(/write login: /)
    expect(() => createIdentity({ functions: { signin: handler } as never })).toThrow(/unknown key "signin": its keys are event names \(validate, signup, login, usermodified, userdeleted\)$/)
    expect(() => createIdentity({ functions: null as never })).toThrow(/got null/)
    expect(() => createIdentity({ functions: [handler] as never })).toThrow(/got an array/)
    expect(() => createIdentity({ functions: new URL('file:///site/netlify/functions/') as never })).toThrow(/got a URL \(pass fileURLToPath\(url\)\)/)
    expect(() => createIdentity({ functions: new Map([['signup', handler]]) as never })).toThrow(/got a Map object/)
    expect(createIdentity({ functions: Object.assign(Object.create(null) as object, { signup: handler }) }).url).toMatch(/identity$/)
    // The valid forms still construct.
    expect(createIdentity({ functions: { validate: handler, signup: handler, login: handler, usermodified: handler, userdeleted: handler } }).url).toMatch(/identity$/)
    expect(createIdentity({ functions: 'netlify/functions' }).url).toMatch(/identity$/)
  })

  test('the instance id is seeded', () => {
    expect(createIdentity({ seed: 2 }).instanceId).toBe(createIdentity({ seed: 2 }).instanceId)
    expect(createIdentity({ seed: 2 }).instanceId).not.toBe(createIdentity({ seed: 3 }).instanceId)
  })
})
