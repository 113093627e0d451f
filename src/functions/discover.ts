import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, extname, join, resolve } from 'node:path'
import { HarnessError } from '../errors.js'
import { eventFromName } from '../events.js'
import type { IdentityEvent } from '../types.js'

/** Extensions a function file may have, highest precedence first (functions-runtime.md §6; `.zip` is not loadable). */
export const FUNCTION_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts']

/** The entry file search order inside a function folder `name/` (functions-runtime.md §6). */
export function entryCandidates(name: string): string[] {
  return ['.js', '.ts', '.mjs', '.cjs', '.tsx', '.mts', '.cts'].flatMap((ext) => [`${name}${ext}`, `index${ext}`])
}

/** The entry file of a function folder, or `undefined`. @internal */
export function folderEntry(dir: string): string | undefined {
  for (const candidate of entryCandidates(basename(dir))) {
    const file = join(dir, candidate)
    if (existsSync(file) && statSync(file).isFile()) return file
  }
  return undefined
}

/** A function found in a functions directory. */
export interface DiscoveredFunction {
  /** The function name: file or folder name without extension. */
  name: string
  /** The file to load (a folder's entry file). */
  path: string
}

/**
 * Lists the functions in a directory as Netlify does (functions-runtime.md §6): top-level files
 * with a function extension and folders with an entry file; `node_modules` and dot-files are
 * skipped; when names clash a folder wins, then the extension order `.js`, `.mjs`, `.cjs`, `.ts`…
 * @internal
 */
export function listFunctions(dir: string): DiscoveredFunction[] {
  const root = resolve(dir)
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new HarnessError('ERR_FUNCTION_NOT_FOUND', `functions directory ${JSON.stringify(root)} does not exist (expected a folder such as netlify/functions)`)
  }
  const byName = new Map<string, { path: string; rank: number }>()
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const full = join(root, entry.name)
    let name: string
    let path: string | undefined
    let rank: number
    if (entry.isDirectory()) {
      name = entry.name
      path = folderEntry(full)
      rank = -1
    } else {
      const ext = extname(entry.name)
      rank = FUNCTION_EXTENSIONS.indexOf(ext)
      if (rank < 0) continue
      name = entry.name.slice(0, -ext.length)
      path = full
    }
    if (!path || !/^[A-Za-z0-9_-]+$/.test(name)) continue
    const seen = byName.get(name)
    if (!seen || rank < seen.rank) byName.set(name, { path, rank })
  }
  return [...byName].map(([name, { path }]) => ({ name, path })).sort((a, b) => a.name.localeCompare(b.name))
}

/** Identity event functions found in a directory, per event; a `-background` variant counts too. */
export type DiscoveredIdentityFunctions = Partial<Record<IdentityEvent, DiscoveredFunction[]>>

/**
 * The identity event functions in a directory: `identity-<event>` and `identity-<event>-background`
 * (exact, case-sensitive names, functions-runtime.md §6).
 * @internal
 */
export function discoverIdentityFunctions(dir: string): DiscoveredIdentityFunctions {
  const out: DiscoveredIdentityFunctions = {}
  for (const fn of listFunctions(dir)) {
    const event = eventFromName(fn.name)
    if (event) (out[event] ??= []).push(fn)
  }
  return out
}
