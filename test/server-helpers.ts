import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { serveIdentity } from '../src/server.js'
import type { IdentityServer, ServeEvent, ServeOptions } from '../src/server.js'

export const WIDGET_SITE = resolve(import.meta.dirname, '../examples/widget-site')

/** A copy of a site in a temp folder (tests may change its files), removed by `remove()`. */
export function copySite(from = WIDGET_SITE): { dir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'nih-serve-'))
  const dir = join(root, 'site')
  cpSync(from, dir, { recursive: true, filter: (src) => !src.includes('node_modules') })
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) }
}

/** A served site with every event recorded. */
export async function serve(options: ServeOptions): Promise<IdentityServer & { events: ServeEvent[] }> {
  const events: ServeEvent[] = []
  const server = await serveIdentity({ port: 0, seed: 15, watch: false, ...options, onEvent: (e) => events.push(e) })
  return Object.assign(server, { events })
}

/** Waits until `check` holds (events arrive after the response is written). */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
