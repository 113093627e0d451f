import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import GoTrue from 'gotrue-js'
import nodeFetch from 'node-fetch'
import axios from 'axios'
import { createIdentity } from '../src/index.js'
import type { V1Handler } from '../src/index.js'
import { claimsOf } from './gotrue-helpers.js'

// Real clients against the emulator; nothing but msw interception (unhandled requests are errors).
const identity = createIdentity({ seed: 5 })
beforeAll(() => identity.listen())
afterAll(() => identity.close())
beforeEach(() => identity.reset())

describe('gotrue-js 1.0.1', () => {
  test('signs up, confirms from the mail, logs in, reads and updates the user, logs out', async () => {
    const auth = new GoTrue({ APIUrl: identity.url })
    const signup = await auth.signup('js@site.test', 'hunter22', { full_name: 'Jay Ess' })
    expect(signup).toMatchObject({ email: 'js@site.test', confirmation_sent_at: expect.any(String), user_metadata: { full_name: 'Jay Ess' } })
    expect(signup).not.toHaveProperty('confirmed_at')

    // Not confirmed yet: GoTrue's OAuth error surfaces as gotrue-js's message
    await expect(auth.login('js@site.test', 'hunter22')).rejects.toThrow('invalid_grant: Email not confirmed')

    const { token } = identity.mail.last('js@site.test', 'confirmation')!
    const confirmed = await auth.confirm(token)
    expect(confirmed.email).toBe('js@site.test')
    expect(confirmed.confirmed_at).toEqual(expect.any(String))

    const user = await auth.login('js@site.test', 'hunter22')
    expect(user.id).toBe(signup.id)
    expect(user.token?.token_type).toBe('bearer')
    expect(claimsOf(await user.jwt())).toMatchObject({ sub: signup.id, email: 'js@site.test' })

    const fresh = await user.getUserData()
    expect(fresh.user_metadata).toEqual({ full_name: 'Jay Ess' })

    const updated = await user.update({ data: { theme: 'dark' } })
    expect(updated.user_metadata).toEqual({ full_name: 'Jay Ess', theme: 'dark' })
    expect(identity.users.findByEmail('js@site.test')!.user_metadata).toEqual({ full_name: 'Jay Ess', theme: 'dark' })

    // jwt(true) forces a refresh through the rotating refresh token
    const before = user.token!.refresh_token
    await user.jwt(true)
    expect(user.token!.refresh_token).not.toBe(before)

    await user.logout()
    const logout = identity.requests.at(-1)!
    expect(logout).toMatchObject({ method: 'POST', path: '/logout', status: 204 })
    expect(identity.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /signup 200',
      'POST /token 400',
      'POST /verify 200',
      'GET /user 200',
      'POST /token 200',
      'GET /user 200',
      'GET /user 200',
      'PUT /user 200',
      'POST /token 200',
      'POST /logout 204',
    ])
  })

  test('a wrong password is gotrue-js\'s invalid_grant error', async () => {
    identity.createUser({ email: 'known@site.test', password: 'right' })
    const auth = new GoTrue({ APIUrl: identity.url })
    await expect(auth.login('known@site.test', 'wrong')).rejects.toThrow(
      'invalid_grant: No user found with that email, or password invalid.',
    )
  })
})

describe('a function calling the admin API (real-world-patterns.md)', () => {
  type Fetcher = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{ status: number; json(): Promise<any> }>
  const clients: Record<string, Fetcher> = {
    'global fetch': (url, init) => fetch(url, init),
    'node-fetch v2': (url, init) => nodeFetch(url, init),
    axios: async (url, init) => {
      const res = await axios.request({ url, method: init.method, headers: init.headers, data: init.body, validateStatus: () => true })
      return { status: res.status, json: async () => res.data }
    },
  }

  /** A v1 handler that gives the calling user a role through the admin API, as real sites do. */
  const makeHandler = (send: Fetcher): V1Handler => async (_event, context) => {
    const { identity: gotrue, user } = (context as any).clientContext
    if (!user) return { statusCode: 401, body: 'login first' }
    const headers = { Authorization: `Bearer ${gotrue.token}` } // no content type, as 6 of 9 real functions
    const put = await send(`${gotrue.url}/admin/users/${user.sub}`, { method: 'PUT', headers, body: JSON.stringify({ app_metadata: { roles: ['pro'] } }) })
    const list = await send(`${gotrue.url}/admin/users?per_page=100`, { method: 'GET', headers })
    const missing = await send(`${gotrue.url}/admin/users/not-a-uuid`, { method: 'GET', headers })
    return {
      statusCode: 200,
      body: JSON.stringify({ put: [put.status, await put.json()], list: [list.status, await list.json()], missing: [missing.status, await missing.json()] }),
    }
  }

  const results: Record<string, unknown> = {}
  for (const [name, send] of Object.entries(clients)) {
    test(`${name}: PUT merges roles, GET lists, a bad id is GoTrue's 400`, async () => {
      const user = identity.createUser()
      const res = await identity.invoke(makeHandler(send), { user, method: 'POST' })
      expect(res.statusCode).toBe(200)
      const body = JSON.parse(res.body)
      expect(body.put).toEqual([200, { ...user, app_metadata: { provider: 'email', roles: ['pro'] }, updated_at: expect.any(String) }])
      expect(body.list[0]).toBe(200)
      expect(body.list[1].users.map((u: any) => u.id)).toEqual([user.id])
      expect(body.missing).toEqual([400, { code: 400, msg: 'user_id must be an UUID' }])
      expect(identity.users.get(user.id)!.app_metadata.roles).toEqual(['pro'])
      results[name] = { ...body, put: [body.put[0], { ...body.put[1], id: 'x', email: 'x', updated_at: 'x', created_at: 'x', confirmed_at: 'x', user_metadata: 'x' }] }
    })
  }

  test('every client saw the same results', () => {
    const values = Object.values(results).map((r: any) => JSON.stringify({ ...r, list: r.list[0] }))
    expect(values).toHaveLength(3)
    expect(new Set(values).size).toBe(1)
  })

  test('without a bearer the function gets no user (production clientContext)', async () => {
    const res = await identity.invoke(makeHandler(clients['global fetch']!))
    expect(res.statusCode).toBe(401)
    expect(identity.requests).toEqual([])
  })
})

describe('README recipe: a function that calls the admin API', () => {
  const upgrade = {
    handler: async (_event: unknown, context: any) => {
      const { identity: gotrue, user } = context.clientContext
      if (!user) return { statusCode: 401, body: 'login first' }
      const res = await fetch(`${gotrue.url}/admin/users/${user.sub}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${gotrue.token}` },
        body: JSON.stringify({ app_metadata: { roles: ['pro'] } }),
      })
      return { statusCode: res.ok ? 200 : 502, body: await res.text() }
    },
  }

  test('upgrade merges the role into app_metadata', async () => {
    const user = identity.createUser()
    const res = await identity.invoke(upgrade, { user, method: 'POST' })
    expect(res.statusCode).toBe(200)
    expect(identity.users.get(user.id)?.app_metadata).toEqual({ provider: 'email', roles: ['pro'] })
    expect(identity.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`PUT /admin/users/${user.id} 200`])
  })

  test('a failing GoTrue is handled', async () => {
    identity.inject({ method: 'PUT', path: '/admin/users/:id', status: 500 })
    expect((await identity.invoke(upgrade, { user: identity.createUser() })).statusCode).toBe(502)
  })
})
