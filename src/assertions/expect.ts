import { AssertionError } from 'node:assert'
import type { InvokeResponse } from '../functions/invoke-http.js'
import type { DiagnosticCode, HookOutcome, RawFunctionResponse } from '../types.js'
import { ANY_SCOPE, checkAllows, checkBlocks, checkMetadata, checkNoDiagnostics, checkRoles, checkStatus, LOGIN_SCOPE, SIGNUP_SCOPE } from './checks.js'
import type { CheckResult, EventScope } from './checks.js'
import { fromFetchResponse } from './normalize.js'

/** A subject an `expect*` function accepts synchronously. */
export type Checkable = HookOutcome | RawFunctionResponse

/** Options for metadata assertions. */
export interface MetadataOptions {
  /** Require equality instead of a partial deep match. */
  exact?: boolean
}

/** Options for {@link expectNoDiagnostics} and `toHaveNoDiagnostics`. */
export interface NoDiagnosticsOptions {
  /**
   * Codes that may appear. Defaults to `EXPLANATORY_DIAGNOSTICS` (`status-blocks`,
   * `non-blocking-event`, `background`, `timeout-budget`: they explain an outcome the function
   * may mean to have); `[]` lets none through.
   */
  except?: readonly DiagnosticCode[]
}

function assertPass(result: CheckResult, fn: Function): void {
  if (result.pass) return
  const error = new AssertionError({ message: result.message(), actual: result.actual, expected: result.expected, operator: fn.name, stackStartFn: fn })
  throw error
}

function isFetchResponse(value: unknown): value is Response {
  return typeof Response !== 'undefined' && value instanceof Response
}

function run(subject: unknown, check: (s: unknown) => CheckResult, fn: Function): void | Promise<void> {
  if (isFetchResponse(subject)) return fromFetchResponse(subject).then((raw) => assertPass(check(raw), fn))
  assertPass(check(subject), fn)
}

function scoped(scope: EventScope, wantAllowed: boolean) {
  return (s: unknown) => (wantAllowed ? checkAllows(s, scope) : checkBlocks(s, scope))
}

/** Asserts GoTrue lets a signup through (`validate` or `signup` event). A `Response` makes it async. */
export function expectAllowsSignup(subject: Checkable): void
export function expectAllowsSignup(subject: Response): Promise<void>
export function expectAllowsSignup(subject: Checkable | Response): void | Promise<void> {
  return run(subject, scoped(SIGNUP_SCOPE, true), expectAllowsSignup)
}

/** Asserts GoTrue blocks a signup (`validate` or `signup` event): any status but 200/202/204, a timeout, or malformed JSON. */
export function expectBlocksSignup(subject: Checkable): void
export function expectBlocksSignup(subject: Response): Promise<void>
export function expectBlocksSignup(subject: Checkable | Response): void | Promise<void> {
  return run(subject, scoped(SIGNUP_SCOPE, false), expectBlocksSignup)
}

/** Asserts GoTrue lets a login through. */
export function expectAllowsLogin(subject: Checkable): void
export function expectAllowsLogin(subject: Response): Promise<void>
export function expectAllowsLogin(subject: Checkable | Response): void | Promise<void> {
  return run(subject, scoped(LOGIN_SCOPE, true), expectAllowsLogin)
}

/** Asserts GoTrue blocks a login. */
export function expectBlocksLogin(subject: Checkable): void
export function expectBlocksLogin(subject: Response): Promise<void>
export function expectBlocksLogin(subject: Checkable | Response): void | Promise<void> {
  return run(subject, scoped(LOGIN_SCOPE, false), expectBlocksLogin)
}

/** Asserts GoTrue accepts the hook, whatever the event. */
export function expectAllows(subject: Checkable): void
export function expectAllows(subject: Response): Promise<void>
export function expectAllows(subject: Checkable | Response): void | Promise<void> {
  return run(subject, scoped(ANY_SCOPE, true), expectAllows)
}

/** Asserts GoTrue rejects the hook, whatever the event. */
export function expectBlocks(subject: Checkable): void
export function expectBlocks(subject: Response): Promise<void>
export function expectBlocks(subject: Checkable | Response): void | Promise<void> {
  return run(subject, scoped(ANY_SCOPE, false), expectBlocks)
}

/**
 * Asserts the user's resulting `app_metadata` (after GoTrue **replaced** it with the response's
 * map) contains `expected` — a partial deep match with asymmetric matchers, or equality with `{ exact: true }`.
 */
export function expectAppMetadata(subject: Checkable, expected: Record<string, unknown>, options?: MetadataOptions): void
export function expectAppMetadata(subject: Response, expected: Record<string, unknown>, options?: MetadataOptions): Promise<void>
export function expectAppMetadata(subject: Checkable | Response, expected: Record<string, unknown>, options?: MetadataOptions): void | Promise<void> {
  return run(subject, (s) => checkMetadata(s, 'app_metadata', expected, options), expectAppMetadata)
}

/** Asserts the user's resulting `user_metadata` contains `expected` (or equals it with `{ exact: true }`). */
export function expectUserMetadata(subject: Checkable, expected: Record<string, unknown>, options?: MetadataOptions): void
export function expectUserMetadata(subject: Response, expected: Record<string, unknown>, options?: MetadataOptions): Promise<void>
export function expectUserMetadata(subject: Checkable | Response, expected: Record<string, unknown>, options?: MetadataOptions): void | Promise<void> {
  return run(subject, (s) => checkMetadata(s, 'user_metadata', expected, options), expectUserMetadata)
}

/** Asserts the resulting `app_metadata.roles` holds exactly `roles` (any order). */
export function expectRoles(subject: Checkable, roles: readonly string[]): void
export function expectRoles(subject: Response, roles: readonly string[]): Promise<void>
export function expectRoles(subject: Checkable | Response, roles: readonly string[]): void | Promise<void> {
  return run(subject, (s) => checkRoles(s, roles), expectRoles)
}

/**
 * Asserts the function answered `status` (a response from `identity.invoke`, a raw
 * `{ statusCode }` or a fetch `Response`, which makes it async); the failure shows the body and
 * the call's diagnostics.
 *
 * @example
 * ```ts
 * expectStatus(await identity.invoke('netlify/functions/protected.mjs'), 401)
 * ```
 */
export function expectStatus(subject: RawFunctionResponse, status: number): void
export function expectStatus(subject: Response, status: number): Promise<void>
export function expectStatus(subject: RawFunctionResponse | Response, status: number): void | Promise<void> {
  return run(subject, (s) => checkStatus(s, status), expectStatus)
}

/**
 * Asserts the call showed no diagnostics (the pitfalls the harness notices: a swallowed failed
 * request, a dropped `provider`, a crash, an ignored GoTrue error, …) other than those in
 * `options.except`. Takes what `identity.trigger` or `identity.invoke` returned (await
 * `outcome.background` first for a background function). The failure names each code and prints
 * the call's answer with every message.
 *
 * @example
 * ```ts
 * const outcome = await identity.trigger('netlify/functions/identity-signup.js', user)
 * expectNoDiagnostics(outcome)                               // status-blocks and the like may appear
 * expectNoDiagnostics(outcome, { except: [] })               // nothing may
 * expectNoDiagnostics(outcome, { except: ['unserved-request'] })
 * ```
 */
export function expectNoDiagnostics(subject: HookOutcome | InvokeResponse, options?: NoDiagnosticsOptions): void {
  assertPass(checkNoDiagnostics(subject, options), expectNoDiagnostics)
}
