import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { envFromArgs } from './check/env-args.js'
import { attemptBudget, DEFAULT_SCENARIO_TIMEOUT_MS, runCheck } from './check/run-check.js'
import { generateTestFile } from './init/generate.js'
import type { Runner } from './init/generate.js'
import { millisecondsArg, parseCommandArgs } from './args.js'
import type { CliIO } from './io.js'
import { packageVersion } from './version.js'

const HELP = `Usage: netlify-identity-harness init [site-dir] [options]

Runs check's scenarios on the site's Identity functions and writes a test file per function,
one test per scenario pinning today's verdict and metadata (a generated starting point).

  --jest              write Jest tests (ESM) instead of Vitest
  --out DIR           where the test files go (default: tests/identity in the site)
  --force             overwrite test files that exist
  --env KEY=VALUE     a variable for the functions, also written into the tests (repeatable)
  --env-file FILE     variables from a dotenv file (repeatable)
  --timeout MS        per-scenario timeout of the check run (default ${DEFAULT_SCENARIO_TIMEOUT_MS}, GoTrue's 3 × 5 s)
  -h, --help          this help
`

/** A generated test's per-attempt timeout where check saw a timeout (see the comment where it is used). */
const PINNED_TIMEOUT_MS = 250

const VITEST_CONFIGS = ['vitest.config', 'vite.config', 'vitest.workspace'].flatMap((b) => ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'].map((e) => `${b}.${e}`))
const JEST_CONFIGS = ['ts', 'mjs', 'cjs', 'js', 'json'].map((e) => `jest.config.${e}`)

const VITEST_CONFIG = `// Added by \`netlify-identity-harness init\`: the harness's matchers, serializer and fixtures, and
// reruns in watch mode when a function changes.
import { defineConfig } from 'vitest/config'
import { identityHarness } from 'netlify-identity-harness/vitest-plugin'

export default defineConfig({ plugins: [identityHarness()] })
`

const JEST_CONFIG = `// Added by \`netlify-identity-harness init\`. Run Jest in ESM mode:
//   NODE_OPTIONS=--experimental-vm-modules npx jest
// (the README's Jest setup: netlify-identity-harness's "Jest setup" section)
export default {
  testEnvironment: 'node',
  setupFilesAfterEnv: ['netlify-identity-harness/jest'],
  testMatch: ['**/?(*.)+(spec|test).?([cm])[jt]s?(x)'], // Jest 29's default misses .mjs tests
  transform: {}, // .mjs tests; for TypeScript tests use an ESM transform and extensionsToTreatAsEsm: ['.ts']
}
`

/** `netlify-identity-harness init`. @internal */
export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('init', args, {
    jest: { type: 'boolean' },
    out: { type: 'string' },
    force: { type: 'boolean' },
    env: { type: 'string', multiple: true },
    'env-file': { type: 'string', multiple: true },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  const { values, positionals } = parsed
  if (values.help) {
    io.out(HELP)
    return 0
  }
  const timeoutMs = millisecondsArg('timeout', values.timeout, DEFAULT_SCENARIO_TIMEOUT_MS)
  const runner: Runner = values.jest ? 'jest' : 'vitest'
  const env = envFromArgs(values['env-file'] ?? [], values.env ?? [], io.cwd)
  const siteDir = resolve(io.cwd, positionals[0] ?? '.')
  const outDir = values.out !== undefined ? resolve(io.cwd, values.out) : join(siteDir, 'tests', 'identity')
  const version = packageVersion()
  // The functions' own output (console.log in a handler) goes to stderr: stdout lists what init wrote.
  io.claimStdout?.()
  const report = await runCheck({ siteDir, env, timeoutMs, failOn: 'never', version })
  const shown = (p: string): string => relative(io.cwd, p) || '.'

  if (report.functions.length === 0) {
    io.err(`netlify-identity-harness init: no Identity functions in ${shown(join(siteDir, report.functionsDir))} (identity-<event> files, typed handlers, or HTTP functions that use Identity)\n`)
    return 1
  }
  const written: string[] = []
  const kept: string[] = []
  for (const fn of report.functions) {
    const testPath = join(outDir, `${fn.name}.test.${runner === 'jest' ? 'mjs' : 'ts'}`)
    if (existsSync(testPath) && !values.force) {
      kept.push(testPath)
      continue
    }
    const timedOut = fn.scenarios.some((s) => s.diagnostics.some((d) => d.code === 'timeout'))
    const text = generateTestFile({
      fn,
      functionPath: join(report.site, fn.file),
      testPath,
      runner,
      env,
      // A timeout only has to happen again (it outlasted check's budget, at most GoTrue's 5 s): 250 ms an
      // attempt keeps GoTrue's 3 well inside the runner's 5 s test timeout, and the suite fast.
      timeoutMs: timedOut ? Math.min(PINNED_TIMEOUT_MS, attemptBudget(timeoutMs)) : undefined,
      version,
    })
    mkdirSync(dirname(testPath), { recursive: true })
    writeFileSync(testPath, text)
    written.push(testPath)
  }

  // The runner runs from the site, unless --out put the tests outside it: then from here, where
  // the runner finds them (a runner run from the site never looks outside it).
  const inside = (dir: string, p: string): boolean => {
    const r = relative(dir, p)
    return r === '' || (!r.startsWith('..') && !isAbsolute(r))
  }
  const runDir = inside(siteDir, outDir) ? siteDir : io.cwd
  let config: string | undefined
  const vitestConfig = VITEST_CONFIGS.map((f) => join(runDir, f)).find((f) => existsSync(f))
  if (runner === 'vitest' && vitestConfig === undefined) {
    config = join(runDir, 'vitest.config.mjs')
    writeFileSync(config, VITEST_CONFIG)
  }
  if (runner === 'jest' && !JEST_CONFIGS.some((f) => existsSync(join(runDir, f))) && !hasJestKey(join(runDir, 'package.json'))) {
    config = join(runDir, 'jest.config.mjs')
    writeFileSync(config, JEST_CONFIG)
  }

  const lines: string[] = []
  for (const f of written) {
    const fn = report.functions.find((x) => f.endsWith(`${x.name}.test.${runner === 'jest' ? 'mjs' : 'ts'}`))
    const pinned = fn?.scenarios.filter((s) => s.status !== 0).length ?? 0
    // Why it does not load, in check's words (a missing package, a build error, a module-scope throw).
    const why = fn?.findings.find((x) => x.code === 'load-failed')?.fix
    const note = pinned > 0 || !fn ? `(${pinned} tests)` : `(1 test: it does not load today${why ? ` — ${why}` : ''}; fix it, then init --force)`
    lines.push(`${io.style(pinned > 0 || !fn ? 'green' : 'yellow', 'wrote')}  ${shown(f)}  ${io.style('dim', note)}`)
  }
  for (const f of kept) lines.push(`${io.style('yellow', 'kept ')}  ${shown(f)}  ${io.style('dim', '(exists; --force overwrites it)')}`)
  if (config) lines.push(`${io.style('green', 'wrote')}  ${shown(config)}  ${io.style('dim', '(no config found)')}`)
  else if (runner === 'vitest' && vitestConfig !== undefined && hasPlugin(vitestConfig)) lines.push(io.style('dim', `kept your Vitest config (${shown(vitestConfig)}: it has identityHarness())`))
  else if (runner === 'vitest') lines.push(`${io.style('dim', 'kept your Vitest config; for matchers, fixtures and watch reruns add:')}  plugins: [identityHarness()]  ${io.style('dim', "(import { identityHarness } from 'netlify-identity-harness/vitest-plugin')")}`)
  const where = runDir === io.cwd ? '' : `cd ${shown(runDir)} && `
  // From the site, the runner finds tests/identity itself; from here, it is told where they are.
  const only = runDir === siteDir ? '' : ` ${relative(runDir, outDir) || '.'}`
  lines.push('')
  lines.push(`These tests pin what the functions do today (bugs included): run \`netlify-identity-harness check\` for the findings.`)
  lines.push(`Run them: ${io.style('bold', runner === 'jest' ? `${where}NODE_OPTIONS=--experimental-vm-modules npx jest${only}` : `${where}npx vitest run${only}`)}`)
  io.out(`${lines.join('\n')}\n`)
  return 0
}

/** Whether a Vitest config already uses the harness's plugin. */
function hasPlugin(config: string): boolean {
  try {
    return /\bidentityHarness\s*\(/.test(readFileSync(config, 'utf8'))
  } catch {
    return false
  }
}

function hasJestKey(pkg: string): boolean {
  try {
    return Object.hasOwn(JSON.parse(readFileSync(pkg, 'utf8')) as object, 'jest')
  } catch {
    return false
  }
}
