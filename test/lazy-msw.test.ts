/**
 * Issue 12, imports: the main entry loads neither msw nor jose at import (a test that only
 * triggers hooks never pays for them); msw is loaded when an instance first serves, and it is the
 * very copy the test imports (msw's `module-sync` export condition makes `require('msw')` its ESM
 * build on Node 20.19+, shared with `import 'msw'`), so handlers and servers never come from two
 * copies. The Jest entry imports msw statically and hands it to the core (Jest's ESM registry is out of
 * require()'s reach); tests/jest checks the same copy there.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { HttpHandler, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createIdentity } from '../src/index.js'

const root = resolve(import.meta.dirname, '..')
const out = join(root, '.tmp', `lazy-msw-${process.pid}`)
const entries = ['index', 'vitest', 'jest', 'server']

beforeAll(async () => {
  mkdirSync(out, { recursive: true })
  // The package.json build's esbuild options.
  await build({
    entryPoints: entries.map((e) => join(root, 'src', `${e}.ts`)),
    bundle: true, splitting: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', outdir: out, logLevel: 'silent',
  })
}, 60_000)
afterAll(() => rmSync(out, { recursive: true, force: true }))

/** Every bare specifier a built entry imports statically, through its chunks. */
function staticBareImports(entry: string): Set<string> {
  const bare = new Set<string>()
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    const code = readFileSync(join(out, file), 'utf8')
    for (const m of code.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)) {
      const spec = (m[1] ?? m[2])!
      if (spec.startsWith('./')) visit(spec.slice(2))
      else bare.add(spec)
    }
  }
  visit(`${entry}.js`)
  return bare
}

describe('lazy msw (issue 12: import only what a test uses)', () => {
  test('the main entry imports neither msw nor jose', () => {
    const bare = staticBareImports('index')
    expect([...bare].filter((s) => s === 'jose' || s === 'msw' || s.startsWith('msw/'))).toEqual([])
    expect(bare.has('@faker-js/faker/locale/en')).toBe(true)
  })

  test('the runner entries import msw themselves (they serve with it)', () => {
    for (const entry of ['vitest', 'jest']) expect(staticBareImports(entry).has('msw/node')).toBe(true)
    // Jest's ESM registry is out of require()'s reach: the Jest entry hands its msw to the core.
    expect(staticBareImports('jest').has('msw')).toBe(true)
  })

  test('a v1 trigger loads neither msw nor undici (Node 20 loads undici on the first read of the global Response: ≈ 10 ms per worker)', () => {
    // On Node 22+ importing node:http (the network guard does) loads undici already: there the
    // check is that the trigger adds nothing.
    const script = `
      const { createIdentity } = await import(${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)})
      const atImport = process.moduleLoadList.some((m) => m.includes('undici'))
      const identity = createIdentity({ seed: 1 })
      const outcome = await identity.trigger(async (event) => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles: ['member'] } }) }), 'signup', identity.fakeUser())
      const loaded = (name) => process.moduleLoadList.some((m) => m.includes(name))
      process.stdout.write(JSON.stringify({ roles: outcome.user.app_metadata.roles, atImport, undici: loaded('undici'), msw: Object.keys(globalThis).some((k) => k.includes('msw')) }))
    `
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    const seen = JSON.parse(r.stdout) as { atImport: boolean }
    const major = Number(process.versions.node.split('.')[0])
    if (major === 20) expect(seen.atImport).toBe(false)
    expect(seen).toEqual({ roles: ['member'], atImport: seen.atImport, undici: seen.atImport, msw: false })
  })

  test('handlers loaded on first use are the copy of msw the test imports', async () => {
    const identity = createIdentity({ seed: 3 })
    const [handler] = identity.handlers
    expect(handler).toBeInstanceOf(HttpHandler)
    const server = setupServer(...identity.handlers, http.get('https://other.test/', () => new Response('ok')))
    server.listen({ onUnhandledRequest: 'error' })
    try {
      expect((await fetch(`${identity.url}/settings`)).status).toBe(200)
      expect(await (await fetch('https://other.test/')).text()).toBe('ok')
    } finally {
      server.close()
    }
    identity.listen()
    try {
      expect((await fetch(`${identity.url}/nope`)).status).toBe(404)
    } finally {
      identity.close()
    }
  })
})
