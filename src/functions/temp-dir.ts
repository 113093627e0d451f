import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PREFIX = 'netlify-identity-harness-'
let dir: string | undefined

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * This process's folder for ESM bundles, in the OS temporary directory — never in the user's
 * tree, so an interrupted run (Ctrl-C, a crash, SIGKILL) cannot leave a file where git shows it
 * or Netlify would deploy it. Created on first use; removed when the process exits; folders of
 * processes that died without exiting are removed the next time a process creates its own.
 * @internal
 */
export function bundleDir(): string {
  if (dir !== undefined) return dir
  const root = tmpdir()
  try {
    for (const name of readdirSync(root)) {
      if (!name.startsWith(PREFIX)) continue
      // `<prefix><pid>-<random>` (and the Vite folder, `<prefix>vite-<uid>`, which is no pid)
      const pid = Number(name.slice(PREFIX.length).split('-')[0])
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(root, name), { recursive: true, force: true })
    }
  } catch {
    // an unreadable temporary directory: nothing to sweep
  }
  // A new folder with a name nobody could have prepared (mode 0700), not a predictable one.
  const mine = mkdtempSync(join(root, `${PREFIX}${process.pid}-`))
  process.once('exit', () => {
    try {
      rmSync(mine, { recursive: true, force: true })
    } catch {
      // already gone
    }
  })
  dir = mine
  return mine
}
