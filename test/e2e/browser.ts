import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, FrameLocator, Page } from 'playwright-core'
import type { IdentityServer, ServeEvent, ServeOptions } from '../../src/server.js'
import { serveIdentity } from '../../src/server.js'
import { copySite } from '../server-helpers.js'

/** Debian's Chromium (apt-get install -y chromium); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Flags for a headless Chromium on a machine with a closed network (docs: /work/.library/env/machines/node.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Where screenshots go (git-ignored test output). */
export const SCREENSHOTS = resolve(import.meta.dirname, '../../test-results/e2e')

/**
 * Launches Chromium. Playwright gives every launch a fresh, empty `--user-data-dir` of its own
 * (and refuses one in `args`); each test context is a fresh profile inside it.
 */
export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH. The suite never downloads a browser.`)
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
}

/** Saves a screenshot of a step as test output. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

/** A copy of examples/widget-site with the real widget in its files, served, and a Chromium. */
export interface WidgetSite {
  site: ReturnType<typeof copySite>
  server: IdentityServer
  browser: Browser
  /** Every event the server reported, in order. */
  events: ServeEvent[]
}

/**
 * Copies the widget site, puts npm's `netlify-identity-widget` into its `public/`, serves it on
 * [::1] (where the widget behaves as on a deployed site, see widget.e2e.ts) and launches Chromium.
 * Stop it with {@link stopWidgetSite}.
 */
export async function startWidgetSite(options: ServeOptions): Promise<WidgetSite> {
  const started: Partial<WidgetSite> = { events: [] }
  try {
    const site = (started.site = copySite())
    copyFileSync(createRequire(import.meta.url).resolve('netlify-identity-widget'), join(site.dir, 'public/netlify-identity-widget.js'))
    started.server = await serveIdentity({ site: site.dir, port: 0, host: '::1', watch: false, ...options, onEvent: (e) => started.events!.push(e) })
    started.browser = await launch()
    return started as WidgetSite
  } catch (error) {
    await stopWidgetSite(started) // nothing started is left running when a later step fails
    throw error
  }
}

/** Closes what {@link startWidgetSite} started (any part may be missing). */
export async function stopWidgetSite(started: Partial<WidgetSite> | undefined): Promise<void> {
  await started?.browser?.close()
  await started?.server?.close()
  started?.site?.remove()
}

/** The widget's iframe. */
export const widget = (page: Page): FrameLocator => page.frameLocator('#netlify-identity-widget')
