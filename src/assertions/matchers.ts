import type { HookOutcome, RawFunctionResponse } from '../types.js'
import { ANY_SCOPE, checkAllows, checkBlocks, checkMetadata, checkNoDiagnostics, checkRoles, checkStatus, LOGIN_SCOPE, SIGNUP_SCOPE } from './checks.js'
import type { CheckResult, EventScope } from './checks.js'
import type { MetadataOptions, NoDiagnosticsOptions } from './expect.js'
import { fromFetchResponse } from './normalize.js'

/**
 * The part of a runner's matcher `this` the identity matchers read. Vitest's `MatcherState` and
 * Jest's `MatcherContext` both fit.
 */
export interface MatcherContextLike {
  /** `true` under `.not` (Jest types it as optional). */
  readonly isNot?: boolean
}

/** What an identity matcher returns: the shape both Vitest and Jest expect from `expect.extend`. */
export interface IdentityMatcherResult {
  /** Whether the received value satisfies the matcher (the runner inverts it for `.not`). */
  pass: boolean
  /** The failure message, with the function's status, headers, parsed body and diagnostics. */
  message: () => string
  /** The value compared, for the runner's diff. */
  actual?: unknown
  /** The expected value, for the runner's diff. */
  expected?: unknown
}

/**
 * What a matcher returns for a received value: synchronous for a hook outcome or a raw function
 * response, a promise for a fetch `Response` (its body must be read first).
 */
export type IdentityMatcherReturn = IdentityMatcherResult | Promise<IdentityMatcherResult>

/** The signature every identity matcher has: `this` from the runner, then the received value. */
export type IdentityMatcherFn<Args extends unknown[] = []> = (this: MatcherContextLike, received: unknown, ...args: Args) => IdentityMatcherReturn

/**
 * The identity matchers as plain functions, for `expect.extend(identityMatchers)` in any
 * Jest-compatible runner. `netlify-identity-harness/vitest` and `netlify-identity-harness/jest`
 * register them for you.
 */
export type IdentityMatcherFunctions = {
  /** See {@link IdentityMatchers.toAllowSignup}. */
  toAllowSignup: IdentityMatcherFn
  /** See {@link IdentityMatchers.toBlockSignup}. */
  toBlockSignup: IdentityMatcherFn
  /** See {@link IdentityMatchers.toAllowLogin}. */
  toAllowLogin: IdentityMatcherFn
  /** See {@link IdentityMatchers.toBlockLogin}. */
  toBlockLogin: IdentityMatcherFn
  /** See {@link IdentityMatchers.toAllow}. */
  toAllow: IdentityMatcherFn
  /** See {@link IdentityMatchers.toBlock}. */
  toBlock: IdentityMatcherFn
  /** See {@link IdentityMatchers.toSetAppMetadata}. */
  toSetAppMetadata: IdentityMatcherFn<[expected: Record<string, unknown>, options?: MetadataOptions]>
  /** See {@link IdentityMatchers.toSetUserMetadata}. */
  toSetUserMetadata: IdentityMatcherFn<[expected: Record<string, unknown>, options?: MetadataOptions]>
  /** See {@link IdentityMatchers.toHaveRoles}. */
  toHaveRoles: IdentityMatcherFn<[roles: readonly string[]]>
  /** See {@link IdentityMatchers.toHaveStatus}. */
  toHaveStatus: IdentityMatcherFn<[status: number]>
  /** See {@link IdentityMatchers.toHaveNoDiagnostics}. */
  toHaveNoDiagnostics: (this: MatcherContextLike, received: unknown, options?: NoDiagnosticsOptions) => IdentityMatcherResult
}

function isFetchResponse(value: unknown): value is Response {
  return typeof Response !== 'undefined' && value instanceof Response
}

function toResult(check: CheckResult, isNot: boolean): IdentityMatcherResult {
  // A misuse (a login outcome given to a signup matcher) fails under `.not` too.
  const pass = check.misuse ? isNot : check.pass
  const result: IdentityMatcherResult = { pass, message: check.message }
  if ('actual' in check) result.actual = check.actual
  if ('expected' in check) result.expected = check.expected
  return result
}

function matcher<Args extends unknown[]>(check: (subject: unknown, ...args: Args) => CheckResult): IdentityMatcherFn<Args> {
  return function (this: MatcherContextLike, received: unknown, ...args: Args): IdentityMatcherReturn {
    const isNot = this?.isNot === true
    if (isFetchResponse(received)) return fromFetchResponse(received).then((raw) => toResult(check(raw, ...args), isNot))
    return toResult(check(received, ...args), isNot)
  }
}

function verdict(scope: EventScope, wantAllowed: boolean): (subject: unknown) => CheckResult {
  return (subject) => (wantAllowed ? checkAllows(subject, scope) : checkBlocks(subject, scope))
}

/**
 * The identity matchers, runner-agnostic: the same checks as the `expect*` functions
 * (`expectAllowsSignup` ↔ `toAllowSignup`, …). Pass them to any Jest-compatible `expect.extend`.
 */
export const identityMatchers: IdentityMatcherFunctions = {
  toAllowSignup: matcher(verdict(SIGNUP_SCOPE, true)),
  toBlockSignup: matcher(verdict(SIGNUP_SCOPE, false)),
  toAllowLogin: matcher(verdict(LOGIN_SCOPE, true)),
  toBlockLogin: matcher(verdict(LOGIN_SCOPE, false)),
  toAllow: matcher(verdict(ANY_SCOPE, true)),
  toBlock: matcher(verdict(ANY_SCOPE, false)),
  toSetAppMetadata: matcher((s, expected: Record<string, unknown>, options?: MetadataOptions) => checkMetadata(s, 'app_metadata', expected, options)),
  toSetUserMetadata: matcher((s, expected: Record<string, unknown>, options?: MetadataOptions) => checkMetadata(s, 'user_metadata', expected, options)),
  toHaveRoles: matcher((s, roles: readonly string[]) => checkRoles(s, roles)),
  toHaveStatus: matcher((s, status: number) => checkStatus(s, status)),
  // Synchronous for every value: a fetch Response carries no diagnostics, so its misuse is decided
  // without reading the body (through the async path an un-awaited call would leave the test green).
  toHaveNoDiagnostics: function (this: MatcherContextLike, received: unknown, options?: NoDiagnosticsOptions): IdentityMatcherResult {
    return toResult(checkNoDiagnostics(received, options), this?.isNot === true)
  },
}

/** What the identity matchers accept: a hook outcome, a function's raw response, or a fetch `Response`. */
export type IdentityMatcherSubject = HookOutcome | RawFunctionResponse | Response

/** A matcher's return type: the runner's `R`, or a promise when the received value is a fetch `Response`. */
export type IdentityMatcherResultType<R, T> = T extends Response ? Promise<void> : R

/**
 * The identity matchers' types, for runner augmentations (`R`: what the runner's matchers
 * return; `T`: the received type). The entries augment Vitest's and Jest's `Matchers` with it.
 */
export interface IdentityMatchers<R, T = unknown> {
  /** GoTrue lets the signup through (`validate` or `signup` event): the function answered 200/202/204 with a readable body. */
  toAllowSignup(): IdentityMatcherResultType<R, T>
  /** GoTrue blocks the signup: any other status (after 3 attempts), a timeout, or malformed JSON. */
  toBlockSignup(): IdentityMatcherResultType<R, T>
  /** GoTrue lets the login through. */
  toAllowLogin(): IdentityMatcherResultType<R, T>
  /** GoTrue blocks the login. */
  toBlockLogin(): IdentityMatcherResultType<R, T>
  /** GoTrue accepts the hook, whatever the event. */
  toAllow(): IdentityMatcherResultType<R, T>
  /** GoTrue rejects the hook, whatever the event. */
  toBlock(): IdentityMatcherResultType<R, T>
  /**
   * The user's resulting `app_metadata` (GoTrue **replaces** the stored map with the response's)
   * contains `expected`: a partial deep match that accepts asymmetric matchers, or equality with `{ exact: true }`.
   */
  toSetAppMetadata(expected: Record<string, unknown>, options?: MetadataOptions): IdentityMatcherResultType<R, T>
  /** The user's resulting `user_metadata` contains `expected` (or equals it with `{ exact: true }`). */
  toSetUserMetadata(expected: Record<string, unknown>, options?: MetadataOptions): IdentityMatcherResultType<R, T>
  /** The resulting `app_metadata.roles` holds exactly `roles`, in any order. */
  toHaveRoles(roles: readonly string[]): IdentityMatcherResultType<R, T>
  /**
   * The function answered `status` (a response from `identity.invoke`, a raw `{ statusCode }` or a
   * fetch `Response`). On failure it prints the status, headers, parsed body and the call's
   * diagnostics, which say why a function answered 500.
   *
   * @example
   * ```ts
   * expect(await identity.invoke('netlify/functions/protected.mjs', { user })).toHaveStatus(200)
   * ```
   */
  toHaveStatus(status: number): IdentityMatcherResultType<R, T>
  /**
   * The call showed no diagnostics (a swallowed failed request, a dropped `provider`, a crash, an
   * ignored GoTrue error, …) other than `options.except` (by default the explanatory
   * `status-blocks`, `non-blocking-event`, `background` and `timeout-budget`; `[]` for none). For
   * what `identity.trigger` or `identity.invoke` returned; a fetch `Response` carries none and
   * fails as a misuse, synchronously (the matcher never returns a promise).
   *
   * @example
   * ```ts
   * expect(await identity.trigger('netlify/functions/identity-signup.js', user)).toHaveNoDiagnostics()
   * ```
   */
  toHaveNoDiagnostics(options?: NoDiagnosticsOptions): R
}
