import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { parse, TomlError } from 'smol-toml'
import { HarnessError } from '../errors.js'
import { isRecord } from '../values.js'

/**
 * A site's Netlify configuration as the CLI and the local server read it: the base directory,
 * the functions directory and per-function settings, and the raw `[[redirects]]` rules.
 *
 * Netlify's rules (netlify/build `packages/config/src`): `[build] base` is the build directory
 * every other path is relative to (a leading `/` is still relative); the functions directory is
 * `[functions] directory`, else the legacy `[build] functions`, else `netlify/functions`
 * (`functions_config.js`, `files.ts` `DEFAULT_PATHS`); `[functions]` keys that are function
 * settings (`included_files`, `node_bundler`, …) apply to every function (`*`), other keys are
 * function names or globs with their own table (`normalizeFunctionsProp`); `Build`/`Base`/… may
 * be capitalised (`case.ts`).
 */
export interface SiteConfig {
  /** The site directory given (absolute). */
  siteDir: string
  /** The `netlify.toml` read, when there is one (absolute). */
  configFile: string | undefined
  /** The build directory: `[build] base` under the site directory, else the site directory. */
  baseDir: string
  /** The functions directory (absolute), whether or not it exists. */
  functionsDir: string
  /** Where {@link functionsDir} came from. */
  functionsDirOrigin: 'config' | 'config-v1' | 'default'
  /**
   * `[functions]` settings by function name or glob; `'*'` holds the settings for every
   * function (snake_case keys as in `netlify.toml`: `included_files`, `node_bundler`, `background`, …).
   */
  functions: Record<string, Record<string, unknown>>
  /** The raw `[[redirects]]` tables, in file order. */
  redirects: Record<string, unknown>[]
  /** The whole parsed `netlify.toml` (`{}` without one). */
  toml: Record<string, unknown>
}

/** Keys of a `[functions]` table that are settings rather than function names (netlify/build `FUNCTION_CONFIG_PROPERTIES`). */
export const FUNCTION_CONFIG_PROPERTIES: ReadonlySet<string> = new Set([
  'deno_import_map',
  'directory',
  'external_node_modules',
  'ignored_node_modules',
  'included_files',
  'memory',
  'node_bundler',
  'region',
  'schedule',
  'vcpu',
])

/**
 * Reads a site's `netlify.toml` (when present) as Netlify does. Throws `ERR_SITE_CONFIG` (with
 * the file, line and column) for a file that is not valid TOML, and `ERR_FUNCTION_NOT_FOUND`
 * when the site directory does not exist.
 *
 * @example
 * ```ts
 * const site = readSiteConfig('.')
 * site.functionsDir // '/abs/path/netlify/functions'
 * ```
 */
export function readSiteConfig(siteDir: string): SiteConfig {
  const root = resolve(siteDir)
  if (!existsSync(root)) throw new HarnessError('ERR_FUNCTION_NOT_FOUND', `site directory ${JSON.stringify(root)} does not exist: pass the folder that holds netlify.toml (or netlify/functions)`)
  if (!statSync(root).isDirectory()) {
    throw new HarnessError('ERR_FUNCTION_NOT_FOUND', `site directory ${JSON.stringify(root)} is a file, not a folder: pass the folder it is in (${JSON.stringify(dirname(root))})`)
  }
  let configFile: string | undefined = join(root, 'netlify.toml')
  let toml = existsSync(configFile) ? parseToml(configFile) : ((configFile = undefined), {})
  let baseDir = root
  const base = stringAt(section(toml, 'build'), 'base')
  if (base) {
    baseDir = resolvePath(root, root, base, 'build.base')
    // A base directory with a netlify.toml of its own: that file is the configuration (netlify/build `base.ts`).
    const nested = join(baseDir, 'netlify.toml')
    if (baseDir !== root && existsSync(nested)) {
      configFile = nested
      toml = parseToml(nested)
    }
  }
  const build = section(toml, 'build')
  const functions = normalizeFunctions(section(toml, 'functions'))
  const directory = stringAt(functions['*'] ?? {}, 'directory')
  delete functions['*']?.directory
  const v1 = stringAt(build, 'functions')
  const functionsDir = directory
    ? resolvePath(root, baseDir, directory, 'functions.directory')
    : v1
      ? resolvePath(root, baseDir, v1, 'build.functions')
      : join(baseDir, 'netlify', 'functions')
  const redirects = Array.isArray(toml.redirects) ? toml.redirects.filter(isRecord) : []
  return {
    siteDir: root,
    configFile,
    baseDir,
    functionsDir,
    functionsDirOrigin: directory ? 'config' : v1 ? 'config-v1' : 'default',
    functions,
    redirects,
    toml,
  }
}

function parseToml(file: string): Record<string, unknown> {
  try {
    return parse(readFileSync(file, 'utf8')) as Record<string, unknown>
  } catch (error) {
    const where = error instanceof TomlError ? `:${error.line}:${error.column}` : ''
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new HarnessError('ERR_SITE_CONFIG', `${file}${where} is not valid TOML (${reason}): Netlify would refuse it too; fix the file`, { cause: error })
  }
}

/** A table, accepting Netlify's capitalised spelling (`Build`). */
function section(toml: Record<string, unknown>, name: string): Record<string, unknown> {
  const value = toml[name] ?? toml[name[0]!.toUpperCase() + name.slice(1)]
  return isRecord(value) ? value : {}
}

function stringAt(table: Record<string, unknown>, key: string): string | undefined {
  const value = table[key] ?? table[key[0]!.toUpperCase() + key.slice(1)]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** `[functions]`: settings for every function under `'*'`, a table per name or glob (netlify/build `normalizeFunctionsProp`). */
function normalizeFunctions(table: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = { '*': {} }
  for (const [key, value] of Object.entries(table)) {
    const leaf = isRecord(value) && Object.keys(value).every((k) => FUNCTION_CONFIG_PROPERTIES.has(k))
    if (key === '*' && isRecord(value)) Object.assign(out['*']!, value)
    else if (FUNCTION_CONFIG_PROPERTIES.has(key) && !leaf) out['*']![key] = value
    else if (isRecord(value)) out[key] = { ...out[key], ...value }
  }
  return out
}

/** A configured path: a leading `/` is still relative to `from`; it must stay inside the site (netlify/build `files.ts`). */
function resolvePath(root: string, from: string, path: string, prop: string): string {
  const abs = resolve(from, path.replace(/^\/+/, ''))
  if (relative(root, abs).startsWith('..')) {
    throw new HarnessError('ERR_SITE_CONFIG', `netlify.toml: "${prop}" ${JSON.stringify(path)} must be inside the site directory ${root}`)
  }
  return abs
}
