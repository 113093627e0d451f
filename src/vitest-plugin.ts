/**
 * `netlify-identity-harness/vitest-plugin`: the one-line Vitest setup.
 *
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { identityHarness } from 'netlify-identity-harness/vitest-plugin'
 *
 * export default defineConfig({ plugins: [identityHarness()] })
 * ```
 *
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url'
import { join, resolve } from 'node:path'
import { readSiteConfig } from './site/config.js'
// The matcher types come with the plugin: `toAllowSignup` & co. type-check in every test file.
import type {} from './vitest.js'

/** Options of {@link identityHarness}. */
export interface IdentityHarnessOptions {
  /**
   * The site directory whose `netlify.toml` says where the functions are (`[build] base`,
   * `[functions] directory`, else `netlify/functions`). Default: Vitest's root (the working directory).
   */
  site?: string
  /** Functions directories to watch instead of the one `netlify.toml` names (relative to the working directory). */
  functions?: string | string[]
}

/** The part of Vitest's config the plugin sets (merged into yours by Vite). */
export interface IdentityHarnessConfig {
  test: {
    /** The harness's Vitest entry: matchers, snapshot serializer, the `identity` fixture's server. */
    setupFiles: string[]
    /** Vitest loads the harness itself, so `vi.mock` reaches the packages path-loaded functions import. */
    server: { deps: { inline: string[] } }
    /** Vitest's defaults plus every file under the functions directories: editing a function reruns the tests. */
    forceRerunTriggers: string[]
  }
}

/** A Vite plugin (the shape Vitest's `plugins` takes) that adds {@link IdentityHarnessConfig}. */
export interface IdentityHarnessPlugin {
  name: 'netlify-identity-harness'
  /** Vite's `config` hook. */
  config(): IdentityHarnessConfig
}

/** Vitest's own default `forceRerunTriggers` (vitest `configDefaults`), kept when the plugin adds to them. */
const VITEST_RERUN_DEFAULTS = ['**/package.json/**', '**/{vitest,vite}.config.*/**']

/** The harness's Vitest entry beside this module (dist/vitest.js; src/vitest.ts when run from source). */
function vitestEntry(): string {
  const self = fileURLToPath(import.meta.url)
  return fileURLToPath(new URL(self.endsWith('.ts') ? './vitest.ts' : './vitest.js', import.meta.url))
}

/** The functions directories to watch. */
function functionsDirs(options: IdentityHarnessOptions): string[] {
  if (options.functions !== undefined) return (Array.isArray(options.functions) ? options.functions : [options.functions]).map((d) => resolve(d))
  try {
    return [readSiteConfig(options.site ?? process.cwd()).functionsDir]
  } catch {
    // No site here (or a netlify.toml Netlify would refuse): watch the default location.
    return [resolve(options.site ?? process.cwd(), 'netlify', 'functions')]
  }
}

/**
 * The Vitest setup in one line: registers the identity matchers and the snapshot serializer
 * (`setupFiles`), inlines the harness (`server.deps.inline`) so that `vi.mock` reaches the
 * packages that path-loaded functions import, and makes watch mode rerun the tests when a file
 * under the functions directory changes (`forceRerunTriggers`; Vitest does not see path-loaded
 * functions in its module graph).
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config'
 * import { identityHarness } from 'netlify-identity-harness/vitest-plugin'
 *
 * export default defineConfig({ plugins: [identityHarness()] })
 * // a site in a subfolder: identityHarness({ site: 'apps/web' })
 * ```
 */
export function identityHarness(options: IdentityHarnessOptions = {}): IdentityHarnessPlugin {
  return {
    name: 'netlify-identity-harness',
    config: () => ({
      test: {
        setupFiles: [vitestEntry()],
        server: { deps: { inline: ['netlify-identity-harness'] } },
        forceRerunTriggers: [...VITEST_RERUN_DEFAULTS, ...functionsDirs(options).map((dir) => join(dir, '**').split('\\').join('/'))],
      },
    }),
  }
}

/** The same as {@link identityHarness}. */
export default identityHarness
