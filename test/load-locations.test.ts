import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'
import { createIdentity, HarnessError } from '../src/index.js'
import { loadFunctionFile } from '../src/functions/load.js'
import { mapStack } from '../src/functions/source-map.js'

// Issue 11 items 1, 3 and 4: every location the harness shows is the user's original file, line
// and column (the bundle is never what a stack names), and esbuild's warnings are diagnostics.
const F = resolve('test/fixtures/functions')
const identity = createIdentity({ seed: 111 })

/** `file:line:column` of the first occurrence of `marker` in a fixture (1-based, as V8 prints). */
function locationOf(file: string, marker: string): string {
  const lines = readFileSync(file, 'utf8').split('\n')
  const line = lines.findIndex((l) => l.includes(marker))
  expect(line).toBeGreaterThanOrEqual(0)
  return `${file}:${line + 1}:${lines[line]!.indexOf(marker) + 1}`
}

async function failure(p: Promise<unknown>): Promise<HarnessError> {
  try {
    await p
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError)
    return error as HarnessError
  }
  throw new Error('expected a HarnessError')
}

describe('locations name the original file, line and column (source maps)', () => {
  test('a CommonJS helper two files from the entry: the threw diagnostic and Netlify\'s 500 body', async () => {
    const entry = `${F}/locations/identity-validate.cjs`
    const at = locationOf(`${F}/locations/lib/check.cjs`, 'new Error')
    const outcome = await identity.trigger(entry, identity.fakeUser({ email: 'x@elsewhere.test' }))
    expect(outcome.allowed).toBe(false)
    const threw = outcome.diagnostics.find((d) => d.code === 'threw')!
    expect(threw.message).toContain(`check: not an example.com address at ${at}`)
    // The 500 body Netlify answers carries the stack (functions-runtime.md §3.9): mapped frames.
    expect(outcome.response?.body).toContain(at)
    expect(outcome.response?.body).toContain(locationOf(entry, 'check(user)'))
    expect(outcome.response?.body).not.toMatch(/nih-|netlify-identity-harness-\d+/)
  })

  test('TypeScript (types stripped, so the bundle\'s columns differ): the error names the .ts line and column', async () => {
    const file = `${F}/locations/identity-signup.ts`
    const outcome = await identity.trigger(file, identity.fakeUser({ email: 'y@elsewhere.test' }))
    const threw = outcome.diagnostics.find((d) => d.code === 'threw')!
    expect(threw.message).toContain(`TypeError: no role for y@elsewhere.test at ${locationOf(file, 'new TypeError')}`)
    expect(outcome.response?.body).toContain(locationOf(file, 'new TypeError'))
  })

  test('an undeclared variable under ESM strict mode: file and line, and why', async () => {
    const file = `${F}/locations/undeclared.mjs`
    const res = await identity.invoke(file)
    expect(res.statusCode).toBe(500)
    const threw = res.diagnostics.find((d) => d.code === 'threw')!
    // (Through Vite, its transform moves the column within the line; natively it is exact.)
    expect(threw.message).toContain(`ReferenceError: total is not defined at ${file}:2:`)
    expect(threw.message).toMatch(/ES modules .* throw even on an assignment .* declare it with let or const/)
  })

  test('an ES module imported again (another identity, as in the next test): its frames name the file, never the instance query', async () => {
    // The second instance is the same file imported with `?nih-instance=<n>` (load.ts); before,
    // a stack from the second test of a file on named `undeclared.mjs?nih-instance=1:2:3`.
    const file = `${F}/locations/undeclared.mjs`
    for (const seed of [1, 2, 3]) {
      const res = await createIdentity({ seed }).invoke(file)
      const threw = res.diagnostics.find((d) => d.code === 'threw')!
      expect(threw.message).toContain(`ReferenceError: total is not defined at ${file}:2:`)
      expect(res.body).toContain(`${file}:2:`)
      expect(`${threw.message}\n${res.body}`).not.toContain('nih-instance')
    }
  })

  test('outside Vite (Node, Jest) a frame is a file: URL: the instance query is dropped there too, the rest kept', () => {
    const url = pathToFileURL(`${F}/locations/undeclared.mjs`).href
    const stack = `ReferenceError: total is not defined\n    at handler (${url}?nih-instance=4:2:9)\n    at other (${url}:7:1)\n    at x (/srv/app.mjs?v=2:1:1)`
    expect(mapStack(stack)).toBe(`ReferenceError: total is not defined\n    at handler (${url}:2:9)\n    at other (${url}:7:1)\n    at x (/srv/app.mjs?v=2:1:1)`)
  })

  test('a throw at module scope: the HarnessError names file:line:column; its cause\'s stack names the file', async () => {
    const file = `${F}/locations/module-scope.cjs`
    const error = await failure(loadFunctionFile(file, { fresh: true }))
    expect(error.code).toBe('ERR_FUNCTION_LOAD')
    expect(error.message).toContain(`threw while loading (module scope, cjs) at ${locationOf(file, 'new Error')}`)
    expect(String((error.cause as Error).stack)).toContain(locationOf(file, 'new Error'))
  })

  test('a missing relative import and a missing package are load errors naming the file and line', async () => {
    const rel = await failure(loadFunctionFile(`${F}/locations/missing-import.mjs`))
    expect(rel.code).toBe('ERR_FUNCTION_LOAD')
    expect(rel.message).toContain(`${F}/locations/missing-import.mjs:1:`)
    expect(rel.message).toMatch(/Could not resolve "\.\/not-here\.mjs"/)
    const pkg = await failure(loadFunctionFile(`${F}/locations/missing-package.mjs`))
    expect(pkg.message).toContain(`${F}/locations/missing-package.mjs:2:`)
    expect(pkg.message).toMatch(/Could not resolve "stripe-not-installed-nih".*npm install stripe-not-installed-nih.*Netlify's build fails the same way/)
  })
})

describe('CommonJS in an ESM package (issue 11.3)', () => {
  test('exports.handler in a .js file under "type": "module": Netlify fails the same way; both fixes', async () => {
    const file = `${F}/cjs-in-esm/identity-signup.js`
    const error = await failure(identity.trigger(file, identity.fakeUser()))
    expect(error.code).toBe('ERR_FUNCTION_FORMAT')
    expect(error.message).toContain(file)
    expect(error.message).toContain(`${F}/cjs-in-esm/package.json says "type": "module"`)
    expect(error.message).toContain('Netlify fails the same way')
    expect(error.message).toContain('rename it to identity-signup.cjs')
    expect(error.message).toContain(`{"type": "commonjs"} in ${F}/cjs-in-esm`)
  })
})

describe("esbuild's warnings are diagnostics of every call (issue 11.4)", () => {
  test('import.meta in a CommonJS function: bundle-warning with file and line', async () => {
    const file = `${F}/warnings/import-meta.cjs`
    const res = await identity.invoke(file)
    expect(res.statusCode).toBe(200)
    const warning = res.diagnostics.find((d) => d.code === 'bundle-warning')!
    expect(warning.message).toContain(`${file}:2:`)
    expect(warning.message).toMatch(/empty-import-meta.*use __dirname/)
    // Reported again on the next (cached) call.
    expect((await identity.invoke(file)).diagnostics.map((d) => d.code)).toContain('bundle-warning')
  })

  test('a require of a missing optional package: missing-module, and the function still takes its fallback', async () => {
    const file = `${F}/warnings/optional.cjs`
    const res = await identity.invoke(file)
    expect(res.body).toBe('slow')
    const missing = res.diagnostics.find((d) => d.code === 'missing-module')!
    expect(missing.message).toContain(`${file}:3:`)
    expect(missing.message).toContain('"optional-native-speedup-nih" cannot be found')
  })
})
