import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, test, vi } from 'vitest'
import { createIdentity, HarnessError } from '../src/index.js'
import { listFunctions, discoverIdentityFunctions } from '../src/functions/discover.js'
import { loadFunctionFile, moduleFormat } from '../src/functions/load.js'
import { linkedWorkspace } from './helpers/workspace.js'

// A package import inside a loaded function stays external, so the test's module mock is the
// instance the function gets (functions-runtime.md §6; real-world-patterns.md "What the harness must support" 1).
vi.mock('axios', () => ({ default: { get: async () => ({ data: { roles: ['mocked'] } }) } }))

const F = 'test/fixtures/functions'
const identity = createIdentity({ seed: 11 })
const tmp = mkdtempSync(join(tmpdir(), 'nih-load-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError)
    return `${(error as HarnessError).code}: ${(error as Error).message}`
  }
  return undefined
}

describe('loading a function file the way Netlify bundles it (functions-runtime.md §6)', () => {
  test('a TypeScript file with type-only imports from @netlify/functions runs', async () => {
    const outcome = await identity.trigger(`${F}/ts/identity-signup.ts`, identity.fakeUser())
    expect(outcome.event).toBe('signup')
    expect(outcome.user.app_metadata).toEqual({ provider: 'email', roles: ['typed'] })
  })

  test('a "mixed" file (import syntax + exports.handler) runs after bundling, in a CommonJS package', async () => {
    const outcome = await identity.trigger(`${F}/mixed/identity-validate.js`, identity.fakeUser({ email: 'a@example.com' }))
    expect(outcome.allowed).toBe(true)
    const blocked = await identity.trigger(`${F}/mixed/identity-validate.js`, identity.fakeUser({ email: 'a@elsewhere.test' }))
    expect(blocked.allowed).toBe(false)
    expect(blocked.response?.statusCode).toBe(403)
  })

  test('a sibling module is required from the file\'s real location (CommonJS package)', async () => {
    const staff = await identity.trigger(`${F}/cjs/identity-signup.js`, identity.fakeUser({ email: 'kim@staff.example.com' }))
    expect(staff.user.app_metadata.roles).toEqual(['staff'])
    expect(moduleFormat(join(F, 'cjs/identity-signup.js'))).toBe('cjs')
  })

  test('"type": "module" makes a .js file ESM; .mjs/.mts are ESM and .cjs/.cts CommonJS whatever the package says', async () => {
    expect(moduleFormat(join(F, 'esm/identity-login.js'))).toBe('esm')
    expect(moduleFormat(join(F, 'cjs/x.mjs'))).toBe('esm')
    expect(moduleFormat(join(F, 'esm/x.cts'))).toBe('cjs')
    const outcome = await identity.trigger(`${F}/esm/identity-login.js`, identity.fakeUser())
    expect(outcome.event).toBe('login')
    expect(outcome.user.user_metadata).toMatchObject({ logins: expect.any(Number) })
  })

  test('a function folder loads its entry file (name.js, index.js, … order) and names the function after the folder', async () => {
    const outcome = await identity.trigger(`${F}/folder/identity-validate`, identity.fakeUser())
    expect(outcome.event).toBe('validate')
    expect(outcome.allowed).toBe(false)
  })

  test('files that read relative to themselves: import.meta.url and __dirname (ESM), __dirname (CommonJS)', async () => {
    const esm = await identity.invoke(`${F}/dirname-esm/reader.mjs`)
    expect(JSON.parse(esm.body)).toEqual({ viaMeta: { roles: ['from-file'] }, viaDirname: { roles: ['from-file'] } })
    const cjs = await identity.invoke(`${F}/dirname-cjs/reader.cjs`)
    expect(JSON.parse(cjs.body)).toEqual({ roles: ['from-file'] })
  })

  test('package imports stay external: vi.mock reaches the function, as is and bundled (through Vite, from the module file every worker shares)', async () => {
    const res = await identity.invoke(`${F}/mocked/uses-axios.mjs`)
    expect(JSON.parse(res.body)).toEqual({ roles: ['mocked'] })
    const bundled = await identity.invoke(`${F}/mocked/uses-axios-helper.mjs`)
    expect(JSON.parse(bundled.body)).toEqual({ roles: ['mocked'] })
  })

  // Netlify's bundler looks an extension-less import up in its own order (netlify/build:
  // packages/zip-it-and-ship-it/src/runtimes/node/bundlers/esbuild/bundler.ts RESOLVE_EXTENSIONS:
  // .js .jsx .mjs .cjs .ts .tsx .mts .cts .json), not esbuild's default (.tsx .ts .jsx .js .css .json).
  test("an import without extension resolves in Netlify's order: util.js over util.ts; .mjs, .cjs, .mts, .cts found", async () => {
    const dir = join(tmp, 'lookup-order')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    writeFileSync(join(dir, 'util.js'), "export const from = 'util.js'\n")
    writeFileSync(join(dir, 'util.ts'), "export const from: string = 'util.ts'\n")
    writeFileSync(join(dir, 'esm-helper.mjs'), "export const from = 'esm-helper.mjs'\n")
    writeFileSync(join(dir, 'cjs-helper.cjs'), "exports.from = 'cjs-helper.cjs'\n")
    writeFileSync(join(dir, 'typed.mts'), "export const from: string = 'typed.mts'\n")
    writeFileSync(join(dir, 'typed-cjs.cts'), "export const from: string = 'typed-cjs.cts'\n")
    const fn = join(dir, 'lookup.ts')
    writeFileSync(fn, [
      "import { from as a } from './util'",
      "import { from as b } from './esm-helper'",
      "import c from './cjs-helper'",
      "import { from as d } from './typed'",
      "import { from as e } from './typed-cjs'",
      'export const handler = async () => ({ statusCode: 200, body: JSON.stringify([a, b, (c as { from: string }).from, d, e]) })',
      '',
    ].join('\n'))
    const res = await identity.invoke(fn)
    expect(JSON.parse(res.body)).toEqual(['util.js', 'esm-helper.mjs', 'cjs-helper.cjs', 'typed.mts', 'typed-cjs.cts'])
  })

  test("tsconfig's paths to a local TypeScript file are bundled, as Netlify's esbuild does (not left external, which Node cannot load)", async () => {
    const dir = join(tmp, 'paths-alias')
    mkdirSync(join(dir, 'lib'), { recursive: true })
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["./lib/*"] } } }\n')
    writeFileSync(join(dir, 'lib', 'roles.ts'), "export const roles: string[] = ['aliased']\n")
    const fn = join(dir, 'identity-signup.ts')
    writeFileSync(fn, "import { roles } from '@lib/roles'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { provider: 'email', roles } }) })\n")
    const outcome = await identity.trigger(fn, identity.fakeUser())
    expect(outcome.user.app_metadata).toEqual({ provider: 'email', roles: ['aliased'] })
  })

  test('a tsconfig paths alias wins over an installed package of the same name (a linked workspace package): its source is bundled', async () => {
    const root = join(tmp, 'workspace')
    const site = linkedWorkspace(root)
    writeFileSync(join(site, 'tsconfig.json'), '\uFEFF{ "compilerOptions": { "paths": { "@acme/shared": ["../packages/shared/src/index.ts"] } } } // BOM, comment\n')
    const fn = join(site, 'identity-signup.ts') // no relative import: the file could otherwise run as is through Vite
    writeFileSync(fn, "import { roles } from '@acme/shared'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { provider: 'email', roles } }) })\n")
    const outcome = await identity.trigger(fn, identity.fakeUser())
    expect(outcome.user.app_metadata).toEqual({ provider: 'email', roles: ['src'] })
    // The same package imported without an alias stays the installed package (external, so vi.mock reaches it).
    const plain = linkedWorkspace(join(tmp, 'workspace-plain'))
    const fn2 = join(plain, 'identity-signup.ts')
    writeFileSync(fn2, "import { roles } from '@acme/shared'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ app_metadata: { provider: 'email', roles } }) })\n")
    expect((await identity.trigger(fn2, identity.fakeUser())).user.app_metadata).toEqual({ provider: 'email', roles: ['dist'] })
  })

  test('the bundle written beside the file is removed after loading', async () => {
    await loadFunctionFile(`${F}/folder/identity-validate`, { fresh: true })
    expect(readdirSync(join(F, 'folder/identity-validate')).filter((f) => f.startsWith('.'))).toEqual([])
  })
})

describe('env, fresh and the cache', () => {
  test('options.env applies while the module loads (module-scope reads) and is restored after', async () => {
    const file = `${F}/env/identity-validate.mjs`
    const user = identity.fakeUser({ email: 'lee@corp.test' })
    const ok = await identity.trigger(file, user, { env: { ALLOWED_DOMAIN: 'corp.test' }, fresh: true })
    expect(ok.allowed).toBe(true)
    expect(process.env.ALLOWED_DOMAIN).toBeUndefined()
    // fresh: a new instance reads the (now unset) variable at module scope and blocks every signup.
    const cold = await identity.trigger(file, user, { fresh: true })
    expect(cold.allowed).toBe(false)
    expect(cold.response?.body).toBe('ALLOWED_DOMAIN is not set')
  })

  test('module instances are cached per (file, env): a call without env never sees what another env read (issue 10)', async () => {
    const file = `${F}/env/identity-validate.mjs`
    const user = identity.fakeUser({ email: 'lee@corp.test' })
    // A fresh load under an env does not replace the shared instance…
    expect((await identity.trigger(file, user, { env: { ALLOWED_DOMAIN: 'corp.test' }, fresh: true })).allowed).toBe(true)
    const plain = await identity.trigger(file, user)
    expect(plain.response?.body).toBe('ALLOWED_DOMAIN is not set')
    // …and a cached load under an env is its own instance, kept for the same env only.
    const a = await identity.trigger(file, user, { env: { ALLOWED_DOMAIN: 'corp.test' } })
    const b = await identity.trigger(file, user, { env: { ALLOWED_DOMAIN: 'corp.test' } })
    expect(a.allowed && b.allowed).toBe(true)
    expect(JSON.parse(b.response!.body!)).toEqual({ calls: 2 })
    expect((await identity.trigger(file, user)).response?.body).toBe('ALLOWED_DOMAIN is not set')
    expect((await identity.trigger(file, user, { env: { ALLOWED_DOMAIN: 'other.test' } })).allowed).toBe(false)
  })

  test("module scope sees Netlify's runtime variables of the instance that loads it (functions-runtime.md §2.2)", async () => {
    const a = createIdentity({ seed: 1, siteUrl: 'https://a.example.test' })
    const b = createIdentity({ seed: 2, siteUrl: 'https://b.example.test' })
    const ra = JSON.parse((await a.invoke(`${F}/env/module-scope-url.mjs`)).body)
    const rb = JSON.parse((await b.invoke(`${F}/env/module-scope-url.mjs`)).body)
    expect(ra).toEqual({ url: 'https://a.example.test', context: 'production' })
    expect(rb.url).toBe('https://b.example.test')
    expect(process.env.URL).toBeUndefined()
  })

  test('the same unchanged file is loaded once; a changed file is rebuilt', async () => {
    const file = join(tmp, 'identity-login.cjs')
    writeFileSync(file, 'let n = 0; exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ user_metadata: { n: ++n, v: 1 } }) })')
    const first = await loadFunctionFile(file)
    const second = await loadFunctionFile(file)
    expect(second.module).toBe(first.module)
    writeFileSync(file, 'exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ user_metadata: { v: 2 } }) })')
    utimesSync(file, new Date(Date.UTC(2030, 0, 1)), new Date(Date.UTC(2030, 0, 1)))
    const outcome = await identity.trigger(file, identity.fakeUser())
    expect(outcome.user.user_metadata).toEqual({ v: 2 })
    const fresh = await loadFunctionFile(file, { fresh: true })
    expect(fresh.module).not.toBe(first.module)
  })
})

describe('warm calls by path (issue 12: found without a turn of the event loop, still one stat per input)', () => {
  test('a file rewritten between two calls with no await between them runs its new code', async () => {
    const file = join(tmp, 'warm-rewrite.mjs')
    writeFileSync(file, 'export const handler = async () => ({ statusCode: 200, body: "one" })\n')
    expect((await identity.invoke(file)).body).toBe('one')
    expect((await identity.invoke(file)).body).toBe('one') // now warm
    // Same turn: the rewrite, then the call. A different size, so it is seen even within the mtime's resolution.
    writeFileSync(file, 'export const handler = async () => ({ statusCode: 200, body: "two, longer" })\n')
    const next = identity.invoke(file)
    expect((await next).body).toBe('two, longer')
  })

  test('an env object changed in place between calls loads its own instance (the key is recomputed, never assumed)', async () => {
    const file = `${F}/env/identity-validate.mjs`
    const user = identity.fakeUser({ email: 'lee@corp.test' })
    const env: Record<string, string> = { ALLOWED_DOMAIN: 'corp.test' }
    expect((await identity.trigger(file, user, { env })).allowed).toBe(true)
    expect((await identity.trigger(file, user, { env })).allowed).toBe(true)
    env.ALLOWED_DOMAIN = 'other.test'
    const after = await identity.trigger(file, user, { env })
    expect(after.allowed).toBe(false)
    expect(after.response?.statusCode).toBe(403)
  })

  test('a relative path follows the working folder: the same string in another folder is another file', async () => {
    const a = join(tmp, 'cwd-a')
    const b = join(tmp, 'cwd-b')
    for (const [dir, body] of [[a, 'from a'], [b, 'from b']] as const) {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'relative.mjs'), `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(body)} })\n`)
    }
    const cwd = process.cwd()
    try {
      process.chdir(a)
      expect((await identity.invoke('relative.mjs')).body).toBe('from a')
      expect((await identity.invoke('relative.mjs')).body).toBe('from a')
      process.chdir(b)
      expect((await identity.invoke('relative.mjs')).body).toBe('from b')
    } finally {
      process.chdir(cwd)
    }
  })

  test('a file removed after warm calls is reported as removed, not run from the cache', async () => {
    const file = join(tmp, 'warm-removed.mjs')
    writeFileSync(file, 'export const handler = async () => ({ statusCode: 200 })\n')
    expect((await identity.invoke(file)).statusCode).toBe(200)
    expect((await identity.invoke(file)).statusCode).toBe(200)
    rmSync(file)
    expect(await codeOf(identity.invoke(file))).toMatch(/^ERR_FUNCTION_NOT_FOUND: /)
  })
})

describe('ES modules that run as is (no esbuild, issue 12)', () => {
  test('a single-file ES module is imported from its own file: a change makes a new instance, fresh too', async () => {
    const file = join(tmp, 'as-is.mjs')
    writeFileSync(file, 'let n = 0\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ v: 1, n: ++n, url: import.meta.url }) })\n')
    const a = await identity.invoke(file)
    expect(JSON.parse(a.body)).toEqual({ v: 1, n: 1, url: pathToFileURL(file).href })
    expect(JSON.parse((await identity.invoke(file)).body).n).toBe(2)
    // fresh: its own instance (a query on the URL, so fileURLToPath(import.meta.url) is still the file)
    const fresh = JSON.parse((await identity.invoke(file, { fresh: true })).body)
    expect(fresh.n).toBe(1)
    expect(fileURLToPath(fresh.url)).toBe(file)
    writeFileSync(file, 'export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ v: 2 }) })\n')
    utimesSync(file, new Date(Date.UTC(2031, 0, 1)), new Date(Date.UTC(2031, 0, 1)))
    expect(JSON.parse((await identity.invoke(file)).body)).toEqual({ v: 2 })
  })

  test('a helper beside the entry is bundled, so a changed helper is seen', async () => {
    const dir = join(tmp, 'with-helper')
    mkdirSync(dir)
    writeFileSync(join(dir, 'helper.mjs'), 'export const v = 1\n')
    writeFileSync(join(dir, 'entry.mjs'), "import { v } from './helper.mjs'\nexport const handler = async () => ({ statusCode: 200, body: String(v) })\n")
    expect((await identity.invoke(join(dir, 'entry.mjs'))).body).toBe('1')
    writeFileSync(join(dir, 'helper.mjs'), 'export const v = 22\n')
    utimesSync(join(dir, 'helper.mjs'), new Date(Date.UTC(2031, 0, 1)), new Date(Date.UTC(2031, 0, 1)))
    expect((await identity.invoke(join(dir, 'entry.mjs'))).body).toBe('22')
  })
})

describe('errors name the file and what was expected', () => {
  test('a missing file', async () => {
    expect(await codeOf(identity.trigger(`${F}/nope/identity-signup.js`))).toMatch(/^ERR_FUNCTION_NOT_FOUND: .*nope\/identity-signup\.js.*does not exist/)
  })

  test('a misspelled file or extension: did you mean the one beside it, as a path from the working directory', async () => {
    const at = (name: string) => codeOf(identity.trigger(`examples/site/netlify/functions/${name}`, 'signup'))
    expect(await at('identity-sigup.js')).toMatch(/does not exist \(expected a [^)]*\): did you mean examples\/site\/netlify\/functions\/identity-signup\.js\?$/)
    // The right name with the wrong extension (a .ts file asked for as .js).
    expect(await at('identity-login.js')).toMatch(/: did you mean examples\/site\/netlify\/functions\/identity-login\.ts\?$/)
    // Nothing close: what the folder holds.
    expect(await at('stripe-webhook.js')).toMatch(/; "examples\/site\/netlify\/functions" holds identity-login\.ts, identity-signup\.js, identity-validate\.mjs, me\.mts, promote\.mjs, protected\.mjs, user-events\.mts$/)
    // A short name gets no far-fetched guess (me.js is not hi.ts), but the same name with another extension is found.
    expect(await at('me.js')).toMatch(/: did you mean examples\/site\/netlify\/functions\/me\.mts\?$/)
    expect(await at('hi.js')).toMatch(/ holds identity-login\.ts, /)
    // A path through a file: that is what is wrong, not a missing folder.
    expect(await at('identity-signup.js/index.js')).toMatch(/; "examples\/site\/netlify\/functions\/identity-signup\.js" is a file, not a folder$/)
    // The folder is missing too: say so, and where a relative path starts.
    expect(await at('../../../nope/identity-signup.js')).toMatch(/; the folder "examples\/nope" does not exist either \(a relative path is resolved from the working directory, \/.*\)$/)
  })

  test('a folder without an entry file lists the candidates', async () => {
    const dir = join(tmp, 'identity-signup')
    mkdirSync(dir)
    writeFileSync(join(dir, 'helper.js'), '')
    expect(await codeOf(identity.trigger(dir))).toMatch(/^ERR_FUNCTION_NOT_FOUND: .*identity-signup.*identity-signup\.js, index\.js, identity-signup\.ts/)
  })

  test('no handler or default export', async () => {
    expect(await codeOf(identity.trigger(`${F}/broken/noexport.mjs`, 'signup'))).toMatch(/^ERR_UNSUPPORTED_FUNCTION: .*noexport\.mjs exports "somethingElse": expected a named `handler` export/)
  })

  test('a compile error', async () => {
    expect(await codeOf(identity.trigger(`${F}/broken/syntax.ts`, 'signup'))).toMatch(/^ERR_FUNCTION_LOAD: cannot build .*syntax\.ts .*syntax\.ts:\d+:\d+: Unexpected end of file/)
  })

  test('a syntax error in an ES module imported as is (through Vite here): esbuild\'s file:line:column, not "threw while loading"', async () => {
    // Vite's parse error (rolldown's "Parse failure", Vite 7's "Failed to parse source for import
    // analysis" with a JSX hint) was taken for a module-scope throw.
    const message = await codeOf(identity.trigger(`${F}/broken/syntax.mjs`, 'signup'))
    expect(message).toMatch(/^ERR_FUNCTION_LOAD: cannot build .*syntax\.mjs as Netlify would \(esbuild, esm\): .*syntax\.mjs:2:28: Expected "}" but found "]"/)
    expect(message).not.toMatch(/threw while loading|JSX/)
  })

  test('a throw at module scope', async () => {
    expect(await codeOf(identity.trigger(`${F}/broken/throws.mjs`, 'signup'))).toMatch(/^ERR_FUNCTION_LOAD: .*throws\.mjs threw while loading .*missing NEVER_SET_IN_TESTS_XYZ/)
  })

  test('an extension Netlify does not run', async () => {
    const file = join(tmp, 'identity-signup.py')
    writeFileSync(file, '')
    expect(await codeOf(identity.trigger(file))).toMatch(/^ERR_UNSUPPORTED_FUNCTION: cannot load .*identity-signup\.py/)
  })
})

describe('discovery (functions-runtime.md §6)', () => {
  test('lists files and folders; a .js file wins over a .ts of the same name; node_modules and dot-files are skipped', () => {
    const found = listFunctions(`${F}/discover`)
    expect(found.map((f) => f.name)).toEqual(['identity-login-background', 'identity-signup', 'identity-validate', 'other'])
    expect(found.find((f) => f.name === 'identity-validate')!.path).toMatch(/identity-validate\.js$/)
    expect(found.find((f) => f.name === 'other')!.path).toMatch(/other\/index\.js$/)
  })

  test('identity event functions by event, -background variants included', () => {
    const byEvent = discoverIdentityFunctions(`${F}/discover`)
    expect(Object.keys(byEvent).sort()).toEqual(['login', 'signup', 'validate'])
    expect(byEvent.login![0]!.name).toBe('identity-login-background')
  })

  test('a missing directory is an error', () => {
    expect(() => listFunctions(`${F}/missing-dir`)).toThrow(/ERR_FUNCTION_NOT_FOUND|does not exist/)
  })

  test("createIdentity({ functions: '<dir>' }) wires the discovered functions to the flows", async () => {
    const dir = join(tmp, 'site-functions')
    mkdirSync(dir)
    copyFileSync(`${F}/discover/identity-signup.mjs`, join(dir, 'identity-signup.mjs'))
    writeFileSync(join(dir, 'identity-validate.mjs'), 'export const handler = async (e) => ({ statusCode: JSON.parse(e.body).user.email.endsWith("@blocked.test") ? 403 : 200 })')
    const site = createIdentity({ seed: 3, functions: dir, autoconfirm: true })
    site.listen()
    try {
      const blocked = await site.signup({ email: 'x@blocked.test', password: 'password-1' })
      expect(blocked.status).toBe(422)
      const ok = await site.signup({ email: 'y@example.com', password: 'password-1' })
      expect(ok.status).toBe(200)
      expect((ok.body as { app_metadata: unknown }).app_metadata).toEqual({ provider: 'email', roles: ['discovered'] })
    } finally {
      site.close()
    }
  })
})

describe("a functions directory is bundled in one esbuild call (issue 12)", () => {
  test('the first load bundles every file that needs it; each keeps its own __filename / import.meta.url; an error names its own file', async () => {
    const dir = join(tmp, 'one-build')
    mkdirSync(dir)
    writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }')
    writeFileSync(join(dir, 'helper.js'), 'exports.tag = (n) => "tag-" + n')
    for (const name of ['identity-signup', 'identity-login', 'identity-validate']) {
      writeFileSync(join(dir, `${name}.js`), `const { tag } = require('./helper.js')\nexports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ tag: tag(${JSON.stringify(name)}), file: __filename }) })\n`)
    }
    writeFileSync(join(dir, 'identity-usermodified.mjs'), "import { readFileSync } from 'node:fs'\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ url: import.meta.url, dir: __dirname }) })\n")
    writeFileSync(join(dir, 'identity-userdeleted.mjs'), "export const handler = async () => ({ statusCode: 200, body: String(require('node:path').sep) })\n")
    writeFileSync(join(dir, 'identity-broken.ts'), 'export const handler = async ( => 1\n')
    const { functionDirectory } = await import('../src/functions/load.js')
    const { esbuildBuilds } = await import('../src/functions/bundle.js')
    const files = ['identity-signup.js', 'identity-login.js', 'identity-validate.js', 'identity-usermodified.mjs', 'identity-userdeleted.mjs'].map((f) => join(dir, f))
    functionDirectory(dir, files)
    const before = esbuildBuilds()
    const signup = await loadFunctionFile(files[0]!)
    expect(esbuildBuilds() - before).toBe(2) // one call for the CommonJS files, one for the ES modules
    const others = await Promise.all(files.slice(1).map((f) => loadFunctionFile(f)))
    expect(esbuildBuilds() - before).toBe(2)
    const body = async (m: { module: Record<string, unknown> }) => JSON.parse(((await (m.module.handler as () => Promise<{ body: string }>)()).body))
    expect(await body(signup)).toEqual({ tag: 'tag-identity-signup', file: files[0] })
    expect(await body(others[1]!)).toEqual({ tag: 'tag-identity-validate', file: files[2] })
    expect(await body(others[2]!)).toEqual({ url: pathToFileURL(files[3]!).href, dir })
    // A directory with a broken file: the others still load; the error names the broken file.
    functionDirectory(dir, [...files, join(dir, 'identity-broken.ts')])
    expect(await codeOf(loadFunctionFile(join(dir, 'identity-broken.ts')))).toMatch(/^ERR_FUNCTION_LOAD: cannot build .*identity-broken\.ts.*identity-broken\.ts:1:/)
  })
})
