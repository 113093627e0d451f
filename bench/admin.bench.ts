/**
 * Case 2 (issue 6): an admin request — PUT /admin/users/:id through fetch and msw to the
 * emulator — vs the same fetch answered by a bare msw handler returning a static user.
 * Both handlers live on one msw server; the bare one comes first, so the baseline pays no
 * handler-matching cost the emulator's list adds.
 */
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, bench, describe } from 'vitest'
import { createIdentity } from '../src/index.js'

const identity = createIdentity({ seed: 1 })
const user = identity.createUser({ email: 'bench@example.com' })
const adminToken = await identity.adminToken()
const staticUser = { ...user, app_metadata: { provider: 'email', roles: ['member'] } }
const BARE = 'https://bare.netlify.test/.netlify/identity'

const server = setupServer(
  http.put(`${BARE}/admin/users/:id`, () => HttpResponse.json(staticUser)),
  ...identity.handlers,
)
server.listen({ onUnhandledRequest: 'error' })
afterAll(() => server.close())

const init = (): RequestInit => ({
  method: 'PUT',
  headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
  body: JSON.stringify({ app_metadata: { roles: ['member'] } }),
})

describe('admin PUT', () => {
  bench('harness', async () => {
    const res = await fetch(`${identity.url}/admin/users/${user.id}`, init())
    if (res.status !== 200) throw new Error(`status ${res.status}`)
    await res.json()
  }, { time: 1500, warmupTime: 300 })
  bench('baseline', async () => {
    const res = await fetch(`${BARE}/admin/users/${user.id}`, init())
    if (res.status !== 200) throw new Error(`status ${res.status}`)
    await res.json()
  }, { time: 1500, warmupTime: 300 })
})
