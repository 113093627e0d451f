import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'
import { linkedWorkspace } from './helpers/workspace.js'

// Issue 11.2: a function load never writes in the user's tree — not while it loads, not after an
// interrupted run (SIGINT, SIGTERM, SIGKILL) — while import.meta.url, __dirname and relative
// reads stay the original file's. The child processes run the harness natively (no Vitest), so
// they also prove the source-map mapping the harness does itself (issue 11.1).
const F = resolve('test/fixtures/functions')
const identity = createIdentity({ seed: 112 })
const work = mkdtempSync(join(tmpdir(), 'nih-stray-'))
const lib = join(work, 'harness.mjs')
const child = join(work, 'child.mjs')
afterAll(() => rmSync(work, { recursive: true, force: true }))

beforeAll(async () => {
  // The harness for the child: src bundled to one file outside the repo, packages resolved from here.
  await build({
    stdin: { contents: "export { loadFunctionFile } from './src/functions/load.ts'; export { thrownAt } from './src/functions/source-map.ts'; export { createIdentity } from './src/index.ts'", resolveDir: process.cwd(), loader: 'ts' },
    outfile: lib,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    plugins: [{
      name: 'abs-packages',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, async (args) => {
          if (args.path.startsWith('node:') || (args.pluginData as { again?: boolean } | undefined)?.again) return undefined
          const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { again: true } })
          return found.errors.length || found.external ? { path: args.path, external: true } : { path: pathToFileURL(found.path).href, external: true }
        })
      },
    }],
  })
  writeFileSync(child, `
const { loadFunctionFile, thrownAt, createIdentity } = await import(${JSON.stringify(pathToFileURL(lib).href)})
const [mode, file] = process.argv.slice(2)
if (mode === 'hang') await loadFunctionFile(file)
if (mode === 'map') {
  const loaded = await loadFunctionFile(file)
  let threw
  try { await loaded.module.handler({ body: JSON.stringify({ user: { email: 'z@elsewhere.test', app_metadata: {} } }) }) } catch (e) { threw = thrownAt(e) }
  const outcome = await createIdentity({ seed: 1 }).trigger(file, { id: 'u1', aud: '', role: '', email: 'z@elsewhere.test', app_metadata: {}, user_metadata: {}, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' })
  console.log(JSON.stringify({ threw, body: outcome.response && outcome.response.body }))
}
`)
}, 60_000)

function run(args: string[]): { out: Promise<string>; kill: (signal: NodeJS.Signals) => void; started: Promise<void>; pid: number } {
  const p = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  let resolveStarted: () => void
  const started = new Promise<void>((r) => (resolveStarted = r))
  p.stdout.on('data', (d: Buffer) => {
    out += String(d)
    if (out.includes('loading')) resolveStarted()
  })
  p.stderr.on('data', (d: Buffer) => (err += String(d)))
  const timer = setTimeout(() => p.kill('SIGKILL'), 20_000)
  return {
    pid: p.pid!,
    started,
    kill: (signal) => p.kill(signal),
    out: new Promise((r) => p.on('close', () => {
      clearTimeout(timer)
      r(out + err)
    })),
  }
}

describe('nothing is written in the user\'s tree (issue 11.2)', () => {
  test('module scope sees only the user\'s files beside it, and the original import.meta.url, __dirname, __filename', async () => {
    const esm = JSON.parse((await identity.invoke(`${F}/stray/lists-esm.mjs`, { name: 'lists-esm' })).body)
    expect(esm.seenViaMeta.sort()).toEqual(['lists-cjs.cjs', 'lists-esm.mjs'])
    expect(esm.seenViaDirname.sort()).toEqual(['lists-cjs.cjs', 'lists-esm.mjs'])
    expect(esm).toMatchObject({ url: pathToFileURL(`${F}/stray/lists-esm.mjs`).href, filename: `${F}/stray/lists-esm.mjs`, dirname: `${F}/stray`, file: `${F}/stray/lists-esm.mjs` })
    const cjs = JSON.parse((await identity.invoke(`${F}/stray/lists-cjs.cjs`, { name: 'lists-cjs' })).body)
    expect(cjs).toEqual({ seen: ['lists-cjs.cjs', 'lists-esm.mjs'], file: `${F}/stray/lists-cjs.cjs`, dir: `${F}/stray` })
  })

  const cases: Array<[string, NodeJS.Signals]> = [['hang.mjs', 'SIGINT'], ['hang.mjs', 'SIGTERM'], ['hang.mjs', 'SIGKILL'], ['hang.cjs', 'SIGKILL']]
  const killed: number[] = []
  test.each(cases)('a run interrupted while %s loads (%s) leaves the folder as it was', async (name, signal) => {
    const tree = mkdtempSync(join(work, 'site-'))
    writeFileSync(join(tree, 'hang.mjs'), "process.stdout.write('loading\\n')\nsetInterval(() => {}, 1000)\nawait new Promise(() => {})\nexport const handler = async () => ({ statusCode: 200 })\n")
    writeFileSync(join(tree, 'hang.cjs'), "process.stdout.write('loading\\n')\nconst end = Date.now() + 15000\nwhile (Date.now() < end) {}\nexports.handler = async () => ({ statusCode: 200 })\n")
    const before = readdirSync(tree).sort()
    const p = run(['hang', join(tree, name)])
    await p.started
    expect(readdirSync(tree).sort()).toEqual(before) // mid-load: the bundle is not in the tree
    p.kill(signal)
    await p.out
    expect(readdirSync(tree).sort()).toEqual(before)
    killed.push(p.pid)
  }, 30_000)

  test('natively (no Vitest): a tsconfig paths alias to a TypeScript source is bundled, even where a linked package of that name is installed', async () => {
    const site = linkedWorkspace(mkdtempSync(join(work, 'ws-')))
    writeFileSync(join(site, 'tsconfig.json'), '{ "compilerOptions": { "paths": { "@acme/shared": ["../packages/shared/src/index.ts"], "@lib/*": ["./lib/*"] } } }\n')
    mkdirSync(join(site, 'lib'))
    writeFileSync(join(site, 'lib', 'plan.ts'), "export const plan: string = 'aliased'\n")
    const fn = join(site, 'identity-signup.ts')
    writeFileSync(fn, "import { roles } from '@acme/shared'\nimport { plan } from '@lib/plan'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { provider: 'email', roles, plan } }) })\n")
    const got = JSON.parse((await run(['map', fn]).out).trim().split('\n').pop()!) as { body: string }
    expect(JSON.parse(got.body)).toEqual({ app_metadata: { provider: 'email', roles: ['src'], plan: 'aliased' } })
  }, 30_000)

  test('natively (no Vitest): stacks name the original file, line and column; a dead run\'s temporary folder is swept', async () => {
    const ts = await run(['map', `${F}/locations/identity-signup.ts`]).out
    const got = JSON.parse(ts.trim().split('\n').pop()!) as { threw: string; body: string }
    expect(got.threw).toMatch(new RegExp(`TypeError: no role for z@elsewhere.test at ${F}/locations/identity-signup.ts:9:\\d+`))
    expect(got.body).toContain(`${F}/locations/identity-signup.ts:9:`)
    expect(got.body).not.toContain('netlify-identity-harness-')
    const cjs = JSON.parse((await run(['map', `${F}/locations/identity-validate.cjs`]).out).trim().split('\n').pop()!) as { threw: string; body: string }
    expect(cjs.threw).toContain(`at ${F}/locations/lib/check.cjs:3:`)
    expect(cjs.body).toContain(`${F}/locations/identity-validate.cjs:5:`)
    const left = readdirSync(tmpdir())
    for (const pid of killed) expect(left.filter((name) => name.startsWith(`netlify-identity-harness-${pid}-`))).toEqual([])
  }, 30_000)
})
