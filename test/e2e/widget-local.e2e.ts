/**
 * The real Identity widget served on 127.0.0.1, which it treats as local development
 * (netlify-identity-widget 2.0.3 `src/netlify-identity.tsx`: `localHosts`, `useServerCookie =
 * !isLocal && !store.cookieDomain`): it asks for the site's URL and never asks GoTrue for the
 * HttpOnly cookie (no `X-Use-Cookie`), but it writes `nf_jwt` itself with `document.cookie` on
 * login and confirmation (`src/state/store.ts` `setJwtCookie`), so role-based redirects open
 * there too. widget.e2e.ts covers [::1], where the widget behaves as on a deployed site.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { IdentityServer } from '../../src/server.js'
import { shot, startWidgetSite, stopWidgetSite, widget } from './browser.js'
import type { WidgetSite } from './browser.js'

let started: WidgetSite | undefined
let browser: Browser
let server: IdentityServer

beforeAll(async () => {
  started = await startWidgetSite({ seed: 16, host: '127.0.0.1' })
  ;({ browser, server } = started)
})
afterAll(() => stopWidgetSite(started))

test('on 127.0.0.1: the widget asks for the site URL, signs up, confirms from the mail in a new tab; its own nf_jwt cookie opens /members/', async () => {
  const email = 'lin@example.test'
  const context = await browser.newContext()
  let page = await context.newPage()
  await page.goto(server.url)
  await page.locator('[data-netlify-identity-menu]').getByText('Sign up', { exact: true }).click()
  const frame = widget(page)
  // Local development: the widget wants the site's URL first (the one serve printed).
  await frame.locator('input[name="url"]').fill(server.url)
  await frame.getByRole('button', { name: "Set site's URL" }).click()
  await frame.locator('input[name="name"]').fill('Lin')
  await frame.locator('input[name="email"]').fill(email)
  await frame.locator('input[name="password"]').fill('correct-horse-battery')
  await frame.locator('button[type="submit"]').click()
  await frame.getByText('A confirmation message was sent to your email').waitFor()
  expect(server.identity.requests.find((r) => r.path === '/signup')?.headers['x-use-cookie']).toBeUndefined()

  const mail = (await (await fetch(`${server.url}/.netlify/harness/mail/last?to=${encodeURIComponent(email)}`)).json()) as { url: string }
  // The link differs from the open page only in its fragment: a new tab loads it (the same tab would not reload).
  await page.close()
  page = await context.newPage()
  await page.goto(mail.url)
  await page.locator('#roles', { hasText: 'member' }).waitFor()
  const cookie = (await context.cookies()).find((c) => c.name === 'nf_jwt')
  // Written by the page, not by serve: not HttpOnly.
  expect(cookie).toMatchObject({ httpOnly: false, path: '/' })
  expect((await page.goto(`${server.url}/members/`))?.status()).toBe(200)
  await page.getByRole('heading', { name: 'Members area' }).waitFor()
  await shot(page, 'local-members')
  await context.close()
})
