import { existsSync, readFileSync, realpathSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { Module } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { errorLabel, HarnessError } from '../errors.js'
import { getNetlifyEnv, withGlobals } from '../netlify/globals.js'
import type { Diagnostic } from '../types.js'
import { filesRunningAsIs } from './as-is.js'
import { bundleFunction, bundleFunctions, bundlerFingerprint } from './bundle.js'
import type { Bundle } from './bundle.js'
import { buildCache, cacheFolder } from './build-cache.js'
import type { BuildCache } from './build-cache.js'
import { entryCandidates, FUNCTION_EXTENSIONS, folderEntry } from './discover.js'
import { notFoundHint } from './not-found-hint.js'
import type { EnvOverrides } from './env.js'
import { runInEnv } from './env.js'
import { mapErrorStack, registerSourceMap, userLocation, withInlineMap } from './source-map.js'
import { viteModuleFile } from './vite-modules.js'
import { bundleDir } from './temp-dir.js'

/** Options for loading a function file. */
export interface LoadOptions {
  /** Load a new module instance instead of the cached one (module-scope state, clients, env reads). */
  fresh?: boolean
  /** `process.env` values while the module loads (module-scope reads see them). */
  env?: EnvOverrides
  /**
   * Netlify's runtime variables of the instance that loads the file (`URL`, `CONTEXT`, …), seen
   * by module scope as by calls, below `env`.
   * @internal
   */
  runtimeEnv?: Readonly<Record<string, string>> | undefined
}

/** A loaded function file. @internal */
export interface LoadedFunction {
  /** The module's exports (ESM namespace, or `module.exports` for CommonJS output). */
  module: Record<string, unknown>
  /** The Netlify function name: the file name without extension, or the folder name. */
  name: string
  /** The entry file's real path. */
  file: string
  /** The module format the bundle was built in. */
  format: 'esm' | 'cjs'
  /** What bundling found (esbuild's warnings, unresolvable `require`s), reported with every call. */
  diagnostics: Diagnostic[]
}

/**
 * The module format Netlify builds a file in (functions-runtime.md §6): `.mjs`/`.mts` ESM,
 * `.cjs`/`.cts` CommonJS, `.js`/`.ts`/`.tsx` from the nearest `package.json` `type`.
 * @internal
 */
export function moduleFormat(file: string): 'esm' | 'cjs' {
  const ext = extname(file)
  if (ext === '.mjs' || ext === '.mts') return 'esm'
  if (ext === '.cjs' || ext === '.cts') return 'cjs'
  const pkg = nearestPackageJson(file)
  if (!pkg) return 'cjs'
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module' ? 'esm' : 'cjs'
  } catch {
    return 'cjs'
  }
}

/** The `package.json` that decides a file's module type (Node's lookup: the nearest one up). */
function nearestPackageJson(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) return pkg
    if (dirname(dir) === dir) return undefined
  }
}

/** Finds the file to load for a path: the file itself, or a folder's entry (§6). @internal */
export function locateFunctionFile(input: string): { file: string; name: string } {
  const abs = resolve(input)
  if (!existsSync(abs)) {
    throw new HarnessError(
      'ERR_FUNCTION_NOT_FOUND',
      `function file ${JSON.stringify(abs)} does not exist (expected a ${FUNCTION_EXTENSIONS.join('/')} file or a function folder)${notFoundHint(abs)}`,
    )
  }
  if (statSync(abs).isDirectory()) {
    const name = basename(abs)
    const entry = folderEntry(abs)
    if (!entry) {
      throw new HarnessError(
        'ERR_FUNCTION_NOT_FOUND',
        `function folder ${JSON.stringify(abs)} has no entry file: expected one of ${entryCandidates(name).join(', ')}`,
      )
    }
    return { file: entry, name }
  }
  const ext = extname(abs)
  if (!FUNCTION_EXTENSIONS.includes(ext)) {
    throw new HarnessError('ERR_UNSUPPORTED_FUNCTION', `cannot load ${JSON.stringify(abs)}: expected a ${FUNCTION_EXTENSIONS.join(', ')} file or a function folder`)
  }
  return { file: abs, name: basename(abs, ext) }
}


/** A build kept for every later load of the same unchanged file (any instance, any env). */
interface BundleEntry {
  file: string
  format: 'esm' | 'cjs'
  /** The bundle; `undefined` when the file runs as is (see `filesRunningAsIs`). */
  bundle: Bundle | undefined
  /** Every bundled input with its mtime and size when bundled. */
  stamps: Array<[string, number, number]>
}

/** A module instance: per file and per environment it was loaded under (issue 10). */
interface ModuleEntry {
  loaded: LoadedFunction
  built: BundleEntry
}

/** Where an input string last led (a function folder's entry, the real path). */
const located = new Map<string, { file: string; name: string }>()
const bundles = new Map<string, BundleEntry>()
const modules = new Map<string, ModuleEntry>()
const inflight = new Map<string, Promise<LoadedFunction>>()
let counter = 0

function stampsOf(files: readonly string[]): Array<[string, number, number]> {
  return files.map((p) => {
    const s = statSync(p)
    return [p, s.mtimeMs, s.size]
  })
}

/** One `stat` per bundled input: the only file-system work a warm load does. */
function unchanged(entry: BundleEntry): boolean {
  for (const [file, mtime, size] of entry.stamps) {
    const s = statSync(file, { throwIfNoEntry: false })
    if (!s || s.mtimeMs !== mtime || s.size !== size) return false
  }
  return true
}

/** Keys of frozen environments (an instance's Netlify variables): computed once per object. */
const frozenKeys = new WeakMap<object, string>()

function envKey(env: Readonly<Record<string, string | undefined>> | undefined): string {
  if (!env) return ''
  const frozen = Object.isFrozen(env)
  if (frozen) {
    const known = frozenKeys.get(env)
    if (known !== undefined) return known
  }
  const keys = Object.keys(env)
  const key = keys.length === 0 ? '' : JSON.stringify(keys.sort().map((k) => [k, env[k] ?? null]))
  if (frozen) frozenKeys.set(env, key)
  return key
}

/**
 * Loads a function file the way Netlify bundles it: esbuild (imported only when a path is
 * loaded, once per process) bundles the entry with its local imports, keeps every package
 * import external (resolved from the function's folder, so the test's module mocks and the
 * function share instances), and builds ESM or CommonJS per §6. Nothing is ever written in the
 * user's tree: a CommonJS bundle is compiled in memory under the original file name; an ESM
 * bundle is imported from a temporary folder outside the tree with `import.meta.url`,
 * `__dirname` and `require` pointing at the original file. Stack frames map back to the
 * original files (source maps). An unchanged file is bundled once per process; a module
 * instance is cached per file and per environment (`env` and the instance's Netlify
 * variables), so a call never sees module-scope values read under another call's `env`;
 * `fresh` loads a new instance and leaves the cache alone.
 * @internal
 */
export async function loadFunctionFile(input: string, options: LoadOptions = {}): Promise<LoadedFunction> {
  const where = locate(input)
  const key = `${where.file}\n${envKey(options.env)}\n${envKey(options.runtimeEnv)}`
  if (!options.fresh) {
    const cached = modules.get(key)
    if (cached && bundles.get(where.file) === cached.built && unchanged(cached.built)) {
      return remember(input, options, key, where, cached)
    }
  }
  if (options.fresh) return instantiate(await bundled(where.file), where.name, options)
  // Concurrent first loads of one file under one environment share a single instance.
  let pending = inflight.get(key)
  if (!pending) {
    pending = (async () => {
      const built = await bundled(where.file)
      const loaded = await instantiate(built, where.name, options)
      modules.set(key, { loaded, built })
      return loaded
    })().finally(() => inflight.delete(key))
    inflight.set(key, pending)
  }
  const loaded = await pending
  const entry = modules.get(key)
  if (entry?.loaded === loaded) return remember(input, options, key, where, entry)
  return loaded.name === where.name ? loaded : { ...loaded, name: where.name }
}

/** The last load of an input string, for {@link warmFunctionFile}. */
interface WarmHit {
  cwd: string
  env: object | undefined
  runtimeEnv: object | undefined
  key: string
  file: string
  entry: ModuleEntry
  loaded: LoadedFunction
}
const warmHits = new Map<string, WarmHit>()

/** `entry`'s module under the input's function name, kept as the input's warm hit when its environments cannot change. */
function remember(input: string, options: LoadOptions, key: string, where: { file: string; name: string }, entry: ModuleEntry): LoadedFunction {
  const loaded = entry.loaded.name === where.name ? entry.loaded : { ...entry.loaded, name: where.name }
  const { env, runtimeEnv } = options
  // An environment object that is not frozen may change between calls: its key is recomputed each time.
  if ((env === undefined || Object.isFrozen(env)) && (runtimeEnv === undefined || Object.isFrozen(runtimeEnv))) {
    warmHits.set(input, { cwd: process.cwd(), env, runtimeEnv, key, file: where.file, entry, loaded })
  }
  return loaded
}

/**
 * What {@link loadFunctionFile} would return for a warm call, found synchronously: the last load
 * of the same input string (from the same working folder, under the same frozen or absent
 * environments), while its module is still the cached one and every bundled input is unchanged
 * (one `stat` each, as the full path does). `undefined` otherwise: then call `loadFunctionFile`.
 * Skips the path resolution, the cache key and a turn of the event loop (issue 12, bench 7c).
 * @internal
 */
export function warmFunctionFile(input: string, options: LoadOptions = {}): LoadedFunction | undefined {
  if (options.fresh) return undefined
  const hit = warmHits.get(input)
  if (hit === undefined || hit.env !== options.env || hit.runtimeEnv !== options.runtimeEnv || hit.cwd !== process.cwd()) return undefined
  const entry = modules.get(hit.key)
  if (entry !== hit.entry || bundles.get(hit.file) !== entry.built || !unchanged(entry.built)) {
    warmHits.delete(input) // stale: it must not keep an old module instance alive
    return undefined
  }
  return hit.loaded
}

function locate(input: string): { file: string; name: string } {
  const abs = resolve(input)
  const seen = located.get(abs)
  if (seen && bundles.has(seen.file)) return seen
  const found = locateFunctionFile(abs)
  const where = { file: realpathSync(found.file), name: found.name }
  located.set(abs, where)
  return where
}

const building = new Map<string, Promise<BundleEntry>>()

/**
 * Whether this module's own `import()` goes through Vite (Vitest loads the harness itself, so
 * Vite transforms and resolves what it imports); natively `import.meta.env` is undefined.
 */
const VIA_VITE = typeof (import.meta as { env?: unknown }).env === 'object'

function bundleOf(file: string, format: 'esm' | 'cjs'): Promise<Bundle> {
  const outfile = join(BUILD_BASE, `${basename(file)}.${process.pid}-${++counter}.${format === 'esm' ? 'mjs' : 'cjs'}`)
  return bundleFunction({ file, format, outfile })
}

let diskCache: BuildCache | null | undefined

/**
 * Where esbuild is told its output goes (it writes nothing: the build is in memory, and a
 * bundle's map names its sources relative to this folder, which is never made). A build does not
 * need the temporary folder; only a temporary copy does (see importEsm).
 */
const BUILD_BASE = join(tmpdir(), `netlify-identity-harness-build-${process.pid}`)
/** Whether an ESM bundle is imported from its module file in the build cache (see instantiate). */
let importCachedModules = !VIA_VITE

/** The cross-process build cache (see build-cache.ts), or `null` when it is off or has no folder. */
function disk(): BuildCache | null {
  if (diskCache !== undefined) return diskCache
  const folder = cacheFolder()
  diskCache = folder === undefined ? null : buildCache(folder, bundlerFingerprint())
  return diskCache
}

/**
 * Forgets every build and module instance this process holds, as a new process would start,
 * with the disk cache in `cacheSetting` (a `NETLIFY_IDENTITY_HARNESS_CACHE` value); `cachedModules`
 * imports ESM bundles from the cache's module files even through Vite (as a process that loads
 * the harness from node_modules does). For the build cache's own tests only.
 * @internal
 */
export function startOverForTests(cacheSetting: string, options: { cachedModules?: boolean } = {}): void {
  importCachedModules = options.cachedModules ?? !VIA_VITE
  located.clear()
  bundles.clear()
  modules.clear()
  warmHits.clear()
  groups.clear()
  const folder = cacheFolder(cacheSetting)
  diskCache = folder === undefined ? null : buildCache(folder, bundlerFingerprint())
}

/** A build of `file` from the disk cache when nothing it was built from changed, else esbuild's (then kept). */
async function cachedBundleOf(file: string, format: 'esm' | 'cjs'): Promise<Bundle> {
  const cache = disk()
  const hit = cache?.read(file, format, importCachedModules)
  if (hit) return hit
  const startedAt = Date.now()
  const bundle = await bundleOf(file, format)
  cache?.write(file, format, bundle, startedAt)
  return bundle
}

/** Instances of files imported as is: the first is the file's URL, later ones add a query. */
const asIsInstances = new Map<string, number>()

/**
 * Imports an ES module that runs as is from its original file: nothing is written, and its
 * frames, `import.meta.url` and relative imports are the original's. A later instance (another
 * env, `fresh`) is the same URL with `?nih-instance=<n>` (`fileURLToPath` drops the query).
 * When it fails to link (a missing module, a syntax error), esbuild builds it to name file, line
 * and column, as a bundled load does.
 */
async function importAsIs(file: string): Promise<Record<string, unknown>> {
  const n = asIsInstances.get(file) ?? 0
  asIsInstances.set(file, n + 1)
  const url = pathToFileURL(file).href + (n === 0 ? '' : `?nih-instance=${n}`)
  try {
    return (await import(url)) as Record<string, unknown>
  } catch (error) {
    if (linkError(error)) await bundleOf(file, 'esm') // throws the precise build error, if any
    throw error
  }
}

function linkError(error: unknown): boolean {
  if (error instanceof SyntaxError) return true
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^ERR_(MODULE_NOT_FOUND|PACKAGE_PATH_NOT_EXPORTED|UNSUPPORTED_DIR_IMPORT|UNKNOWN_FILE_EXTENSION)$/.test(code)) return true
  // Vite's own wording (Vitest loading the harness): an unresolvable import, a parse error
  // (Vite 7: "Failed to parse source for import analysis …", with a JSX hint even for a .mjs file;
  // rolldown-vite: a RolldownError "Parse failure: …").
  return error instanceof Error && /^(Failed to load url|Cannot find (module|package)|Transform failed|Failed to parse source|Parse fail)|PARSE_ERROR/.test(error.message)
}

/** Function files known to be one site's functions directory (see {@link functionDirectory}). */
const groups = new Map<string, { root: string; files: string[] }>()
const groupBuilds = new Map<string, Promise<void>>()

/**
 * Declares the function files of one functions directory (`createIdentity({ functions: dir })`):
 * the first of them to need esbuild bundles every one of them that needs it in one esbuild call
 * per module format (issue 12), instead of one call each.
 * @internal
 */
export function functionDirectory(root: string, files: readonly string[]): void {
  const real = files.flatMap((f) => {
    try {
      return [realpathSync(f)]
    } catch {
      return []
    }
  })
  const group = { root: realpathSync(root), files: real }
  for (const f of real) if (!groups.has(f)) groups.set(f, group)
}

/** Bundles the not-yet-bundled members of `file`'s directory together; errors fall back to one build each. */
async function buildGroup(file: string): Promise<void> {
  const group = groups.get(file)
  if (!group) return
  let pending = groupBuilds.get(group.root)
  if (!pending) {
    pending = (async () => {
      const byFormat = new Map<'esm' | 'cjs', string[]>()
      for (const f of group.files) {
        const cached = bundles.get(f)
        if ((cached && unchanged(cached)) || !existsSync(f)) continue
        const format = moduleFormat(f)
        if (format === 'esm' && filesRunningAsIs(f, (x) => moduleFormat(x) === 'esm', VIA_VITE)) continue
        const hit = disk()?.read(f, format, importCachedModules)
        if (hit) {
          bundles.set(f, { file: f, format, bundle: hit, stamps: stampsOf(hit.inputs) })
          continue
        }
        byFormat.set(format, [...(byFormat.get(format) ?? []), f])
      }
      for (const [format, files] of byFormat) {
        if (files.length < 2) continue
        let built: Map<string, Bundle>
        const startedAt = Date.now()
        try {
          built = await bundleFunctions(files, format, join(BUILD_BASE, `dir-${process.pid}-${++counter}`), group.root)
        } catch {
          continue // one file's error: each file is bundled alone and names its own error
        }
        for (const [f, bundle] of built) {
          bundles.set(f, { file: f, format, bundle, stamps: stampsOf(bundle.inputs) })
          disk()?.write(f, format, bundle, startedAt)
        }
      }
    })().finally(() => groupBuilds.delete(group.root))
    groupBuilds.set(group.root, pending)
  }
  await pending
}

/** The file's bundle: the cached one while every input is unchanged, else a new build. */
async function bundled(file: string): Promise<BundleEntry> {
  let cached = bundles.get(file)
  if (cached && unchanged(cached)) return cached
  if (groups.has(file)) {
    await buildGroup(file)
    cached = bundles.get(file)
    if (cached && unchanged(cached)) return cached
  }
  let pending = building.get(file)
  if (!pending) {
    pending = (async () => {
      if (!existsSync(file)) {
        throw new HarnessError('ERR_FUNCTION_NOT_FOUND', `function file ${JSON.stringify(file)} does not exist (it was removed since it was loaded)`)
      }
      const format = moduleFormat(file)
      const asIs = format === 'esm' ? filesRunningAsIs(file, (f) => moduleFormat(f) === 'esm', VIA_VITE) : undefined
      const bundle = asIs ? undefined : await cachedBundleOf(file, format)
      const entry: BundleEntry = { file, format, bundle, stamps: stampsOf(asIs ?? bundle!.inputs) }
      bundles.set(file, entry)
      return entry
    })().finally(() => building.delete(file))
    building.set(file, pending)
  }
  return pending
}

interface CompilableModule {
  filename: string
  paths: string[]
  exports: unknown
  _compile(code: string, filename: string): unknown
}

/**
 * Evaluates a CommonJS bundle without writing a file: a `Module` named after the original file
 * (so `__filename`, `__dirname`, `require` and its package lookup are the original folder's),
 * compiled from memory and never put in `require.cache`.
 */
function compileCommonJs(code: string, file: string): Record<string, unknown> {
  const M = Module as unknown as { new (id: string): CompilableModule; _nodeModulePaths(dir: string): string[] }
  const mod = new M(file)
  mod.filename = file
  mod.paths = M._nodeModulePaths(dirname(file))
  mod._compile(code, file)
  return mod.exports as Record<string, unknown>
}

const esmImports = { moduleFile: 0, temporary: 0 }

/**
 * How many ESM bundles this process imported from a module file (the build cache's, or the one
 * for Vite) and from a temporary copy (tests check which way a load went). @internal
 */
export function esmImportCounts(): { moduleFile: number; temporary: number } {
  return { ...esmImports }
}

/** Imports an ESM bundle from the temporary folder (outside the user's tree), then deletes it. */
async function importEsm(bundle: Bundle, file: string): Promise<Record<string, unknown>> {
  esmImports.temporary++
  const outfile = join(bundleDir(), `${basename(file)}.${process.pid}-${++counter}.mjs`)
  registerSourceMap(outfile, bundle.map, bundle.mapDir)
  writeFileSync(outfile, withInlineMap(bundle.code, bundle.map, bundle.mapDir))
  try {
    return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>
  } finally {
    try {
      unlinkSync(outfile)
    } catch {
      // already gone
    }
  }
}

/** Instances of module files imported: the first is the file's URL, later ones add a query. */
const moduleInstances = new Map<string, number>()

/**
 * Under Vite (the harness inlined), the bundle from a module file whose path every worker
 * shares (see vite-modules.ts): Vite transforms it once per run, not once per worker.
 */
function importForVite(bundle: Bundle, file: string): Promise<Record<string, unknown>> {
  const path = viteModuleFile(withInlineMap(bundle.code, bundle.map, bundle.mapDir))
  return path === undefined ? importEsm(bundle, file) : importModuleFile(path, bundle, file)
}

/**
 * Imports a module file as it is (the build cache's, or the one for Vite; nothing written; a
 * later instance is the same URL with `?nih-instance=<n>`); a temporary copy when the file was
 * removed since it was found (another process replaced the bundle, the folder was cleaned).
 */
async function importModuleFile(path: string, bundle: Bundle, file: string): Promise<Record<string, unknown>> {
  esmImports.moduleFile++
  const n = moduleInstances.get(path) ?? 0
  moduleInstances.set(path, n + 1)
  registerSourceMap(path, bundle.map, bundle.mapDir)
  try {
    return (await import(pathToFileURL(path).href + (n === 0 ? '' : `?nih-instance=${n}`))) as Record<string, unknown>
  } catch (error) {
    if (!missingModuleFile(error, path)) throw error
    return importEsm(bundle, file)
  }
}

/**
 * @internal
 * Whether an import failed because the module file itself was not there (Node's
 * `ERR_MODULE_NOT_FOUND`, or Vite's "Failed to load url", naming that file), not because of
 * what the module does or imports.
 */
export function missingModuleFile(error: unknown, path: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  if (typeof message !== 'string') return false
  // A package the module imports that is missing names the module file too, as its importer:
  // only the module file as the thing not found counts.
  // Node names the path; Vitest's module runner the URL it was given, query and all.
  const names = [path, pathToFileURL(path).href]
  if (code === 'ERR_MODULE_NOT_FOUND') return names.some((p) => message.startsWith(`Cannot find module '${p}'`) || message.startsWith(`Cannot find module '${p}?`))
  return names.some((p) => message.startsWith(`Failed to load url ${p}`))
}

async function instantiate(built: BundleEntry, name: string, options: LoadOptions): Promise<LoadedFunction> {
  const { file, format, bundle } = built
  if (bundle?.commonJsInEsm) throw commonJsInEsmError(file, bundle.commonJsInEsm, undefined)
  let mod: Record<string, unknown>
  try {
    mod = await runInEnv(options.env, options.runtimeEnv, () =>
      withGlobals({ netlify: { context: null, env: getNetlifyEnv() }, identity: undefined }, async () => {
        if (!bundle) return importAsIs(file)
        if (format === 'cjs') {
          registerSourceMap(file, bundle.map, bundle.mapDir)
          return compileCommonJs(bundle.code, file)
        }
        // Through Vite (the harness inlined), a module file outside node_modules: Vite then
        // transforms it, so vi.mock reaches its package imports; the build cache's module file
        // would be externalised as a dependency.
        if (!importCachedModules) return importForVite(bundle, file)
        return bundle.moduleFile === undefined ? importEsm(bundle, file) : importModuleFile(bundle.moduleFile, bundle, file)
      }),
    )
  } catch (error) {
    throw error instanceof HarnessError ? error : loadError(error, file, format)
  }
  return { module: mod ?? {}, name, file, format, diagnostics: bundle?.diagnostics ?? [] }
}

/** A throw at module scope as a `HarnessError` naming the user's file, line and column. */
function loadError(error: unknown, file: string, format: 'esm' | 'cjs'): HarnessError {
  mapErrorStack(error)
  const at = userLocation(error)
  const label = errorLabel(error)
  const cjsName = error instanceof ReferenceError ? /^(exports|module) is not defined/.exec(error.message)?.[1] : undefined
  if (format === 'esm' && cjsName) return commonJsInEsmError(file, cjsName === 'module' ? 'module' : 'exports', error)
  const strict = error instanceof ReferenceError && /is not defined$/.test(error.message) && format === 'esm'
    ? ' ES modules run in strict mode: assigning an undeclared variable throws; declare it with let or const.'
    : ''
  return new HarnessError(
    'ERR_FUNCTION_LOAD',
    `${file} threw while loading (module scope, ${format})${at ? ` at ${at}` : ''}: ${label}.${strict}`,
    { cause: error },
  )
}

/**
 * A CommonJS file run as an ES module (issue 11.3): `exports.handler` in a `.js` file under
 * `"type": "module"`. Node throws "exports is not defined in ES module scope" and so does the
 * function on Netlify (its bundle is ESM for such a file, functions-runtime.md §6); Vitest's
 * module runner would hide it by providing `exports`, so the harness refuses the file itself.
 */
function commonJsInEsmError(file: string, variable: 'exports' | 'module', cause: unknown): HarnessError {
  const pkg = nearestPackageJson(file)
  const ext = extname(file)
  const fixed = `${basename(file, ext)}${ext === '.ts' || ext === '.mts' ? '.cts' : '.cjs'}`
  const why = ext === '.mjs' || ext === '.mts' ? `its ${ext} extension makes it one` : pkg ? `${pkg} says "type": "module"` : 'it is ESM'
  return new HarnessError(
    'ERR_FUNCTION_FORMAT',
    `${file} is CommonJS (it uses \`${variable}\`) but runs as an ES module: ${why}. Netlify fails the same way (ReferenceError: ${variable} is not defined in ES module scope). Fix: rename it to ${fixed}, or write \`export const handler\`. (A package.json with {"type": "commonjs"} in ${dirname(file)} works too, but makes every .js and .ts file there CommonJS, and vi.mock does not reach a CommonJS function's require().)`,
    cause === undefined ? undefined : { cause },
  )
}
