import { statSync } from 'node:fs'
import type { Stats } from 'node:fs'
import { dirname, join, sep } from 'node:path'

/** `stat`, with any failure (`ENOENT`, `ENOTDIR` below a file, …) as no file. @internal */
export function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false })
  } catch {
    return undefined
  }
}

/** Whether `path` is a folder (a missing or unreadable path is not). @internal */
export function isDir(path: string): boolean {
  return statOf(path)?.isDirectory() === true
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
