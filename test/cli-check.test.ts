/**
 * `netlify-identity-harness check` through the real bin: every fixture site in
 * test/fixtures/check/ carries one pitfall from real-world-patterns.md, reported with its code and
 * severity; a clean site exits 0; --json validates against docs/check-report.schema.json;
 * --junit is well-formed JUnit XML; a hanging function costs at most the per-scenario timeout.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseEnvFile } from '../src/cli/check/env-args.js'
import type { CheckReport, FunctionReport } from '../src/cli/check/report.js'
import { findingsFor, threwFix, unhandledFix } from '../src/cli/check/run-check.js'
import { findSiteFunctions } from '../src/cli/check/site-functions.js'
import { buildBin, root, runBin } from './helpers/cli-bin.js'

const fixtures = join(root, 'test/fixtures/check')
let bin = ''
let remove = (): void => undefined
beforeAll(async () => {
  ;({ bin, remove } = await buildBin('cli-check'))
})
afterAll(() => remove())

function check(site: string, ...args: string[]): { code: number | null; report: CheckReport; stderr: string } {
  const r = runBin(bin, ['check', site, '--json', ...args])
  expect(r.stderr).toBe('')
  return { code: r.code, report: JSON.parse(r.stdout) as CheckReport, stderr: r.stderr }
}

function finding(report: CheckReport, code: string): { severity: string; scenarios: string[]; message: string; fix: string } | undefined {
  return report.functions.flatMap((f) => f.findings).find((f) => f.code === code)
}

describe('each pitfall is reported with its code and severity', () => {
  // [fixture, code, severity, exit code with the default --fail-on error]
  const cases: Array<[string, string, string, number]> = [
    ['dropped-provider', 'dropped-provider', 'warning', 0],
    ['missing-env', 'env-unset', 'error', 1],
    ['crash-without-full-name', 'threw', 'error', 1],
    ['body-not-string', 'non-string-body', 'error', 1],
    ['client-context-user', 'client-context-user-in-event', 'error', 1],
    ['admin-token-echoed', 'admin-token-leaked', 'error', 1],
    ['trusts-unverified-token', 'trusts-unverified-token', 'error', 1],
    ['unhandled-request', 'unhandled-request', 'warning', 0],
    ['typed-handlers', 'invalid-response', 'error', 1],
    ['admin-missing-id', 'admin-malformed-id', 'warning', 0],
    ['app-metadata-from-request', 'app-metadata-from-request', 'error', 1],
  ]
  test.each(cases)('%s → %s (%s), exit %i', (fixture, code, severity, exit) => {
    const { code: status, report } = check(join(fixtures, fixture))
    const f = finding(report, code)
    expect(f, JSON.stringify(report.functions.map((x) => x.findings), null, 1)).toBeDefined()
    expect(f!.severity).toBe(severity)
    expect(f!.fix).not.toBe('')
    expect(status).toBe(exit)
    expect(report.summary.exitCode).toBe(exit)
  })

  test('missing env var: named, every user blocked; --env or --env-file supply it and the site passes', () => {
    const { report } = check(join(fixtures, 'missing-env'))
    const fn = report.functions[0]!
    expect(fn.env.unset).toEqual(['CRM_API_KEY'])
    expect(fn.scenarios.every((s) => !s.allowed && s.status === 422 && s.attempts === 3)).toBe(true)
    expect(finding(report, 'env-unset')!.message).toContain('process.env.CRM_API_KEY')

    const withEnv = check(join(fixtures, 'missing-env'), '--env', 'CRM_API_KEY=test-key')
    expect(withEnv.code).toBe(0)
    expect(withEnv.report.functions[0]!.scenarios.every((s) => s.allowed)).toBe(true)
    expect(withEnv.report.functions[0]!.env).toEqual({ read: ['CRM_API_KEY'], unset: [] })

    const dir = mkdtempSync(join(tmpdir(), 'nih-env-'))
    try {
      writeFileSync(join(dir, '.env'), '# crm\nexport CRM_API_KEY="from file" # comment\n')
      expect(check(join(fixtures, 'missing-env'), '--env-file', join(dir, '.env')).code).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('an allow-list with a default refuses the battery with or without its variable: not blamed on the variable, only a warning', () => {
    const { code, report } = check(join(fixtures, 'allow-list-default'))
    const fn = report.functions[0]!
    expect(fn.env.unset).toEqual(['ALLOWED_DOMAINS'])
    expect(fn.scenarios.every((s) => !s.allowed && s.status === 422)).toBe(true)
    // Run again with ALLOWED_DOMAINS set to a placeholder: the same outcomes, so not "set it".
    expect(finding(report, 'env-unset')).toMatchObject({ severity: 'info', message: expect.stringContaining('with it set to "nih-check-placeholder" every scenario ended the same, so it is not why it blocked every user of the battery') })
    expect(finding(report, 'env-unset')!.fix).toBe('if production sets it, run check with the same value (--env KEY=VALUE or --env-file .env) to see what the function does there')
    expect(finding(report, 'blocks-every-scenario')).toMatchObject({ severity: 'warning' })
    expect(code).toBe(0)
    // The placeholder run left the reported reads alone: the variable is still named as unset.
    expect(fn.env).toEqual({ read: ['ALLOWED_DOMAINS'], unset: ['ALLOWED_DOMAINS'] })
  })

  test('a variable the function crashes on, also with a placeholder value: still blamed (it needs a value it can use)', () => {
    const { code, report } = check(join(fixtures, 'config-crash'))
    expect(finding(report, 'threw')).toMatchObject({ severity: 'error' })
    expect(finding(report, 'env-unset')).toMatchObject({ severity: 'error', message: expect.stringContaining('process.env.SIGNUP_CONFIG, unset here, and blocked every user of the battery: set it') })
    expect(code).toBe(1)
    // With a value it can parse, it passes.
    expect(check(join(fixtures, 'config-crash'), '--env', 'SIGNUP_CONFIG={"plan":"pro"}').code).toBe(0)
  })

  test('a crash on an unset variable gets the variable in its fix, not the user_metadata advice', () => {
    for (const fixture of ['missing-env', 'config-crash']) {
      const { report } = check(join(fixtures, fixture))
      const name = report.functions[0]!.env.unset[0]!
      expect(finding(report, 'threw')!.fix).toBe(`it crashed without ${name} (unset here): set it (--env KEY=VALUE here), and when a variable is missing answer with a clear error instead of throwing`)
    }
  })

  test('functions that do not load: the fix fits the failure, and the harness\'s own variables are not listed as read', () => {
    const site = mkdtempSync(join(tmpdir(), 'nih-load-'))
    try {
      cpSync(join(fixtures, 'missing-env', 'package.json'), join(site, 'package.json'))
      const put = (name: string, code: string) => {
        const dir = join(site, name, 'netlify', 'functions')
        cpSync(join(fixtures, 'missing-env', 'package.json'), join(site, name, 'package.json'))
        mkdirSync(dir, { recursive: true })
        writeFileSync(join(dir, 'identity-signup.mjs'), code)
        return join(site, name)
      }
      const syntax = check(put('syntax', 'export const handler = async () => {\n  const x = ;\n}\n')).report
      expect(finding(syntax, 'load-failed')).toMatchObject({ message: expect.stringContaining('identity-signup.mjs:2:13: Unexpected ";"'), fix: 'fix the file at the line and column named: Netlify\'s build fails the same way' })
      // The first build starts esbuild's service (a process spawned with a copy of process.env):
      // that is the harness's work, outside the call, so it reads none of Netlify's variables.
      expect(syntax.functions[0]!.env).toEqual({ read: [], unset: [] })
      const missing = check(put('missing', 'import x from "no-such-package-nih"\nexport const handler = async () => ({ statusCode: 200, body: String(x) })\n')).report
      expect(finding(missing, 'load-failed')!.fix).toBe('install the package where the function is (npm install no-such-package-nih); Netlify\'s build fails the same way')
      const moduleScope = check(put('module-scope', 'if (!process.env.CRM_URL) throw new Error("CRM_URL is required")\nexport const handler = async () => ({ statusCode: 200 })\n')).report
      expect(finding(moduleScope, 'load-failed')).toMatchObject({ message: expect.stringContaining('threw while loading'), fix: 'module-scope code must not throw: move the work into the handler, or supply what it reads with --env KEY=VALUE' })
      expect(moduleScope.functions[0]!.env).toEqual({ read: ['CRM_URL'], unset: ['CRM_URL'] })
      // The text report says once that nothing ran, instead of a "not run" line per scenario.
      const text = runBin(bin, ['check', join(site, 'module-scope')]).stdout
      expect(text).toMatch(/^ {2}✗ not run {2}none of its 8 scenarios ran: the function did not load \(see load-failed\)$/m)
      expect(text).not.toMatch(/✗ not run +0/)
      // A CommonJS file under "type": "module": the fix is the format, not the environment.
      const cjsSite = put('cjs', 'exports.handler = async () => ({ statusCode: 200 })\n')
      writeFileSync(join(cjsSite, 'package.json'), '{"type":"module"}')
      expect(finding(check(cjsSite).report, 'load-failed')!.fix).toBe('rename the file .cjs or write export const handler: Netlify fails the same way ({"type": "commonjs"} in the functions folder\'s package.json works too, but makes its .js and .ts files CommonJS, out of vi.mock\'s reach)')
      // Variables an installed package reads while it loads (SDKs probe lists of them) are not the function's.
      const sdkSite = put('sdk', 'import sdk from "fake-sdk"\nconst key = process.env.OWN_KEY\nexport const handler = async () => ({ statusCode: 200, body: JSON.stringify({ sdk, key: key ?? null }) })\n')
      mkdirSync(join(sdkSite, 'node_modules', 'fake-sdk'), { recursive: true })
      writeFileSync(join(sdkSite, 'node_modules', 'fake-sdk', 'package.json'), '{"name":"fake-sdk","type":"module","main":"index.js"}')
      writeFileSync(join(sdkSite, 'node_modules', 'fake-sdk', 'index.js'), 'export default [process.env.NIH_FAKE_AGENT_MARKER, process.env.NIH_FAKE_SDK_DEBUG].filter(Boolean).length\n')
      expect(check(sdkSite).report.functions[0]!.env).toEqual({ read: ['OWN_KEY'], unset: ['OWN_KEY'] })
    } finally {
      rmSync(site, { recursive: true, force: true })
    }
  })

  test('crash without full_name: only the users without it fail, the rest are allowed', () => {
    const { report } = check(join(fixtures, 'crash-without-full-name'))
    const threw = finding(report, 'threw')!
    expect(threw.fix).toBe('guard what can be missing (user_metadata may be null, full_name absent) and catch failures you can survive')
    expect(threw.scenarios).toEqual(['plain', 'null-metadata'])
    const byId = Object.fromEntries(report.functions[0]!.scenarios.map((s) => [s.id, s]))
    expect(byId['full-name']).toMatchObject({ allowed: true, status: 200, user_metadata: { full_name: 'Grace Hopper', first_name: 'Grace' } })
    expect(byId['full-name']!.changed).toEqual(['+user_metadata.first_name'])
    expect(byId.plain).toMatchObject({ allowed: false, status: 422, attempts: 3 })
  })

  test('dropped provider: the stored app_metadata has lost it, shown as a removed key; --fail-on warning exits 1', () => {
    const { report } = check(join(fixtures, 'dropped-provider'))
    const google = report.functions[0]!.scenarios.find((s) => s.id === 'google')!
    expect(google.app_metadata).toEqual({ roles: ['member'] })
    expect(google.changed).toEqual(['+app_metadata.roles', '-app_metadata.provider'])
    // One finding for every scenario, whose message names the first scenario's provider as that
    // scenario's only: the google and github users lost "google" and "github", not "email".
    const dropped = finding(report, 'dropped-provider')!
    expect(dropped.scenarios).toEqual(expect.arrayContaining(['plain', 'google', 'github']))
    expect(dropped.message).toMatch(new RegExp(`without "provider" \\("email"\\).*\\(as in ${dropped.scenarios[0]}; the other ${dropped.scenarios.length - 1} scenarios with their own details\\)$`))
    expect(google.diagnostics.find((d) => d.code === 'dropped-provider')!.message).toContain('("google")')
    expect(check(join(fixtures, 'dropped-provider'), '--fail-on', 'warning').code).toBe(1)
    expect(check(join(fixtures, 'missing-env'), '--fail-on', 'never').code).toBe(0)
  })

  test('trusts unverified tokens: 401 without a token, 200 to expired and forged ones; the valid token is no finding', () => {
    const { report } = check(join(fixtures, 'trusts-unverified-token'))
    const statuses = Object.fromEntries(report.functions[0]!.scenarios.map((s) => [s.id, s.status]))
    expect(statuses).toEqual({ 'no-token': 401, 'valid-token': 200, 'expired-token': 200, 'alg-none': 200, 'wrong-secret': 200, 'member-sets-roles': 200 })
    expect(finding(report, 'trusts-unverified-token')!.scenarios).toEqual(['expired-token', 'alg-none', 'wrong-secret'])
  })

  test('a typed-handler file: one finding per bug, per event, named with its event; the harness\'s context reads are not the function\'s', () => {
    const { report } = check(join(fixtures, 'typed-handlers'))
    const fn = report.functions[0]!
    expect(fn.events).toEqual(['validate', 'signup'])
    // context.site/context.server read SITE_ID, SITE_NAME, URL and AWS_REGION for the harness, not for the function.
    expect(fn.env).toEqual({ read: [], unset: [] })
    const signup = ['plain', 'full-name', 'null-metadata', 'google', 'github', 'roles', 'unicode', 'plus'].map((id) => `signup: ${id}`)
    const validate = signup.map((l) => l.replace('signup', 'validate'))
    // userSignup's wrong return shape is one error with the typed fix: not also a crash, nor an "intended?" block.
    expect(finding(report, 'invalid-response')).toMatchObject({ severity: 'error', scenarios: signup, fix: 'return undefined to keep the user, { user: { ...event.user, roles } } to change it, or call event.deny() to refuse' })
    expect(finding(report, 'threw')).toBeUndefined()
    expect(finding(report, 'status-blocks')!.scenarios).toEqual(validate)
    // userValidate denies everyone: that blocks every signup, whatever userSignup does.
    expect(finding(report, 'blocks-every-scenario')).toMatchObject({ severity: 'warning', scenarios: validate, message: 'identity blocked every user of the battery on validate (8 scenarios, statuses 422).' })
  })

  test('an admin call with an id missing from the request: says the id was undefined, and that the 400 was ignored', () => {
    const { report } = check(join(fixtures, 'admin-missing-id'))
    expect(finding(report, 'admin-malformed-id')).toMatchObject({
      // Both valid tokens get through to the admin call; neither body has a userId.
      scenarios: ['valid-token', 'member-sets-roles'],
      message: expect.stringContaining('promote sent PUT /admin/users/undefined: the user id is undefined, so the value put in the path was missing'),
      fix: expect.stringContaining('check it is present before the request'),
    })
    expect(finding(report, 'admin-malformed-id')!.message).not.toContain('e-mail')
    expect(finding(report, 'ignored-gotrue-error')!.message).toContain('answered 204 although GoTrue answered PUT /admin/users/undefined with 400')
  })

  test('an unhandled request fails closed and is reported with its URL, not as a crash of the function', () => {
    const { report } = check(join(fixtures, 'unhandled-request'))
    const s = report.functions[0]!.scenarios[0]!
    expect(s.unhandled).toEqual(['POST https://crm.example.com/api/contacts'])
    expect(s.allowed).toBe(false)
    expect(finding(report, 'unhandled-request')!.message).toContain('POST https://crm.example.com/api/contacts')
    // The fix is the handler to paste into a test, with the request's method and URL.
    expect(finding(report, 'unhandled-request')!.fix).toBe("serve the host with an msw handler in your tests, identityServer.use(http.post('https://crm.example.com/api/contacts', …)) (check cannot tell what the service would answer)")
    expect(finding(report, 'threw')).toBeUndefined()
  })

  test('unhandledFix: the first request\'s handler and a count of the others; raw connections are mocked', () => {
    expect(unhandledFix(['GET https://a.test/x?q=1', 'PUT https://b.test/y', 'GET https://a.test/x'])).toBe(
      "serve the host with an msw handler in your tests, identityServer.use(http.get('https://a.test/x', …)) (and one for the other request) (check cannot tell what the service would answer)",
    )
    expect(unhandledFix(['a connection to db.example.test:5432'])).toBe('serve the host with an msw handler in your tests (check cannot tell what the service would answer); a raw connection (a database, SMTP) needs the client mocked')
  })
})

describe('the clean site', () => {
  test('exits 0 with a plain-text report grouped by function, a line per scenario, changed keys marked', () => {
    const r = runBin(bin, ['check', join(fixtures, 'clean')])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).not.toMatch(/\x1b\[/)
    expect(r.stdout).toContain('1 skipped (no Identity use; --all probes them: hello)')
    expect(r.stdout).toMatch(/^identity-signup {2}netlify\/functions\/identity-signup\.js · event signup/m)
    expect(r.stdout).toMatch(/^ {2}✓ allowed {2}200 {2}1× {2}google +app_metadata \{provider: "google", \+roles: \["member"\]\}/m)
    expect(r.stdout).toMatch(/^ {2}✗ blocked {2}401 {2}1× {2}alg-none +forged token/m)
    expect(r.stdout).toMatch(/^PASS {2}2 functions, 14 scenarios: 0 errors, 0 warnings, 0 infos \(fail on: error\)/m)
  })

  test('--all probes the function without Identity use; FORCE_COLOR colours the report', () => {
    const { report } = check(join(fixtures, 'clean'), '--all')
    expect(report.functions.map((f) => f.name)).toEqual(['hello', 'identity-signup', 'protected'])
    expect(report.skipped).toEqual([])
    const coloured = runBin(bin, ['check', join(fixtures, 'clean')], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } })
    expect(coloured.stdout).toMatch(/\x1b\[32m✓ allowed/)
  })
})

test('an HTTP function is probed for reading the authorization header, not for sending one to another API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nih-auth-'))
  try {
    const fns = join(dir, 'netlify/functions')
    mkdirSync(fns, { recursive: true })
    const files: Record<string, string> = {
      'v1-read.mjs': 'export const handler = async (event) => ({ statusCode: event.headers.authorization ? 200 : 401, body: "" })',
      'v2-read.mjs': 'export default async (req) => new Response(null, { status: req.headers.get("Authorization") ? 200 : 401 })',
      'destructured.mjs': 'export const handler = async (event) => { const { authorization } = event.headers; return { statusCode: authorization ? 200 : 401, body: "" } }',
      'sends-only.mjs': 'export default async () => fetch("https://api.example.com/v1/items", { headers: { Authorization: `Bearer ${process.env.API_KEY}` } })',
    }
    for (const [name, source] of Object.entries(files)) writeFileSync(join(fns, name), `${source}\n`)
    const found = findSiteFunctions(dir)
    expect(found.functions.map((f) => [f.name, f.reason]).sort()).toEqual([
      ['destructured', 'reads the authorization header'],
      ['v1-read', 'reads the authorization header'],
      ['v2-read', 'reads the authorization header'],
    ])
    expect(found.skipped).toEqual(['sends-only'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

describe('machine-readable reports', () => {
  test('--json validates against docs/check-report.schema.json on every fixture and the example site', async () => {
    // ajv is CommonJS: its class is the module's default export under Node's ESM interop.
    const mod = (await import('ajv/dist/2020.js')) as unknown as { default: typeof import('ajv/dist/2020.js').default }
    const ajv = new mod.default({ allErrors: true, strict: true })
    const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'docs/check-report.schema.json'), 'utf8')))
    for (const site of [...['clean', 'missing-env', 'trusts-unverified-token', 'unhandled-request', 'hanging'].map((f) => join(fixtures, f)), join(root, 'examples/site')]) {
      const { report } = check(site, '--timeout', '300')
      expect(validate(report), `${site}: ${ajv.errorsText(validate.errors)}`).toBe(true)
    }
  })

  test('--junit writes well-formed JUnit XML: a suite per function, a case per scenario, a failure per error finding', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nih-junit-'))
    try {
      const file = join(dir, 'check.xml')
      const r = runBin(bin, ['check', join(fixtures, 'crash-without-full-name'), '--junit', file])
      expect(r.code).toBe(1)
      const xml = readFileSync(file, 'utf8')
      expect(XMLValidator.validate(xml)).toBe(true)
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
        testsuites: { tests: string; failures: string; testsuite: { name: string; tests: string; failures: string; testcase: Array<{ name: string; failure?: { type: string } }> } }
      }
      expect(doc.testsuites).toMatchObject({ tests: '8', failures: '2' })
      const suite = doc.testsuites.testsuite
      expect(suite).toMatchObject({ name: 'identity-signup', tests: '8', failures: '2' })
      expect(suite.testcase.filter((c) => c.failure).map((c) => [c.name, c.failure!.type])).toEqual([
        ['plain: plain e-mail signup (empty data)', 'threw'],
        ['null-metadata: user with empty (null) user_metadata', 'threw'],
      ])
      // A function with two events: a failure on signup's "plain" is not one on validate's.
      runBin(bin, ['check', join(fixtures, 'typed-handlers'), '--junit', file])
      const typed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(file, 'utf8')) as typeof doc
      const failing = typed.testsuites.testsuite.testcase.filter((c) => c.failure).map((c) => c.name)
      expect(failing).toHaveLength(8)
      expect(failing.every((n) => n.startsWith('signup: '))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('time and usage', () => {
  test('a hanging function costs at most its per-scenario timeout (scenarios run side by side)', () => {
    const started = Date.now()
    const { code, report } = check(join(fixtures, 'hanging'), '--timeout', '400')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(code).toBe(1)
    expect(finding(report, 'timeout')!.severity).toBe('error')
    // 400 ms over 3 attempts is less than GoTrue's 5 s an attempt: the fix says how to see production's outcome.
    expect(finding(report, 'timeout')!.fix).toBe("check gave each of GoTrue's 3 attempts 133 ms (--timeout 400), less than GoTrue's 5 s: run check with --timeout 15000 to see whether production times out too")
    expect(report.functions[0]!.scenarios.every((s) => s.status === 504 && s.attempts === 3)).toBe(true)
  })

  // From a trial with the stripe SDK: a client that retries a failed request with backoff took
  // longer than the old default's 1 s an attempt, so every scenario showed a 504 that production
  // (5 s an attempt, gotrue.md §1.7) would not give. The default now gives each attempt 5 s.
  test("a client retrying with backoff gets GoTrue's 5 s an attempt by default: the down service's outcome, not a timeout", () => {
    const site = join(fixtures, 'retrying-client')
    const runs = [check(site), check(site, '--timeout', '3000')]
    const [byDefault, short] = runs.map((r) => r.report.functions[0]!)
    // GoTrue's verdict after three failed attempts (500 each): blocked with 422, no timeout.
    expect(byDefault!.scenarios.map((s) => [s.status, s.attempts, s.diagnostics.some((d) => d.code === 'timeout')])).toEqual(byDefault!.scenarios.map(() => [422, 3, false]))
    expect(byDefault!.findings.find((f) => f.code === 'unhandled-request')!.message).toContain('the outcome above is what happens when that service is down')
    // A shorter budget cuts each attempt off: the 504 is check's, and the finding says so.
    expect(short!.scenarios.every((s) => s.status === 504)).toBe(true)
    expect(short!.findings.find((f) => f.code === 'unhandled-request')!.message).toContain("it was still running when check's 1000 ms an attempt (--timeout 3000) ran out, and GoTrue gives 5 s: run check with --timeout 15000")
  })

  test("a timeout's fix names the production limit for the kind of function, and a shorter budget check used", () => {
    const timedOut = (kind: 'event' | 'http', background: boolean): FunctionReport => ({
      name: 'fn', file: 'netlify/functions/fn.mjs', kind, events: kind === 'event' ? ['signup'] : [], background, reason: 'test', env: { read: [], unset: [] }, findings: [],
      scenarios: [{ id: 'plain', title: 'plain', allowed: false, status: 504, attempts: 3, changed: [], unhandled: [], durationMs: 1, diagnostics: [{ code: 'timeout', message: 'fn did not complete' }] }],
    })
    const fix = (report: FunctionReport, timeoutMs?: number): string => findingsFor(report, { timeoutMs }).find((f) => f.code === 'timeout')!.fix
    // functions-runtime.md §3.7: 30 s synchronous, 15 minutes background; gotrue.md §1.7: 5 s a hook attempt.
    expect(fix(timedOut('event', false))).toBe('await every promise and answer within 5 s (GoTrue gives each of its 3 attempts 5 s, then blocks the user)')
    expect(fix(timedOut('event', false), 6000)).toContain("check gave each of GoTrue's 3 attempts 2000 ms (--timeout 6000)")
    expect(fix(timedOut('http', false))).toBe("await every promise and answer within Netlify's 30 s (check waited 15000 ms; raise --timeout to wait longer)")
    expect(fix(timedOut('http', false), 30_000)).toBe("await every promise and answer within Netlify's 30 s")
    expect(fix(timedOut('event', true), 2000)).toBe("await every promise and answer within Netlify's 15 minutes (check waited 2000 ms; raise --timeout to wait longer)")
  })

  test('a site without its functions folder is an error naming where check looked, not "0 functions, PASS"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nih-nofns-'))
    try {
      const bare = runBin(bin, ['check', dir])
      expect(bare.code).toBe(2)
      expect(bare.stdout).toBe('')
      expect(bare.stderr).toContain(`no functions directory: netlify/functions does not exist in ${dir} (the default, as no netlify.toml names one). Run check from the site's folder or pass it (check path/to/site), or set [functions] directory in netlify.toml. [ERR_FUNCTION_NOT_FOUND]`)
      writeFileSync(join(dir, 'netlify.toml'), '[functions]\n  directory = "functions"\n')
      expect(runBin(bin, ['check', dir]).stderr).toContain('no functions directory: functions does not exist in')
      expect(runBin(bin, ['check', dir]).stderr).toContain('(named by netlify.toml ([functions] directory))')
      // An empty functions folder is a site without Identity functions yet: that passes.
      mkdirSync(join(dir, 'functions'))
      expect(runBin(bin, ['check', dir])).toMatchObject({ code: 0, stderr: '' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('ten functions check in a few seconds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nih-ten-'))
    try {
      cpSync(join(fixtures, 'clean'), dir, { recursive: true })
      const fns = join(dir, 'netlify/functions')
      for (const n of [1, 2, 3, 4]) cpSync(join(fixtures, 'clean/netlify/functions/protected.mjs'), join(fns, `protected-${n}.mjs`))
      for (const e of ['validate', 'login']) cpSync(join(fixtures, 'clean/netlify/functions/identity-signup.js'), join(fns, `identity-${e}.js`))
      for (const n of [1, 2]) cpSync(join(fixtures, 'trusts-unverified-token/netlify/functions/account.mjs'), join(fns, `account-${n}.mjs`))
      const started = Date.now()
      const { report } = check(dir)
      expect(report.summary.functions).toBe(10)
      expect(Date.now() - started).toBeLessThan(8000)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('bad options are usage errors (exit 2) that say what to do; --help exits 0', () => {
    expect(runBin(bin, ['check', '--fail-on', 'sometimes'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--fail-on takes error, warning or never') })
    expect(runBin(bin, ['check', '--timeout', 'soon'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--timeout takes a positive number') })
    expect(runBin(bin, ['check', '--env', 'NOEQUALS'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--env takes KEY=VALUE') })
    expect(runBin(bin, ['check', join(fixtures, 'nope')])).toMatchObject({ code: 2, stderr: expect.stringContaining('[ERR_FUNCTION_NOT_FOUND]') })
    expect(runBin(bin, ['check', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('--fail-on LEVEL') })
  })
})

test('parseEnvFile reads dotenv syntax', () => {
  expect(parseEnvFile('A=1\n# c\nexport B = two words # note\nC="x\\ny"\nD=\'lit $x\'\n\nbad line\n')).toEqual({ A: '1', B: 'two words', C: 'x\ny', D: 'lit $x' })
})

test('the README\'s check example is what check prints for it (the account and identity-signup fixtures in my-site/)', () => {
  const parent = mkdtempSync(join(tmpdir(), 'nih-readme-'))
  try {
    const site = join(parent, 'my-site')
    mkdirSync(join(site, 'netlify', 'functions'), { recursive: true })
    cpSync(join(fixtures, 'clean', 'package.json'), join(site, 'package.json'))
    cpSync(join(fixtures, 'trusts-unverified-token/netlify/functions/account.mjs'), join(site, 'netlify/functions/account.mjs'))
    cpSync(join(fixtures, 'crash-without-full-name/netlify/functions/identity-signup.js'), join(site, 'netlify/functions/identity-signup.js'))
    const r = runBin(bin, ['check', 'my-site'], { cwd: parent })
    expect(r.code).toBe(1)
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const command = '$ npx netlify-identity-harness check my-site\n'
    const from = readme.indexOf(command) + command.length
    const shown = readme.slice(from, readme.indexOf('\n```', from))
    const time = (t: string): string => t.trimEnd().replace(/ in \d+\.\d s$/, ' in N s')
    expect(time(r.stdout)).toBe(time(shown))
  } finally {
    rmSync(parent, { recursive: true, force: true })
  }
})

test('the README names every check and init option --help lists (serve\'s: test/cli-serve.test.ts)', async () => {
  const { main } = await import('../src/cli/main.js')
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('### `serve [site-dir]`'))
  for (const command of ['check', 'init']) {
    let out = ''
    const io = { out: (t: string) => void (out += t), err: () => undefined, cwd: root, env: {}, isTTY: false, style: (_f: unknown, t: string) => t }
    expect(await main([command, '--help'], io)).toBe(0)
    const options = [...out.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]!).filter((o) => o !== '--help')
    expect(options.length).toBeGreaterThan(3)
    for (const option of options) expect(section, `${command} ${option}`).toContain(`\`${option}`)
  }
})

test('on a terminal: a live progress line on stderr (cleared at the end), colours in the report', async () => {
  const { run } = await import('../src/cli/check.js')
  let out = ''
  let err = ''
  const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), cwd: root, env: {}, isTTY: true, style: (f: unknown, t: string) => `<${String(f)}>${t}` }
  expect(await run([join(fixtures, 'clean')], io)).toBe(0)
  expect(err).toContain('\r\x1b[2K<dim>checking 1/14 ')
  expect(err).toContain('checking 14/14 ')
  expect(err.endsWith('\r\x1b[2K')).toBe(true)
  expect(out).toContain('<green>✓ allowed')
  expect(out).toContain('<bold,yellow>+roles: ["member"]')
})

test('what the functions print goes to stderr: check --json stays JSON and init lists only what it wrote', () => {
  const site = mkdtempSync(join(tmpdir(), 'nih-logs-'))
  try {
    mkdirSync(join(site, 'netlify', 'functions'), { recursive: true })
    writeFileSync(join(site, 'package.json'), '{"name":"logs","private":true}')
    writeFileSync(
      join(site, 'netlify', 'functions', 'identity-signup.js'),
      "exports.handler = async (event) => {\n  console.log('signup', JSON.parse(event.body).user.email)\n  process.stdout.write('raw write\\n')\n  return { statusCode: 200, body: '' }\n}\n",
    )
    const r = runBin(bin, ['check', site, '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as CheckReport
    expect(report.summary).toMatchObject({ functions: 1, scenarios: 8, exitCode: 0 })
    expect(r.stderr).toContain('signup ada@example.com\n')
    expect(r.stderr).toContain('raw write\n')
    const text = runBin(bin, ['check', site])
    expect(text.stdout).toMatch(/^netlify-identity-harness check /)
    expect(text.stdout).not.toContain('signup ada@example.com')
    const init = runBin(bin, ['init', site, '--out', join(site, 'generated')])
    expect(init.code).toBe(0)
    expect(init.stdout).not.toContain('signup ')
    expect(init.stderr).toContain('signup ada@example.com')
  } finally {
    rmSync(site, { recursive: true, force: true })
  }
})

test('a failing usermodified hook is "failed", not "blocked": GoTrue only logs it and answers 200 (gotrue.md §1.2)', () => {
  const site = mkdtempSync(join(tmpdir(), 'nih-nonblocking-'))
  try {
    mkdirSync(join(site, 'netlify', 'functions'), { recursive: true })
    writeFileSync(join(site, 'package.json'), '{"name":"nonblocking","private":true}')
    writeFileSync(join(site, 'netlify', 'functions', 'identity-usermodified.js'), "exports.handler = async () => ({ statusCode: 500, body: 'crm down' })\n")
    const text = runBin(bin, ['check', site]).stdout
    expect(text).toMatch(/^ {2}✗ failed {3}200 {2}3× {2}plain /m)
    expect(text).not.toContain('✗ blocked')
    const out = join(site, 'generated')
    expect(runBin(bin, ['init', site, '--out', out]).code).toBe(0)
    const generated = readFileSync(join(out, 'identity-usermodified.test.ts'), 'utf8')
    expect(generated).toContain('plain e-mail signup (empty data) → failed (GoTrue only logs it: 200)')
    expect(generated).not.toContain('→ blocked')
  } finally {
    rmSync(site, { recursive: true, force: true })
  }
})

test('a crash\'s fix fits its error: a missing value, an undeclared name, require in an ES module, anything else', () => {
  const guard = 'guard what can be missing (user_metadata may be null, full_name absent) and catch failures you can survive'
  expect(threwFix("identity-signup failed (promise): TypeError: Cannot read properties of null (reading 'full_name') at f.js:3:9", 'event')).toBe(guard)
  expect(threwFix("x failed: TypeError: Cannot destructure property 'roles' of 'undefined' as it is undefined.", 'event')).toBe(guard)
  expect(threwFix('identity-login failed (promise): ReferenceError: count is not defined at identity-login.mjs:2:3', 'event')).toMatch(/^declare the variable \(let or const\)/)
  expect(threwFix('me failed: ReferenceError: require is not defined in ES module scope, you can use import instead', 'http')).toBe('the file is an ES module: import the package instead of require(), or rename the file .cjs')
  expect(threwFix('identity-signup failed (promise): Error: CRM rejected the contact', 'event')).toMatch(/GoTrue retries 3 times and then blocks the user with 422$/)
  expect(threwFix('me failed (promise): Error: CRM rejected the contact', 'http')).toMatch(/an uncaught throw is a 500 for the caller$/)
})

test('a background function that crashes on the client context it does not get: the crash\'s fix names that cause', () => {
  const site = mkdtempSync(join(tmpdir(), 'nih-bgc-'))
  try {
    mkdirSync(join(site, 'netlify', 'functions'), { recursive: true })
    writeFileSync(join(site, 'package.json'), '{"name":"bgc","private":true}')
    writeFileSync(join(site, 'netlify', 'functions', 'identity-signup-background.js'), 'exports.handler = async (event, context) => {\n  const { identity } = context.clientContext\n  return { statusCode: 200, body: identity.url }\n}\n')
    const { report } = check(site)
    expect(finding(report, 'background-client-context')).toBeDefined()
    expect(finding(report, 'threw')!.fix).toBe(finding(report, 'background-client-context')!.fix)
  } finally {
    rmSync(site, { recursive: true, force: true })
  }
})
