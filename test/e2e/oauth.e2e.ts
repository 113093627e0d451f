/**
 * "Continue with GitHub" in the real Netlify Identity widget (Debian Chromium) against
 * `serveIdentity({ providers: ['github'] })`: the widget reads `/settings`, sends the browser to
 * `/.netlify/identity/authorize?provider=github`, GoTrue redirects to the emulator's own fake
 * GitHub consent page (a harness path on the same origin, never github.com), its Authorize link
 * returns to `/callback`, and GoTrue redirects to the site with `#access_token=…`, which the widget
 * turns into a logged-in user (gotrue:api/external.go; netlify-identity-widget `externalLogin`).
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { IdentityServer, ServeEvent } from '../../src/server.js'
import { shot, startWidgetSite, stopWidgetSite, widget } from './browser.js'
import type { WidgetSite } from './browser.js'

let started: WidgetSite | undefined
let browser: Browser
let server: IdentityServer
let events: ServeEvent[]

beforeAll(async () => {
  started = await startWidgetSite({ seed: 14, providers: ['github'] })
  ;({ browser, server, events } = started)
})
afterAll(() => stopWidgetSite(started))

describe('Continue with GitHub through the fake consent page', () => {
  test('a new GitHub user: consent, back on the site logged in, identity-signup ran, provider data stored', async () => {
    server.identity.providers.github.next({ email: 'octo@example.test', name: 'Octo Cat', avatar: 'https://avatars.example.test/octo.png' })
    const page = await (await browser.newContext()).newPage()
    await page.goto(server.url)
    await page.locator('[data-netlify-identity-menu]').getByText('Log in', { exact: true }).click()
    const button = widget(page).getByRole('button', { name: /Continue with GitHub/i })
    await button.waitFor()
    await shot(page, 'oauth-1-widget')
    await button.click()
    await page.waitForURL(/\/\.netlify\/harness\/oauth\/github\/login\/oauth\/authorize\?/)
    expect(new URL(page.url()).origin).toBe(server.url)
    await page.locator('#profile', { hasText: 'octo@example.test' }).waitFor()
    await shot(page, 'oauth-2-consent')
    await page.locator('#authorize').click()
    await page.locator('#who', { hasText: 'octo@example.test' }).waitFor()
    await page.locator('#roles', { hasText: 'member' }).waitFor()
    await shot(page, 'oauth-3-logged-in')
    expect(server.identity.users.findByEmail('octo@example.test')).toMatchObject({
      confirmed_at: expect.any(String),
      app_metadata: { provider: 'github', roles: ['member'] },
      user_metadata: { full_name: 'Octo Cat', avatar_url: 'https://avatars.example.test/octo.png' },
    })
    expect(events).toContainEqual(expect.objectContaining({ type: 'hook', event: 'signup', allowed: true }))
    const paths = server.identity.requests.map((r) => `${r.method} ${r.path} ${r.status}`)
    expect(paths).toEqual(expect.arrayContaining(['GET /settings 200', 'GET /authorize 302', 'GET /callback 302', 'GET /user 200']))
    await page.context().close()
  })

  test('cancelling on the consent page brings GoTrue\'s access_denied fragment back, and no user', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(`${server.url}/.netlify/identity/authorize?provider=github`)
    await page.locator('#cancel').click()
    await page.waitForURL(/#error=access_denied/)
    expect(new URL(page.url()).hash).toBe('#error=access_denied&error_description=The+user+has+denied+your+application+access.')
    expect(server.identity.users.all().map((u) => u.email)).toEqual(['octo@example.test'])
    await page.context().close()
  })
})
