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
import { resolve } from 'node:path'
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
 * The rerun glob for a functions directory. Vitest matches it against absolute paths (picomatch)
 * and also hands it to Vite's watcher, chokidar 4, which has no globs: a plain `<dir>/**` becomes
 * a literal file `**` inside the functions directory and silences that directory's change events.
 * The last segment is written as a brace set (`<parent>/{functions,functions}/**`): the same
 * match for picomatch, a path that does not exist for chokidar. It is absolute, because a
 * leading `**` never matches a dot-folder on the way (`~/.projects/site`). Dot-files (the
 * harness's temporary bundles beside a function) never match, so loading a function never
 * triggers a rerun.
 */
function rerunGlob(dir: string): string {
  const path = dir.split('\\').join('/').replace(/\/+$/, '')
  const cut = path.lastIndexOf('/')
  const base = path.slice(cut + 1)
  return `${path.slice(0, cut)}/{${base},${base}}/**`
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
        forceRerunTriggers: [...VITEST_RERUN_DEFAULTS, ...functionsDirs(options).map(rerunGlob)],
      },
    }),
  }
}

/** The same as {@link identityHarness}. */
export default identityHarness
