/** The CLI dispatcher: usage, version, unknown commands and how errors become exit codes. */
import { describe, expect, test } from 'vitest'
import type { CliIO } from '../src/cli/io.js'
import { COMMANDS, main } from '../src/cli/main.js'
import { HarnessError } from '../src/errors.js'

function captured(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
    cwd: process.cwd(),
    env: {},
    isTTY: false,
    style: (_f: unknown, t: string) => t,
  }
  return io
}

describe('netlify-identity-harness', () => {
  test('no command prints the usage and exits 2; --help exits 0', async () => {
    const io = captured()
    expect(await main([], io)).toBe(2)
    expect(io.stdout).toContain('Usage: netlify-identity-harness <command>')
    for (const name of ['check', 'init', 'serve']) expect(io.stdout).toContain(`  ${name} `)
    expect(await main(['--help'], captured())).toBe(0)
  })

  test('--version prints the package version', async () => {
    const io = captured()
    expect(await main(['--version'], io)).toBe(0)
    expect(io.stdout).toMatch(/^\d+\.\d+\.\d+/)
  })

  test('an unknown command names itself and exits 2 (a prototype key is not a command)', async () => {
    for (const name of ['nope', 'toString', '__proto__']) {
      const io = captured()
      expect(await main([name], io)).toBe(2)
      expect(io.stderr).toContain(`unknown command ${JSON.stringify(name)}`)
    }
  })

  test('a HarnessError is one line with its code; any other throw shows the stack', async () => {
    const original = COMMANDS.check!
    try {
      COMMANDS.check = { summary: '', load: async () => ({ run: async () => { throw new HarnessError('ERR_SITE_CONFIG', 'netlify.toml:1:2 is not valid TOML') } }) }
      const io = captured()
      expect(await main(['check'], io)).toBe(2)
      expect(io.stderr).toBe('netlify-identity-harness check: netlify.toml:1:2 is not valid TOML [ERR_SITE_CONFIG]\n')
      COMMANDS.check = { summary: '', load: async () => ({ run: async () => { throw new TypeError('boom') } }) }
      const io2 = captured()
      expect(await main(['check'], io2)).toBe(2)
      expect(io2.stderr).toMatch(/internal error: TypeError: boom\n\s+at /)
    } finally {
      COMMANDS.check = original
    }
  })
})
