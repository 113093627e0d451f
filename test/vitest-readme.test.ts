// The README's first screen must stay true: its quick start is byte-for-byte the example test that
// `npm run examples` runs against the built package, and every recipe's function file exists in
// the example site.
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(`${root}/README.md`, 'utf8')

test('the quick start is examples/vitest/quick-start.test.ts (run by npm run examples)', () => {
  const section = readme.slice(readme.indexOf('## Quick start'))
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  expect(block).toBe(readFileSync(`${root}/examples/vitest/quick-start.test.ts`, 'utf8'))
  expect(block!.split('\n').filter((l) => l.trim() !== '').length).toBeLessThan(15)
})

test("the other-hosts recipe is examples/vitest/other-hosts.test.ts (run by npm run examples)", () => {
  const section = readme.slice(readme.indexOf('### Other services your function calls'))
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  expect(block).toBe(readFileSync(`${root}/examples/vitest/other-hosts.test.ts`, 'utf8'))
})

test('every function file a recipe names exists in examples/site', () => {
  const recipes = readme.slice(readme.indexOf('## Recipes'), readme.indexOf('\n## ', readme.indexOf('## Recipes') + 1))
  const named = [...new Set([...recipes.matchAll(/'netlify\/functions\/([\w.-]+\.[cm]?[jt]s)'/g)].map((m) => m[1]!))]
  expect(named.length).toBeGreaterThan(5)
  for (const file of named) expect(existsSync(`${root}/examples/site/netlify/functions/${file}`), file).toBe(true)
})

test('the README documents the commands package.json defines', () => {
  const scripts = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts
  for (const name of ['examples', 'test', 'test:jest']) {
    expect(scripts[name]).toBeDefined()
    expect(readme).toContain(name === 'test' ? 'npm test' : `npm run ${name}`)
  }
})
