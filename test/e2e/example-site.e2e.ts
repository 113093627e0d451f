/**
 * examples/site's page in a real Chromium, served as the README says (`serve examples/site`):
 * a signup, the confirmation link the server prints, then `/api/me` (a Functions v2 endpoint
 * reading the caller with @netlify/identity's getUser()) naming the user and the role
 * identity-signup.js gave them.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { join, resolve } from 'node:path'
import type { IdentityServer } from '../../src/server.js'
import { serveIdentity } from '../../src/server.js'
import { launch, shot } from './browser.js'

const site = join(resolve(import.meta.dirname, '../..'), 'examples/site')
let browser: Browser
let server: IdentityServer

beforeAll(async () => {
  server = await serveIdentity({ site, port: 0, host: '127.0.0.1', seed: 8, watch: false })
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

test('sign up, confirm from the printed link, and /api/me answers with the user and their role', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(server.url)
  await page.getByRole('button', { name: 'Who am I?' }).click()
  await page.locator('#out', { hasText: '401 {"error":"log in first"}' }).waitFor()

  await page.getByLabel('E-mail').fill('ivy@acme.test')
  await page.getByLabel('Password').fill('correct-horse-battery')
  await page.getByRole('button', { name: 'Sign up' }).click()
  await page.locator('#out', { hasText: /^200 / }).waitFor()

  const mail = (await (await fetch(`${server.url}/.netlify/harness/mail/last?to=${encodeURIComponent('ivy@acme.test')}`)).json()) as { url: string }
  await page.goto('about:blank')
  await page.goto(mail.url)
  await page.locator('#out', { hasText: /^200 .*"access_token"/ }).waitFor()
  await page.getByRole('button', { name: 'Who am I?' }).click()
  await page.locator('#out', { hasText: '200 {"email":"ivy@acme.test","roles":["staff"]}' }).waitFor()

  // A later visit logs in with the password instead.
  await page.goto(server.url)
  await page.getByLabel('E-mail').fill('ivy@acme.test')
  await page.getByLabel('Password').fill('wrong-password')
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.locator('#out', { hasText: /^400 .*invalid_grant/ }).waitFor()
  await page.getByLabel('Password').fill('correct-horse-battery')
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.locator('#out', { hasText: /^200 .*"access_token"/ }).waitFor()
  await page.getByRole('button', { name: 'Who am I?' }).click()
  await page.locator('#out', { hasText: '"roles":["staff"]' }).waitFor()
  expect(await page.locator('#out').textContent()).toBe('200 {"email":"ivy@acme.test","roles":["staff"]}')
  await shot(page, 'example-site-me')
  await context.close()
})
