import { inspect } from 'node:util'
import { HarnessError } from '../errors.js'
import { responseText } from '../functions/response.js'
import type { Diagnostic, DiagnosticCode, IdentityEvent, RawFunctionResponse } from '../types.js'
import { describeValue, parseJsonOrText } from '../values.js'
import { matches } from './match.js'
import { isHookOutcome, toVerdict } from './normalize.js'
import type { Verdict } from './normalize.js'

/** A runner-agnostic check result, as matchers return them. */
export interface CheckResult {
  /** Whether the subject satisfies the check. */
  pass: boolean
  /** The failure message for the direction that failed (`.not` included). */
  message: () => string
  /** The value compared, for diffs. */
  actual?: unknown
  /** The expected value, for diffs. */
  expected?: unknown
  /**
   * The check does not apply to this subject (a login outcome given to a signup check): it fails
   * in both directions, so `.not` cannot turn a misuse into a pass.
   */
  misuse?: boolean
}

/** What an event check is about: a set of events and the word for them. @internal */
export interface EventScope {
  events: readonly IdentityEvent[] | undefined
  noun: string
}

/** The events `expect*Signup` covers: `validate` and `signup` both decide whether a signup goes through. */
export const SIGNUP_SCOPE: EventScope = { events: ['validate', 'signup'], noun: 'signup' }
/** The events `expect*Login` covers. */
export const LOGIN_SCOPE: EventScope = { events: ['login'], noun: 'login' }
/** Any event. */
export const ANY_SCOPE: EventScope = { events: undefined, noun: 'event' }

function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: 100, compact: 3, sorted: false })
}

function parsedBody(body: string): unknown {
  return body === '' ? '(empty)' : parseJsonOrText(body)
}

/** The block printed under every failure: what the function did and what GoTrue made of it. @internal */
export function describeVerdict(v: Verdict): string {
  const lines: string[] = []
  if (v.event) lines.push(`  event:        ${v.event}`)
  lines.push(`  GoTrue:       ${v.allowed ? `allows (${v.status})` : `blocks with ${v.status}${v.error ? ` ${JSON.stringify(v.error.msg)}` : ''}`}`)
  if (v.attempts !== undefined) lines.push(`  attempts:     ${v.attempts}`)
  lines.push(`  function:     ${v.functionStatus === undefined ? '(no response)' : `status ${v.functionStatus}`}`)
  lines.push(...answerLines(v.headers, parsedBody(v.body), v.diagnostics))
  return lines.join('\n')
}

/** The headers, parsed body and diagnostics lines every failure message ends with. */
function answerLines(headers: Readonly<Record<string, unknown>>, body: unknown, diagnostics: readonly Diagnostic[]): string[] {
  const lines: string[] = []
  if (Object.keys(headers).length) lines.push(`  headers:      ${show(headers)}`)
  lines.push(`  body:         ${show(body).split('\n').join('\n                ')}`)
  if (diagnostics.length) {
    lines.push('  diagnostics:')
    for (const d of diagnostics) lines.push(`    - ${d.code}: ${d.message}`)
  }
  return lines
}

function wrongEvent(v: Verdict, scope: EventScope): CheckResult | undefined {
  if (!scope.events || !v.event || scope.events.includes(v.event)) return undefined
  const suggestion =
    v.event === 'login'
      ? 'toAllowLogin/toBlockLogin (expectAllowsLogin/expectBlocksLogin)'
      : v.event === 'validate' || v.event === 'signup'
        ? 'toAllowSignup/toBlockSignup (expectAllowsSignup/expectBlocksSignup)'
        : 'toAllow/toBlock (expectAllows/expectBlocks)'
  const message = (): string =>
    `this outcome is for a ${v.event} event, not a ${scope.noun}: use ${suggestion}, or toAllow/toBlock for any event\n${describeVerdict(v)}`
  return { pass: false, message, misuse: true }
}

function checkVerdict(subject: unknown, scope: EventScope, wantAllowed: boolean): CheckResult {
  const v = toVerdict(subject)
  const wrong = wrongEvent(v, scope)
  if (wrong) return wrong
  // "the signup (validate hook)" reads better than "the validate".
  const what = v.event === undefined ? scope.noun : v.event === 'validate' ? 'signup (validate hook)' : v.event
  return {
    pass: v.allowed === wantAllowed,
    message: () =>
      v.allowed
        ? `expected GoTrue to block the ${what}, but it allows it\n${describeVerdict(v)}`
        : `expected GoTrue to allow the ${what}, but it blocks it\n${describeVerdict(v)}`,
  }
}

/** GoTrue lets the operation through. @internal */
export function checkAllows(subject: unknown, scope: EventScope): CheckResult {
  return checkVerdict(subject, scope, true)
}

/** GoTrue blocks the operation. @internal */
export function checkBlocks(subject: unknown, scope: EventScope): CheckResult {
  return checkVerdict(subject, scope, false)
}

/** The resulting map matches (partially unless `exact`). @internal */
export function checkMetadata(subject: unknown, which: 'app_metadata' | 'user_metadata', expected: unknown, options: { exact?: boolean } = {}): CheckResult {
  const v = toVerdict(subject)
  const actual = which === 'app_metadata' ? v.appMetadata : v.userMetadata
  const how = options.exact ? 'to equal' : 'to contain'
  if (!v.allowed) {
    return {
      pass: false,
      message: () => `expected ${which} ${how} ${show(expected)}, but GoTrue blocked the ${v.event ?? 'event'}, so nothing was applied\n${describeVerdict(v)}`,
    }
  }
  if (actual === undefined) {
    return {
      pass: false,
      message: () => `expected ${which} ${how} ${show(expected)}, but the response does not set ${which}: GoTrue keeps the stored map unchanged\n${describeVerdict(v)}`,
    }
  }
  const pass = matches(actual, expected, !options.exact)
  return {
    pass,
    actual,
    expected,
    message: () =>
      pass
        ? `expected ${which} not ${how} ${show(expected)}\n  ${which}: ${show(actual)}\n${describeVerdict(v)}`
        : `expected ${which} ${how} ${show(expected)}\n  ${which}: ${show(actual)}\n${describeVerdict(v)}`,
  }
}

/** `app_metadata.roles` holds exactly these roles, in any order. @internal */
export function checkRoles(subject: unknown, roles: readonly string[]): CheckResult {
  const v = toVerdict(subject)
  if (!v.allowed) {
    return { pass: false, message: () => `expected roles ${show(roles)}, but GoTrue blocked the ${v.event ?? 'event'}\n${describeVerdict(v)}` }
  }
  if (v.appMetadata === undefined) {
    return { pass: false, message: () => `expected roles ${show(roles)}, but the response does not set app_metadata\n${describeVerdict(v)}` }
  }
  const actual = (v.appMetadata as { roles?: unknown } | null)?.roles
  const pass = Array.isArray(actual) && actual.length === roles.length && [...actual].map(String).sort().join('\u0000') === [...roles].sort().join('\u0000')
  return {
    pass,
    actual,
    expected: roles,
    message: () =>
      pass
        ? `expected app_metadata.roles not to be ${show(roles)}\n${describeVerdict(v)}`
        : `expected app_metadata.roles to be ${show(roles)}, got ${show(actual)}${actual !== undefined && !Array.isArray(actual) ? ' (roles must be an array of strings)' : ''}\n${describeVerdict(v)}`,
  }
}

/** The block printed under a status failure: the function's answer as its caller gets it, and what the harness saw. */
function describeResponse(raw: RawFunctionResponse & { diagnostics?: readonly Diagnostic[] }): string {
  const body = typeof raw.body === 'string' ? parsedBody(responseText({ body: raw.body, isBase64Encoded: raw.isBase64Encoded })) : raw.body === undefined || raw.body === null ? '(empty)' : raw.body
  return [`  status:       ${String(raw.statusCode)}`, ...answerLines(raw.headers ?? {}, body, Array.isArray(raw.diagnostics) ? raw.diagnostics : [])].join('\n')
}

/**
 * The function answered `status`: a response from `identity.invoke` (its diagnostics are printed
 * on failure: why a function answered 500 is there), a raw `{ statusCode, body }` or a fetch
 * `Response`. A hook outcome is a misuse: what the user gets from GoTrue is `outcome.status`. @internal
 */
export function checkStatus(subject: unknown, status: number): CheckResult {
  if (isHookOutcome(subject)) {
    return {
      pass: false,
      misuse: true,
      message: () => `toHaveStatus checks a function's HTTP response (from identity.invoke); this is a hook outcome: use toAllow/toBlock, or expect(outcome.status) for what GoTrue answers\n${describeVerdict(toVerdict(subject))}`,
    }
  }
  if (subject === null || typeof subject !== 'object' || !('statusCode' in subject)) toVerdict(subject) // throws ERR_INVALID_RESPONSE, naming what it got
  const raw = subject as RawFunctionResponse & { diagnostics?: readonly Diagnostic[] }
  const actual = Number(raw.statusCode)
  const pass = actual === status
  return {
    pass,
    actual,
    expected: status,
    message: () =>
      pass
        ? `expected the function not to answer ${status}\n${describeResponse(raw)}`
        : `expected the function to answer ${status}, but it answered ${String(raw.statusCode)}\n${describeResponse(raw)}`,
  }
}

/**
 * The diagnostics that explain the production outcome of something a function may mean to do:
 * a block by status (`status-blocks`), a failure GoTrue only logs (`non-blocking-event`), a
 * background variant (`background`) and a default timeout the harness shortened to end before
 * the test runner's (`timeout-budget`). {@link checkNoDiagnostics} lets them pass unless told
 * otherwise; they are `check`'s `info` findings.
 */
export const EXPLANATORY_DIAGNOSTICS: readonly DiagnosticCode[] = Object.freeze(['status-blocks', 'non-blocking-event', 'background', 'timeout-budget'])

/**
 * The call showed no diagnostics but those in `except` (default {@link EXPLANATORY_DIAGNOSTICS}):
 * a hook outcome or a response from `identity.invoke`. A value without `diagnostics` (a fetch
 * `Response`, a hand-written response) is a misuse: it cannot show any. @internal
 */
export function checkNoDiagnostics(subject: unknown, options: { except?: readonly DiagnosticCode[] } = {}): CheckResult {
  const except = options.except ?? EXPLANATORY_DIAGNOSTICS
  if (!Array.isArray(except)) {
    throw new HarnessError('ERR_INVALID_OPTION', `toHaveNoDiagnostics({ except }) takes a list of diagnostic codes, such as ['unserved-request']; got ${describeValue(except)}`)
  }
  const diagnostics = (subject as { diagnostics?: unknown } | null)?.diagnostics
  if (subject === null || typeof subject !== 'object' || !Array.isArray(diagnostics)) {
    return {
      pass: false,
      misuse: true,
      message: () =>
        `toHaveNoDiagnostics needs what identity.trigger or identity.invoke returned (or identity.hooks.at(-1) after a flow): they carry the call's diagnostics; ${
          (typeof Response !== 'undefined' && subject instanceof Response) || (subject instanceof Object && 'statusCode' in subject)
            ? 'this response has none (a fetch Response or a hand-written { statusCode }), so it could never fail'
            : `got ${describeValue(subject)}`
        }`,
    }
  }
  const seen = (diagnostics as Diagnostic[]).filter((d) => !except.includes(d.code))
  const pass = seen.length === 0
  const but = except.length ? ` (except ${except.join(', ')})` : ''
  const details = isHookOutcome(subject) ? describeVerdict(toVerdict(subject)) : describeResponse(subject as RawFunctionResponse & { diagnostics?: readonly Diagnostic[] })
  return {
    pass,
    actual: seen.map((d) => d.code),
    expected: [],
    message: () =>
      pass
        ? `expected diagnostics${but}, but the call had none\n${details}`
        : `expected no diagnostics${but}, but the call had ${seen.length}: ${seen.map((d) => d.code).join(', ')}\n${details}`,
  }
}
