/**
 * Case 3: cold imports, fresh processes, alternating (issue 12, "import only what a test uses").
 * 3.  The main entry (what a hook unit test imports: it never serves msw) vs importing jose,
 *     msw/node and faker/locale/en alone: the main entry loads neither msw nor jose at import.
 * 3b. The fixture entry (`netlify-identity-harness/vitest`, which serves with msw) imported inside
 *     a Vitest test file vs the same three packages imported inside a Vitest test file: one
 *     Vitest run over 2N files, each file in its own fork (a cold module graph), each timing only
 *     its own `await import(…)` (Vitest itself is loaded in both).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { alternate, dist, log, median, root, row, runNode, tmp, vitestBin } from '../lib.mjs'

const BASELINE = ['jose', 'msw/node', '@faker-js/faker/locale/en']
const script = (specifiers) =>
  `const t = performance.now(); await Promise.all([${specifiers.map((s) => `import(${JSON.stringify(s)})`).join(', ')}]); process.stdout.write(String(performance.now() - t))`
const timeImport = (specifiers) => Number(runNode(['--input-type=module', '-e', script(specifiers)]))

function fixtureImports(n) {
  const dir = join(tmp, 'fixture-import')
  mkdirSync(dir, { recursive: true })
  const results = join(dir, 'results')
  mkdirSync(results, { recursive: true })
  const file = (name, specifiers) =>
    writeFileSync(join(dir, `${name}.test.mjs`), `import { test } from 'vitest'
import { writeFileSync } from 'node:fs'
test('import', async () => {
  const t = performance.now()
  // Specifiers from an array (not literal imports), the same form for both sides.
  const specifiers = ${JSON.stringify(specifiers)}
  await Promise.all(specifiers.map((s) => import(s)))
  writeFileSync(${JSON.stringify(join(results, `${name}.txt`))}, String(performance.now() - t))
})
`)
  const fixture = join(root, 'dist', 'vitest.js')
  for (let i = 0; i < n; i++) {
    file(`h${i}`, [fixture])
    file(`b${i}`, BASELINE)
  }
  // dist/ is externalized, as the installed package under node_modules is (Vitest transforms
  // only what is not), so the row measures the import a user's test pays.
  writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { include: ['*.test.mjs'], server: { deps: { external: [new RegExp('/dist/')] } }, pool: 'forks', isolate: true, maxWorkers: 1, minWorkers: 1, fileParallelism: false } }`)
  runNode([vitestBin, 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs')], { cwd: root })
  const read = (name) => Number(readFileSync(join(results, `${name}.txt`), 'utf8'))
  return [Array.from({ length: n }, (_, i) => read(`h${i}`)), Array.from({ length: n }, (_, i) => read(`b${i}`))]
}

export default function coldImport() {
  log('case 3: cold import …')
  const [harness, baseline] = alternate(15, () => timeImport([dist]), () => timeImport(BASELINE))
  const [fh, fb] = fixtureImports(8)
  // 3b: the issue's goal is 1.0×; measured 1.03–1.27× over three runs (within the noise margin, not under it), so
  // the target is the regression guard and the goal is kept.
  return [
    row('3. cold import (median ms)', median(harness), median(baseline), 0.6, 'ms'),
    row('3b. fixture entry imported in a Vitest file vs jose + msw/node + faker there (median ms)', median(fh), median(fb), 1.2, 'ms', { goal: 1.0 }),
  ]
}
