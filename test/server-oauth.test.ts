/**
 * The external login's whole redirect chain over real HTTP on loopback (`serveIdentity`), without
 * a browser (the Chromium version is test/e2e/oauth.e2e.ts): /authorize → the fake provider's
 * consent page, token and user-info endpoints under /.netlify/harness/oauth → /callback → the
 * site with GoTrue's fragment (gotrue:api/external.go; gotrue:api/external_github_test.go).
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { serveIdentity } from '../src/server.js'
import type { IdentityServer } from '../src/server.js'
import { parseServeArgs } from '../src/cli/serve.js'
import { copySite } from './server-helpers.js'

const site = copySite()
let server: IdentityServer
beforeAll(async () => {
  server = await serveIdentity({ site: site.dir, port: 0, seed: 14, watch: false, providers: ['github', 'facebook'], disableSignup: false })
})
afterAll(async () => {
  await server?.close()
  site.remove()
})

const decode = (s: string): string => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))

test('GitHub over HTTP: every hop on the server\'s own origin, tokens in the fragment, the user stored', async () => {
  server.identity.providers.github.next({ email: 'octo@example.test', name: 'Octo Cat', avatar: 'https://a.example.test/o.png' })
  const settings = await (await fetch(`${server.url}/.netlify/identity/settings`)).json()
  expect(settings.external).toMatchObject({ github: true, facebook: true, google: false, email: true })
  const start = await fetch(`${server.url}/.netlify/identity/authorize?provider=github`, { redirect: 'manual', headers: { referer: `${server.url}/members/` } })
  expect(start.status).toBe(302)
  const consentUrl = new URL(start.headers.get('location')!)
  expect(consentUrl.origin).toBe(server.url)
  expect(consentUrl.pathname).toBe('/.netlify/harness/oauth/github/login/oauth/authorize')
  const page = await (await fetch(consentUrl)).text()
  expect(page).toContain('octo@example.test')
  const back = await fetch(decode(/id="authorize" href="([^"]+)"/.exec(page)![1]!), { redirect: 'manual' })
  expect(back.status).toBe(302)
  const done = new URL(back.headers.get('location')!)
  expect(done.pathname).toBe('/members/')
  const fragment = new URLSearchParams(done.hash.slice(1))
  expect(fragment.get('token_type')).toBe('bearer')
  const me = await fetch(`${server.url}/.netlify/identity/user`, { headers: { authorization: `Bearer ${fragment.get('access_token')}` } })
  expect(await me.json()).toMatchObject({ email: 'octo@example.test', app_metadata: { provider: 'github' }, user_metadata: { full_name: 'Octo Cat' } })
})

test('the fake provider\'s token and user-info endpoints answer over HTTP too (facebook\'s /me shape)', async () => {
  const p = server.identity.providers.facebook
  p.next({ email: 'fb@example.test', name: 'Face Book', avatar: 'https://a.example.test/f.png' })
  const start = await fetch(`${server.url}/.netlify/identity/authorize?provider=facebook`, { redirect: 'manual' })
  const page = await (await fetch(start.headers.get('location')!)).text()
  const code = new URL(decode(/id="authorize" href="([^"]+)"/.exec(page)![1]!)).searchParams.get('code')!
  const tok = await fetch(`${server.url}/.netlify/harness/oauth/facebook/oauth/access_token`, { method: 'POST', body: new URLSearchParams({ code }) })
  const { access_token } = (await tok.json()) as { access_token: string }
  const me = await fetch(`${server.url}/.netlify/harness/oauth/facebook/me?fields=email,first_name,last_name,name,picture`, { headers: { authorization: `Bearer ${access_token}` } })
  expect(await me.json()).toMatchObject({ email: 'fb@example.test', first_name: 'Face', last_name: 'Book', name: 'Face Book', picture: { data: { url: 'https://a.example.test/f.png' } } })
})

test('serve --providers, --disable-signup, --no-email-login become the options; a bad provider is refused by name', async () => {
  const { options } = parseServeArgs(['--providers', 'github, google', '--disable-signup', '--no-email-login'], '/tmp')
  expect(options).toMatchObject({ providers: ['github', 'google'], disableSignup: true, emailLogin: false })
  await expect(serveIdentity({ site: site.dir, port: 0, watch: false, providers: ['myspace' as 'github'] })).rejects.toThrow(/"myspace" is not a provider GoTrue supports/)
})
