import { readFileSync } from 'node:fs'
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
    const file = queue.pop()!
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
  if (typeof tsconfig === 'string') out.push(resolve(pkg, tsconfig))
  const walk = (value: unknown, depth: number): void => {
    if (typeof value === 'string') {
      if (value.endsWith('.json') && !value.includes('*')) out.push(resolve(pkg, value))
    } else if (value !== null && typeof value === 'object' && depth < 8) {
      for (const v of Object.values(value)) walk(v, depth + 1)
    }
  }
  walk(exports, 0)
  return out
}

/** A JSON file that may hold comments and trailing commas, as TypeScript reads its configs. */
function readJsonc(file: string): unknown {
  try {
    return JSON.parse(stripJsonc(readFileSync(file, 'utf8')))
  } catch {
    return undefined
  }
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
