import { statSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'

/** Whether `path` is a folder (a missing or unreadable path is not). @internal */
export function isDir(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true
  } catch {
    return false
  }
}

/**
 * Node's lookup of a package from a folder: the first `node_modules/<name>` going up (a
 * `node_modules` folder itself is skipped, as Node skips it), or `null` when there is none.
 * @internal
 */
export function packageFolder(from: string, name: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    if (!dir.endsWith(`${sep}node_modules`)) {
      const candidate = join(dir, 'node_modules', name)
      if (isDir(candidate)) return candidate
    }
    if (dirname(dir) === dir) return null
  }
}

/** The package a bare specifier names: `pkg` or `@scope/pkg` (`pkg/sub/path` → `pkg`). @internal */
export function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}
