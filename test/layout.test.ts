/**
 * The package's architecture, held by a test: no import circles in src/, and each front (the
 * library entry, the CLI, the HTTP server) is a room over the shared core: the library entry
 * never reaches the CLI or the server, and the core never imports a front.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { expect, test } from 'vitest'

const src = resolve(import.meta.dirname, '../src')

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name)
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : []
  })
}

/** Static and dynamic relative imports of a module, as src/ paths (type-only imports included: they shape the design too). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out = new Set<string>()
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
    out.add(relative(src, resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts'))))
  }
  return [...out]
}

const graph = new Map(files(src).map((f) => [relative(src, f), imports(f)]))

test('src/ has no import circles', () => {
  const cycles: string[] = []
  const state = new Map<string, 'active' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): void => {
    state.set(node, 'active')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue
      if (state.get(next) === 'active') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '))
      else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of graph.keys()) if (!state.has(node)) visit(node)
  expect(cycles).toEqual([])
})

function reachable(from: string): Set<string> {
  const seen = new Set<string>()
  const walk = (node: string): void => {
    if (seen.has(node)) return
    seen.add(node)
    for (const next of graph.get(node) ?? []) walk(next)
  }
  walk(from)
  return seen
}

test('the library entry never loads the CLI or the server', () => {
  const fronts = [...reachable('index.ts')].filter((m) => m.startsWith('cli/') || m.startsWith('server/') || m === 'server.ts')
  expect(fronts).toEqual([])
})

test('the core never imports a front (CLI, server, runner entries)', () => {
  const fronts = (m: string): boolean => m.startsWith('cli/') || m.startsWith('server/') || ['server.ts', 'vitest.ts', 'jest.ts', 'vitest-plugin.ts'].includes(m)
  const offenders = [...graph].filter(([m]) => !fronts(m)).flatMap(([m, deps]) => deps.filter(fronts).map((d) => `${m} → ${d}`))
  expect(offenders).toEqual([])
})

test('src/ imports only node: built-ins, its dependencies and its peers (a devDependency would be missing when installed)', () => {
  const pkg = JSON.parse(readFileSync(resolve(src, '../package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
  // The package's own name appears in code it writes for users (init's generated tests).
  const allowed = new Set([String(pkg.name), ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})])
  const strays: string[] = []
  for (const file of files(src)) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"./][^'"]*)['"]|import\s*\(\s*['"]([^'"./][^'"]*)['"]\s*\)/gm)) {
      const spec = (m[1] ?? m[2])!
      if (spec.startsWith('node:')) continue
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
      if (!allowed.has(name)) strays.push(`${relative(src, file)}: ${spec}`)
    }
  }
  expect(strays).toEqual([])
})
