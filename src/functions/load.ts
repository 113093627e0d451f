import { existsSync, readFileSync, realpathSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { errorLabel, HarnessError } from '../errors.js'
import { getNetlifyEnv, withGlobals } from '../netlify/globals.js'
import { hash32 } from '../random.js'
import { entryCandidates, FUNCTION_EXTENSIONS, folderEntry } from './discover.js'
import type { EnvOverrides } from './env.js'
import { withEnv } from './env.js'

/** Options for loading a function file. */
export interface LoadOptions {
  /** Load a new module instance instead of the cached one (module-scope state, clients, env reads). */
  fresh?: boolean
  /** `process.env` values while the module loads (module-scope reads see them). */
  env?: EnvOverrides
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
}

interface CacheEntry {
  loaded: LoadedFunction
  /** Every bundled source file with its mtime and size when bundled. */
  inputs: Array<[string, number, number]>
}

const cache = new Map<string, CacheEntry>()
let counter = 0

/**
 * The module format Netlify builds a file in (functions-runtime.md §6): `.mjs`/`.mts` ESM,
 * `.cjs`/`.cts` CommonJS, `.js`/`.ts`/`.tsx` from the nearest `package.json` `type`.
 * @internal
 */
export function moduleFormat(file: string): 'esm' | 'cjs' {
  const ext = extname(file)
  if (ext === '.mjs' || ext === '.mts') return 'esm'
  if (ext === '.cjs' || ext === '.cts') return 'cjs'
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module' ? 'esm' : 'cjs'
      } catch {
        return 'cjs'
      }
    }
    if (dirname(dir) === dir) return 'cjs'
  }
}

/** Finds the file to load for a path: the file itself, or a folder's entry (§6). @internal */
export function locateFunctionFile(input: string): { file: string; name: string } {
  const abs = resolve(input)
  if (!existsSync(abs)) {
    throw new HarnessError(
      'ERR_FUNCTION_NOT_FOUND',
      `function file ${JSON.stringify(abs)} does not exist (expected a ${FUNCTION_EXTENSIONS.join('/')} file or a function folder)`,
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

function unchanged(entry: CacheEntry): boolean {
  for (const [file, mtime, size] of entry.inputs) {
    try {
      const s = statSync(file)
      if (s.mtimeMs !== mtime || s.size !== size) return false
    } catch {
      return false
    }
  }
  return true
}

/** `require`s a CommonJS bundle and drops it from the require cache (each load has its own file). */
function requireOnce(from: string, outfile: string): Record<string, unknown> {
  const req = createRequire(from)
  try {
    return req(outfile) as Record<string, unknown>
  } finally {
    delete req.cache[outfile]
  }
}

/**
 * Banner for ESM bundles, like Netlify's bundler adds: CommonJS `require`, `__filename` and
 * `__dirname` work in ESM output (for `.mjs` files that still `require`). The names are
 * prefixed; esbuild's `define` maps the free identifiers onto them.
 */
const ESM_BANNER = [
  'import { createRequire as __nihCreateRequire } from "node:module";',
  'import { fileURLToPath as __nihFileURLToPath } from "node:url";',
  'import { dirname as __nihDirname } from "node:path";',
  'const require = __nihCreateRequire(import.meta.url);',
  'const __nih_filename = __nihFileURLToPath(import.meta.url);',
  'const __nih_dirname = __nihDirname(__nih_filename);',
].join('\n')

/**
 * Loads a function file the way Netlify bundles it: esbuild (imported only now) bundles the
 * entry with its local imports, keeps every package import external (so the test's module
 * mocks and the function share instances), and builds ESM or CommonJS per §6. The bundle is
 * written beside the entry file — so bare imports, `import.meta.url`, `__dirname` and relative
 * file reads resolve from the function's own folder — imported, then deleted. Same file
 * unchanged (every bundled input's mtime and size) → the cached module, unless `fresh`.
 * @internal
 */
export async function loadFunctionFile(input: string, options: LoadOptions = {}): Promise<LoadedFunction> {
  const located = locateFunctionFile(input)
  const file = realpathSync(located.file)
  const cached = cache.get(file)
  if (cached && !options.fresh && unchanged(cached)) return { ...cached.loaded, name: located.name }
  if (options.fresh) return build(file, located.name, options)
  // Concurrent first loads of one file share a single build.
  let pending = inflight.get(file)
  if (!pending) {
    pending = build(file, located.name, options).finally(() => inflight.delete(file))
    inflight.set(file, pending)
  }
  return { ...(await pending), name: located.name }
}

const inflight = new Map<string, Promise<LoadedFunction>>()

async function build(file: string, name: string, options: LoadOptions): Promise<LoadedFunction> {
  const format = moduleFormat(file)
  const dir = dirname(file)
  const outfile = join(dir, `.${basename(file)}.nih-${hash32(file).toString(36)}-${process.pid}-${++counter}.${format === 'esm' ? 'mjs' : 'cjs'}`)
  const esbuild = await import('esbuild')
  let built: import('esbuild').BuildResult<{ write: false; metafile: true }>
  try {
    built = await esbuild.build({
      entryPoints: [file],
      outfile,
      absWorkingDir: dir,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format,
      packages: 'external',
      write: false,
      metafile: true,
      sourcemap: 'inline',
      logLevel: 'silent',
      ...(format === 'esm' ? { banner: { js: ESM_BANNER }, define: { __dirname: '__nih_dirname', __filename: '__nih_filename' } } : {}),
    })
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors ?? []
    const detail = errors.length
      ? errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`).join('; ')
      : String(error)
    throw new HarnessError('ERR_FUNCTION_LOAD', `cannot build ${file} as Netlify would (esbuild, ${format}): ${detail}`, { cause: error })
  }
  const output = built.outputFiles.find((f) => f.path.endsWith(extname(outfile))) ?? built.outputFiles[0]!
  const inputs: Array<[string, number, number]> = Object.keys(built.metafile.inputs).map((p) => {
    const abs = resolve(dir, p)
    const s = statSync(abs)
    return [abs, s.mtimeMs, s.size]
  })

  let mod: Record<string, unknown>
  writeFileSync(outfile, output.contents)
  try {
    mod = await withEnv(options.env, () =>
      withGlobals({ netlify: { context: null, env: getNetlifyEnv() }, identity: undefined }, async () =>
        format === 'cjs' ? requireOnce(file, outfile) : ((await import(pathToFileURL(outfile).href)) as Record<string, unknown>),
      ),
    )
  } catch (error) {
    throw new HarnessError(
      'ERR_FUNCTION_LOAD',
      `${file} threw while loading (module scope, ${format}): ${errorLabel(error)}`,
      { cause: error },
    )
  } finally {
    try {
      unlinkSync(outfile)
    } catch {
      // already gone
    }
  }
  const loaded: LoadedFunction = { module: mod ?? {}, name, file, format }
  cache.set(file, { loaded, inputs })
  return loaded
}
