/**
 * The cross-process build cache (issue 12: Vitest runs each test file in its own worker, so the
 * in-memory cache pays esbuild again in every file). Each "process" here is the loader started
 * over (`startOverForTests`: no build or module instance in memory), the disk cache shared, as
 * two Vitest workers share it; builds are counted from there. (The packed package's CLI smoke
 * test runs the same suite in two real processes and checks the second one's cache hits.) What must never happen is a stale build:
 * every input the bundle depends on is changed in turn and must force a new build.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { buildCache, cacheFolder, lookupCandidates } from '../src/functions/build-cache.js'
import { bundleFunction, bundlerFingerprint, esbuildBuilds, fingerprintOf } from '../src/functions/bundle.js'
import { esmImportCounts, loadFunctionFile, startOverForTests } from '../src/functions/load.js'
import { mapErrorStack } from '../src/functions/source-map.js'
import { extendedConfigFiles, readJsonc, stripJsonc } from '../src/functions/tsconfig.js'

const tmp = mkdtempSync(join(tmpdir(), 'nih-build-cache-'))
afterAll(() => {
  startOverForTests('off')
  rmSync(tmp, { recursive: true, force: true })
})

let n = 0
/** A site folder with an ESM function that imports a helper (so Vite cannot run it as is). */
function site(): { dir: string; cache: string; fn: string } {
  const dir = join(tmp, `site-${++n}`)
  mkdirSync(join(dir, 'functions'), { recursive: true })
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  writeFileSync(join(dir, 'functions', 'helper.mts'), "export const roles: string[] = ['one']\n")
  const fn = join(dir, 'functions', 'identity-signup.mts')
  writeFileSync(
    fn,
    [
      "import { roles } from './helper.mts'",
      'export const handler = async (event: { body: string }) => {',
      '  const { user } = JSON.parse(event.body)',
      "  if (user.email === 'boom@example.test') throw new Error('boom at line 4')",
      '  return { statusCode: 200, body: JSON.stringify({ app_metadata: { roles } }) }',
      '}',
      '',
    ].join('\n'),
  )
  return { dir, cache: join(dir, 'cache'), fn }
}

/** A new "process": the loader started over, reading the cache in `cache`. */
async function processWith(cache: string) {
  // A new process starts some time after the edits before it (the cache treats a file changed
  // within its 25 ms clock slack of a build's start as changed during the build).
  await new Promise((r) => setTimeout(r, 30))
  // ESM bundles come from the cache's module files, as in a process that loads the harness from
  // node_modules (this suite loads it through Vite, which gets a temporary copy instead).
  startOverForTests(cache, { cachedModules: true })
  const start = esbuildBuilds()
  const imports = esmImportCounts()
  const run = async (file: string, email = 'a@example.test') => {
    const loaded = await loadFunctionFile(file)
    const handler = loaded.module.handler as (e: { body: string }) => Promise<{ body: string }>
    const res = await handler({ body: JSON.stringify({ user: { email } }) })
    return { roles: (JSON.parse(res.body) as { app_metadata: { roles: string[] } }).app_metadata.roles, diagnostics: loaded.diagnostics }
  }
  const imported = () => {
    const now = esmImportCounts()
    return { moduleFile: now.moduleFile - imports.moduleFile, temporary: now.temporary - imports.temporary }
  }
  return { run, builds: () => esbuildBuilds() - start, imported }
}

/** Moves a file's mtime back, so an edit is never "during the build" of the next step. */
function settle(...files: string[]): void {
  const past = new Date(Date.now() - 10_000)
  for (const f of files) utimesSync(f, past, past)
}

/** Writes `file` (its mtime settled), then a new process: it must build again and get `roles`. */
async function rebuildsAfterWriting(cache: string, fn: string, file: string, text: string, roles: string[]): Promise<void> {
  writeFileSync(file, text)
  settle(file)
  const next = await processWith(cache)
  expect((await next.run(fn)).roles).toEqual(roles)
  expect(next.builds()).toBe(1)
}

describe('a build made in one process is used by the next one', () => {
  test('no esbuild build in the second process; same outcome; stack frames still name the original file', async () => {
    const { cache, fn, dir } = site()
    settle(fn, join(dir, 'functions', 'helper.mts'))
    const first = await processWith(cache)
    expect((await first.run(fn)).roles).toEqual(['one'])
    expect(first.builds()).toBe(1)
    expect(readdirSync(cache).filter((f) => f.endsWith('.json'))).toHaveLength(1)

    const second = await processWith(cache)
    expect((await second.run(fn)).roles).toEqual(['one'])
    expect(second.builds()).toBe(0)
    expect(second.imported()).toEqual({ moduleFile: 1, temporary: 0 })
    // The second process imports the module file the first one kept (its map inline), writing nothing.
    const modules = readdirSync(cache).filter((f) => f.endsWith('.mjs'))
    expect(modules).toHaveLength(1)
    expect(readFileSync(join(cache, modules[0]!), 'utf8')).toContain('sourceMappingURL=data:application/json')
    // The cached source map maps the module file's frames.
    const error = await second.run(fn, 'boom@example.test').catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    mapErrorStack(error)
    expect((error as Error).stack).toContain(`${fn}:4:`)
  })

  test('NETLIFY_IDENTITY_HARNESS_CACHE=off: every process builds', async () => {
    const { fn, dir } = site()
    settle(fn, join(dir, 'functions', 'helper.mts'))
    for (let i = 0; i < 2; i++) {
      const p = await processWith('off')
      await p.run(fn)
      expect(p.builds()).toBe(1)
    }
  })
})

describe('anything the build depended on changes: a new build, never a stale one', () => {
  const warm = async () => {
    const s = site()
    settle(s.fn, join(s.dir, 'functions', 'helper.mts'))
    const p = await processWith(s.cache)
    await p.run(s.fn)
    expect(p.builds()).toBe(1)
    return s
  }

  test('a local import edited (same size, same mtime: content decides)', async () => {
    const { cache, fn, dir } = await warm()
    const helper = join(dir, 'functions', 'helper.mts')
    writeFileSync(helper, "export const roles: string[] = ['two']\n")
    settle(helper)
    const p = await processWith(cache)
    expect((await p.run(fn)).roles).toEqual(['two'])
    expect(p.builds()).toBe(1)
    const again = await processWith(cache)
    expect((await again.run(fn)).roles).toEqual(['two'])
    expect(again.builds()).toBe(0)
  })

  test('a tsconfig.json appears above the function (esbuild reads it), or a package.json changes', async () => {
    const { cache, fn, dir } = await warm()
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "useDefineForClassFields": false } }\n')
    const p = await processWith(cache)
    await p.run(fn)
    expect(p.builds()).toBe(1)
    writeFileSync(join(dir, 'package.json'), '{ "type": "module", "name": "renamed" }\n')
    const q = await processWith(cache)
    await q.run(fn)
    expect(q.builds()).toBe(1)
  })

  // esbuild reads what a tsconfig extends (esbuild: internal/resolver/resolver.go parseTSConfig),
  // wherever it lives: a base config outside the function's folders, or one in a package.
  test('a base config a tsconfig extends by path, outside the folders above the function (JSONC, no .json), changes', async () => {
    const s = site()
    mkdirSync(join(s.dir, 'configs'))
    const base = join(s.dir, 'configs', 'base.json')
    const paths = (to: string) => `{ "compilerOptions": { "baseUrl": "../functions", "paths": { "@roles": ["./${to}"] } } }\n`
    writeFileSync(base, paths('roles-a.ts'))
    writeFileSync(join(s.dir, 'functions', 'tsconfig.json'), '{\n  // the shared settings\n  "extends": "../configs/base", /* no .json */\n}\n')
    writeFileSync(join(s.dir, 'functions', 'roles-a.ts'), "export const roles: string[] = ['a']\n")
    writeFileSync(join(s.dir, 'functions', 'roles-b.ts'), "export const roles: string[] = ['b']\n")
    const fn = join(s.dir, 'functions', 'identity-validate.ts')
    writeFileSync(fn, "import { roles } from '@roles'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles } }) })\n")
    settle(fn, base, join(s.dir, 'functions', 'tsconfig.json'), join(s.dir, 'functions', 'roles-a.ts'), join(s.dir, 'functions', 'roles-b.ts'))
    const first = await processWith(s.cache)
    expect((await first.run(fn)).roles).toEqual(['a'])
    const same = await processWith(s.cache)
    expect((await same.run(fn)).roles).toEqual(['a'])
    expect(same.builds()).toBe(0)
    await rebuildsAfterWriting(s.cache, fn, base, paths('roles-b.ts'), ['b'])
  })

  test('a base config a tsconfig extends from a package (its package.json "tsconfig" field) changes', async () => {
    const s = site()
    const pkg = join(s.dir, 'node_modules', '@acme', 'tsconfig')
    mkdirSync(pkg, { recursive: true })
    writeFileSync(join(pkg, 'package.json'), '{ "name": "@acme/tsconfig", "version": "1.0.0", "tsconfig": "./base.json" }\n')
    const factory = (name: string) => `{ "compilerOptions": { "jsxFactory": "${name}" } }\n`
    writeFileSync(join(pkg, 'base.json'), factory('h'))
    writeFileSync(join(s.dir, 'functions', 'tsconfig.json'), '{ "extends": "@acme/tsconfig" }\n')
    const fn = join(s.dir, 'functions', 'identity-login.tsx')
    writeFileSync(fn, "import './helper.mts'\nconst h = () => 'h'\nconst k = () => 'k'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles: [String(<b />)] } }) })\n")
    settle(fn, join(pkg, 'package.json'), join(pkg, 'base.json'), join(s.dir, 'functions', 'tsconfig.json'), join(s.dir, 'functions', 'helper.mts'))
    const first = await processWith(s.cache)
    expect((await first.run(fn)).roles).toEqual(['h'])
    await rebuildsAfterWriting(s.cache, fn, join(pkg, 'base.json'), factory('k'), ['k'])
  })

  test('a paths alias with fallback targets: a file added for an earlier target rebuilds', async () => {
    const s = site()
    mkdirSync(join(s.dir, 'functions', 'a'))
    mkdirSync(join(s.dir, 'functions', 'b'))
    writeFileSync(join(s.dir, 'functions', 'tsconfig.json'), '{ "compilerOptions": { "paths": { "@roles": ["./a/roles", "./b/roles"] } } }\n')
    writeFileSync(join(s.dir, 'functions', 'b', 'roles.ts'), "export const roles: string[] = ['b']\n")
    const fn = join(s.dir, 'functions', 'identity-validate.ts')
    writeFileSync(fn, "import { roles } from '@roles'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles } }) })\n")
    settle(fn, join(s.dir, 'functions', 'tsconfig.json'), join(s.dir, 'functions', 'b', 'roles.ts'))
    const first = await processWith(s.cache)
    expect((await first.run(fn)).roles).toEqual(['b'])
    const same = await processWith(s.cache)
    expect((await same.run(fn)).roles).toEqual(['b'])
    expect(same.builds()).toBe(0)
    await rebuildsAfterWriting(s.cache, fn, join(s.dir, 'functions', 'a', 'roles.ts'), "export const roles: string[] = ['a']\n", ['a'])
  })

  test('extends is followed from where a linked config really is (pnpm), through a BOM', () => {
    const s = site()
    const store = join(s.dir, 'node_modules', '.pnpm', '@acme+tsconfig@1.0.0', 'node_modules')
    mkdirSync(join(store, '@acme', 'tsconfig'), { recursive: true })
    mkdirSync(join(store, '@tsconfig', 'node'), { recursive: true })
    writeFileSync(join(store, '@acme', 'tsconfig', 'package.json'), '\uFEFF{ "name": "@acme/tsconfig", "tsconfig": "./base.json" }\n')
    writeFileSync(join(store, '@acme', 'tsconfig', 'base.json'), '\uFEFF{ "extends": "@tsconfig/node" }\n')
    writeFileSync(join(store, '@tsconfig', 'node', 'tsconfig.json'), '{}\n')
    mkdirSync(join(s.dir, 'node_modules', '@acme'), { recursive: true })
    symlinkSync(join(store, '@acme', 'tsconfig'), join(s.dir, 'node_modules', '@acme', 'tsconfig'), 'dir')
    const config = join(s.dir, 'functions', 'tsconfig.json')
    writeFileSync(config, '\uFEFF{ "extends": "@acme/tsconfig" }\n')
    const files = extendedConfigFiles(config)
    expect(files).toContain(join(s.dir, 'node_modules', '@acme', 'tsconfig', 'base.json'))
    expect(files).toContain(join(realpathSync(store), '@tsconfig', 'node', 'tsconfig.json'))
  })

  test('stripJsonc: comments and trailing commas go, strings stay whole', () => {
    const text = '{\n  // a comment, with "quotes"\n  "a": "http://x/*not a comment*/", /* block */\n  "b": ["\\"q\\"", 2,],\n  "c": { "d": 1, },\n}\n'
    expect(JSON.parse(stripJsonc(text))).toEqual({ a: 'http://x/*not a comment*/', b: ['"q"', 2], c: { d: 1 } })
    expect(stripJsonc('{ "a": ",}" }')).toBe('{ "a": ",}" }')
    const bom = join(tmp, `bom-${++n}.json`)
    writeFileSync(bom, '\uFEFF{ "a": 1, }')
    expect(readJsonc(bom)).toEqual({ a: 1 })
  })

  test('a package that was missing gets installed: its missing-module diagnostic goes away', async () => {
    const { cache, dir } = site()
    const fn = join(dir, 'functions', 'identity-validate.mts')
    writeFileSync(fn, "import { roles } from './helper.mts'\nexport const handler = async () => { try { await import('optional-pkg') } catch {} ; return { statusCode: 200, body: JSON.stringify({ app_metadata: { roles } }) } }\n")
    settle(fn, join(dir, 'functions', 'helper.mts'))
    const p = await processWith(cache)
    expect((await p.run(fn)).diagnostics.map((d) => d.code)).toEqual(['missing-module'])
    const same = await processWith(cache)
    expect((await same.run(fn)).diagnostics.map((d) => d.code)).toEqual(['missing-module'])
    expect(same.builds()).toBe(0)

    mkdirSync(join(dir, 'node_modules', 'optional-pkg'), { recursive: true })
    writeFileSync(join(dir, 'node_modules', 'optional-pkg', 'package.json'), '{ "name": "optional-pkg", "version": "1.0.0", "main": "index.js" }\n')
    writeFileSync(join(dir, 'node_modules', 'optional-pkg', 'index.js'), 'module.exports = 1\n')
    const installed = await processWith(cache)
    expect((await installed.run(fn)).diagnostics).toEqual([])
    expect(installed.builds()).toBe(1)
  })

  test('a package is upgraded, or a closer copy of it appears', async () => {
    const { cache, dir } = site()
    const pkg = join(dir, 'node_modules', 'roles-pkg')
    mkdirSync(pkg, { recursive: true })
    writeFileSync(join(pkg, 'package.json'), '{ "name": "roles-pkg", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n')
    writeFileSync(join(pkg, 'index.js'), "export const roles = ['v1']\n")
    const fn = join(dir, 'functions', 'identity-login.mts')
    writeFileSync(fn, "import { roles } from 'roles-pkg'\nimport './helper.mts'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles } }) })\n")
    settle(fn, join(dir, 'functions', 'helper.mts'))
    const p = await processWith(cache)
    expect((await p.run(fn)).roles).toEqual(['v1'])

    // v2 moves its entry: a stale build would still import index.js
    writeFileSync(join(pkg, 'package.json'), '{ "name": "roles-pkg", "version": "2.0.0", "type": "module", "exports": "./v2.js" }\n')
    writeFileSync(join(pkg, 'v2.js'), "export const roles = ['v2']\n")
    const upgraded = await processWith(cache)
    expect((await upgraded.run(fn)).roles).toEqual(['v2'])
    expect(upgraded.builds()).toBe(1)

    const closer = join(dir, 'functions', 'node_modules', 'roles-pkg')
    mkdirSync(closer, { recursive: true })
    // the very same package.json: only where Node's lookup stops tells the copies apart
    writeFileSync(join(closer, 'package.json'), readFileSync(join(pkg, 'package.json')))
    writeFileSync(join(closer, 'v2.js'), "export const roles = ['closer']\n")
    const shadowed = await processWith(cache)
    expect((await shadowed.run(fn)).roles).toEqual(['closer'])
    expect(shadowed.builds()).toBe(1)
  })

  // esbuild's lookup of a path import (esbuild: internal/resolver/resolver.go loadAsFile,
  // loadAsDirectory): the path as written, then each extension of Netlify's order (.js, .jsx,
  // .mjs, .cjs, .ts, .tsx, .mts, .cts, .json: zip-it-and-ship-it's RESOLVE_EXTENSIONS), then
  // TypeScript's rewrite of .js, then the folder's index. A file added earlier in that order wins
  // the next build, so a build made without it must not be used.
  const lookupSite = (files: Record<string, string>, main: string) => {
    const s = site()
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(s.dir, 'functions', name, '..'), { recursive: true })
      writeFileSync(join(s.dir, 'functions', name), text)
    }
    const fn = join(s.dir, 'functions', 'identity-validate.ts')
    writeFileSync(fn, `import { roles } from '${main}'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles } }) })\n`)
    settle(fn, ...Object.keys(files).map((name) => join(s.dir, 'functions', name)))
    return { ...s, fn, at: (name: string) => join(s.dir, 'functions', name) }
  }

  test.each([
    ['an extension earlier in Netlify\'s order (util.js beside the util.ts that ./util found)', { 'util.ts': "export const roles: string[] = ['ts']\n" }, './util', 'util.js'],
    ['the file as written, over TypeScript\'s rewrite (util.js beside the util.ts that ./util.js found)', { 'util.ts': "export const roles: string[] = ['ts']\n" }, './util.js', 'util.js'],
    ['a file over a folder\'s index (lib.ts beside the lib/index.js that ./lib found)', { 'lib/index.js': "export const roles = ['index']\n" }, './lib', 'lib.ts'],
    ['what a folder\'s package.json "main" names, looked up in the same order (lib/main.js beside the lib/main.ts it found)', { 'lib/package.json': '{ "main": "./main" }\n', 'lib/main.ts': "export const roles: string[] = ['main.ts']\n" }, './lib', 'lib/main.js'],
  ])('a file added that esbuild\'s lookup now prefers: %s', async (_name, files, main, added) => {
    const { cache, fn, at } = lookupSite(files, main)
    const first = await processWith(cache)
    const before = (await first.run(fn)).roles
    expect(first.builds()).toBe(1)
    writeFileSync(at(added), "export const roles = ['added']\n")
    settle(at(added))
    const next = await processWith(cache)
    expect((await next.run(fn)).roles).toEqual(['added'])
    expect(before).not.toEqual(['added'])
    expect(next.builds()).toBe(1)
    const again = await processWith(cache)
    expect((await again.run(fn)).roles).toEqual(['added'])
    expect(again.builds()).toBe(0)
  })

  test('a file a failed require() in try/catch named, added later, is bundled by the next process', async () => {
    const s = site()
    const fn = join(s.dir, 'functions', 'identity-login.cts')
    writeFileSync(fn, "let roles: string[] = ['none']\ntry { roles = require('./opt').roles } catch {}\nexports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { roles } }) })\n")
    settle(fn)
    const first = await processWith(s.cache)
    expect((await first.run(fn)).roles).toEqual(['none'])
    await rebuildsAfterWriting(s.cache, fn, join(s.dir, 'functions', 'opt.cjs'), "exports.roles = ['opt']\n", ['opt'])
  })

  test('a bundle with a computed import (esbuild bundles a pattern of files) is never kept: a file added later is found', async () => {
    const s = site()
    mkdirSync(join(s.dir, 'functions', 'roles'))
    writeFileSync(join(s.dir, 'functions', 'roles', 'a.js'), "export default ['a']\n")
    const fn = join(s.dir, 'functions', 'identity-signup.ts')
    writeFileSync(fn, "import './helper.mts'\nexport const handler = async (event: { body: string }) => {\n  const { user } = JSON.parse(event.body)\n  const { default: roles } = await import(`./roles/${user.email.split('@')[0]}.js`)\n  return { statusCode: 200, body: JSON.stringify({ app_metadata: { roles } }) }\n}\n")
    settle(fn, join(s.dir, 'functions', 'roles', 'a.js'), join(s.dir, 'functions', 'helper.mts'))
    const first = await processWith(s.cache)
    expect((await first.run(fn, 'a@example.test')).roles).toEqual(['a'])
    expect(first.builds()).toBe(1)
    expect(existsSync(s.cache) ? readdirSync(s.cache).filter((f) => f.endsWith('.json')) : []).toEqual([])
    writeFileSync(join(s.dir, 'functions', 'roles', 'b.js'), "export default ['b']\n")
    const next = await processWith(s.cache)
    expect((await next.run(fn, 'b@example.test')).roles).toEqual(['b'])
    expect(next.builds()).toBe(1)
  })

  test('a lookup candidate that appeared during the build (it may not have been seen) keeps the entry from being written', async () => {
    const { fn, at } = lookupSite({ 'util.ts': "export const roles: string[] = ['ts']\n" }, './util')
    const folder = join(tmp, `race-${++n}`)
    const bundle = await bundleFunction({ file: realpathSync(fn), format: 'esm', outfile: join(tmp, `race-${n}.mjs`) })
    const startedAt = Date.now() - 5_000
    buildCache(folder, 'fp').write(realpathSync(fn), 'esm', bundle, startedAt)
    expect(readdirSync(folder).filter((f) => f.endsWith('.json'))).toHaveLength(1) // the control: nothing new, kept
    rmSync(folder, { recursive: true })
    writeFileSync(at('util.js'), "export const roles = ['js']\n") // now, after startedAt
    buildCache(folder, 'fp').write(realpathSync(fn), 'esm', bundle, startedAt)
    expect(existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.json')) : []).toEqual([])
  })

  test('a file added that no lookup tries (another name) keeps the cached build', async () => {
    const { cache, fn, at } = lookupSite({ 'util.ts': "export const roles: string[] = ['ts']\n" }, './util')
    await (await processWith(cache)).run(fn)
    writeFileSync(at('other.ts'), 'export {}\n')
    writeFileSync(at('util.test.ts'), 'export {}\n')
    settle(at('other.ts'), at('util.test.ts'))
    const next = await processWith(cache)
    expect((await next.run(fn)).roles).toEqual(['ts'])
    expect(next.builds()).toBe(0)
  })

  test('lookupCandidates lists esbuild\'s lookup of a path import', () => {
    const d = join(sep, 'site', 'fns')
    const order = ['.js', '.jsx', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts', '.json']
    expect(lookupCandidates(d, './util')).toEqual([
      join(d, 'util'), ...order.map((e) => join(d, `util${e}`)),
      ...order.map((e) => join(d, 'util', `index${e}`)),
    ])
    expect(lookupCandidates(d, '../lib/x.js')).toEqual(expect.arrayContaining([join(sep, 'site', 'lib', 'x.js'), join(sep, 'site', 'lib', 'x.ts'), join(sep, 'site', 'lib', 'x.tsx')]))
    expect(lookupCandidates(d, './x.mjs')).toContain(join(d, 'x.mts'))
    expect(lookupCandidates(d, './x.cjs')).toContain(join(d, 'x.cts'))
  })

  test('another harness or esbuild (the bundler fingerprint) never reads the entry', async () => {
    const { cache, fn } = await warm()
    expect(buildCache(cache, 'another bundler').read(realpathSync(fn), 'esm')).toBeUndefined()
    expect(buildCache(cache, bundlerFingerprint()).read(realpathSync(fn), 'esm')).toBeDefined()
    expect(buildCache(cache, bundlerFingerprint()).read(realpathSync(fn), 'cjs')).toBeUndefined()
  })
})

describe('a cache that cannot help is skipped, never an error', () => {
  test('a corrupt or truncated entry: a new build replaces it', async () => {
    const { cache, fn, dir } = site()
    settle(fn, join(dir, 'functions', 'helper.mts'))
    await (await processWith(cache)).run(fn)
    const [entry] = readdirSync(cache).filter((f) => f.endsWith('.json'))
    const text = readFileSync(join(cache, entry!), 'utf8')
    writeFileSync(join(cache, entry!), text.slice(0, text.length >> 1))
    const p = await processWith(cache)
    expect((await p.run(fn)).roles).toEqual(['one'])
    expect(p.builds()).toBe(1)
    expect(() => JSON.parse(readFileSync(join(cache, entry!), 'utf8'))).not.toThrow()
  })

  test('a cache folder that cannot be made (its parent is a file): builds work, nothing is written', async () => {
    const { fn, dir } = site()
    settle(fn, join(dir, 'functions', 'helper.mts'))
    const blocker = join(dir, 'not-a-folder')
    writeFileSync(blocker, 'x')
    for (let i = 0; i < 2; i++) {
      const p = await processWith(join(blocker, 'cache'))
      expect((await p.run(fn)).roles).toEqual(['one'])
      expect(p.builds()).toBe(1)
    }
    expect(readFileSync(blocker, 'utf8')).toBe('x')
  })

  test('a build error is never cached: the next process fails the same way, naming file and line', async () => {
    const { cache, dir } = site()
    const fn = join(dir, 'functions', 'identity-signup.mts')
    writeFileSync(fn, "import './helper.mts'\nexport const handler = async () => {\n  return { statusCode: 200, body: ( }\n}\n")
    settle(fn)
    for (let i = 0; i < 2; i++) {
      const p = await processWith(cache)
      await expect(p.run(fn)).rejects.toMatchObject({ code: 'ERR_FUNCTION_LOAD', message: expect.stringContaining(`${fn}:3:`) })
      expect(p.builds()).toBe(1)
    }
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([])
  })

  test('a file changed while it was being built is not kept (the build may hold the older bytes)', async () => {
    const { cache, fn } = site() // written just now: its mtime is after a start time in the past
    const file = realpathSync(fn)
    const bundle = await bundleFunction({ file, format: 'esm', outfile: join(tmp, 'out.mjs') })
    const c = buildCache(cache, 'fp')
    c.write(file, 'esm', bundle, Date.now() - 60_000)
    expect(c.read(file, 'esm')).toBeUndefined()
    c.write(file, 'esm', bundle, Date.now() + 100) // a start after the last change (beyond the clock slack)
    expect(c.read(file, 'esm')).toMatchObject({ code: bundle.code })
  })
})

describe('the folder stays small', () => {
  test('on its first write a process removes entries older than two weeks and the oldest beyond 500, and dead partial writes', async () => {
    const folder = join(tmp, 'pruned')
    mkdirSync(folder)
    const day = 24 * 3600 * 1000
    const at = (name: string, ageMs: number) => {
      writeFileSync(join(folder, name), '{}')
      const t = new Date(Date.now() - ageMs)
      utimesSync(join(folder, name), t, t)
    }
    at('old.json', 15 * day)
    at('recent.json', 1 * day)
    at('dead.json.123.abc.tmp', 5 * 60_000)
    at('live.json.456.def.tmp', 1_000)
    // module files go with their entries; a young one without an entry may be another process's, just written
    at('recent-0123456789abcdef.mjs', 1 * day)
    at('old-0123456789abcdef.mjs', 1 * day)
    at('gone-0123456789abcdef.mjs', 5 * 60_000)
    at('young-0123456789abcdef.mjs', 1_000)
    for (let i = 0; i < 510; i++) at(`bulk-${String(i).padStart(3, '0')}.json`, 2 * day + i * 1000)
    const { fn } = site()
    const bundle = await bundleFunction({ file: realpathSync(fn), format: 'esm', outfile: join(tmp, 'prune-out.mjs') })
    const c = buildCache(folder, 'fp')
    c.write(realpathSync(fn), 'esm', bundle, Date.now() + 1000)
    const left = new Set(readdirSync(folder))
    expect(left.has('old.json')).toBe(false)
    expect(left.has('dead.json.123.abc.tmp')).toBe(false)
    expect(left.has('live.json.456.def.tmp')).toBe(true)
    expect(left.has('recent.json')).toBe(true)
    expect(left.has('bulk-000.json')).toBe(true)
    expect(left.has('bulk-509.json')).toBe(false)
    expect(left.has('recent-0123456789abcdef.mjs')).toBe(true)
    expect(left.has('old-0123456789abcdef.mjs')).toBe(false)
    expect(left.has('gone-0123456789abcdef.mjs')).toBe(false)
    expect(left.has('young-0123456789abcdef.mjs')).toBe(true)
    expect([...left].filter((f) => f.endsWith('.json'))).toHaveLength(501) // 500 kept, then the new entry
    expect(c.read(realpathSync(fn), 'esm')?.moduleFile).toMatch(/\.mjs$/)
  })
})

describe('the bundler fingerprint (what makes a new harness or esbuild never read an older build)', () => {
  test('changes with the bundler file (path, size, time), the harness version and esbuild’s version; stays otherwise', () => {
    const pkg = join(tmp, 'fp-harness')
    mkdirSync(join(pkg, 'dist'), { recursive: true })
    mkdirSync(join(pkg, 'node_modules', 'esbuild'), { recursive: true })
    const file = join(pkg, 'dist', 'chunk-AAAA.js')
    writeFileSync(file, 'export const bundler = 1\n')
    writeFileSync(join(pkg, 'package.json'), '{ "name": "netlify-identity-harness", "version": "1.0.0" }\n')
    writeFileSync(join(pkg, 'node_modules', 'esbuild', 'package.json'), '{ "name": "esbuild", "version": "0.28.0" }\n')
    const npmTime = new Date('1985-10-26T08:15:00Z') // the time npm gives every installed file
    utimesSync(file, npmTime, npmTime)
    const first = fingerprintOf(file)
    expect(fingerprintOf(file)).toBe(first)
    writeFileSync(join(pkg, 'package.json'), '{ "name": "netlify-identity-harness", "version": "1.0.1" }\n')
    const upgraded = fingerprintOf(file)
    expect(upgraded).not.toBe(first)
    writeFileSync(join(pkg, 'node_modules', 'esbuild', 'package.json'), '{ "name": "esbuild", "version": "0.28.1" }\n')
    const newEsbuild = fingerprintOf(file)
    expect(newEsbuild).not.toBe(upgraded)
    writeFileSync(file, 'export const bundler = 22\n') // another size, the same time
    utimesSync(file, npmTime, npmTime)
    const resized = fingerprintOf(file)
    expect(resized).not.toBe(newEsbuild)
    const later = new Date('2026-01-01T00:00:00Z') // an edit of the same size (the harness's own source)
    utimesSync(file, later, later)
    expect(fingerprintOf(file)).not.toBe(resized)
    expect(fingerprintOf(join(pkg, 'dist', 'chunk-BBBB.js'))).not.toBe(fingerprintOf(join(pkg, 'dist', 'chunk-BBBB.js'))) // no file: never shared
  })
})

describe('the module file an ESM bundle is imported from', () => {
  test('removed, damaged or edited since it was kept: written again from the entry, no build', async () => {
    const { cache, fn, dir } = site()
    settle(fn, join(dir, 'functions', 'helper.mts'))
    await (await processWith(cache)).run(fn)
    const [module] = readdirSync(cache).filter((f) => f.endsWith('.mjs'))
    const path = join(cache, module!)
    const whole = readFileSync(path, 'utf8')
    writeFileSync(path, whole.slice(0, whole.length >> 1))
    const damaged = await processWith(cache)
    expect((await damaged.run(fn)).roles).toEqual(['one'])
    expect(damaged.builds()).toBe(0)
    expect(readFileSync(path, 'utf8')).toBe(whole)
    // an edit that keeps the size
    const changed = whole.replace('"one"', '"eno"')
    expect(changed).not.toBe(whole)
    writeFileSync(path, changed)
    const edited = await processWith(cache)
    expect((await edited.run(fn)).roles).toEqual(['one'])
    expect(edited.builds()).toBe(0)
    expect(readFileSync(path, 'utf8')).toBe(whole)
    rmSync(path)
    const removed = await processWith(cache)
    expect((await removed.run(fn)).roles).toEqual(['one'])
    expect(removed.builds()).toBe(0)
    expect(readFileSync(path, 'utf8')).toBe(whole)
  })

  test('every instance is a module of its own: module scope runs again for fresh: true and for a new process', async () => {
    const { cache, fn, dir } = site()
    writeFileSync(fn, "import { roles } from './helper.mts'\nlet loads = 0\nloads++\nexport const handler = async () => ({ body: JSON.stringify({ app_metadata: { roles: [...roles, String(loads++)] } }) })\n")
    settle(fn, join(dir, 'functions', 'helper.mts'))
    await (await processWith(cache)).run(fn)
    const p = await processWith(cache)
    const a = await loadFunctionFile(fn, { fresh: true })
    const b = await loadFunctionFile(fn, { fresh: true })
    expect(p.builds()).toBe(0)
    expect(p.imported()).toEqual({ moduleFile: 2, temporary: 0 })
    expect(a.module).not.toBe(b.module)
    const roles = async (m: Record<string, unknown>) => (JSON.parse((await (m.handler as () => Promise<{ body: string }>)()).body) as { app_metadata: { roles: string[] } }).app_metadata.roles
    expect(await roles(a.module)).toEqual(['one', '1'])
    expect(await roles(b.module)).toEqual(['one', '1'])
    expect(await roles(a.module)).toEqual(['one', '2'])
  })

  test('a rebuilt function replaces its module file: one per entry', async () => {
    const { cache, fn, dir } = site()
    const helper = join(dir, 'functions', 'helper.mts')
    settle(fn, helper)
    await (await processWith(cache)).run(fn)
    const before = readdirSync(cache).filter((f) => f.endsWith('.mjs'))
    await rebuildsAfterWriting(cache, fn, helper, "export const roles: string[] = ['two']\n", ['two'])
    const after = readdirSync(cache).filter((f) => f.endsWith('.mjs'))
    expect(after).toHaveLength(1)
    expect(after).not.toEqual(before)
  })
})

describe('where the cache lives', () => {
  test('the outermost node_modules above the harness (npm and pnpm), else the project’s, or off', async () => {
    const proj = join(tmp, 'proj')
    mkdirSync(join(proj, 'node_modules'), { recursive: true })
    const npm = [proj, 'node_modules', 'netlify-identity-harness', 'dist', 'x.js'].join(sep)
    const pnpm = [proj, 'node_modules', '.pnpm', 'netlify-identity-harness@1.0.0', 'node_modules', 'netlify-identity-harness', 'dist', 'x.js'].join(sep)
    const expected = join(proj, 'node_modules', '.cache', 'netlify-identity-harness')
    expect(cacheFolder(undefined, npm, '/elsewhere')).toBe(expected)
    expect(cacheFolder(undefined, pnpm, '/elsewhere')).toBe(expected)
    expect(cacheFolder('', join(tmp, 'checkout', 'src', 'x.ts'), proj)).toBe(expected)
    expect(cacheFolder(undefined, join(tmp, 'checkout', 'src', 'x.ts'), join(tmp, 'no-modules'))).toBeUndefined()
    for (const off of ['off', '0', 'false', 'NO']) expect(cacheFolder(off, npm, proj)).toBeUndefined()
    expect(cacheFolder('.my-cache', npm, proj)).toBe(join(proj, '.my-cache'))
  })
})
