import { readdirSync, readFileSync, realpathSync } from 'node:fs'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { packageName } from './package-folder.js'

/**
 * Every file a `tsconfig.json` (or `jsconfig.json`) may take settings from through `extends`,
 * followed the way esbuild follows it (esbuild: internal/resolver/resolver.go `parseTSConfig`),
 * transitively through the files that exist: for the cross-process build cache, which hashes
 * each of them (a missing one must stay missing), so that a change to a base config outside the
 * function's folders (`"extends": "../../tsconfig.base.json"`, `"@tsconfig/node20"`) rebuilds.
 *
 * - A path (`./base`, `../tsconfig.base.json`, an absolute one) is relative to the config's
 *   folder; `.` and `..` mean their `tsconfig.json`; `.json` is tried when the path as written
 *   is no file.
 * - A package name is looked up in `node_modules` in each folder from the config's up: its
 *   `package.json` (the `tsconfig` field and the `exports` map name the file), every `.json`
 *   those name, then `<name>/tsconfig.json`, `<name>` and `<name>.json`.
 *
 * A superset of what one lookup reads: a file listed that esbuild would not read costs at worst
 * one needless rebuild. A config that cannot be read or parsed extends nothing.
 * @internal
 */
export function extendedConfigFiles(config: string): string[] {
  const out = new Set<string>()
  const queue = [config]
  while (queue.length > 0 && out.size < 200) {
    // A linked config (pnpm) is read, and its own `extends` looked up, from where it really is.
    const file = realPath(queue.pop()!)
    for (const target of extendsOf(file)) {
      for (const candidate of candidatesFor(target, dirname(file))) {
        if (out.has(candidate) || candidate === config) continue
        out.add(candidate)
        if (candidate.endsWith('.json') && basename(candidate) !== 'package.json') queue.push(candidate)
      }
    }
  }
  return [...out]
}

/** The `extends` of a config file: none when it is missing, unreadable or not an object. */
function extendsOf(file: string): string[] {
  const parsed = readJsonc(file)
  const value = parsed !== null && typeof parsed === 'object' ? (parsed as { extends?: unknown }).extends : undefined
  const list = Array.isArray(value) ? value : [value]
  return list.filter((v): v is string => typeof v === 'string' && v !== '')
}

function candidatesFor(target: string, folder: string): string[] {
  const isPath = target === '.' || target === '..' || target.startsWith('./') || target.startsWith('../') || isAbsolute(target)
  if (isPath) {
    const file = target === '.' || target === '..' ? join(folder, target, 'tsconfig.json') : resolve(folder, target)
    return file.endsWith('.json') ? [file] : [file, `${file}.json`]
  }
  const name = packageName(target)
  const out: string[] = []
  for (let dir = folder; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') {
      const pkg = join(dir, 'node_modules', name)
      out.push(join(pkg, 'package.json'), ...namedByPackage(pkg))
      const joined = join(dir, 'node_modules', target)
      out.push(join(joined, 'tsconfig.json'), joined, `${joined}.json`)
    }
    if (dirname(dir) === dir) return out
  }
}

/** The `.json` files a package's `package.json` names in its `tsconfig` field and its `exports` map. */
function namedByPackage(pkg: string): string[] {
  const parsed = readJsonc(join(pkg, 'package.json'))
  if (parsed === null || typeof parsed !== 'object') return []
  const { tsconfig, exports } = parsed as { tsconfig?: unknown; exports?: unknown }
  const out: string[] = []
  if (typeof tsconfig === 'string') {
    const named = resolve(pkg, tsconfig)
    out.push(named, `${named}.json`, join(named, 'tsconfig.json'))
  }
  const walk = (value: unknown, depth: number): void => {
    if (typeof value === 'string') {
      const star = value.indexOf('*')
      if (star < 0 && value.endsWith('.json')) out.push(resolve(pkg, value))
      // A pattern (`"./*": "./configs/*.json"`): every .json in the folder it starts in.
      else if (star >= 0) out.push(...jsonFilesIn(resolve(pkg, value.slice(0, value.lastIndexOf('/', star) + 1) || '.')))
    } else if (value !== null && typeof value === 'object' && depth < 8) {
      for (const v of Object.values(value)) walk(v, depth + 1)
    }
  }
  walk(exports, 0)
  return out
}

function jsonFilesIn(folder: string): string[] {
  try {
    return readdirSync(folder).filter((name) => name.endsWith('.json')).map((name) => join(folder, name))
  } catch {
    return []
  }
}

function realPath(file: string): string {
  try {
    return realpathSync(file)
  } catch {
    return file
  }
}

/**
 * A JSON file that may hold comments, trailing commas and a byte-order mark, as TypeScript and
 * esbuild read configs; `undefined` when it cannot be read or parsed.
 * @internal
 */
export function readJsonc(file: string): unknown {
  try {
    return JSON.parse(stripJsonc(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')))
  } catch {
    return undefined
  }
}

/** The effective `compilerOptions.paths` of a config, with the folder its targets are relative to. */
interface Paths {
  paths: Record<string, unknown>
  base: string
}

/**
 * What a bare import names through the tsconfig `paths` that apply to a file in `folder`: the
 * files each pattern's targets name (`*` filled in, relative to `baseUrl`, else to the config
 * that sets `paths`), or `undefined` when no pattern matches (the import is then a package).
 * @internal
 */
export type PathsTargets = (folder: string, specifier: string) => string[] | undefined

/**
 * A {@link PathsTargets} that reads each config once: make one per build (or per as-is check),
 * so that a config changed between builds is read again. The config that applies to a folder is
 * the nearest `tsconfig.json`, else `jsconfig.json`, going up, with what it extends: the nearest
 * config in that chain that sets `paths` decides, as TypeScript and esbuild read it; the longest
 * matching prefix wins.
 * @internal
 */
export function pathsReader(): PathsTargets {
  const nearest = new Map<string, string | undefined>()
  const effective = new Map<string, Paths | null>()
  const nearestConfig = (folder: string): string | undefined => {
    if (nearest.has(folder)) return nearest.get(folder)
    let found = ['tsconfig.json', 'jsconfig.json'].map((name) => join(folder, name)).find((file) => readJsonc(file) !== undefined)
    if (found === undefined && dirname(folder) !== folder) found = nearestConfig(dirname(folder))
    nearest.set(folder, found)
    return found
  }
  return (folder, specifier) => {
    const config = nearestConfig(folder)
    if (config === undefined) return undefined
    let found = effective.get(config)
    if (found === undefined) effective.set(config, (found = effectivePaths(config)))
    return found === null ? undefined : matchPaths(found, specifier)
  }
}

function matchPaths(found: Paths, specifier: string): string[] | undefined {
  let best: { prefix: string; targets: unknown; star: string } | undefined
  for (const [pattern, targets] of Object.entries(found.paths)) {
    const star = pattern.indexOf('*')
    if (star < 0) {
      if (pattern === specifier) return targetsOf(targets, found.base, '')
      continue
    }
    const prefix = pattern.slice(0, star)
    const suffix = pattern.slice(star + 1)
    if (specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix) && (!best || prefix.length > best.prefix.length)) {
      best = { prefix, targets, star: specifier.slice(prefix.length, specifier.length - suffix.length) }
    }
  }
  return best ? targetsOf(best.targets, found.base, best.star) : undefined
}

function targetsOf(targets: unknown, base: string, star: string): string[] {
  return Array.isArray(targets) ? targets.filter((t): t is string => typeof t === 'string').map((t) => resolve(base, t.replace('*', star))) : []
}

/** The `paths` the chain from `config` ends up with, or `null` for none. */
function effectivePaths(config: string): Paths | null {
  let file: string | undefined = config
  let baseUrl: string | undefined
  for (let depth = 0; file !== undefined && depth < 20; depth++) {
    const real = realPath(file)
    const parsed = readJsonc(real) as { compilerOptions?: { paths?: unknown; baseUrl?: unknown }; extends?: unknown } | undefined
    const options = parsed?.compilerOptions
    if (baseUrl === undefined && typeof options?.baseUrl === 'string') baseUrl = resolve(dirname(real), options.baseUrl)
    if (options?.paths !== null && typeof options?.paths === 'object') {
      return { paths: options.paths as Record<string, unknown>, base: baseUrl ?? dirname(real) }
    }
    // Follow the first `extends` target that exists (a superset for the cache, a choice here).
    file = extendsOf(real).flatMap((target) => candidatesFor(target, dirname(real))).find((c) => basename(c) !== 'package.json' && readJsonc(c) !== undefined)
  }
  return null
}

/** JSON with `//` and `/* *\/` comments and trailing commas made plain JSON (strings kept as they are). */
export function stripJsonc(text: string): string {
  return dropTrailingCommas(dropComments(text))
}

/** Copies a string literal starting at `i` (a `"`) to `out`; returns the index after it. */
function copyString(text: string, i: number, out: string[]): number {
  const start = i++
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
  out.push(text.slice(start, i + 1))
  return i + 1
}

function dropComments(text: string): string {
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') i = copyString(text, i, out)
    else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? text.length : end + 2
      out.push(' ')
    } else {
      out.push(c)
      i++
    }
  }
  return out.join('')
}

function dropTrailingCommas(text: string): string {
  const out: string[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      i = copyString(text, i, out)
      continue
    }
    if (c === ',') {
      let j = i + 1
      while (j < text.length && /\s/.test(text[j]!)) j++
      if (text[j] === '}' || text[j] === ']') {
        i++
        continue
      }
    }
    out.push(c)
    i++
  }
  return out.join('')
}
