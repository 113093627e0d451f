/**
 * The README's "Supported versions" table says what package.json's peer ranges say, and every
 * claim in it is a leg of the version matrix (scripts/matrix.mjs), which `.ci/run` runs: each
 * range's floor and each major has a leg that ends up on it. The install line is the one the
 * unpinned legs (Node 20, 22, 24) type.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, test } from 'vitest'

interface Leg {
  name: string
  node: string
  runner: 'vitest' | 'jest'
  install: string[]
  expect: Record<string, RegExp>
}

const root = resolve(import.meta.dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; peerDependencies: Record<string, string> }
const matrix = (await import(pathToFileURL(join(root, 'scripts/matrix.mjs')).href)) as {
  LEGS: Leg[]
  readmeBlock: (readme: string, firstLine: string) => string
}

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`)
  expect(start, title).toBeGreaterThan(-1)
  return readme.slice(start, readme.indexOf('\n## ', start + 1))
}

/** The table's rows: package → [supported, proven-by cell]. */
function table(): Map<string, [string, string]> {
  const rows = section('Supported versions')
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Package') && !l.startsWith('|---'))
    .map((l) => l.replaceAll('\\|', '\u0000').split('|').slice(1, -1).map((c) => c.trim().replaceAll('\u0000', '|')))
  return new Map(rows.map(([name, supported, proven]) => [name!, [supported!.replaceAll('`', ''), proven!]]))
}

describe('README: Supported versions', () => {
  test('comes right after Install', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])
    expect(headings[headings.indexOf('Install') + 1]).toBe('Supported versions')
  })

  test('the Node row is package.json engines, and the peer rows are the peer ranges', () => {
    const rows = table()
    expect(rows.get('Node')?.[0]).toBe(pkg.engines.node)
    expect(rows.get('vitest')?.[0]).toBe(pkg.peerDependencies.vitest)
    expect(rows.get('msw')?.[0]).toBe(pkg.peerDependencies.msw)
    expect(rows.get('@jest/globals / jest')?.[0]).toBe(pkg.peerDependencies['@jest/globals'])
  })

  test('every leg the table names exists in the matrix, and every matrix leg is in the table', () => {
    const named = new Set([...table().values()].flatMap(([, proven]) => [...proven.matchAll(/`(\w+)`/g)].map((m) => m[1]!)))
    const legs = matrix.LEGS.map((l) => l.name)
    for (const leg of legs) expect(named, leg).toContain(leg)
    for (const name of named) expect(legs, name).toContain(name)
  })

  test("each version the table says a leg proves is the version that leg requires", () => {
    const peerOf: Record<string, string> = { Node: 'node', vitest: 'vitest', msw: 'msw', '@jest/globals / jest': 'jest', '@netlify/functions': '@netlify/functions', '@netlify/identity': '@netlify/identity' }
    let claims = 0
    for (const [row, [, proven]] of table()) {
      for (const m of proven.matchAll(/`(\w+)` \((\d+(?:\.\d+)*)/g)) {
        const leg = matrix.LEGS.find((l) => l.name === m[1])!
        const version = [...m[2]!.split('.'), '0', '0'].slice(0, 3).join('.')
        const pattern = leg.expect[peerOf[row]!]
        expect(pattern, `${row}: ${m[1]} (${m[2]})`).toBeDefined()
        expect(pattern!.test(row === 'Node' ? `v${version}` : version), `${row}: ${m[1]} (${m[2]}) vs ${pattern}`).toBe(true)
        claims++
      }
    }
    expect(claims).toBeGreaterThan(12)
  })

  test('each peer range floor and each major is what some leg ends up with', () => {
    for (const [peer, range] of Object.entries(pkg.peerDependencies)) {
      for (const alternative of range.split('||').map((a) => a.trim().replace(/^\^/, ''))) {
        const proving = matrix.LEGS.filter((l) => l.expect[peer]?.test(alternative))
        expect(proving.map((l) => l.name), `${peer} ${alternative}`).not.toEqual([])
      }
    }
    // The floors exactly, in the `lowest` leg (Jest's floor 29.7 is the latest 29, the jest29 leg).
    const lowest = matrix.LEGS.find((l) => l.name === 'lowest')!
    expect(lowest.install).toEqual(expect.arrayContaining(['vitest@4.1.0', 'msw@2.12.0']))
    expect(lowest.node).toBe(pkg.engines.node.replace('>=', '') + '.0')
  })

  test('the install line is what the unpinned Node 20, 22 and 24 legs install', () => {
    expect(section('Install')).toContain('```sh\nnpm i -D netlify-identity-harness msw vitest\n```')
    for (const node of ['20', '22', '24']) {
      const leg = matrix.LEGS.find((l) => l.name === `node${node}`)!
      expect(leg.node).toBe(node)
      expect(leg.install).toEqual(['msw', 'vitest'])
    }
  })

  test('the README Jest config finds .mjs tests on Jest 29 (whose default testMatch has no .mjs)', () => {
    const config = matrix.readmeBlock(readme, '// jest.config.mjs')
    expect(config).toMatch(/testMatch: \['\*\*\/\?\(\*\.\)\+\(spec\|test\)\.\?\(\[cm\]\)\[jt\]s\?\(x\)'\]/)
  })

  test('the own msw server recipe is shown as code for msw 2 and for msw 3', () => {
    const two = matrix.readmeBlock(readme, '// own-server.test.ts (msw 2)')
    const three = matrix.readmeBlock(readme, '// own-server.test.ts (msw 3)')
    expect(two).toContain("server.listen({ onUnhandledRequest: 'error' })")
    expect(two).not.toContain('onUnhandledFrame')
    expect(three).toContain("server.listen({ onUnhandledFrame: 'error' })")
    expect(three).not.toContain('onUnhandledRequest')
    // Otherwise the same file.
    expect(three.replace('onUnhandledFrame', 'onUnhandledRequest').replace('(msw 3)', '(msw 2)')).toBe(two)
  })
})
