import { mkdirSync, readdirSync, rmSync } from 'node:fs'
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
      const pid = Number(name.slice(PREFIX.length))
      if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) rmSync(join(root, name), { recursive: true, force: true })
    }
  } catch {
    // an unreadable temporary directory: nothing to sweep
  }
  const mine = join(root, `${PREFIX}${process.pid}`)
  mkdirSync(mine, { recursive: true })
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
