// The `test` of `netlify-identity-harness/vitest`: a fresh instance per test seeded from the test's
// full name, one lazy msw server per file, unhandled requests as errors, reset after each test.
// Tests in this file run in order: the first one proves laziness before any server exists.
import { describe } from 'vitest'
import { hash32 } from '../src/random.js'
import { expect, seedForTest, test } from '../src/vitest.js'

const realFetch = globalThis.fetch

test('a test that does not use `identity` starts no server (lazy)', () => {
  expect(globalThis.fetch).toBe(realFetch)
})

describe('the identity fixture', () => {
  test('is seeded from a hash of the full test name', ({ identity }) => {
    expect(identity.seed).toBe(hash32('the identity fixture > is seeded from a hash of the full test name'))
    expect(identity.seed).toBe(seedForTest('the identity fixture > is seeded from a hash of the full test name'))
  })

  test('gives the same values as a fresh instance with that seed, whatever ran before', async ({ identity }) => {
    const { createIdentity } = await import('../src/identity.js')
    const twin = createIdentity({ seed: seedForTest('the identity fixture > gives the same values as a fresh instance with that seed, whatever ran before') })
    expect(identity.fakeUser()).toEqual(twin.fakeUser())
  })

  test('starts the file server on first use; unhandled requests are errors', async ({ identity, identityServer }) => {
    expect(identity).toBeDefined()
    expect(globalThis.fetch).not.toBe(realFetch)
    expect(identityServer.listHandlers().length).toBeGreaterThanOrEqual(identity.handlers.length)
    await expect(fetch('https://unhandled.example.test/')).rejects.toThrow()
  })

  test('serves the instance on the file server (gotrue.md §5: GET /settings)', async ({ identity }) => {
    const response = await fetch(`${identity.url}/settings`)
    expect(response.status).toBe(200)
  })

  test('a store written in one test…', async ({ identity }) => {
    identity.createUser({ email: 'left-behind@example.com' })
    expect(identity.users.all()).toHaveLength(1)
  })

  test('…is never seen by the next, and handlers added with identityServer.use are dropped', async ({ identity, identityServer }) => {
    expect(identity.users.all()).toHaveLength(0)
    const { http, HttpResponse } = await import('msw')
    identityServer.use(http.get('https://api.example.test/ping', () => HttpResponse.text('pong')))
    expect(await (await fetch('https://api.example.test/ping')).text()).toBe('pong')
  })

  test('(the override from the previous test is gone)', async ({ identity }) => {
    expect(identity).toBeDefined()
    await expect(fetch('https://api.example.test/ping')).rejects.toThrow()
  })
})

describe('identityOptions', () => {
  test.override('identityOptions', { seed: 42, siteUrl: 'https://other.netlify.test' })

  test('override the instance options; an explicit seed wins', ({ identity }) => {
    expect(identity.seed).toBe(42)
    expect(identity.url).toBe('https://other.netlify.test/.netlify/identity')
  })
})

describe.concurrent('concurrent tests', () => {
  for (const n of [1, 2, 3]) {
    test(`test ${n} gets its own name-derived seed`, async ({ identity }) => {
      await new Promise((r) => setTimeout(r, 5 * (3 - n)))
      expect(identity.seed).toBe(seedForTest(`concurrent tests > test ${n} gets its own name-derived seed`))
      expect((await fetch(`${identity.url}/settings`)).status).toBe(200)
    })
  }
})
