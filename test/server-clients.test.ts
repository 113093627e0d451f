/**
 * Real client libraries against `serveIdentity()` over real HTTP (no msw anywhere): gotrue-js
 * 1.0.1 from Node, and @netlify/identity 1.2.0 in its browser mode (a child process with the
 * browser globals it reads), both through signup, the confirmation mail, the role the site's
 * identity-signup assigns, a protected function and logout.
 */
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import GoTrue from 'gotrue-js'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { IdentityServer, ServeEvent } from '../src/server.js'
import { copySite, serve } from './server-helpers.js'

let site: ReturnType<typeof copySite>
let server: IdentityServer & { events: ServeEvent[] }
beforeAll(async () => {
  site = copySite()
  server = await serve({ site: site.dir })
})
afterAll(async () => {
  await server.close()
  site.remove()
})

describe('gotrue-js from Node', () => {
  test('signup, confirm from the mail, the assigned role, a protected function, update, logout', async () => {
    const auth = new GoTrue({ APIUrl: server.identity.url, setCookie: false })
    const signup = await auth.signup('gj@example.test', 'gotrue-pw-1', { full_name: 'Gee Jay' })
    expect(signup).toMatchObject({ email: 'gj@example.test', confirmation_sent_at: expect.any(String) })
    await expect(auth.login('gj@example.test', 'gotrue-pw-1')).rejects.toThrow('Email not confirmed')

    const mail = (await (await fetch(`${server.url}/.netlify/harness/mail/last?to=gj@example.test`)).json()) as { token: string }
    const user = await auth.confirm(mail.token)
    expect(user.app_metadata).toEqual({ provider: 'email', roles: ['member'] })

    const res = await fetch(`${server.url}/api/roles`, { headers: { authorization: `Bearer ${await user.jwt()}` } })
    expect(await res.json()).toEqual({ email: 'gj@example.test', roles: ['member'] })

    const updated = await user.update({ data: { theme: 'dark' } })
    expect(updated.user_metadata).toEqual({ full_name: 'Gee Jay', theme: 'dark' })
    const again = await auth.login('gj@example.test', 'gotrue-pw-1')
    await again.logout()
    expect(server.identity.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /signup 200', 'POST /token 400', 'POST /verify 200', 'GET /user 200', 'PUT /user 200', 'POST /token 200', 'GET /user 200', 'POST /logout 204',
    ])
  })
})

describe('@netlify/identity in the browser', () => {
  test('signup, handleAuthCallback() on the confirmation link, getUser() with the role, a protected function, logout()', async () => {
    const script = resolve(import.meta.dirname, 'fixtures/serve/netlify-identity-browser.mjs')
    const { stdout } = await promisify(execFile)(process.execPath, [script, server.url, 'ni@example.test'], { cwd: resolve(import.meta.dirname, '..'), timeout: 20_000 })
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({
      signupConfirmed: false,
      callback: { type: 'confirmation', email: 'ni@example.test', roles: ['member'] },
      hashCleared: true,
      cookie: true,
      getUser: { email: 'ni@example.test', roles: ['member'] },
      function: { status: 200, body: { email: 'ni@example.test', roles: ['member'] } },
      afterLogout: { cookie: false, user: null },
    })
    expect(server.identity.users.findByEmail('ni@example.test')?.app_metadata.roles).toEqual(['member'])
  })
})
