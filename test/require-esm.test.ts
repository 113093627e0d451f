/**
 * No entry has a top-level `await`, so `require()` of the package works under Node's require(esm)
 * (Node 20.19+, 22, 24) and in Jest 30's CommonJS mode: a module graph with a top-level `await`
 * makes `require()` throw ERR_REQUIRE_ASYNC_MODULE (Node's modules docs, "Loading ECMAScript
 * modules using require()"). The entries are built as `npm run build` builds them; the pack smoke
 * and the version matrix (scripts/matrix.mjs) repeat the require() check on Node 22 and 24 against
 * the packed tarball.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { build, transformSync } from 'esbuild'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { PACKAGE_BUILD_OPTIONS } from './helpers/cli-bin.js'

const root = resolve(import.meta.dirname, '..')
// Under the repository (ignored .tmp/) so that the bundles' bare imports resolve to node_modules.
const out = join(root, '.tmp', `require-esm-${process.pid}`)
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  scripts: { build: string }
  exports: Record<string, string | { default: string }>
}
const entries = [...pkg.scripts.build.matchAll(/\bsrc\/[\w/-]+\.ts\b/g)].map((m) => m[0])

beforeAll(async () => {
  mkdirSync(out, { recursive: true })
  // The same esbuild options as the package.json build script.
  await build({
    ...PACKAGE_BUILD_OPTIONS,
    entryPoints: entries.map((e) => join(root, e)),
    outdir: out,
    outbase: join(root, 'src'),
    logLevel: 'silent',
  })
}, 60_000)
afterAll(() => rmSync(out, { recursive: true, force: true }))

/** The top-level-await errors esbuild reports when asked to turn `code` into CommonJS (none when there is none). */
function topLevelAwaits(code: string): string[] {
  try {
    transformSync(code, { format: 'cjs', logLevel: 'silent' })
    return []
  } catch (error) {
    return ((error as { errors?: { text: string }[] }).errors ?? []).map((e) => e.text).filter((t) => /top-level await/i.test(t))
  }
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => join(dir, f))
}

/** `require()`s a built file in a fresh Node process; returns what it exported, or the error code and message. */
function requireIn(file: string): { keys?: string[]; code?: string; message?: string } {
  const script = `try { const m = require(${JSON.stringify(file)}); console.log(JSON.stringify({ keys: Object.keys(m) })) }
catch (e) { console.log(JSON.stringify({ code: e.code, message: String(e.message).split('\\n')[0] })) }`
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' })) as ReturnType<typeof requireIn>
}

describe('no top-level await (require(esm))', () => {
  test('the detector sees a top-level await and ignores one inside a function', () => {
    expect(topLevelAwaits('export const a = await Promise.resolve(1)')).toHaveLength(1)
    expect(topLevelAwaits('for await (const x of []) {}\nexport {}')).toHaveLength(1)
    expect(topLevelAwaits('export async function f() { return await 1 }')).toEqual([])
  })

  test('no built file (entries and shared chunks) has a top-level await', () => {
    const files = jsFiles(out)
    expect(files.length).toBeGreaterThanOrEqual(entries.length)
    const found = files.flatMap((f) => topLevelAwaits(readFileSync(f, 'utf8')).map((t) => `${f}: ${t}`))
    expect(found).toEqual([])
  })

  test('no built file has a source-map comment line but its last (a test runner reads such a line when it maps a stack frame)', () => {
    const found = jsFiles(out).flatMap((f) => {
      const lines = readFileSync(f, 'utf8').trimEnd().split('\n')
      return lines.slice(0, -1).flatMap((line, i) => (/^\s*\/\/[#@] sourceMappingURL=/.test(line) ? [`${f}:${i + 1}: ${line.slice(0, 80)}`] : []))
    })
    expect(found).toEqual([])
  })

  test.each(['index', 'serializer', 'server'])(`require() of dist/%s.js works on Node ${process.versions.node}`, (name) => {
    const result = requireIn(join(out, `${name}.js`))
    expect(result.code).toBeUndefined()
    expect(result.keys!.length).toBeGreaterThan(0)
    if (name === 'index') expect(result.keys).toContain('createIdentity')
  })

  test.each(['vitest', 'jest'])('require() of dist/%s.js is not refused as an async module', (name) => {
    // Outside its runner the runner entry throws the runner's own error; what must never happen
    // is Node refusing to load it synchronously.
    const result = requireIn(join(out, `${name}.js`))
    expect(result.code).not.toBe('ERR_REQUIRE_ASYNC_MODULE')
  })

  test('every package export is built by the build script', () => {
    const built = Object.values(pkg.exports)
      .map((v) => (typeof v === 'string' ? v : v.default))
      .filter((p) => p.startsWith('./dist/'))
      .map((p) => p.slice('./dist/'.length))
    for (const file of built) expect(jsFiles(out).map((f) => f.slice(out.length + 1))).toContain(file)
  })
})
