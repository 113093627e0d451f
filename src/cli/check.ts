import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { HarnessError } from '../errors.js'
import { envFromArgs } from './check/env-args.js'
import { renderJUnit } from './check/render-junit.js'
import { renderText } from './check/render-text.js'
import { DEFAULT_SCENARIO_TIMEOUT_MS, runCheck } from './check/run-check.js'
import type { Severity } from './check/findings.js'
import { millisecondsArg, parseCommandArgs } from './args.js'
import type { CliIO } from './io.js'
import { packageVersion } from './version.js'

const HELP = `Usage: netlify-identity-harness check [site-dir] [options]

Runs the site's Identity functions through GoTrue's scenarios on an in-memory GoTrue (nothing
reaches the network) and reports what production would do, with findings and fixes.

  --all               probe every HTTP function, not only those that use Identity
  --env KEY=VALUE     set a variable for the functions (repeatable)
  --env-file FILE     read variables from a dotenv file (repeatable; --env wins)
  --timeout MS        per-scenario timeout (default ${DEFAULT_SCENARIO_TIMEOUT_MS}: GoTrue's 5 s for each of its
                      3 attempts); scenarios run side by side, so a hanging function costs about this
  --json              write the report as JSON on stdout (docs/check-report.schema.json)
  --junit FILE        also write the report as JUnit XML
  --fail-on LEVEL     exit 1 on a finding at or above: error (default), warning, never
  -h, --help          this help

Exit codes: 0 no finding at the --fail-on level, 1 findings, 2 usage or harness error.
`

/** `netlify-identity-harness check`. @internal */
export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseCommandArgs('check', args, {
    all: { type: 'boolean' },
    env: { type: 'string', multiple: true },
    'env-file': { type: 'string', multiple: true },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    junit: { type: 'string' },
    'fail-on': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  })
  const { values, positionals } = parsed
  if (values.help) {
    io.out(HELP)
    return 0
  }
  const failOn = values['fail-on'] ?? 'error'
  if (!['error', 'warning', 'never'].includes(failOn)) throw new HarnessError('ERR_INVALID_OPTION', `--fail-on takes error, warning or never; got ${JSON.stringify(failOn)}`)
  const timeoutMs = millisecondsArg('timeout', values.timeout, DEFAULT_SCENARIO_TIMEOUT_MS)
  const env = envFromArgs(values['env-file'] ?? [], values.env ?? [], io.cwd)
  const siteDir = resolve(io.cwd, positionals[0] ?? '.')
  const live = io.isTTY && !values.json
  // The functions' own output (console.log in a handler) goes to stderr: stdout is the report's.
  io.claimStdout?.()
  const report = await runCheck({
    siteDir,
    all: values.all,
    env,
    timeoutMs,
    failOn: failOn as Severity | 'never',
    version: packageVersion(),
    onProgress: live ? (done, total, label) => io.err(`\r\x1b[2K${io.style('dim', `checking ${done}/${total} ${label}`)}`) : undefined,
  })
  if (live) io.err('\r\x1b[2K')
  if (values.junit !== undefined) writeFileSync(resolve(io.cwd, values.junit), renderJUnit(report))
  io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderText(report, io.style, io.cwd))
  return report.summary.exitCode
}
