// "Did you mean …?" for misspelled overrides, CLI options and function file names (src/nearest.ts).
import { expect, test } from 'vitest'
import { editDistance, nearest } from '../src/nearest.js'
import type { CliIO } from '../src/cli/io.js'
import { main } from '../src/cli/main.js'

test('edit distance counts a swap of neighbours as one edit', () => {
  expect(editDistance('port', 'port')).toBe(0)
  expect(editDistance('prot', 'port')).toBe(1)
  expect(editDistance('prot', 'proxy')).toBe(2)
  expect(editDistance('timout', 'timeout')).toBe(1)
  expect(editDistance('', 'abc')).toBe(3)
  expect(editDistance('identity-sigup', 'identity-signup')).toBe(1)
})

test('nearest: the closest within the limit, the first on a tie, none when all are far', () => {
  expect(nearest('prot', ['proxy', 'port', 'dir'])).toBe('port')
  expect(nearest('timout', ['seed', 'timeout', 'json'])).toBe('timeout')
  expect(nearest('ab', ['ax', 'ay'])).toBe('ax')
  expect(nearest('completely-different', ['port', 'dir'])).toBeUndefined()
  expect(nearest('x', [])).toBeUndefined()
  expect(nearest('poort', ['port'], 0)).toBeUndefined()
})

test('check with a misspelled option: a usage error that names the option it most likely meant', async () => {
  const io: CliIO & { stderr: string } = { stderr: '', out: () => undefined, err: (t: string) => void (io.stderr += t), cwd: process.cwd(), env: {}, isTTY: false, style: (_f: unknown, t: string) => t } as CliIO & { stderr: string }
  expect(await main(['check', '--timout', '100'], io)).toBe(2)
  expect(io.stderr).toContain('unknown option --timout: did you mean --timeout? (see check --help)')
  expect(io.stderr).not.toContain("place it at the end")
})

test('a misspelled short-style option is hinted from what was typed, case-insensitively', async () => {
  const stderrOf = async (args: string[]): Promise<string> => {
    const io = { stderr: '', out: () => undefined, err: (t: string) => void (io.stderr += t), cwd: process.cwd(), env: {}, isTTY: false, style: (_f: unknown, t: string) => t }
    expect(await main(args, io as unknown as CliIO)).toBe(2)
    return io.stderr
  }
  // Node reports `-timeout` as the unknown `-t`; the user typed -timeout.
  expect(await stderrOf(['check', '-timeout', '100'])).toContain('unknown option -timeout: did you mean --timeout?')
  expect(await stderrOf(['check', '--TIMEOUT', '100'])).toContain('unknown option --TIMEOUT: did you mean --timeout?')
  expect(await stderrOf(['check', '--zzzzzz'])).toMatch(/unknown option --zzzzzz \(see check --help\)/)
})
