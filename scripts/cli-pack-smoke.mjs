#!/usr/bin/env node
// The CLI from the published tarball (issue 13): packs the package as npm would publish it,
// installs it into a fresh project (from npm's cache when it can: --prefer-offline), copies the
// example site in, runs `check` (text, --json, --junit) and `init` through the installed bin, and
// runs the generated Vitest suite twice (the second run compares the snapshots the first wrote).
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'nih-cli-pack-'))
const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
// A child Vitest must not believe it runs inside CI (new snapshots are written on the first run).
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && !k.startsWith('VITEST')))
env.NO_COLOR = '1'
const bin = (app, args, expected) => {
  const r = spawnSync(join(app, 'node_modules/.bin/netlify-identity-harness'), args, { cwd: app, env, encoding: 'utf8', timeout: 120_000 })
  if (r.status !== expected) throw new Error(`netlify-identity-harness ${args.join(' ')} exited ${r.status}, expected ${expected}\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}
try {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root))
  const tarball = join(work, packed[0].filename)
  const files = packed[0].files.map((f) => f.path)
  for (const required of ['bin/netlify-identity-harness.mjs', 'dist/cli/main.js', 'dist/vitest-plugin.js', 'dist/vitest-plugin.d.ts', 'docs/check-report.schema.json']) {
    if (!files.includes(required)) throw new Error(`the tarball lacks ${required}`)
  }

  const app = join(work, 'app')
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `msw@${version('msw')}`, `vitest@${version('vitest')}`, `@netlify/identity@${version('@netlify/identity')}`], app)
  // The example site keeps its own package.json (no "type": its .js functions are CommonJS).
  const site = join(app, 'site')
  cpSync(join(root, 'examples/site'), site, { recursive: true, filter: (src) => !src.includes('node_modules') })

  const text = bin(app, ['check', 'site'], 0)
  if (!/^PASS {2}7 functions, 59 scenarios/m.test(text)) throw new Error(`check's summary is not the expected one:\n${text}`)
  const report = JSON.parse(bin(app, ['check', 'site', '--json', '--junit', 'check.xml'], 0))
  if (report.summary.functions !== 7 || !existsSync(join(app, 'check.xml'))) throw new Error('check --json / --junit wrote an unexpected report')
  // The short alias runs the same CLI.
  bin(app, ['--version'], 0)
  if (spawnSync(join(app, 'node_modules/.bin/nih'), ['--version'], { encoding: 'utf8' }).status !== 0) throw new Error('the nih alias does not run')

  const init = bin(app, ['init', 'site'], 0)
  if (!init.includes('wrote  site/vitest.config.mjs')) throw new Error(`init did not add the Vitest config:\n${init}`)
  // The build cache (issue 12) lives in the project's node_modules: check's builds are kept there,
  // and the suite's processes (Vitest workers, twice) rewrite none of them: every load hit the cache.
  const cache = join(app, 'node_modules', '.cache', 'netlify-identity-harness')
  const entries = () => (existsSync(cache) ? readdirSync(cache).filter((f) => f.endsWith('.json')) : [])
  if (entries().length === 0) throw new Error(`check kept no build in ${cache}`)
  const stampsNow = () => entries().map((f) => `${f} ${statSync(join(cache, f)).mtimeMs}`).sort().join('\n')
  let stamps = stampsNow()
  for (const pass of ['first', 'second']) {
    const r = spawnSync(join(app, 'node_modules/.bin/vitest'), ['run'], { cwd: site, env, encoding: 'utf8', timeout: 300_000 })
    if (r.status !== 0) throw new Error(`the generated suite failed on its ${pass} run:\n${r.stdout}\n${r.stderr}`)
    const now = stampsNow()
    if (now !== stamps) throw new Error(`the ${pass} run rebuilt functions an earlier process had cached:\nbefore\n${stamps}\nafter\n${now}`)
    stamps = now
  }
  console.log(`cli pack smoke: ok (check, check --json --junit, init, generated suite passes twice; ${entries().length} builds cached and reused)`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
