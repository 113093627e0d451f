import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire, isBuiltin } from 'node:module'
import type { SourceMapPayload } from 'node:module'
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BuildFailure, Message, Metafile, Plugin } from 'esbuild'
import { HarnessError } from '../errors.js'
import { outsideEnvLayers } from './env.js'
import { packageFolder, packageName, statOf } from './package-folder.js'
import { pathsReader } from './tsconfig.js'
import type { PathsTargets } from './tsconfig.js'
import type { Diagnostic } from '../types.js'

/**
 * The extensions Netlify's bundler tries for an import written without one, in its order
 * (netlify/build: packages/zip-it-and-ship-it/src/runtimes/node/bundlers/esbuild/bundler.ts,
 * `RESOLVE_EXTENSIONS`), not esbuild's default (`.tsx,.ts,.jsx,.js,.css,.json`): `./util` takes
 * `util.js` over `util.ts`, and finds `util.mjs`, `util.cjs`, `util.mts` or `util.cts`.
 * @internal
 */
export const RESOLVE_EXTENSIONS: readonly string[] = ['.js', '.jsx', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts', '.json']

/** What every bundle of a function file shares: Netlify's Node target and lookup, in memory, external maps. */
const BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  resolveExtensions: [...RESOLVE_EXTENSIONS] as string[],
  write: false,
  metafile: true,
  sourcemap: 'external',
  sourcesContent: false,
  logLevel: 'silent',
} as const

/** One function file bundled as Netlify's bundler does, not yet evaluated. @internal */
export interface Bundle {
  /** The bundled code, without a source map comment. */
  code: string
  /** Its source map, `sources` relative to {@link Bundle.mapDir}. */
  map: SourceMapPayload
  /**
   * An ESM bundle's module file in the cross-process build cache (its code with the map inline,
   * see build-cache.ts): imported as it is instead of a temporary copy. Set by the cache.
   */
  moduleFile?: string
  /** The folder the map's `sources` are relative to. */
  mapDir: string
  /** Every local source file bundled (absolute paths). */
  inputs: string[]
  /** esbuild's warnings and unresolvable `require`s, as diagnostics for every call. */
  diagnostics: Diagnostic[]
  /**
   * An ESM bundle without any `export` whose code uses CommonJS's `exports`/`module`: a
   * CommonJS file that Node (and Netlify) run as an ES module, where it fails.
   */
  commonJsInEsm?: 'exports' | 'module'
  /**
   * Every package import the bundle leaves external: the folder it was resolved from and the
   * package's name, and whether it was missing (what the cross-process cache re-checks).
   */
  packages: PackageImport[]
  /**
   * Every import written as a path (relative or absolute: bundled, or left external because
   * esbuild found nothing, as a `require()` in try/catch), as `[the importer's folder, the path
   * as written]`, and for an import bundled through tsconfig's `paths`, `[the found file's
   * folder, './' + its name without extension]`: what the cross-process cache re-checks for a
   * file added since that esbuild's lookup would now prefer (see build-cache.ts).
   */
  localImports: Array<[string, string]>
  /**
   * The patterns esbuild made of computed imports (``import(`./loc/${l}.js`)`` bundles every
   * `./loc/**\/*.js`): a file added later that matches is not in this build, so the
   * cross-process cache never keeps a bundle that has any.
   */
  globImports: string[]
}

/** One package import seen while bundling (see {@link Bundle.packages}). @internal */
export interface PackageImport {
  /** The folder Node resolves it from (the importing file's). */
  from: string
  /** The package name (`pkg` or `@scope/pkg`). */
  name: string
  /** `true` when it could not be resolved (a `missing-module` diagnostic or a build error). */
  missing: boolean
  /** The importing file (absolute), to tell the files of a directory build apart. */
  importer: string
}

/** What the loader asks esbuild for. @internal */
export interface BundleRequest {
  /** The entry file (real path). */
  file: string
  format: 'esm' | 'cjs'
  /** A path in the folder the bundle is evaluated from (only for the map's relative `sources`). */
  outfile: string
}

/**
 * Banner for ESM bundles, like Netlify's bundler adds: CommonJS `require`, `__filename` and
 * `__dirname` work in ESM output (for `.mjs` files that still `require`). The bundle runs from a
 * temporary folder, so `import.meta.url` / `filename` / `dirname`, `__filename` and `__dirname`
 * are the ORIGINAL file's (esbuild's `define` maps the free identifiers onto these names) and
 * `require` resolves from the original folder.
 */
function esmBanner(file: string): string {
  const url = pathToFileURL(file).href
  return [
    'import { createRequire as __nihCreateRequire } from "node:module";',
    `const __nih_import_meta_url = ${JSON.stringify(url)};`,
    `const __nih_filename = ${JSON.stringify(file)};`,
    `const __nih_dirname = ${JSON.stringify(dirname(file))};`,
    'const require = __nihCreateRequire(__nih_import_meta_url);',
  ].join('\n')
}

const ESM_DEFINE = {
  __dirname: '__nih_dirname',
  __filename: '__nih_filename',
  'import.meta.url': '__nih_import_meta_url',
  'import.meta.filename': '__nih_filename',
  'import.meta.dirname': '__nih_dirname',
}

/**
 * Package imports stay external (so a test's `vi.mock` and the function share instances), but
 * are resolved from the function's own folder, as Node would from the original file: an ESM
 * `import` becomes the resolved file's URL (the bundle itself runs from a temporary folder); a
 * `require` keeps its specifier (the banner's `require` resolves from the original folder). A
 * package that cannot be found fails an `import` as Netlify's build does, and makes a `require`
 * or dynamic `import()` a `missing-module` diagnostic (it throws at run time unless optional).
 */
function packagesFromOriginalFolder(format: 'esm' | 'cjs', seen: PackageImport[], pathsTargets: PathsTargets): Plugin {
  return {
    name: 'nih-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if ((args.pluginData as { nih?: boolean } | undefined)?.nih) return undefined
        if (isBuiltin(args.path) || /^[a-z][a-z0-9+.-]*:/i.test(args.path)) return { path: args.path, external: true }
        if (args.path.startsWith('#')) return undefined
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { nih: true } })
        // Not a package: a tsconfig `paths` alias (esbuild, like TypeScript, tries `paths`
        // before node_modules, even where a package of that name is installed). Netlify's esbuild
        // bundles the file it names; so does this build (kept external, a `.ts` file would fail
        // to load, and a linked workspace package would give its built copy instead).
        if (found.errors.length === 0 && !found.external && found.namespace === 'file' && found.path !== '' && pathsTargets(args.resolveDir, args.path) !== undefined) {
          return { path: found.path, sideEffects: found.sideEffects, suffix: found.suffix }
        }
        seen.push({ from: args.resolveDir, name: packageName(args.path), missing: found.errors.length > 0, importer: args.importer })
        if (found.errors.length > 0) {
          if (args.kind === 'import-statement') {
            return { errors: [{ text: `Could not resolve "${args.path}" from ${args.resolveDir}: install the package (npm install ${packageName(args.path)}); Netlify's build fails the same way` }] }
          }
          return { path: args.path, external: true, warnings: [{ text: `MISSING_MODULE:${args.path}` }] }
        }
        if (found.external || found.path === '') return { path: args.path, external: true }
        if (format === 'esm' && args.kind !== 'require-call' && args.kind !== 'require-resolve') return { path: pathToFileURL(found.path).href, external: true }
        return { path: args.path, external: true }
      })
    },
  }
}

function where(dir: string, m: Message): string {
  return m.location ? `${resolve(dir, m.location.file)}:${m.location.line}:${m.location.column + 1}` : ''
}

/** What to do about each esbuild warning the harness knows (ids from esbuild's messages). */
const WARNING_FIXES: Record<string, string> = {
  'empty-import-meta': 'import.meta is empty in a CommonJS function: use __dirname / __filename, or make the file ESM (.mjs)',
  'commonjs-variable-in-esm': 'this ES module uses a CommonJS variable, which is undefined at run time: use export, or make the file CommonJS (.cjs)',
  'require-resolve-not-external': 'require.resolve() of a bundled file: Netlify does not ship it unless it is in included_files',
  'unsupported-dynamic-import': 'a computed import() is not bundled: Netlify does not ship the file unless it is in included_files',
  'unsupported-require-call': 'a computed require() is not bundled: Netlify does not ship the file unless it is in included_files',
}

function toDiagnostic(dir: string, m: Message): Diagnostic {
  const at = where(dir, m)
  const missing = /^MISSING_MODULE:(.*)$/.exec(m.text)
  if (missing) {
    return {
      code: 'missing-module',
      message: `${at}: ${JSON.stringify(missing[1])} cannot be found from ${m.location ? dirname(resolve(dir, m.location.file)) : dir}, so this require()/import() throws at run time (Netlify's bundle leaves it out too). Install the package, or keep the call inside try/catch if it is optional.`,
    }
  }
  const fix = WARNING_FIXES[m.id] ?? 'see esbuild\'s message; Netlify bundles the file with esbuild and gets the same warning'
  return { code: 'bundle-warning', message: `${at}: esbuild warning${m.id ? ` (${m.id})` : ''}: ${m.text}. ${fix}.` }
}

let esbuildModule: Promise<typeof import('esbuild')> | undefined
let builds = 0

/** How many esbuild builds this process ran (tests check that a directory is one build). @internal */
export function esbuildBuilds(): number {
  return builds
}

/** esbuild, imported once per process and only when a path is loaded (its service starts on first build). */
function esbuild(): Promise<typeof import('esbuild')> {
  return (esbuildModule ??= outsideEnvLayers(() => import('esbuild')))
}

let fingerprint: string | undefined

/**
 * What identifies this bundler for the cross-process build cache: the harness that makes bundles
 * (its version, and this module's own file: a new harness, or an edit of it, never reads an
 * older build), the version of the esbuild it would import and Node's. Read without importing
 * esbuild, and without reading the code itself (issue 12, 7a: hashing it was a millisecond of
 * every test file's first load): the file's path, size and modification time. A published
 * harness has its version, and names this file with a hash of its content (esbuild's
 * `chunk-[hash].js`; npm gives every installed file the same time); an edited source file (the
 * harness's own tests) gets a new time.
 * @internal
 */
export function bundlerFingerprint(): string {
  fingerprint ??= fingerprintOf(fileURLToPath(import.meta.url))
  return fingerprint
}

/** {@link bundlerFingerprint} for the bundler file `here` (its own for the harness; any for the tests). @internal */
export function fingerprintOf(here: string): string {
  const own = statOf(here)
  // Unknown code (no file to stat): never share builds.
  const code = own === undefined ? String(Math.random()) : `${here}\n${own.size}\n${own.mtimeMs}`
  return createHash('sha256').update(`${versionAt(esbuildPackageJson(here))}\n${versionAt(ownPackageJson(here))}\n${process.version}\n${code}\n`).digest('hex')
}

/** esbuild's package.json: Node's lookup from the harness's folder, else `require.resolve` (Yarn PnP has no node_modules). */
function esbuildPackageJson(here: string): string | undefined {
  const folder = packageFolder(dirname(here), 'esbuild')
  if (folder !== null) return join(folder, 'package.json')
  try {
    return createRequire(here).resolve('esbuild/package.json')
  } catch {
    return undefined // esbuild not found: the first build says so
  }
}

/** The harness's own package.json: the nearest one above this file (`dist/` and `src/` have none of their own). */
function ownPackageJson(here: string): string | undefined {
  for (let dir = dirname(here); ; dir = dirname(dir)) {
    const path = join(dir, 'package.json')
    if (statOf(path)?.isFile()) return path
    if (dirname(dir) === dir) return undefined
  }
}

function versionAt(path: string | undefined): string {
  if (path === undefined) return 'unknown'
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/**
 * Bundles one function file as Netlify's bundler does (functions-runtime.md §6): the entry and
 * its local imports in one file, ESM or CommonJS, package imports external (resolved from the
 * file's folder, see above), a source map for every frame. A build error is a `HarnessError`
 * naming file, line and column.
 * @internal
 */
export async function bundleFunction(request: BundleRequest): Promise<Bundle> {
  const { file, format, outfile } = request
  const dir = dirname(file)
  const { build } = await esbuild()
  builds++
  const paths = pathsReader()
  const packages: PackageImport[] = []
  let built: import('esbuild').BuildResult<{ write: false; metafile: true }>
  try {
    // Outside the call's env layer: the first build spawns esbuild's service with a copy of
    // process.env, which would read (and hand esbuild) the call's variables.
    built = await outsideEnvLayers(() => build({
      entryPoints: [file],
      outfile,
      absWorkingDir: dir,
      ...BUILD_OPTIONS,
      format,
      plugins: [packagesFromOriginalFolder(format, packages, paths)],
      ...(format === 'esm' ? { banner: { js: esmBanner(file) }, define: ESM_DEFINE } : {}),
    }))
  } catch (error) {
    const errors = (error as Partial<BuildFailure>).errors ?? []
    const detail = errors.length ? errors.map((e) => `${e.location ? `${where(dir, e)}: ` : ''}${e.text}`).join('; ') : String(error)
    throw new HarnessError('ERR_FUNCTION_LOAD', `cannot build ${file} as Netlify would (esbuild, ${format}): ${detail}`, { cause: error })
  }
  const js = built.outputFiles.find((f) => !f.path.endsWith('.map'))!
  const map = built.outputFiles.find((f) => f.path.endsWith('.map'))
  const inputs = Object.keys(built.metafile.inputs)
    .filter((p) => !p.includes(':'))
    .map((p) => resolve(dir, p))
  const output = Object.values(built.metafile.outputs).find((o) => o.entryPoint !== undefined)
  const { localImports, globImports } = localImportsOf(built.metafile, dir, undefined, paths)
  const cjsVariable = format === 'esm' && (output?.exports.length ?? 0) === 0
    ? built.warnings.map((w) => (w.id === 'commonjs-variable-in-esm' ? /"(exports|module)"/.exec(w.text)?.[1] : undefined)).find((v) => v !== undefined)
    : undefined
  return {
    ...(cjsVariable === 'exports' || cjsVariable === 'module' ? { commonJsInEsm: cjsVariable } : {}),
    code: js.text,
    map: map ? (JSON.parse(map.text) as SourceMapPayload) : { version: 3, file: '', sources: [], sourcesContent: [], names: [], mappings: '', sourceRoot: '' },
    mapDir: dirname(outfile),
    inputs,
    diagnostics: built.warnings.map((w) => toDiagnostic(dir, w)),
    packages,
    localImports,
    globImports,
  }
}

/**
 * The local imports of the bundled inputs (of those in `only`, when given), from esbuild's
 * metafile, as {@link Bundle.localImports} describes them, and the patterns of computed imports
 * ({@link Bundle.globImports}).
 */
function localImportsOf(metafile: Metafile, root: string, only: ReadonlySet<string> | undefined, pathsTargets: PathsTargets): { localImports: Array<[string, string]>; globImports: string[] } {
  const out: Array<[string, string]> = []
  const globs: string[] = []
  for (const [rel, input] of Object.entries(metafile.inputs)) {
    if (rel.includes(':')) continue
    const importer = resolve(root, rel)
    if (only && !only.has(importer)) continue
    for (const imp of input.imports) {
      // An import esbuild could not resolve (a `require('./opt')` inside try/catch) is external,
      // recorded as written: the file it names may appear later.
      const written = imp.original ?? (imp.external ? imp.path : undefined)
      if (written === undefined || /[?#]/.test(written)) continue
      const relative = written === '.' || written === '..' || written.startsWith('./') || written.startsWith('../') || isAbsolute(written)
      if (relative && written.includes('*')) globs.push(resolve(dirname(importer), written))
      else if (relative) out.push([dirname(importer), written])
      else if (!imp.external && !imp.path.includes(':')) {
        // Bundled through tsconfig's `paths`: the lookup of each target the pattern names (a
        // file earlier in the list, or beside a folder it found, may appear), and of the file found.
        for (const target of pathsTargets(dirname(importer), written) ?? []) out.push([dirname(target), `./${basename(target)}`])
        const found = resolve(root, imp.path)
        out.push([dirname(found), `./${basename(found, extname(found))}`])
      }
    }
  }
  return { localImports: out, globImports: globs }
}

/** Placeholders of a shared banner, replaced per output file (the banner lines carry no mappings). */
const PLACEHOLDER = { url: '"__nih_placeholder_url__"', file: '"__nih_placeholder_file__"', dir: '"__nih_placeholder_dir__"' }

function sharedEsmBanner(): string {
  return [
    'import { createRequire as __nihCreateRequire } from "node:module";',
    `const __nih_import_meta_url = ${PLACEHOLDER.url};`,
    `const __nih_filename = ${PLACEHOLDER.file};`,
    `const __nih_dirname = ${PLACEHOLDER.dir};`,
    'const require = __nihCreateRequire(__nih_import_meta_url);',
  ].join('\n')
}

/**
 * Bundles several function files of one functions directory in ONE esbuild call (issue 12: a
 * directory named by `functions: 'dir'`), each output exactly what {@link bundleFunction} makes
 * for its file (the banner's names are filled in per file). All files share `format`. Rejects
 * when any file fails: the caller then bundles file by file, so each error names its own file.
 * @internal
 */
export async function bundleFunctions(files: string[], format: 'esm' | 'cjs', outdir: string, root: string): Promise<Map<string, Bundle>> {
  const { build } = await esbuild()
  builds++
  const paths = pathsReader()
  const packages: PackageImport[] = []
  const built = await outsideEnvLayers(() => build({
    entryPoints: files,
    outdir,
    outbase: root,
    absWorkingDir: root,
    ...BUILD_OPTIONS,
    format,
    outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
    plugins: [packagesFromOriginalFolder(format, packages, paths)],
    ...(format === 'esm' ? { banner: { js: sharedEsmBanner() }, define: ESM_DEFINE } : {}),
  }))
  const byPath = new Map(built.outputFiles.map((f) => [f.path, f]))
  const out = new Map<string, Bundle>()
  for (const [rel, meta] of Object.entries(built.metafile.outputs)) {
    if (meta.entryPoint === undefined || rel.endsWith('.map')) continue
    const file = resolve(root, meta.entryPoint)
    const jsPath = resolve(root, rel)
    const js = byPath.get(jsPath)
    const map = byPath.get(`${jsPath}.map`)
    if (!js) continue
    const inputs = Object.keys(meta.inputs).filter((p) => !p.includes(':')).map((p) => resolve(root, p))
    const mine = new Set(inputs)
    const warnings = built.warnings.filter((w) => !w.location || mine.has(resolve(root, w.location.file)))
    const cjsVariable = format === 'esm' && meta.exports.length === 0
      ? warnings.map((w) => (w.id === 'commonjs-variable-in-esm' ? /"(exports|module)"/.exec(w.text)?.[1] : undefined)).find((v) => v !== undefined)
      : undefined
    const code = format === 'esm'
      ? js.text.replace(PLACEHOLDER.url, JSON.stringify(pathToFileURL(file).href)).replace(PLACEHOLDER.file, JSON.stringify(file)).replace(PLACEHOLDER.dir, JSON.stringify(dirname(file)))
      : js.text
    out.set(file, {
      ...(cjsVariable === 'exports' || cjsVariable === 'module' ? { commonJsInEsm: cjsVariable } : {}),
      code,
      map: map ? (JSON.parse(map.text) as SourceMapPayload) : { version: 3, file: '', sources: [], sourcesContent: [], names: [], mappings: '', sourceRoot: '' },
      mapDir: dirname(jsPath),
      inputs,
      diagnostics: warnings.map((w) => toDiagnostic(root, w)),
      packages: packages.filter((p) => mine.has(p.importer)),
      ...localImportsOf(built.metafile, root, mine, paths),
    })
  }
  return out
}
