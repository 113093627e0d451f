import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { dirname, join, parse, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Bundle, PackageImport } from './bundle.js'
import { RESOLVE_EXTENSIONS } from './bundle.js'
import { isDir, packageFolder, statOf } from './package-folder.js'
import { writeWhole } from './atomic-write.js'
import { absoluteMap, withInlineMap } from './source-map.js'
import { extendedConfigFiles, readJsonc } from './tsconfig.js'

/**
 * The cross-process build cache (issue 12: Vitest runs every test file in its own worker, so a
 * cache in memory pays esbuild's import, service start and build again in each file). A bundle
 * is kept on disk, per function file and module format, with what it was built from; a later
 * process uses it only when all of that is unchanged, checked by content:
 *
 * - every bundled input (the file and its local imports), by SHA-256 of its bytes;
 * - every `package.json`, `tsconfig.json` and `jsconfig.json` in the folders above an input, and
 *   their absence (the module format, `paths`, `jsx` and other settings esbuild reads), and every
 *   file a tsconfig or jsconfig `extends` (see tsconfig.ts);
 * - every package import left external: the first `node_modules/<name>` Node's lookup finds from
 *   the importing folder, and that package's `package.json` (an install, removal, upgrade or a
 *   closer copy changes the answer); a package that was missing must still be missing;
 * - for every import written as a path (`./util`, `../lib/index.js`), every file esbuild's lookup
 *   would try before or instead of the one it found, that did not exist: it must still not
 *   exist (a `util.ts` added beside the `util.js` that `./util` found wins the next build);
 * - the harness's own bundler code and esbuild's version.
 *
 * A bundle with a computed import (``import(`./loc/${l}.js`)``, which esbuild turns into a
 * pattern) is never kept: a file added later could match it.
 *
 * An ESM bundle is also kept as a module file beside its entry (see {@link moduleText}), which
 * later processes import as it is.
 *
 * Anything else is a miss and a fresh build, which replaces the entry. The cache never holds a
 * build error (a failing file is built, and fails, every time). Where: the `.cache` folder of the
 * project's `node_modules` (`node_modules/.cache/netlify-identity-harness`, as Babel, ESLint and
 * Vite keep theirs), never the user's source tree; `NETLIFY_IDENTITY_HARNESS_CACHE=off` turns it
 * off, any other value is the folder to use. A cache that cannot be read or written is skipped
 * without a word: it only ever saves time.
 * @internal
 */
export interface BuildCache {
  /**
   * The cached bundle of `file` in `format`, when everything it was built from is unchanged;
   * with its {@link Bundle.moduleFile} (checked, or written again) unless `moduleFile` is false.
   */
  read(file: string, format: 'esm' | 'cjs', moduleFile?: boolean): Bundle | undefined
  /**
   * Keeps a fresh bundle for later processes. Skipped when its package imports can't be
   * re-checked, or when an input changed after `startedAt` (the build may have read the older
   * bytes). An ESM bundle that is kept gets its {@link Bundle.moduleFile}.
   */
  write(file: string, format: 'esm' | 'cjs', bundle: Bundle, startedAt: number): void
}

const ENTRY_VERSION = 3
/** Entries kept at most, and their age limit: a folder of temporary test sites never grows without end. */
const MAX_ENTRIES = 500
const MAX_AGE_MS = 14 * 24 * 3600 * 1000
const CONFIG_FILES = ['package.json', 'tsconfig.json', 'jsconfig.json'] as const
/**
 * File times come from a clock that may lag `Date.now()` by a few milliseconds (the kernel's
 * coarse clock): a file written just after a build started can look older than the start.
 */
const CLOCK_SLACK_MS = 25

/** Read when the harness is imported: never while a function's environment reads are recorded. */
const SETTING = process.env.NETLIFY_IDENTITY_HARNESS_CACHE

interface Entry {
  v: number
  bundler: string
  file: string
  format: 'esm' | 'cjs'
  /** [path, sha256] of every bundled input. */
  inputs: Array<[string, string]>
  /** [path, sha256 | null] of every config file looked for above an input. */
  configs: Array<[string, string | null]>
  /** [from, name, package folder | null, sha256 of its package.json | null]. */
  packages: Array<[string, string, string | null, string | null]>
  /** Files esbuild's lookup of a local import would have taken, had they existed (see {@link lookupCandidates}). */
  absent: string[]
  bundle: Bundle
  /** An ESM bundle's module file in the folder (see {@link moduleName}), and its size in bytes. */
  module?: string
  moduleBytes?: number
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function hashOf(path: string): string | null {
  try {
    return sha256(readFileSync(path))
  } catch {
    return null
  }
}

/**
 * The folder the cache lives in: `NETLIFY_IDENTITY_HARNESS_CACHE` when it names one, else
 * `.cache/netlify-identity-harness` in the outermost `node_modules` above the harness itself (a
 * project's, also under pnpm), else in `<cwd>/node_modules`; `undefined` when off or nowhere.
 * @internal
 */
export function cacheFolder(setting: string | undefined = SETTING, here: string = fileURLToPath(import.meta.url), cwd: string = process.cwd()): string | undefined {
  if (setting !== undefined && setting !== '') {
    if (/^(0|off|false|no)$/i.test(setting.trim())) return undefined
    return resolve(cwd, setting)
  }
  const parts = here.split(sep)
  const at = parts.indexOf('node_modules')
  const modules = at > 0 ? parts.slice(0, at + 1).join(sep) : join(cwd, 'node_modules')
  return isDir(modules) ? join(modules, '.cache', 'netlify-identity-harness') : undefined
}

function configsAbove(inputs: readonly string[]): Array<[string, string | null]> {
  const dirs = new Set<string>()
  for (const input of inputs) {
    const { root } = parse(input)
    for (let dir = dirname(input); !dirs.has(dir); dir = dirname(dir)) {
      dirs.add(dir)
      if (dir === root) break
    }
  }
  const out = new Map<string, string | null>()
  for (const dir of dirs) {
    for (const name of CONFIG_FILES) {
      const path = join(dir, name)
      const hash = hashOf(path)
      out.set(path, hash)
      // What a tsconfig or jsconfig extends, wherever it lives, is read by esbuild too.
      if (hash !== null && name !== 'package.json') for (const base of extendedConfigFiles(path)) if (!out.has(base)) out.set(base, hashOf(base))
    }
  }
  return [...out]
}

function packageStamps(packages: readonly PackageImport[]): Entry['packages'] | undefined {
  const out: Entry['packages'] = []
  const seen = new Set<string>()
  for (const p of packages) {
    const id = `${p.from}\n${p.name}`
    if (seen.has(id)) continue
    seen.add(id)
    const folder = packageFolder(p.from, p.name)
    // esbuild's answer must be the one Node's lookup gives, or the entry could not be re-checked.
    if ((folder === null) !== p.missing) return undefined
    out.push([p.from, p.name, folder, folder === null ? null : hashOf(join(folder, 'package.json'))])
  }
  return out
}

/** esbuild's TypeScript-style rewrites of a written extension (esbuild: internal/resolver/resolver.go `rewrittenFileExtensions`). */
const REWRITTEN: Record<string, readonly string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] }

/**
 * Every file esbuild's lookup of a path import may take (esbuild: internal/resolver/resolver.go
 * `loadAsFileOrDirectory`): the path as written; with each extension of Netlify's order
 * ({@link RESOLVE_EXTENSIONS}, which the build uses); with
 * a `.js`/`.jsx`/`.mjs`/`.cjs` ending rewritten to TypeScript's; then as a folder, what its
 * `package.json` names (the file itself is a config file, hashed already), then its `index` with
 * each extension. A superset of what one lookup tries: a file added anywhere in it at worst costs
 * one needless rebuild.
 * @internal
 */
export function lookupCandidates(folder: string, written: string, depth = 0): string[] {
  const base = resolve(folder, written)
  const out = [base, ...RESOLVE_EXTENSIONS.map((ext) => base + ext)]
  const dot = base.lastIndexOf('.')
  const rewrites = dot > base.lastIndexOf(sep) ? REWRITTEN[base.slice(dot)] : undefined
  if (rewrites) for (const ext of rewrites) out.push(base.slice(0, dot) + ext)
  // As a folder: its package.json's `main` / `module` (esbuild's main fields on Node, in
  // loadAsMainField) looked up the same way, then `index` with each extension.
  if (depth < 2) for (const main of mainFieldsOf(base)) out.push(...lookupCandidates(base, main, depth + 1))
  for (const ext of RESOLVE_EXTENSIONS) out.push(join(base, `index${ext}`))
  return out
}

/** The `main` and `module` of a folder's package.json (none when it has no readable one). */
function mainFieldsOf(folder: string): string[] {
  const parsed = readJsonc(join(folder, 'package.json'))
  if (parsed === null || typeof parsed !== 'object') return []
  const { main, module } = parsed as { main?: unknown; module?: unknown }
  return [main, module].filter((v): v is string => typeof v === 'string' && v !== '')
}

function exists(path: string): boolean {
  return statOf(path) !== undefined
}

/**
 * The lookup candidates of a bundle's local imports that do not exist now (and are not inputs);
 * `undefined` when one that is not an input appeared after `startedAt` (the build may not have
 * seen it: the entry is not written).
 */
function absentCandidates(bundle: Bundle, startedAt: number): string[] | undefined {
  const inputs = new Set(bundle.inputs)
  const out = new Set<string>()
  for (const [folder, written] of bundle.localImports) {
    for (const path of lookupCandidates(folder, written)) {
      if (inputs.has(path) || out.has(path)) continue
      const s = statOf(path)
      if (s === undefined) out.add(path)
      else if (s.isFile() && Math.max(s.mtimeMs, s.ctimeMs) > startedAt - CLOCK_SLACK_MS) return undefined
    }
  }
  return [...out]
}

/**
 * An ESM bundle is imported from a module file kept beside its entry (its code with the map
 * inline), named after the entry and the file's content: a later process imports it as it is,
 * with nothing to write, and Node, Vite or anyone reading a stack frame there finds the map
 * (issue 12, 7a: writing, importing and deleting a temporary file was a third of a first load).
 */
function moduleText(bundle: Bundle): string {
  return withInlineMap(bundle.code, bundle.map, bundle.mapDir)
}

function moduleName(entryName: string, text: string): string {
  return `${entryName}-${sha256(text).slice(0, 16)}.mjs`
}

/** Whether the module file at `path` still holds the content its `name` says (size, then hash). */
function holds(path: string, name: string, bytes: number | undefined): boolean {
  if (statOf(path)?.size !== bytes) return false
  const hash = hashOf(path)
  return hash !== null && name.endsWith(`-${hash.slice(0, 16)}.mjs`)
}

function stillValid(entry: Entry, bundler: string, file: string, format: 'esm' | 'cjs'): boolean {
  if (entry.v !== ENTRY_VERSION || entry.bundler !== bundler || entry.file !== file || entry.format !== format) return false
  for (const path of entry.absent) if (exists(path)) return false
  for (const [path, hash] of entry.inputs) if (hashOf(path) !== hash) return false
  // A config file that was absent is checked with a stat: a failed read throws, and most of
  // the folders above an input have none of the three (issue 12, 7a).
  for (const [path, hash] of entry.configs) if (hash === null ? statOf(path)?.isFile() === true : hashOf(path) !== hash) return false
  for (const [from, name, folder, hash] of entry.packages) {
    const now = packageFolder(from, name)
    if (now !== folder) return false
    if (now !== null && hashOf(join(now, 'package.json')) !== hash) return false
  }
  return true
}

/**
 * Once per process, on its first write: removes entries older than two weeks, then the oldest
 * beyond 500 (an entry that is only read keeps its age, so a busy one is at worst rebuilt).
 */
function prune(folder: string): void {
  const now = Date.now()
  const entries: Array<{ name: string; age: number }> = []
  const modules: Array<{ name: string; age: number }> = []
  for (const name of readdirSync(folder)) {
    const s = statOf(join(folder, name))
    if (!s?.isFile()) continue
    const age = now - s.mtimeMs
    // a partial write older than a minute belongs to a process that died mid-write
    if (name.endsWith('.tmp')) {
      if (age > 60_000) rmSync(join(folder, name), { force: true })
    } else if (name.endsWith('.json')) entries.push({ name, age })
    else if (name.endsWith('.mjs')) modules.push({ name, age })
  }
  entries.sort((a, b) => a.age - b.age)
  const kept = new Set<string>()
  entries.forEach((e, i) => {
    if (e.age > MAX_AGE_MS || i >= MAX_ENTRIES) rmSync(join(folder, e.name), { force: true })
    else kept.add(e.name.slice(0, -'.json'.length))
  })
  // A module file goes with its entry (`<entry>-<content>.mjs`); one a minute old or less may
  // be another process's, written just before its entry.
  for (const m of modules) {
    if (!kept.has(m.name.slice(0, m.name.lastIndexOf('-'))) && m.age > 60_000) rmSync(join(folder, m.name), { force: true })
  }
}

/** A bundle's source map with absolute `sources`, so any process can use it from any folder. */
function portable(bundle: Bundle): Bundle {
  return { ...bundle, map: absoluteMap(bundle.map, bundle.mapDir), mapDir: dirname(bundle.inputs[0] ?? bundle.mapDir) }
}

/**
 * The cache in `folder` for bundles made by the bundler identified by `bundler` (its code and
 * esbuild's version: a new harness or esbuild never reads an older build).
 * @internal
 */
export function buildCache(folder: string, bundler: string): BuildCache {
  let pruned = false
  const nameOf = (file: string, format: 'esm' | 'cjs') => sha256(`${file}\n${format}`).slice(0, 40)
  return {
    read(file, format, moduleFile = true) {
      const name = nameOf(file, format)
      let entry: Entry
      try {
        entry = JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8')) as Entry
      } catch {
        return undefined
      }
      try {
        if (!stillValid(entry, bundler, file, format)) return undefined
      } catch {
        return undefined
      }
      const { bundle } = entry
      // (The name is checked too: a path taken from a file is never followed out of the folder.)
      if (moduleFile && format === 'esm' && entry.module !== undefined && new RegExp(`^${name}-[0-9a-f]{16}\\.mjs$`).test(entry.module)) {
        const module = join(folder, entry.module)
        try {
          // Removed or changed since (a cleaned cache folder, an edit): written again, from the entry.
          if (!holds(module, entry.module, entry.moduleBytes)) writeWhole(module, moduleText(bundle))
          bundle.moduleFile = module
        } catch {
          // not writable: the loader imports a temporary copy
        }
      }
      return bundle
    },
    write(file, format, bundle, startedAt) {
      try {
        // A computed import's pattern may match a file added later: such a bundle is not kept.
        if (bundle.globImports.length > 0) return
        const packages = packageStamps(bundle.packages)
        if (!packages) return
        const inputs: Entry['inputs'] = []
        for (const input of bundle.inputs) {
          if ((statSync(input, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) > startedAt - CLOCK_SLACK_MS) return
          const hash = hashOf(input)
          if (hash === null) return
          inputs.push([input, hash])
        }
        const absent = absentCandidates(bundle, startedAt)
        if (!absent) return
        const entry: Entry = { v: ENTRY_VERSION, bundler, file, format, inputs, configs: configsAbove(bundle.inputs), packages, absent, bundle: portable(bundle) }
        mkdirSync(folder, { recursive: true })
        if (!pruned) {
          pruned = true
          prune(folder)
        }
        const name = nameOf(file, format)
        if (format === 'esm') {
          const text = moduleText(entry.bundle)
          entry.module = moduleName(name, text)
          entry.moduleBytes = Buffer.byteLength(text)
          writeWhole(join(folder, entry.module), text)
        }
        // The module first, then the entry naming it: a concurrent reader never finds one without the other.
        writeWhole(join(folder, `${name}.json`), JSON.stringify(entry))
        if (entry.module !== undefined) {
          bundle.moduleFile = join(folder, entry.module)
          // The module of the bundle this one replaces (a process still importing it falls back to a temporary copy).
          for (const other of readdirSync(folder)) {
            if (other.startsWith(`${name}-`) && other.endsWith('.mjs') && other !== entry.module) rmSync(join(folder, other), { force: true })
          }
        }
      } catch {
        // a read-only or full disk: the cache only saves time
      }
    },
  }
}
