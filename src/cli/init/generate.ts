import { relative, dirname } from 'node:path'
import type { EventScenario } from '../check/battery.js'
import { eventScenarios, HTTP_SCENARIOS, HTTP_USERS } from '../check/battery.js'
import type { FunctionReport, ScenarioResult } from '../check/report.js'
import { verdictWord } from '../check/report.js'
import type { JsonValue } from '../../types.js'

/** Which runner the generated file is for. @internal */
export type Runner = 'vitest' | 'jest'

/** What a generated test file needs to know. @internal */
export interface GenerateInput {
  fn: FunctionReport
  /** The function's entry file (absolute). */
  functionPath: string
  /** The test file to write (absolute). */
  testPath: string
  runner: Runner
  /** `--env` values check ran with, written into the file. */
  env: Record<string, string>
  /** The per-attempt timeout to pass when the function timed out in check (ms). */
  timeoutMs: number | undefined
  version: string
}

/** The HTTP battery's user: the same as check's (httpTokens in run-check.ts). */

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i
const JWT = /eyJ[\w-]+\.[\w-]+\./

/** JavaScript source for a JSON value, with volatile strings (timestamps, ids, tokens) as `expect.any(String)`. */
function literal(value: JsonValue | undefined, volatile = true): string {
  if (value === undefined) return 'undefined'
  if (typeof value === 'string') return volatile && (ISO.test(value) || UUID.test(value) || JWT.test(value)) ? 'expect.any(String)' : JSON.stringify(value)
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, volatile)).join(', ')}]`
  const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v, volatile)}`)
  return entries.length ? `{ ${entries.join(', ')} }` : '{}'
}

function importPath(from: string, to: string): string {
  const rel = relative(dirname(from), to).split('\\').join('/')
  return rel.startsWith('.') ? rel : `./${rel}`
}

function verdictMatcher(event: string, allowed: boolean): string {
  if (event === 'login') return allowed ? 'toAllowLogin()' : 'toBlockLogin()'
  if (event === 'validate' || event === 'signup') return allowed ? 'toAllowSignup()' : 'toBlockSignup()'
  return ''
}

function eventTest(fn: FunctionReport, s: ScenarioResult, scenario: EventScenario, options: string, indent: string): string {
  const event = s.event!
  const { user_metadata, ...overrides } = scenario.user
  const name = `${fn.events.length > 1 ? `${event}: ` : ''}${scenario.title} → ${s.allowed ? 'allowed' : verdictWord(fn, s) === 'failed' ? 'failed (GoTrue only logs it: 200)' : `blocked (${s.status})`}`
  const lines = [
    `test(${JSON.stringify(name)}, async (${'{ identity }'}) => {`,
    // fakeUser merges user_metadata over a generated full_name: the scenario's map is set as is.
    `  const user = ${user_metadata !== undefined ? `{ ...identity.fakeUser(${literal(overrides as JsonValue, false)}), user_metadata: ${literal(user_metadata as JsonValue, false)} }` : `identity.fakeUser(${literal(overrides as JsonValue, false)})`}`,
    `  const outcome = await identity.trigger(fn, ${JSON.stringify(event)}, user${options})`,
  ]
  const matcher = verdictMatcher(event, s.allowed)
  lines.push(matcher ? `  expect(outcome).${matcher}` : `  expect(outcome.allowed).toBe(${s.allowed})`)
  lines.push(`  expect(outcome.status).toBe(${s.status})`)
  if (s.allowed && s.app_metadata) lines.push(`  expect(outcome).toSetAppMetadata(${literal(s.app_metadata)}, { exact: true })`)
  if (s.allowed && s.user_metadata) lines.push(`  expect(outcome).toSetUserMetadata(${literal(s.user_metadata)}, { exact: true })`)
  if (s.allowed && s.user_metadata === null) lines.push('  expect(outcome.user.user_metadata).toBeNull()')
  // The verdict and what the harness saw; not the whole outcome: a crash's 500 body carries a stack
  // with the bundle's temporary file name, which changes every run.
  lines.push('  expect({ allowed: outcome.allowed, status: outcome.status, attempts: outcome.attempts, error: outcome.error, diagnostics: outcome.diagnostics.map((d) => d.code) }).toMatchSnapshot()')
  lines.push('})')
  return lines.map((l) => indent + l).join('\n')
}

function httpTest(s: ScenarioResult, options: string, indent: string): string {
  const token: Record<string, string> = {
    'no-token': '',
    'valid-token': ', user',
    'expired-token': ', token: await identity.token(user, { expiresIn: -3600 })',
    'alg-none': ", token: `${Buffer.from('{\"alg\":\"none\",\"typ\":\"JWT\"}').toString('base64url')}.${(await identity.token(user)).split('.')[1]}.`",
    'wrong-secret': ", token: await createIdentity({ jwtSecret: 'not-this-sites-secret-check-forged-token' }).token(user)",
    'member-sets-roles': ', user',
  }
  const scenario = HTTP_SCENARIOS.find((x) => x.id === s.id)
  const who = s.id === 'member-sets-roles' ? HTTP_USERS.member : HTTP_USERS.staff
  const lines = [
    `test(${JSON.stringify(`${s.title} → ${s.status}`)}, async (${'{ identity }'}) => {`,
    ...(s.id === 'no-token' ? [] : [`  const user = identity.createUser(${literal(who as JsonValue, false)})`]),
    `  const response = await identity.invoke(fn, { method: 'POST', json: ${literal((scenario?.json ?? {}) as JsonValue, false)}${token[s.id] ?? ''}${options} })`,
    `  expect(response.statusCode).toBe(${s.status})`,
    // A crash's 500 body carries a stack with the bundle's temporary file name: only its status is pinned.
    s.status >= 500 ? '  expect({ statusCode: response.statusCode, diagnostics: response.diagnostics.map((d) => d.code) }).toMatchSnapshot()' : '  expect(response).toMatchSnapshot()',
    '})',
  ]
  return lines.map((l) => indent + l).join('\n')
}

/**
 * The one test of a function check could not load: it pins the load failure (a file without a
 * test fails the whole run in Vitest and Jest), and says how to get the scenario tests.
 */
function loadFailureTest(fn: FunctionReport, functionPath: string, shownPath: string, triggerOptions: string, invokeOptions: string, indent: string): string {
  const failed = fn.scenarios.find((s) => s.status === 0)
  // The file's path as the test imports it: no absolute path of this machine in a committed file.
  const reason = (failed?.diagnostics.find((d) => d.code === 'load-failed')?.message ?? 'it did not load').split('\n')[0]!.replaceAll(functionPath, shownPath)
  const call = fn.kind === 'event'
    ? `identity.trigger(fn, ${JSON.stringify(failed?.event ?? fn.events[0] ?? 'signup')}, identity.fakeUser()${triggerOptions})`
    : `identity.invoke(fn, { method: 'POST', json: {}${invokeOptions} })`
  const lines = [
    `// check could not load ${fn.name}: ${reason.replaceAll('*/', '* /')}`,
    '// This test pins that. Fix the file, then run `netlify-identity-harness init --force` for a test per scenario.',
    `test(${JSON.stringify(`${fn.name} does not load today (ERR_FUNCTION_LOAD)`)}, async (${'{ identity }'}) => {`,
    `  await expect(${call}).rejects.toMatchObject({ code: 'ERR_FUNCTION_LOAD' })`,
    '})',
  ]
  return lines.map((l) => indent + l).join('\n')
}

/**
 * A test file for one function: one test per battery scenario, asserting today's verdict, status
 * and metadata (what `check` saw) with the matchers, plus a snapshot. Marked as generated.
 * @internal
 */
export function generateTestFile(input: GenerateInput): string {
  const { fn, runner } = input
  const envLiteral = Object.keys(input.env).length ? literal(input.env as JsonValue, false) : undefined
  const optionParts = [envLiteral ? 'env' : '', input.timeoutMs !== undefined ? `timeoutMs: ${input.timeoutMs}` : ''].filter(Boolean)
  const triggerOptions = optionParts.length ? `, { ${optionParts.join(', ')} }` : ''
  const invokeOptions = optionParts.length ? `, ${optionParts.join(', ')}` : ''
  const fnPath = importPath(input.testPath, input.functionPath)
  const head = [
    `// Generated by \`netlify-identity-harness init\` (${input.version}) from what \`check\` saw: a STARTING POINT.`,
    `// Each test pins what ${fn.name} does TODAY for one scenario, bugs included: read the findings of`,
    '// `npx netlify-identity-harness check`, fix the function, then change the expectations. Edit freely;',
    '// `init --force` overwrites this file. Snapshots are written on the first run.',
    ...(runner === 'vitest'
      ? ["import { createIdentity } from 'netlify-identity-harness'", "import { test, expect } from 'netlify-identity-harness/vitest'"]
      : ["import { describe, test, expect } from '@jest/globals'", "import { createIdentity } from 'netlify-identity-harness'", "import { useIdentity } from 'netlify-identity-harness/jest'"]),
    "import { fileURLToPath } from 'node:url'",
    '',
    `const fn = fileURLToPath(new URL(${JSON.stringify(fnPath)}, import.meta.url))`,
    ...(envLiteral ? [`const env = ${envLiteral}`] : []),
    '',
  ]
  const indent = runner === 'jest' ? '  ' : ''
  const tests: string[] = []
  for (const s of fn.scenarios) {
    if (s.status === 0) continue // did not load: nothing to pin
    if (fn.kind === 'event') {
      const scenario = eventScenarios(s.event!).find((x) => x.id === s.id)
      if (scenario) tests.push(eventTest(fn, s, scenario, triggerOptions, indent))
    } else if (HTTP_SCENARIOS.some((x) => x.id === s.id)) {
      tests.push(httpTest(s, invokeOptions, indent))
    }
  }
  if (!tests.length && fn.scenarios.some((s) => s.status === 0)) tests.push(loadFailureTest(fn, input.functionPath, fnPath, triggerOptions, invokeOptions, indent))
  let body = tests.join('\n\n')
  if (runner === 'jest') {
    // Jest: the instance comes from useIdentity(); each test reads it as `identity`.
    body = body.replace(/async \(\{ identity \}\) =>/g, 'async () =>')
    body = `describe(${JSON.stringify(fn.name)}, () => {\n  const identity = useIdentity()\n\n${body}\n})`
  } else {
    body = `// The \`identity\` fixture: a fresh instance per test, seeded from the test's name.\n${body}`
  }
  // Only the forged-token scenario signs with another instance: no unused import elsewhere.
  const used = body.includes('createIdentity(')
  return `${head.filter((l) => used || !l.startsWith('import { createIdentity }')).join('\n')}\n${body}\n`
}
