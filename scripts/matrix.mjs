#!/usr/bin/env node
// The version matrix (issue 9): packs the package once, then for each leg installs the PACKED
// tarball into a fresh project on that leg's Node (from the npm `node` package) and runs the
// README quick start, the example site's tests (the recipes' functions), the README msw recipe
// for the leg's msw major, the check that an unhandled request fails a test (own-server recipe
// and fixture), `require()` of every entry, and `tsc` with strict + skipLibCheck: false.
//
//   node scripts/matrix.mjs                 # every leg, 2 at a time
//   node scripts/matrix.mjs --only node22   # some legs (comma-separated)
//   NIH_MATRIX_JOBS=3 node scripts/matrix.mjs
//
// npm runs on the leg's Node, so an unpinned `npm i -D <tarball> msw vitest` resolves what npm
// picks for that Node (npm 11 prefers versions whose `engines` fit), exactly as a user's would.
// Work happens under .cache/matrix/ (ignored); npm's cache is shared by every leg. Exits non-zero
// naming each failed leg and step; each leg's full log is .cache/matrix/<leg>/matrix.log.
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { nodeBin, nodeInstall } from './node-bin.mjs'

const exec = promisify(execFile)
const root = resolve(import.meta.dirname, '..')
const cache = join(root, '.cache')
const work = join(cache, 'matrix')
const support = join(root, 'scripts', 'matrix')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const typescript = pkg.devDependencies.typescript
const npmCli = [join(dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js'), '/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js'].find((p) => existsSync(p))

/**
 * The legs. `install` is the line a user types (the tarball stands for netlify-identity-harness);
 * `extra` the example site's own dependencies and the type checker; `expect` the versions the
 * leg must end up with (what it proves).
 */
export const LEGS = [
  {
    name: 'lowest',
    node: '20.19.0',
    runner: 'vitest',
    install: ['msw@2.12.0', 'vitest@4.1.0'],
    extra: ['@netlify/functions@5.3.0', '@netlify/identity@1.2.0'],
    expect: { node: /^v20\.19\.0$/, vitest: /^4\.1\.0$/, msw: /^2\.12\.0$/ },
    // Then below the floor: the quick start must fail at import, naming the version and the range.
    below: { install: 'vitest@4.0.18', error: 'needs vitest ^4.1.0 || ^5.0.0, but vitest 4.0.18 is installed' },
  },
  {
    name: 'node20',
    node: '20',
    runner: 'vitest',
    install: ['msw', 'vitest'],
    extra: ['@netlify/functions', '@netlify/identity'],
    expect: { node: /^v20\./, vitest: /^4\.1\./, msw: /^2\./, '@netlify/functions': /^5\./, '@netlify/identity': /^1\./ },
  },
  {
    name: 'node22',
    node: '22',
    runner: 'vitest',
    install: ['msw', 'vitest'],
    extra: ['@netlify/functions', '@netlify/identity'],
    expect: { node: /^v22\./, vitest: /^5\./, msw: /^3\./, '@netlify/functions': /^6\./, '@netlify/identity': /^2\./ },
  },
  {
    name: 'node24',
    node: '24',
    runner: 'vitest',
    install: ['msw', 'vitest'],
    extra: ['@netlify/functions', '@netlify/identity'],
    expect: { node: /^v24\./, vitest: /^5\./, msw: /^3\./ },
  },
  {
    name: 'jest29',
    node: '20',
    runner: 'jest',
    install: ['msw', 'jest@29', '@jest/globals@29', '@types/jest@29'],
    extra: ['@netlify/functions', '@netlify/identity'],
    expect: { node: /^v20\./, jest: /^29\.7\./, '@jest/globals': /^29\.7\./, msw: /^2\./ },
  },
  {
    name: 'jest30',
    node: '22',
    runner: 'jest',
    install: ['msw', 'jest@30', '@jest/globals@30', '@types/jest@30'],
    extra: ['@netlify/functions', '@netlify/identity'],
    expect: { node: /^v22\./, jest: /^30\./, '@jest/globals': /^30\./, msw: /^3\./ },
  },
  {
    // Jest 30 on Node 24.9+: a CommonJS test file (the README's) runs beside the ESM ones.
    name: 'jest30cjs',
    node: '24',
    runner: 'jest',
    cjs: true,
    install: ['msw', 'jest@30', '@jest/globals@30', '@types/jest@30'],
    extra: ['@netlify/functions', '@netlify/identity'],
    expect: { node: /^v24\./, jest: /^30\./, '@jest/globals': /^30\./, msw: /^3\./ },
  },
]

/** The README's fenced code blocks whose first line is `firstLine`. */
export function readmeBlock(readme, firstLine) {
  const blocks = [...readme.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1])
  const found = blocks.filter((b) => b.split('\n')[0].trim() === firstLine)
  if (found.length !== 1) throw new Error(`README: expected one code block starting "${firstLine}", found ${found.length}`)
  return found[0]
}

class StepError extends Error {
  constructor(step, message) {
    super(message)
    this.step = step
  }
}

/** Installs (once) and returns the Node binary for a version spec, from the npm `node` package. */
const nodes = new Map()
function nodeBinary(spec) {
  if (!nodes.has(spec)) {
    nodes.set(
      spec,
      (async () => {
        const { bin } = nodeBin(root, spec)
        if (!existsSync(bin)) {
          const { dir, args } = nodeInstall(root, spec)
          await exec('npm', args, { cwd: dir, maxBuffer: 1 << 26 })
        }
        return bin
      })(),
    )
  }
  return nodes.get(spec)
}

async function pack() {
  const dir = join(work, 'pack')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 1 << 26 })
  return join(dir, JSON.parse(stdout.slice(stdout.indexOf('[')))[0].filename)
}

/** Writes the leg's fresh project: the example site and tests, the README recipes, the type tests. */
function freshProject(leg, dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `matrix-${leg.name}`, private: true, type: 'module' }, null, 2))
}

/**
 * Writes the leg's tests after install: the README msw recipe is the one for the installed msw
 * major. The example site and its tests come from the installed package (it ships them, and the
 * README tells users to copy them from there), so what a user copies is what is proven to work.
 */
function writeApp(leg, dir, readme, mswMajor) {
  const shipped = join(dir, 'node_modules', 'netlify-identity-harness', 'examples')
  cpSync(join(shipped, 'site'), join(dir, 'examples', 'site'), { recursive: true })
  mkdirSync(join(dir, 'types'), { recursive: true })
  if (leg.runner === 'vitest') {
    cpSync(join(shipped, 'vitest'), join(dir, 'examples', 'vitest'), { recursive: true })
    cpSync(join(root, 'test', 'types', 'vitest.types.ts'), join(dir, 'types', 'vitest.types.ts'))
    cpSync(join(support, 'vitest.config.ts'), join(dir, 'vitest.config.ts'))
    cpSync(join(support, 'vitest.strict.config.ts'), join(dir, 'vitest.strict.config.ts'))
    cpSync(join(support, 'tsconfig.vitest.json'), join(dir, 'tsconfig.json'))
    const recipe = readmeBlock(readme, `// own-server.test.ts (msw ${mswMajor})`)
    mkdirSync(join(dir, 'recipes'), { recursive: true })
    mkdirSync(join(dir, 'strict'), { recursive: true })
    writeFileSync(join(dir, 'recipes', 'own-server.test.ts'), recipe)
    writeFileSync(join(dir, 'strict', 'own-server.test.ts'), recipe + readFileSync(join(support, 'strict-tail.ts'), 'utf8'))
    cpSync(join(support, 'strict-fixture.test.ts'), join(dir, 'strict', 'fixture.test.ts'))
    cpSync(join(support, 'reach.ts'), join(dir, 'strict', 'reach.ts'))
  } else {
    cpSync(join(shipped, 'jest'), join(dir, 'examples', 'jest'), { recursive: true })
    // The README's Jest recipe names its function relative to the project root.
    cpSync(join(shipped, 'site', 'netlify'), join(dir, 'netlify'), { recursive: true })
    // …as the README says to copy it: its netlify/package.json keeps the `.js` functions CommonJS
    // in this "type": "module" project.
    if (JSON.parse(readFileSync(join(dir, 'netlify', 'package.json'), 'utf8')).type !== 'commonjs') throw new StepError('copy the example functions', 'netlify/package.json does not say "type": "commonjs"')
    writeFileSync(join(dir, 'jest.config.mjs'), readmeBlock(readme, '// jest.config.mjs'))
    writeFileSync(join(dir, 'identity-signup.test.mjs'), readmeBlock(readme, '// identity-signup.test.mjs'))
    if (leg.cjs) writeFileSync(join(dir, 'identity-signup.test.cjs'), readmeBlock(readme, '// identity-signup.test.cjs (Jest 30, Node 24.9+, the same config and script)'))
    cpSync(join(root, 'test', 'types', 'jest.types.ts'), join(dir, 'types', 'jest.types.ts'))
    cpSync(join(support, 'types-jest.types.ts'), join(dir, 'types', 'types-jest.types.ts'))
    cpSync(join(support, 'tsconfig.jest.json'), join(dir, 'tsconfig.jest.json'))
    cpSync(join(support, 'tsconfig.types-jest.json'), join(dir, 'tsconfig.types-jest.json'))
  }
}

// require() of every package entry: the library entries load, the runner entries are never
// refused as async modules (outside their runner they throw the runner's own error).
const REQUIRE_CHECK = `
const { exports } = require('netlify-identity-harness/package.json')
const out = {}
for (const key of Object.keys(exports).filter((k) => k !== './package.json')) {
  const id = 'netlify-identity-harness' + key.slice(1)
  try { out[id] = 'ok:' + Object.keys(require(id)).length } catch (e) { out[id] = 'error:' + (e.code ?? e.name) + ':' + String(e.message).split('\\n')[0] }
}
console.log(JSON.stringify(out))
`

async function runLeg(leg, tarball, readme) {
  const dir = join(work, leg.name)
  const log = []
  const started = Date.now()
  const versions = {}
  const node = await nodeBinary(leg.node)
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, CI: 'true', NODE_OPTIONS: '' }
  const run = async (step, args, options = {}) => {
    const t0 = Date.now()
    try {
      const { stdout, stderr } = await exec(node, args, { cwd: dir, env: { ...env, ...options.env }, maxBuffer: 1 << 27, timeout: options.timeout ?? 300_000 })
      log.push(`## ${step} (${Date.now() - t0} ms)\n${stdout}${stderr}`)
      return { code: 0, stdout }
    } catch (error) {
      log.push(`## ${step} (${Date.now() - t0} ms, exit ${error.code})\n${error.stdout ?? ''}${error.stderr ?? ''}${error.killed ? '\n(killed: timeout)' : ''}`)
      if (options.mayFail) return { code: error.code ?? 1, stdout: error.stdout ?? '' }
      throw new StepError(step, `exit ${error.code}${error.killed ? ' (timeout)' : ''}`)
    }
  }
  const npm = (step, args) => run(step, [npmCli, ...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'])
  try {
    freshProject(leg, dir)
    await npm('install (as in the README)', ['install', '--save-dev', tarball, ...leg.install])
    await npm('install (site dependencies, typescript)', ['install', '--save-dev', ...leg.extra, `typescript@${typescript}`, `@types/node@${leg.node.split('.')[0]}`])
    versions.node = (await run('node --version', ['--version'])).stdout.trim()
    for (const name of ['vitest', 'msw', 'jest', '@jest/globals', '@netlify/functions', '@netlify/identity']) {
      const file = join(dir, 'node_modules', name, 'package.json')
      if (existsSync(file)) versions[name] = JSON.parse(readFileSync(file, 'utf8')).version
    }
    for (const [name, pattern] of Object.entries(leg.expect)) {
      if (!pattern.test(versions[name] ?? '(none)')) throw new StepError('versions', `${name} is ${versions[name] ?? 'not installed'}, the leg needs ${pattern}`)
    }
    writeApp(leg, dir, readme, versions.msw.split('.')[0])

    const required = JSON.parse((await run('require() of every entry', ['-e', REQUIRE_CHECK])).stdout)
    for (const [id, result] of Object.entries(required)) {
      const runnerEntry = id.endsWith('/vitest') || id.endsWith('/jest')
      if (runnerEntry ? result.includes('ERR_REQUIRE_ASYNC_MODULE') : !result.startsWith('ok:')) throw new StepError('require() of every entry', `${id}: ${result}`)
    }

    if (leg.runner === 'vitest') {
      await run('vitest: quick start, example site, README msw recipe', ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.config.ts'])
      const reached = join(dir, 'reached.txt')
      const strict = await run('vitest: unhandled requests fail (own-server recipe, fixture)', ['node_modules/vitest/vitest.mjs', 'run', '--config', 'vitest.strict.config.ts', '--reporter=json', '--outputFile=strict.json'], {
        mayFail: true,
        env: { NIH_MATRIX_REACHED: reached },
      })
      const report = JSON.parse(readFileSync(join(dir, 'strict.json'), 'utf8'))
      const results = report.testResults.flatMap((f) => f.assertionResults)
      const strictTests = results.filter((r) => r.title.startsWith('STRICT'))
      if (strict.code === 0 || strictTests.length !== 2 || strictTests.some((r) => r.status !== 'failed')) {
        throw new StepError('unhandled requests fail', `expected both STRICT tests to fail, got ${JSON.stringify(strictTests.map((r) => [r.title, r.status]))}`)
      }
      if (existsSync(reached)) throw new StepError('unhandled requests fail', `an unhandled request reached the network: ${readFileSync(reached, 'utf8').trim()}`)
      await run('tsc (strict, skipLibCheck: false)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'])
      if (leg.below) {
        await npm(`install ${leg.below.install} (below the floor)`, ['install', '--save-dev', leg.below.install])
        const below = await run(`quick start on ${leg.below.install} fails with ERR_UNSUPPORTED_RUNNER`, ['node_modules/vitest/vitest.mjs', 'run', 'examples/vitest/quick-start.test.ts'], { mayFail: true })
        const text = log.at(-1)
        if (below.code === 0 || !text.includes('ERR_UNSUPPORTED_RUNNER') || !text.includes(leg.below.error)) {
          throw new StepError('below the floor', `expected ERR_UNSUPPORTED_RUNNER "${leg.below.error}"`)
        }
      }
    } else {
      await run('jest (README config, ESM mode)', ['node_modules/jest/bin/jest.js', '--ci', '--json', '--outputFile=jest.json'], {
        env: { NODE_OPTIONS: '--experimental-vm-modules' },
      })
      const report = JSON.parse(readFileSync(join(dir, 'jest.json'), 'utf8'))
      const files = report.testResults.map((r) => r.name.slice(dir.length + 1)).sort()
      if (!files.includes('identity-signup.test.mjs') || !files.includes('examples/jest/site.test.mjs') || (leg.cjs && !files.includes('identity-signup.test.cjs'))) {
        throw new StepError('jest (README config, ESM mode)', `the README config found ${JSON.stringify(files)}`)
      }
      await run('tsc @jest/globals (strict, skipLibCheck: false)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.jest.json'])
      await run('tsc @types/jest (strict, skipLibCheck: false)', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.types-jest.json'])
    }
    return { leg: leg.name, ok: true, ms: Date.now() - started, versions }
  } catch (error) {
    return { leg: leg.name, ok: false, ms: Date.now() - started, versions, step: error.step ?? 'setup', message: error.message }
  } finally {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'matrix.log'), log.join('\n'))
  }
}

async function main() {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : undefined
  const legs = only ? LEGS.filter((l) => only.includes(l.name)) : LEGS
  if (only && legs.length !== only.length) throw new Error(`unknown leg in --only ${only.join(',')}; legs: ${LEGS.map((l) => l.name).join(', ')}`)
  if (!npmCli) throw new Error('matrix: cannot find npm-cli.js next to this Node')
  const jobs = Number(process.env.NIH_MATRIX_JOBS ?? Math.max(1, Math.min(3, cpus().length)))
  const started = Date.now()
  mkdirSync(work, { recursive: true })
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  console.log(`matrix: packing; ${legs.length} legs, ${jobs} at a time`)
  const [tarball] = await Promise.all([pack(), ...[...new Set(legs.map((l) => l.node))].map(nodeBinary)])
  const queue = [...legs]
  const results = []
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let leg = queue.shift(); leg; leg = queue.shift()) {
        const result = await runLeg(leg, tarball, readme)
        results.push(result)
        console.log(`matrix: ${result.ok ? 'PASS' : 'FAIL'} ${leg.name} (${(result.ms / 1000).toFixed(0)} s)${result.ok ? '' : ` at "${result.step}": ${result.message}`}`)
      }
    }),
  )
  results.sort((a, b) => LEGS.findIndex((l) => l.name === a.leg) - LEGS.findIndex((l) => l.name === b.leg))
  console.log('\nleg      result  time   versions')
  for (const r of results) {
    const v = Object.entries(r.versions).map(([k, val]) => `${k} ${val}`).join(', ')
    console.log(`${r.leg.padEnd(8)} ${(r.ok ? 'pass' : 'FAIL').padEnd(7)} ${`${(r.ms / 1000).toFixed(0)}s`.padEnd(6)} ${v}`)
  }
  console.log(`matrix: ${((Date.now() - started) / 1000).toFixed(0)} s wall`)
  const failed = results.filter((r) => !r.ok)
  if (failed.length) {
    for (const r of failed) console.error(`matrix: leg ${r.leg} FAILED at "${r.step}": ${r.message} (log: .cache/matrix/${r.leg}/matrix.log)`)
    process.exit(1)
  }
}

if (process.argv[1] === import.meta.filename) {
  main().catch((error) => {
    console.error(`matrix: ${error.stack ?? error}`)
    process.exit(1)
  })
}
