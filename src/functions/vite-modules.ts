import { createHash } from 'node:crypto'
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeWhole } from './atomic-write.js'
import { statOf } from './package-folder.js'

/**
 * Module files for Vite (issue 12, 7a). When Vitest loads the harness itself (the Vitest plugin,
 * or `server.deps.inline`), what the harness imports goes through Vite's server, which keeps each
 * module's transform for the rest of the run: a bundle imported from a path that is the same in
 * every worker is transformed once per run instead of once per worker (a per-process temporary
 * copy is a new path in each). The path must be outside `node_modules` (Vite externalises what is
 * in there, and `vi.mock` would then miss the bundle's package imports), and nobody else may
 * write there: a folder of this user's in the OS temporary directory, made with mode 0700 and
 * used only when it is a real folder (not a link) that this user owns and nobody else can
 * write to, in a temporary directory where others cannot rename it away (sticky, or not
 * writable by others). Where there are no user ids to check (Windows) it is not used at all.
 * Files are named by their content, so one is never rewritten with other code; those written
 * more than two weeks ago, and the oldest beyond 1,000, are removed by the next process that
 * writes one (and written again when needed; a worker that finds its file gone imports a
 * temporary copy).
 * @internal
 */
const PREFIX = 'netlify-identity-harness-vite-'
const MAX_AGE_MS = 14 * 24 * 3600 * 1000
const MAX_FILES = 1000

let folder: string | null | undefined

/** The folder, made on first use; `null` when it cannot be made or is not safe to use. */
function viteFolder(root: string = tmpdir()): string | null {
  if (folder !== undefined) return folder
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined
  // No uid to check the folder's owner by (Windows): the per-process temporary copy instead.
  if (uid === undefined || !shared(root)) return (folder = null)
  const path = join(root, `${PREFIX}${uid}`)
  try {
    mkdirSync(path, { mode: 0o700 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return (folder = null)
  }
  folder = safe(path, uid) ? path : null
  return folder
}

/** A real folder owned by `uid` that neither its group nor others may write to. */
function safe(path: string, uid: number): boolean {
  try {
    const s = lstatSync(path)
    return s.isDirectory() && s.uid === uid && (s.mode & 0o022) === 0
  } catch {
    return false
  }
}

/** A temporary directory where others cannot rename or remove what is not theirs: sticky (`/tmp`), or writable only by its owner and group. */
function shared(root: string): boolean {
  try {
    const s = lstatSync(root)
    return (s.mode & 0o002) === 0 || (s.mode & 0o1000) !== 0
  } catch {
    return false
  }
}

let pruned = false

function prune(dir: string): void {
  pruned = true
  const now = Date.now()
  try {
    const kept: Array<{ path: string; age: number }> = []
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      const s = statOf(path)
      if (s === undefined) continue
      const age = now - s.mtimeMs
      // a partial write older than a minute belongs to a process that died mid-write
      if (age > (name.endsWith('.tmp') ? 60_000 : MAX_AGE_MS)) rmSync(path, { force: true })
      else if (name.endsWith('.mjs')) kept.push({ path, age })
    }
    kept.sort((a, b) => a.age - b.age)
    for (const { path } of kept.slice(MAX_FILES)) rmSync(path, { force: true })
  } catch {
    // another process pruned it first
  }
}

/**
 * The path of a module file holding `text`, written there unless a file of that content is there
 * already; `undefined` when there is no safe folder or it cannot be written.
 * @internal
 */
export function viteModuleFile(text: string): string | undefined {
  const dir = viteFolder()
  if (dir === null) return undefined
  const path = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.mjs`)
  try {
    // Written unless the file holds exactly this text (missing, partly written by hand, edited).
    if (statOf(path)?.size !== Buffer.byteLength(text) || readFileSync(path, 'utf8') !== text) {
      if (!pruned) prune(dir)
      writeWhole(path, text)
    }
    return path
  } catch {
    return undefined
  }
}

/**
 * Forgets the folder; with `root`, makes the next one there instead of the OS temporary
 * directory and returns it (`null` when it is not safe). For the tests only.
 * @internal
 */
export function viteFolderForTests(root?: string): string | null {
  folder = undefined
  pruned = false
  return root === undefined ? null : viteFolder(root)
}
