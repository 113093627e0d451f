import { existsSync, readFileSync, statSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { dirname, extname, resolve } from 'node:path'
import { packageFolder, packageName } from './package-folder.js'
import { pathsReader } from './tsconfig.js'

/** CommonJS names that Netlify's ESM bundle provides (banner) but a native ES module lacks. */
const NEEDS_BUNDLE = /\b(?:__dirname|__filename|require|exports)\b|\bmodule\.exports\b/
/** Relative specifiers of static imports, re-exports, side-effect and literal dynamic imports. */
const RELATIVE = /(?:\bfrom|\bimport)\s*\(?\s*(['"])(\.{1,2}\/[^'"\n]+)\1/g
/** Bare specifiers of the same (packages, builtins, `#imports`, tsconfig `paths` aliases). */
const BARE = /(?:\bfrom|\bimport)\s*\(?\s*(['"])([^'"\n./][^'"\n]*)\1/g
const MAX_FILES = 50

/**
 * The files of a function that runs exactly as Netlify's bundle would without being bundled, or
 * `undefined` when it must be bundled. That holds for an ES module (by extension and the nearest
 * `package.json`, `isEsm`) that uses none of the CommonJS names the bundle's banner adds
 * (`require`, `__dirname`, `__filename`, `exports`) and imports no local file (`allowRelative`
 * lifts that: the same module graph Node builds from the original files — but Node caches an
 * imported helper by URL, so a changed helper or a `fresh` instance would share the old one;
 * the loader therefore keeps it off). Through Vite
 * (Vitest loading the harness), TypeScript files and extension-less imports qualify too: Vite
 * transforms and resolves them as esbuild does. Skipping esbuild then skips its start-up
 * (issue 12: the first load of a file). Read once per change of a file.
 * @internal
 */
export function filesRunningAsIs(entry: string, isEsm: (file: string) => boolean, viaVite: boolean, allowRelative = false): string[] | undefined {
  const exts = viaVite ? ['.mjs', '.js', '.ts', '.mts'] : ['.mjs', '.js']
  const pathsTargets = pathsReader() // tsconfig `paths`, read afresh for each check (once per change of a file)
  const seen = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    if (seen.size >= MAX_FILES || !exts.includes(extname(file)) || !isEsm(file)) return undefined
    seen.add(file)
    let source: string
    try {
      source = readFileSync(file, 'utf8')
    } catch {
      return undefined
    }
    if (NEEDS_BUNDLE.test(source)) return undefined
    // A bare import that a tsconfig `paths` pattern names (esbuild bundles the file it maps to,
    // as Netlify's build does, even where a package of that name is installed), or that Node's
    // lookup cannot find as a package (the bundler's error or `missing-module` diagnostic says
    // so), goes through esbuild.
    for (const m of source.matchAll(BARE)) {
      const specifier = m[2]!
      if (specifier.startsWith('#') || isBuiltin(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) continue
      if (pathsTargets(dirname(file), specifier) !== undefined || packageFolder(dirname(file), packageName(specifier)) === null) return undefined
    }
    for (const m of source.matchAll(RELATIVE)) {
      if (!allowRelative) return undefined
      const target = resolveRelative(dirname(file), m[2]!, viaVite)
      if (!target) return undefined
      queue.push(target)
    }
  }
  return [...seen]
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile()
}

function resolveRelative(dir: string, specifier: string, viaVite: boolean): string | undefined {
  const base = resolve(dir, specifier)
  if (isFile(base)) return base
  if (!viaVite) return undefined
  for (const candidate of ['.ts', '.mts', '.js', '.mjs', '/index.ts', '/index.js', '/index.mjs']) {
    if (isFile(base + candidate)) return base + candidate
  }
  // `./x.js` naming `./x.ts` (TypeScript's NodeNext style), as Vite and esbuild resolve it.
  if (extname(base) === '.js' && isFile(`${base.slice(0, -3)}.ts`)) return `${base.slice(0, -3)}.ts`
  return undefined
}
