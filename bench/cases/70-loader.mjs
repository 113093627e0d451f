/**
 * Issue 12, loader rows: the first function loaded by path inside Vitest vs Vitest importing the
 * same TS file; 20 function files loaded cold by path vs importing them as .mjs; a warm call by
 * path vs passing the imported module. The harness is installed as a copy in node_modules, as a
 * user's project has it (Vitest externalises it).
 */
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { alternate, log, median, root, row, runNode, tmp, vitestBin } from '../lib.mjs'

const handler = (i) => `export const handler = async (event) => {
  const { user } = JSON.parse(event.body)
  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles: ['r${i}'] } }) }
}
`

export default function loader() {
  log('case 7: loader (first load in Vitest, 20 cold files, warm calls) …')
  const dir = join(tmp, 'loader')
  rmSync(dir, { recursive: true, force: true })
  const installed = join(dir, 'node_modules', 'netlify-identity-harness')
  mkdirSync(installed, { recursive: true })
  cpSync(join(root, 'dist'), join(installed, 'dist'), { recursive: true })
  cpSync(join(root, 'package.json'), join(installed, 'package.json'))
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
  const fns = join(dir, 'functions')
  mkdirSync(fns)
  writeFileSync(join(fns, 'identity-signup.ts'), `import type { Handler } from './types.ts'\nconst roles: string[] = ['member']\nexport const handler: Handler = async (event) => {\n  const { user } = JSON.parse(event.body)\n  return { statusCode: 200, body: JSON.stringify({ app_metadata: { ...user.app_metadata, roles } }) }\n}\n`)
  writeFileSync(join(fns, 'types.ts'), 'export type Handler = (event: { body: string }) => Promise<{ statusCode: number; body: string }>\n')
  for (let i = 0; i < 20; i++) writeFileSync(join(fns, `identity-signup-${i}.mjs`), handler(i))

  // 7a: one test per file, each file in its own worker (Vitest's default isolation), alternating;
  // 7a': the same with the Vitest plugin (the harness inlined, as the README's quick start has it).
  const firstLoads = (name, plugin) => {
    const out = join(dir, `${name}.jsonl`)
    const tests = join(dir, name)
    mkdirSync(tests)
    const N = 8
    for (let i = 0; i < N; i++) {
      for (const kind of ['path', 'import']) {
        const load = kind === 'path' ? JSON.stringify(join(fns, 'identity-signup.ts')) : `await import(${JSON.stringify(join(fns, 'identity-signup.ts'))})`
        writeFileSync(join(tests, `${String(i).padStart(2, '0')}-${kind}.test.mjs`), `import { appendFileSync } from 'node:fs'
import { test } from 'vitest'
import { createIdentity } from 'netlify-identity-harness'
test('first load', async () => {
  const identity = createIdentity({ seed: 1 })
  const user = identity.fakeUser()
  // Importing faker (the first fakeUser) starts an incremental major GC that finishes on a later
  // task, a 3–5 ms pause inside whichever window came next: the path row's (its file read yields
  // to the event loop) in 5 of 8 files on 2026-12-03, the import row's in 2 of 8. A timer lets it
  // finish before either window opens; both pay the same.
  await new Promise((r) => setTimeout(r, 50))
  const t = performance.now()
  const outcome = await identity.trigger(${load}, 'signup', user)
  const ms = performance.now() - t
  if (outcome.user.app_metadata.roles[0] !== 'member') throw new Error('wrong outcome')
  appendFileSync(${JSON.stringify(out)}, JSON.stringify({ kind: ${JSON.stringify(kind)}, ms }) + '\\n')
})
`)
      }
    }
    const config = join(dir, `${name}.config.mjs`)
    writeFileSync(config, `${plugin ? "import { identityHarness } from 'netlify-identity-harness/vitest-plugin'\n" : ''}export default { ${plugin ? 'plugins: [identityHarness()], ' : ''}test: { include: [${JSON.stringify(`${name}/*.test.mjs`)}], root: ${JSON.stringify(dir)}, maxWorkers: 1, sequence: { shuffle: false } } }\n`)
    runNode([vitestBin, 'run', '--config', config], { cwd: dir })
    const first = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    return [median(first.filter((r) => r.kind === 'path').map((r) => r.ms)), median(first.filter((r) => r.kind === 'import').map((r) => r.ms))]
  }
  const [firstPath, firstImport] = firstLoads('first', false)
  const [pluginPath, pluginImport] = firstLoads('first-plugin', true)

  // 7b: 20 files cold in fresh processes.
  const files = Array.from({ length: 20 }, (_, i) => join(fns, `identity-signup-${i}.mjs`))
  const cold = (byPath) => `
    const { createIdentity } = await import(${JSON.stringify(join(installed, 'dist', 'index.js'))})
    const files = ${JSON.stringify(files)}
    const identity = createIdentity({ seed: 1 })
    const user = identity.fakeUser()
    await identity.trigger((e) => ({ statusCode: 200 }), 'signup', user)
    const t = performance.now()
    ${byPath
      ? 'await Promise.all(files.map((f) => identity.trigger(f, "signup", user)))'
      : 'const mods = await Promise.all(files.map((f) => import(f))); await Promise.all(mods.map((m) => identity.trigger(m, "signup", user)))'}
    process.stdout.write(String(performance.now() - t))`
  const script = (name, body) => {
    const f = join(dir, name)
    writeFileSync(f, body)
    return f
  }
  const coldPath = script('cold-path.mjs', cold(true))
  const coldImport = script('cold-import.mjs', cold(false))
  const [paths, imports] = alternate(7, () => Number(runNode([coldPath], { cwd: dir })), () => Number(runNode([coldImport], { cwd: dir })))

  // 7c: warm calls in one process, alternating batches.
  const warm = script('warm.mjs', `
    const { createIdentity } = await import(${JSON.stringify(join(installed, 'dist', 'index.js'))})
    const file = ${JSON.stringify(files[0])}
    const mod = await import(file)
    const identity = createIdentity({ seed: 1 })
    const user = identity.fakeUser()
    const batch = async (fn) => { const t = performance.now(); for (let i = 0; i < 200; i++) await identity.trigger(fn, 'signup', user); return performance.now() - t }
    for (let i = 0; i < 5; i++) { await batch(file); await batch(mod) }
    const a = [], b = []
    for (let i = 0; i < 25; i++) { a.push(await batch(file)); b.push(await batch(mod)) }
    const median = (xs) => { const s = [...xs].sort((x, y) => x - y); return s[s.length >> 1] }
    process.stdout.write(JSON.stringify({ path: median(a) / 200 * 1000, module: median(b) / 200 * 1000 }))`)
  const w = JSON.parse(runNode([warm], { cwd: dir }))
  appendFileSync(join(dir, 'summary.txt'), JSON.stringify({ firstPath, firstImport, pluginPath, pluginImport, cold: [median(paths), median(imports)], warm: w }) + '\n')
  return [
    // The bench folder (and so its node_modules/.cache build cache) is new: the first 'path' file
    // pays esbuild's import, service start and build; the later forks read the cached build.
    row('7a. first function loaded by path in a Vitest file vs Vitest importing the same TS file (median ms)', firstPath, firstImport, 1.8, 'ms', { goal: 1.5 }),
    // With the plugin, Vite transforms the bundle: from a module file every worker shares (Vite
    // keeps its transform for the run) since 2026-12-03, 1.5–1.9×; from a per-worker temporary
    // copy before, 2.4–3.2×. No goal of its own: a regression guard.
    row("7a'. the same with the Vitest plugin (harness inlined, so vi.mock reaches path-loaded functions) (median ms)", pluginPath, pluginImport, 2.6, 'ms'),
    row('7b. 20 function files loaded cold by path vs importing them as .mjs (median ms)', median(paths), median(imports), 2.6, 'ms', { goal: 2 }),
    // 1.19–1.37× over the runs of 2026-12-02 (~17 µs a call: locate, env key, one stat per input);
    // since the synchronous warm path (no path resolution, no key string, no extra turn) ~11 µs,
    // of which the one stat per input is ~8 µs on this VM and stays: it is what sees a file
    // rewritten just before a call. The 1.2× goal is reported, 1.6× guards against regressions.
    row('7c. warm call by path vs passing the imported module (median µs)', w.path, w.module, 1.6, 'µs', { goal: 1.2 }),
  ]
}
