/**
 * Peer ranges are what the version matrix proves (scripts/matrix.mjs), and a runner below the
 * floor fails at import of `netlify-identity-harness/vitest` or `/jest` with a HarnessError that
 * names the version found and the range supported (issue 9: Vitest 3.2.7 and 4.0.18 used to fail
 * later with "Cannot read properties of undefined (reading 'trigger')" and
 * "test.override is not a function"; the `test.extend(name, options, fn)` builder and
 * `test.override` are Vitest 4.1's, toolchain-and-peers.md §5.4).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'
import { afterAll, describe, expect, test } from 'vitest'
import { HarnessError } from '../src/errors.js'
import { assertSupportedPeer, installedVersion, satisfiesRange, SUPPORTED_RANGES } from '../src/runner-version.js'

const root = resolve(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>
  peerDependenciesMeta: Record<string, { optional?: boolean }>
}
const scratch = join(root, '.tmp', `peer-ranges-${process.pid}`)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('peer ranges', () => {
  test('the ranges the entries check are package.json peerDependencies, exactly', () => {
    expect(SUPPORTED_RANGES).toEqual(pkg.peerDependencies)
    // msw is required (the core serves GoTrue over it); each runner is optional.
    expect(pkg.peerDependenciesMeta).toEqual({ '@jest/globals': { optional: true }, vitest: { optional: true } })
  })

  test.each([
    ['4.1.0', 'vitest', true],
    ['4.1.12', 'vitest', true],
    ['5.1.2', 'vitest', true],
    ['5.0.0-beta.3', 'vitest', true],
    ['4.0.18', 'vitest', false],
    ['3.2.7', 'vitest', false],
    ['6.0.0', 'vitest', false],
    ['29.7.0', '@jest/globals', true],
    ['30.5.2', '@jest/globals', true],
    ['29.6.4', '@jest/globals', false],
    ['28.1.3', '@jest/globals', false],
    ['2.12.0', 'msw', true],
    ['3.0.5', 'msw', true],
    ['2.11.6', 'msw', false],
    ['1.3.5', 'msw', false],
    ['not-a-version', 'vitest', false],
  ] as const)('%s %s inside the range: %s', (version, peer, inside) => {
    expect(satisfiesRange(version, SUPPORTED_RANGES[peer])).toBe(inside)
  })

  test('installedVersion reads the version Node resolves (exports-aware), undefined when absent', () => {
    const vitestVersion = (JSON.parse(readFileSync(join(root, 'node_modules/vitest/package.json'), 'utf8')) as { version: string }).version
    expect(installedVersion('vitest')).toBe(vitestVersion)
    expect(installedVersion('@jest/globals')).toMatch(/^30\./)
    expect(installedVersion('no-such-package-nih')).toBeUndefined()
  })

  test('an old runner is refused with ERR_UNSUPPORTED_RUNNER naming the version found and the range', () => {
    let thrown: unknown
    try {
      assertSupportedPeer('vitest', 'netlify-identity-harness/vitest', '4.0.18')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(HarnessError)
    expect((thrown as HarnessError).code).toBe('ERR_UNSUPPORTED_RUNNER')
    expect((thrown as HarnessError).message).toContain('vitest 4.0.18 is installed')
    expect((thrown as HarnessError).message).toContain('^4.1.0 || ^5.0.0')
    expect(() => assertSupportedPeer('vitest', 'x', '4.1.0')).not.toThrow()
    expect(() => assertSupportedPeer('vitest', 'x', undefined)).not.toThrow()
  })
})

/** Imports the built runner entry in a project whose runner package is a stub of `version`; returns what the import threw. */
async function importWithStub(entry: 'vitest' | 'jest', peer: string, version: string, stub: string): Promise<{ name?: string; code?: string; message?: string; ok?: boolean }> {
  const dir = join(scratch, `${entry}-${version}`)
  mkdirSync(join(dir, 'node_modules', peer), { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  writeFileSync(
    join(dir, 'node_modules', peer, 'package.json'),
    JSON.stringify({ name: peer, version, type: 'module', exports: { '.': './index.js', './package.json': './package.json' } }),
  )
  writeFileSync(join(dir, 'node_modules', peer, 'index.js'), stub)
  await build({
    entryPoints: [join(root, 'src', `${entry}.ts`)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile: join(dir, 'entry.js'),
    logLevel: 'silent',
  })
  const script = `import('./entry.js').then(() => console.log(JSON.stringify({ ok: true })), (e) => console.log(JSON.stringify({ name: e.name, code: e.code, message: e.message })))`
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8' })) as { ok?: boolean }
}

// Stubs with the names the entries import; the old versions' real shapes differ further.
const vitestStub = `export const expect = { extend() {}, addSnapshotSerializer() {} }
export const test = { extend() { throw new TypeError("Cannot read properties of undefined (reading 'trigger')") } }`
const jestStub = `const hook = () => {}
export const afterAll = hook, afterEach = hook, beforeAll = hook, beforeEach = hook
export const expect = { extend() {}, addSnapshotSerializer() {}, getState: () => ({}) }`

describe('import of a runner entry with a runner below the floor', () => {
  test.concurrent.each(['4.0.18', '3.2.7'])('netlify-identity-harness/vitest with Vitest %s throws ERR_UNSUPPORTED_RUNNER', async (version) => {
    const result = await importWithStub('vitest', 'vitest', version, vitestStub)
    expect(result).toMatchObject({ name: 'HarnessError', code: 'ERR_UNSUPPORTED_RUNNER' })
    expect(result.message).toContain(`vitest ${version} is installed`)
    expect(result.message).toContain('needs vitest ^4.1.0 || ^5.0.0')
  }, 30_000)

  test.concurrent('netlify-identity-harness/jest with @jest/globals 28 throws ERR_UNSUPPORTED_RUNNER', async () => {
    const result = await importWithStub('jest', '@jest/globals', '28.1.3', jestStub)
    expect(result).toMatchObject({ name: 'HarnessError', code: 'ERR_UNSUPPORTED_RUNNER' })
    expect(result.message).toContain('@jest/globals 28.1.3 is installed')
    expect(result.message).toContain('^29.7.0 || ^30.0.0')
  }, 30_000)

  test.concurrent('the same stub at a supported version gets past the check (the stub then fails on its own)', async () => {
    const result = await importWithStub('vitest', 'vitest', '4.1.0', vitestStub)
    expect(result.code).not.toBe('ERR_UNSUPPORTED_RUNNER')
  }, 30_000)
})
