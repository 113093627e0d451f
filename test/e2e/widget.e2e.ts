/**
 * The real Netlify Identity widget (npm `netlify-identity-widget`, served from the site's own
 * files) in Debian's headless Chromium, against `serveIdentity()` and examples/widget-site.
 *
 * Served on [::1]: the widget treats `localhost`/`127.0.0.1`/`0.0.0.0` as local development
 * (it asks for a site URL and never asks for the server's cookie; netlify-identity-widget
 * `src/netlify-identity.tsx`, `localHosts`; widget-local.e2e.ts covers that), so on `::1` it
 * behaves as on a deployed site — relative `/.netlify/identity`, `X-Use-Cookie` on login and
 * confirmation, the HttpOnly `nf_jwt` GoTrue sets.
 */
import type { Browser, FrameLocator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { IdentityServer, ServeEvent } from '../../src/server.js'
import { shot, startWidgetSite, stopWidgetSite, widget } from './browser.js'
import type { WidgetSite } from './browser.js'

let started: WidgetSite | undefined
let browser: Browser
let server: IdentityServer
let events: ServeEvent[]

beforeAll(async () => {
  started = await startWidgetSite({ seed: 15 })
  ;({ browser, server, events } = started)
})
afterAll(() => stopWidgetSite(started))

/** The newest mail to an address, read over the harness API as a separate test process would. */
async function lastMail(to: string): Promise<{ url: string; type: string }> {
  const res = await fetch(`${server.url}/.netlify/harness/mail/last?to=${encodeURIComponent(to)}`)
  expect(res.status).toBe(200)
  return (await res.json()) as { url: string; type: string }
}

async function openForm(page: Page, which: 'Sign up' | 'Log in'): Promise<FrameLocator> {
  await page.locator('[data-netlify-identity-menu]').getByText(which, { exact: true }).click()
  const frame = widget(page)
  await frame.locator('form input[name="email"]').waitFor()
  return frame
}

describe('the Identity widget against a local Identity', () => {
  const email = 'ada@example.test'
  const password = 'correct-horse-battery'
  let member: Page

  test('1. sign up in the widget, open the confirmation mail’s link: confirmed, logged in, the role identity-signup assigned shows', async () => {
    const context = await browser.newContext()
    member = await context.newPage()
    await member.goto(server.url)
    await shot(member, '1a-home')
    const form = await openForm(member, 'Sign up')
    await form.locator('input[name="name"]').fill('Ada Lovelace')
    await form.locator('input[name="email"]').fill(email)
    await form.locator('input[name="password"]').fill(password)
    await form.locator('button[type="submit"]').click()
    await form.getByText('A confirmation message was sent to your email').waitFor()
    await shot(member, '1b-signup-sent')

    const mail = await lastMail(email)
    expect(mail.type).toBe('confirmation')
    expect(mail.url).toMatch(new RegExp(`^${server.url.replace(/[[\].]/g, '\\$&')}/#confirmation_token=`))
    // Opened as from a mail client: a new tab, so the widget reads the link's fragment on load.
    await member.close()
    member = await context.newPage()
    await member.goto(mail.url)
    await member.locator('#roles', { hasText: 'member' }).waitFor()
    expect(await member.locator('#who').textContent()).toBe(email)
    await shot(member, '1c-confirmed')
    expect(server.identity.users.findByEmail(email)).toMatchObject({ confirmed_at: expect.any(String), app_metadata: { provider: 'email', roles: ['member'] } })
    expect(events).toContainEqual(expect.objectContaining({ type: 'hook', event: 'signup', allowed: true }))
  })

  test('2. a protected function called with the widget’s token answers the roles; without it, 401', async () => {
    await member.locator('#call-with-token').click()
    await member.locator('#result', { hasText: '200' }).waitFor()
    expect(JSON.parse((await member.locator('#result').textContent())!.slice(4))).toEqual({ email, roles: ['member'] })
    await member.locator('#call-without-token').click()
    await member.locator('#result', { hasText: '401' }).waitFor()
    await shot(member, '2-protected-function')
  })

  test('3. /members/* (200! Role=member) serves the member (nf_jwt set at confirmation) and falls back to the 401 page for a visitor', async () => {
    const cookies = await member.context().cookies()
    expect(cookies.find((c) => c.name === 'nf_jwt')).toMatchObject({ httpOnly: true, secure: true, path: '/' })
    const ok = await member.goto(`${server.url}/members/`)
    expect(ok?.status()).toBe(200)
    await member.getByRole('heading', { name: 'Members area' }).waitFor()
    await shot(member, '3a-members-as-member')

    const visitor = await (await browser.newContext()).newPage()
    const denied = await visitor.goto(`${server.url}/members/`)
    expect(denied?.status()).toBe(401)
    await visitor.getByRole('heading', { name: 'Please log in' }).waitFor()
    await shot(visitor, '3b-members-as-visitor')
    await visitor.context().close()
  })

  test('4. a signup identity-validate refuses shows GoTrue’s error in the widget', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(server.url)
    const form = await openForm(page, 'Sign up')
    await form.locator('input[name="name"]').fill('Eve')
    await form.locator('input[name="email"]').fill('eve@blocked.test')
    await form.locator('input[name="password"]').fill(password)
    await form.locator('button[type="submit"]').click()
    await form.getByText('Failed to handle signup webhook').waitFor()
    await shot(page, '4-blocked-signup')
    expect(server.identity.users.findByEmail('eve@blocked.test')).toBeUndefined()
    await page.context().close()
  })

  test('5. log out: the gate closes; log in again in the widget (cookie mode): nf_jwt opens it', async () => {
    await member.goto(server.url)
    await member.locator('#roles', { hasText: 'member' }).waitFor()
    // The menu's "Log out" opens the widget on its user page; its form logs out.
    await member.locator('[data-netlify-identity-menu]').getByText('Log out', { exact: true }).click()
    await widget(member).locator('form button[type="submit"]', { hasText: 'Log out' }).click()
    await member.locator('#who', { hasText: 'nobody' }).waitFor()
    expect((await member.context().cookies()).find((c) => c.name === 'nf_jwt')).toBeUndefined()
    expect((await member.goto(`${server.url}/members/`))?.status()).toBe(401)
    await shot(member, '5a-logged-out')

    await member.goto(server.url)
    const form = await openForm(member, 'Log in')
    await form.locator('input[name="email"]').fill(email)
    await form.locator('input[name="password"]').fill(password)
    await form.locator('button[type="submit"]').click()
    await member.locator('#who', { hasText: email }).waitFor()
    const cookie = (await member.context().cookies()).find((c) => c.name === 'nf_jwt')
    expect(cookie).toBeDefined()
    const ok = await member.goto(`${server.url}/members/`)
    expect(ok?.status()).toBe(200)
    await member.getByRole('heading', { name: 'Members area' }).waitFor()
    await shot(member, '5b-logged-in-cookie')
    // the login went through GoTrue with X-Use-Cookie, as the widget sends it on a deployed site
    expect(server.identity.requests.filter((r) => r.path === '/token').at(-1)?.headers['x-use-cookie']).toBe('1')
  })
})
