// Runs the type tests: each entry's augmentation is checked by tsc in its own tsconfig, so a
// misspelled matcher or a wrong argument type (the `@ts-expect-error` lines) must be an error
// and everything else must compile (toolchain-and-peers.md §5.1: one tsconfig per runner).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const tsc = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url))

async function typecheck(project: string): Promise<string> {
  try {
    await run(process.execPath, [tsc, '-p', project], { cwd: root })
    return ''
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error)
  }
}

describe('matcher types (tsc)', () => {
  test.concurrent('vitest: the type-parameterless Matchers augmentation (Vitest 4.1 and 5)', async () => {
    expect(await typecheck('test/types/tsconfig.vitest.json')).toBe('')
  }, 60_000)

  test.concurrent('jest: `expect` module and global jest.Matchers augmentations', async () => {
    expect(await typecheck('test/types/tsconfig.jest.json')).toBe('')
  }, 60_000)
})
