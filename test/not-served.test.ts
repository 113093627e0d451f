import { describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'

// real-world-patterns.md: functions call `${clientContext.identity.url}/admin/users`; when a test
// forgot to serve the emulator, the failure should say so instead of only "fetch failed".
// No request leaves the process here: the handlers throw the errors each HTTP client throws
// when the host cannot be resolved (global fetch/undici, node-fetch v2, axios).
const dnsFailure = (host: string) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host, syscall: 'getaddrinfo' })
const clients = {
  'global fetch': (host: string) => new TypeError('fetch failed', { cause: dnsFailure(host) }),
  'node-fetch v2': (host: string) => Object.assign(new Error(`request to https://${host}/.netlify/identity/admin/users failed, reason: getaddrinfo ENOTFOUND ${host}`), { name: 'FetchError', code: 'ENOTFOUND', errno: 'ENOTFOUND' }),
  axios: (host: string) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { name: 'AxiosError', code: 'ENOTFOUND', cause: dnsFailure(host) }),
}

describe('a function calling GoTrue when nothing serves it', () => {
  test.each(Object.entries(clients))('v1 with %s: an identity-not-served diagnostic; the outcome stays production’s', async (_client, make) => {
    const identity = createIdentity()
    const res = await identity.invoke(async () => { throw make('site.netlify.test') })
    expect(res.statusCode).toBe(500)
    const d = res.diagnostics.find((x) => x.code === 'identity-not-served')
    expect(d?.message).toContain('identity.listen()')
  })

  test('v2 and hooks too', async () => {
    const identity = createIdentity()
    const res = await identity.invoke({ default: async () => { throw clients['global fetch']('site.netlify.test') } })
    expect(res.diagnostics.map((d) => d.code)).toContain('identity-not-served')
    const outcome = await identity.trigger(async () => { throw clients.axios('site.netlify.test') }, 'signup')
    expect(outcome.allowed).toBe(false)
    expect(outcome.diagnostics.map((d) => d.code)).toContain('identity-not-served')
  })

  test('a failure for another host gets no such diagnostic', async () => {
    const identity = createIdentity()
    const res = await identity.invoke(async () => { throw clients['global fetch']('api.other.test') })
    expect(res.diagnostics.map((d) => d.code)).not.toContain('identity-not-served')
  })
})
