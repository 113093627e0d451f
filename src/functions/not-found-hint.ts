import { readdirSync } from 'node:fs'
import { basename, dirname, extname, isAbsolute, join, relative } from 'node:path'
import { nearest } from '../nearest.js'
import { FUNCTION_EXTENSIONS } from './discover.js'

/**
 * What is there instead of a function file that does not exist: the nearest name in its folder
 * (`did you mean netlify/functions/identity-signup.js?`), else what that folder holds, else that
 * the folder is missing too and from where a relative path was resolved. Appended to the
 * `ERR_FUNCTION_NOT_FOUND` message.
 * @internal
 */
export function notFoundHint(abs: string): string {
  const dir = dirname(abs)
  const shown = (path: string): string => {
    const rel = relative(process.cwd(), path)
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
  }
  let entries: string[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() ? !e.name.startsWith('.') && e.name !== 'node_modules' : FUNCTION_EXTENSIONS.includes(extname(e.name)))
      .map((e) => e.name)
      .sort()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === 'ENOENT') return `; the folder ${JSON.stringify(shown(dir))} does not exist either (a relative path is resolved from the working directory, ${process.cwd()})`
    if (code === 'ENOTDIR') return `; ${JSON.stringify(shown(dir))} is a file, not a folder`
    return ''
  }
  const wanted = basename(abs)
  const stem = (name: string): string => name.slice(0, name.length - extname(name).length)
  // Up to two edits, fewer for a short name (`me.js` is not a typo of `hi.ts`).
  const edits = (name: string): number => Math.min(2, name.length >> 2)
  const guess = nearest(wanted, entries, edits(stem(wanted))) ?? nearest(stem(wanted), entries.map(stem), edits(stem(wanted)))
  if (guess !== undefined) {
    const name = entries.find((e) => e === guess) ?? entries.find((e) => stem(e) === guess)!
    return `: did you mean ${shown(join(dir, name))}?`
  }
  if (entries.length === 0) return `; ${JSON.stringify(shown(dir))} holds no function files`
  return `; ${JSON.stringify(shown(dir))} holds ${entries.slice(0, 8).join(', ')}${entries.length > 8 ? ` and ${entries.length - 8} more` : ''}`
}
