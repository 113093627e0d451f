/** The one-line Vitest setup: what `identityHarness()` adds to Vitest's config. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { identityHarness } from '../src/vitest-plugin.js'

/** Vitest's own matcher for forceRerunTriggers (picomatch, against absolute paths), loaded from Vitest's dependencies. */
const vitestRequire = createRequire(createRequire(import.meta.url).resolve('vitest/package.json'))
const matcher = vitestRequire('picomatch') as (globs: string[]) => (file: string) => boolean

test('registers the vitest entry, inlines the harness and reruns on changes under netlify.toml\'s functions directory', () => {
  const site = mkdtempSync(join(tmpdir(), 'nih-plugin-'))
  try {
    writeFileSync(join(site, 'netlify.toml'), '[functions]\n  directory = "api/fns"\n')
    const plugin = identityHarness({ site })
    expect(plugin.name).toBe('netlify-identity-harness')
    const { test: config } = plugin.config()
    expect(config.setupFiles).toHaveLength(1)
    expect(config.setupFiles[0]).toMatch(/src[\\/]vitest\.ts$/)
    expect(existsSync(config.setupFiles[0]!)).toBe(true)
    expect(config.server.deps.inline).toEqual(['netlify-identity-harness'])
    // Vitest's defaults stay (Vite merges arrays; Vitest would otherwise drop them).
    expect(config.forceRerunTriggers.slice(0, 2)).toEqual(['**/package.json/**', '**/{vitest,vite}.config.*/**'])
    const rerun = matcher(config.forceRerunTriggers)
    expect(rerun(join(site, 'api/fns/identity-signup.mjs'))).toBe(true)
    expect(rerun(join(site, 'api/fns/lib/util.ts'))).toBe(true)
    expect(rerun(join(site, 'src/app.ts'))).toBe(false)
  } finally {
    rmSync(site, { recursive: true, force: true })
  }
})

test('without a netlify.toml: netlify/functions; explicit directories win', () => {
  const site = mkdtempSync(join(tmpdir(), 'nih-plugin-'))
  try {
    mkdirSync(join(site, 'netlify/functions'), { recursive: true })
    const rerun = matcher(identityHarness({ site }).config().test.forceRerunTriggers)
    expect(rerun(join(site, 'netlify/functions/identity-login.ts'))).toBe(true)
    const only = identityHarness({ functions: [join(site, 'a'), join(site, 'b')] }).config().test.forceRerunTriggers
    // The last segment as a brace set: a plain <dir>/** handed to Vite's watcher (chokidar 4, no
    // globs) would silence the folder's change events (the watch test in cli-init.test.ts).
    expect(only.slice(2)).toEqual([`${site}/{a,a}/**`, `${site}/{b,b}/**`])
    const rerunInside = matcher(identityHarness({ functions: '.tmp/x/netlify/functions' }).config().test.forceRerunTriggers)
    // A dot-folder on the way still matches (a leading ** would not).
    expect(rerunInside(join(process.cwd(), '.tmp/x/netlify/functions/identity-signup.js'))).toBe(true)
    // The harness's temporary bundle beside a function is a dot-file: loading a function never reruns.
    expect(rerunInside(join(process.cwd(), '.tmp/x/netlify/functions/.identity-signup.js.nih-1-2-3.cjs'))).toBe(false)
  } finally {
    rmSync(site, { recursive: true, force: true })
  }
})
