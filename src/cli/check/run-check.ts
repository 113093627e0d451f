import { AsyncLocalStorage } from 'node:async_hooks'
import { relative, sep } from 'node:path'
import { setupServer } from 'msw/node'
import { HarnessError } from '../../errors.js'
import { BACKGROUND_TIMEOUT_MS } from '../../functions/background.js'
import { observeEnvReads } from '../../functions/env.js'
import type { EnvOverrides } from '../../functions/env.js'
import { handlersFor } from '../../functions/handler-hint.js'
import { guardNetwork, onUnhandledFrame, onUnhandledRequest } from '../../functions/network-guard.js'
import { HOOK_DEFAULTS } from '../../gotrue/hooks.js'
import { createIdentity } from '../../identity.js'
import type { Identity } from '../../identity.js'
import type { Diagnostic, GoTrueUser, HookOutcome, IdentityEvent, JsonObject } from '../../types.js'
import { eventScenarios, HTTP_SCENARIOS, HTTP_USERS } from './battery.js'
import type { EventScenario, HttpScenario } from './battery.js'
import { ruleFor, SEVERITY_RANK } from './findings.js'
import type { Severity } from './findings.js'
import { REPORT_SCHEMA } from './report.js'
import type { CheckReport, Finding, FunctionReport, ScenarioResult } from './report.js'
import { scenarioLabel } from './report.js'
import { findSiteFunctions } from './site-functions.js'
import type { CheckedFunction } from './site-functions.js'

/** Options of {@link runCheck}. @internal */
export interface CheckOptions {
  /** The site directory. */
  siteDir: string
  /** Probe every HTTP function, not only those that use Identity. */
  all?: boolean
  /** `process.env` for every call (`--env`, `--env-file`). */
  env?: EnvOverrides
  /**
   * Per-scenario timeout in ms: a hanging function costs at most this per scenario. A hook's is
   * split over GoTrue's 3 attempts (the default gives each GoTrue's 5 s); an HTTP function gets it whole.
   */
  timeoutMs?: number
  /** The level at or above which the exit code is 1. */
  failOn?: Severity | 'never'
  /** Scenarios run at the same time (default 8). */
  concurrency?: number
  /** The harness version, for the report. */
  version: string
  /** Called after each scenario (live progress). */
  onProgress?: (done: number, total: number, label: string) => void
}

/** GoTrue's attempts per hook (gotrue.md §1.7). */
const ATTEMPTS = 3

/**
 * The default per-scenario timeout (ms): GoTrue's 5 s for each of its 3 attempts, so a slow hook
 * (an SDK retrying a request with backoff) gets production's outcome, not one made by a shorter
 * budget. A hang costs this once: scenarios run side by side. @internal
 */
export const DEFAULT_SCENARIO_TIMEOUT_MS = HOOK_DEFAULTS.timeoutMs * ATTEMPTS

/** A hook attempt's budget under a per-scenario timeout. @internal */
export function attemptBudget(timeoutMs: number): number {
  return Math.max(1, Math.floor(timeoutMs / ATTEMPTS))
}

/** The attempt's budget when it is shorter than GoTrue's 5 s (a timeout then may be check's, not production's). */
function shortAttempt(timeoutMs: number): number | undefined {
  const attempt = attemptBudget(timeoutMs)
  return attempt < HOOK_DEFAULTS.timeoutMs ? attempt : undefined
}

/**
 * Names a function may read that say nothing about the site: Node's and tools' own switches,
 * read by libraries while a function loads.
 */
const IGNORED_ENV = /^(?:NODE_|npm_|VITEST|JEST_|TS_|ESBUILD_|FORCE_COLOR$|NO_COLOR$|DEBUG$|TERM$|CI$|TZ$|LANG$|LC_|HOME$|PATH$|TMPDIR$|TEMP$|TMP$|UNDICI_|MSW_|READABLE_STREAM$|SUPPRESS_NO_CONFIG_WARNING$|WATCH_REPORT_DEPENDENCIES$)/

/** Requests nothing served, per scenario (msw calls `onUnhandledRequest` in the request's async context). */
const unserved = new AsyncLocalStorage<string[]>()

/**
 * Runs a scenario, collecting the requests nothing served. `shortBudget`: check's time for a hook
 * attempt when it is less than GoTrue's 5 s: a timeout then may be check's, not production's
 * (a client library retrying the failed request with backoff outlasts a short attempt).
 */
async function collecting(run: () => Promise<ScenarioResult>, shortBudget?: { attemptMs: number; timeoutMs: number }): Promise<ScenarioResult> {
  const seen: string[] = []
  const result = await unserved.run(seen, run)
  result.unhandled = [...new Set(seen)]
  if (result.unhandled.length > 0) {
    const timedOut = result.diagnostics.some((d) => d.code === 'timeout')
    result.diagnostics.push({
      code: 'unhandled-request',
      message: `sent ${result.unhandled.join(', ')}, which check does not serve (nothing reaches the network, so the request failed); ${
        timedOut && shortBudget
          ? `it was still running when check's ${shortBudget.attemptMs} ms an attempt (--timeout ${shortBudget.timeoutMs}) ran out, and GoTrue gives 5 s: run check with --timeout ${DEFAULT_SCENARIO_TIMEOUT_MS} for what happens when that service is down.`
          : 'the outcome above is what happens when that service is down.'
      } Mock the host with msw in your tests.`,
    })
  }
  return result
}

interface Task {
  fn: CheckedFunction
  /** One run of the scenario under `env`, reporting its `process.env` reads to `onRead`. */
  run: (env: EnvOverrides, onRead: (r: { name: string; value: string | undefined }) => void) => Promise<ScenarioResult>
}

/** What unset variables are set to when check asks whether they are why a function blocked. */
export const PLACEHOLDER_VALUE = 'nih-check-placeholder'

/** What a scenario's outcome comes to: allowed or not, the status, and how the function failed. */
function verdictOf(s: ScenarioResult): string {
  const failures = [...new Set(s.diagnostics.filter((d) => FAILURES.has(d.code)).map((d) => d.code))].sort()
  return `${s.allowed}:${s.status}:${failures.join(',')}`
}

/**
 * Runs every probed function of a site through the battery, on one emulated Identity whose msw
 * server refuses anything unhandled, and builds the report. Every finding comes from the
 * harness's own `trigger`/`invoke` and their diagnostics; `check` only compares scenarios.
 * @internal
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const started = performance.now()
  const found = findSiteFunctions(options.siteDir, { all: options.all })
  const timeoutMs = options.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS
  const env = options.env ?? {}
  const identity = createIdentity({ seed: 1 })
  const reads = new Map<string, Map<string, boolean>>()
  // The shell's own variables are not the site's configuration (production never has them), and
  // tools enumerate them while a function loads: only reads of other names are reported.
  const shell = new Set(Object.keys(process.env).filter((name) => !Object.hasOwn(env, name)))
  const onRead = (fn: string) => (read: { name: string; value: string | undefined }) => {
    if (IGNORED_ENV.test(read.name) || shell.has(read.name)) return
    const names = reads.get(fn) ?? reads.set(fn, new Map()).get(fn)!
    names.set(read.name, (names.get(read.name) ?? false) || read.value !== undefined)
  }

  const attemptMs = shortAttempt(timeoutMs)
  const shortBudget = attemptMs === undefined ? undefined : { attemptMs, timeoutMs }
  const tasks: Task[] = []
  const http = await httpTokens(identity)
  for (const fn of found.functions) {
    if (fn.kind === 'event') {
      for (const event of fn.events) {
        for (const scenario of eventScenarios(event)) {
          // Users are made before anything runs, in a fixed order: the same site gives the same users.
          const user = scenarioUser(identity, scenario)
          tasks.push({ fn, run: (env, onRead) => collecting(() => eventScenario(identity, fn, event, scenario, user, env, timeoutMs, onRead), fn.background ? undefined : shortBudget) })
        }
      }
    } else {
      for (const scenario of HTTP_SCENARIOS) {
        tasks.push({ fn, run: (env, onRead) => collecting(() => httpScenario(identity, fn, scenario, http, env, timeoutMs, onRead)) })
      }
    }
  }

  const results = new Map<Task, ScenarioResult>()
  let functions: FunctionReport[]
  // identity.listen()'s strict server, with msw's printout replaced by a note on the scenario that
  // sent the request: the harness's own handler still records it on the call and makes the guard
  // refuse its connection with an error naming the URL; raw TCP is refused by the guard.
  const server = setupServer(...identity.handlers)
  server.listen({
    onUnhandledRequest: (request: Request) => {
      unserved.getStore()?.push(`${request.method} ${request.url}`)
      onUnhandledRequest(request, { error: () => undefined })
    },
    // msw 3 renamed the option and passes { frame, defaults }: the same note, and the frame fails
    // with the harness's error naming the URL instead of msw's printout.
    onUnhandledFrame: (args: Parameters<typeof onUnhandledFrame>[0]) => {
      const data = args.frame.data
      const request = data !== null && typeof data === 'object' ? (data as { request?: unknown }).request : undefined
      if (request instanceof Request) unserved.getStore()?.push(`${request.method} ${request.url}`)
      return onUnhandledFrame({ frame: args.frame, defaults: { error: () => undefined } })
    },
  } as Parameters<typeof server.listen>[0])
  const release = guardNetwork()
  try {
    let done = 0
    await pool(tasks, options.concurrency ?? 8, async (task) => {
      results.set(task, await task.run(env, onRead(task.fn.name)))
      done++
      options.onProgress?.(done, tasks.length, task.fn.name)
    })
    functions = found.functions.map((fn) => {
      const names = reads.get(fn.name) ?? new Map<string, boolean>()
      const report: FunctionReport = {
        name: fn.name,
        file: fn.file,
        kind: fn.kind,
        events: fn.events,
        background: fn.background,
        reason: fn.reason,
        scenarios: tasks.filter((t) => t.fn === fn).map((t) => results.get(t)!),
        env: { read: [...names.keys()].sort(), unset: [...names].filter(([, set]) => !set).map(([n]) => n).sort() },
        findings: [],
      }
      report.findings = findingsFor(report, { siteDir: found.site.siteDir, timeoutMs })
      return report
    })
    // A function blamed for refusing every user because of unset variables, on purpose (no
    // crash), is run once more with them set to a placeholder: when every outcome stays the same
    // (an allow-list with a default the battery's users are not on), the variables are not why it
    // blocked, and "set it" would be the wrong advice. A crash keeps the advice: the function
    // needs a value it can use.
    for (const [i, report] of functions.entries()) {
      const blamed = report.findings.some((f) => f.code === 'env-unset' && f.severity === 'error')
      if (!blamed || report.scenarios.some((s) => s.diagnostics.some((d) => FAILURES.has(d.code)))) continue
      const own = tasks.filter((t) => t.fn === found.functions[i])
      const placeholders = { ...env, ...Object.fromEntries(report.env.unset.map((name) => [name, PLACEHOLDER_VALUE])) }
      const after: ScenarioResult[] = []
      await pool(own, options.concurrency ?? 8, async (task) => {
        after[own.indexOf(task)] = await task.run(placeholders, () => undefined)
      })
      if (after.every((s, j) => verdictOf(s) === verdictOf(report.scenarios[j]!))) report.findings = findingsFor(report, { envIrrelevant: true, siteDir: found.site.siteDir, timeoutMs })
    }
  } finally {
    release()
    server.close()
  }

  const all = functions.flatMap((f) => f.findings)
  const failOn = options.failOn ?? 'error'
  const count = (s: Severity): number => all.filter((f) => f.severity === s).length
  const failed = failOn !== 'never' && all.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])
  return {
    $schema: REPORT_SCHEMA,
    version: options.version,
    site: found.site.siteDir,
    functionsDir: relative(found.site.siteDir, found.site.functionsDir) || '.',
    functions,
    skipped: found.skipped,
    summary: {
      functions: functions.length,
      scenarios: functions.reduce((n, f) => n + f.scenarios.length, 0),
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
      failOn,
      exitCode: failed ? 1 : 0,
      durationMs: Math.round(performance.now() - started),
    },
  }
}

/**
 * The scenario's user: a fake user with the overrides, whose `user_metadata` is exactly the
 * scenario's (fakeUser merges a non-empty map over the generated keys, in their order). @internal
 */
export function scenarioUser(identity: Identity, scenario: EventScenario): GoTrueUser {
  const user = identity.fakeUser(scenario.user)
  if (scenario.user.user_metadata !== undefined) user.user_metadata = structuredClone(scenario.user.user_metadata)
  return user
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker))
}

/** A run that did not get to the function (it does not build, or throws at module scope). */
function notLoaded(id: string, title: string, event: IdentityEvent | undefined, error: unknown, started: number): ScenarioResult {
  const message = error instanceof HarnessError ? error.message : error instanceof Error ? error.message : String(error)
  return { id, title, ...(event ? { event } : {}), allowed: false, status: 0, attempts: 0, changed: [], unhandled: [], durationMs: ms(started), diagnostics: [{ code: 'load-failed', message }] }
}

function ms(started: number): number {
  return Math.round(performance.now() - started)
}

async function eventScenario(
  identity: Identity,
  fn: CheckedFunction,
  event: IdentityEvent,
  scenario: EventScenario,
  user: GoTrueUser,
  env: EnvOverrides,
  timeoutMs: number,
  onRead: (r: { name: string; value: string | undefined }) => void,
): Promise<ScenarioResult> {
  const started = performance.now()
  let outcome: HookOutcome
  try {
    outcome = await observeEnvReads(
      () => identity.trigger(fn.path, event, user, { timeoutMs: fn.background ? timeoutMs : attemptBudget(timeoutMs), attempts: ATTEMPTS, env, name: fn.name }),
      onRead,
    )
    if (outcome.background) await settledWithin(outcome.background, timeoutMs)
  } catch (error) {
    return notLoaded(scenario.id, scenario.title, event, error, started)
  }
  return {
    id: scenario.id,
    title: scenario.title,
    event,
    allowed: outcome.allowed,
    status: outcome.status,
    attempts: outcome.attempts,
    app_metadata: outcome.user.app_metadata as JsonObject,
    user_metadata: outcome.user.user_metadata as JsonObject | null,
    unhandled: [],
    changed: [...changedKeys('app_metadata', user.app_metadata as JsonObject, outcome.user.app_metadata as JsonObject), ...changedKeys('user_metadata', user.user_metadata as JsonObject | null, outcome.user.user_metadata as JsonObject | null)],
    durationMs: ms(started),
    diagnostics: [...outcome.diagnostics],
  }
}

/** Waits for a background run (its diagnostics arrive when it settles), at most `ms`. */
async function settledWithin(run: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([run.then(() => undefined, () => undefined), new Promise<void>((r) => { timer = setTimeout(r, ms) })])
  clearTimeout(timer)
}

/** `+key` added, `~key` changed, `-key` removed, as `+app_metadata.roles`. @internal */
export function changedKeys(map: string, before: JsonObject | null | undefined, after: JsonObject | null | undefined): string[] {
  const a = before ?? {}
  const b = after ?? {}
  const out: string[] = []
  for (const key of Object.keys(b)) {
    if (!Object.hasOwn(a, key)) out.push(`+${map}.${key}`)
    else if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(`~${map}.${key}`)
  }
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) out.push(`-${map}.${key}`)
  return out
}

interface HttpTokens {
  valid: string
  expired: string
  algNone: string
  wrongSecret: string
  member: string
}

/** The tokens of the HTTP battery: four for the same stored staff user (so only their validity differs), one for a member. */
async function httpTokens(identity: Identity): Promise<HttpTokens> {
  const user = identity.createUser(structuredClone(HTTP_USERS.staff))
  const member = await identity.token(identity.createUser(structuredClone(HTTP_USERS.member)))
  const valid = await identity.token(user)
  const expired = await identity.token(user, { expiresIn: -3600 })
  // Same claims, signed with a secret that is not the site's: production's clientContext never has this user.
  const wrongSecret = await createIdentity({ seed: 1, jwtSecret: 'not-this-sites-secret-check-forged-token' }).token(user)
  // alg "none": the valid token's claims under an unsigned header (RFC 7519 §6), which GoTrue's golang-jwt refuses.
  const claims = valid.split('.')[1]!
  const algNone = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${claims}.`
  return { valid, expired, algNone, wrongSecret, member }
}

async function httpScenario(
  identity: Identity,
  fn: CheckedFunction,
  scenario: HttpScenario,
  tokens: HttpTokens,
  env: EnvOverrides,
  timeoutMs: number,
  onRead: (r: { name: string; value: string | undefined }) => void,
): Promise<ScenarioResult> {
  const started = performance.now()
  const token = { 'no-token': undefined, 'valid-token': tokens.valid, 'expired-token': tokens.expired, 'alg-none': tokens.algNone, 'wrong-secret': tokens.wrongSecret, 'member-sets-roles': tokens.member }[scenario.id]
  try {
    const response = await observeEnvReads(() => identity.invoke(fn.path, { name: fn.name, method: 'POST', json: scenario.json ?? {}, timeoutMs, env, ...(token ? { token, headers: { cookie: `nf_jwt=${token}` } } : {}) }), onRead)
    if (response.background) await settledWithin(response.background, timeoutMs)
    return {
      id: scenario.id,
      title: scenario.title,
      allowed: response.statusCode >= 200 && response.statusCode < 300,
      status: response.statusCode,
      attempts: 1,
      changed: [],
      unhandled: [],
      durationMs: ms(started),
      diagnostics: [...response.diagnostics],
    }
  } catch (error) {
    return notLoaded(scenario.id, scenario.title, undefined, error, started)
  }
}

/**
 * The fix for a `load-failed` message: a build error (syntax, an unresolvable import) is fixed
 * in the file; only an error thrown at module scope may be the environment's.
 * @internal
 */
export function loadFailedFix(message: string): string {
  const missing = /Could not resolve "([^"]+)"/.exec(message)
  if (missing && !missing[1]!.startsWith('.')) return `install the package where the function is (npm install ${missing[1]}); Netlify's build fails the same way`
  if (message.includes('cannot build ')) return 'fix the file at the line and column named: Netlify\'s build fails the same way'
  if (message.includes('is CommonJS (it uses')) return 'rename the file .cjs or write export const handler: Netlify fails the same way ({"type": "commonjs"} in the functions folder\'s package.json works too, but makes its .js and .ts files CommonJS, out of vi.mock\'s reach)'
  return 'module-scope code must not throw: move the work into the handler, or supply what it reads with --env KEY=VALUE'
}

/**
 * An unhandled request's fix: the msw handler to add in the tests, with the request's method
 * and URL (handler-hint.ts, as the library's `unserved-request` names it); a raw connection is
 * mocked instead. @internal
 */
export function unhandledFix(unhandled: readonly string[]): string {
  const handlers = handlersFor(unhandled)
  if (handlers === undefined) return `${ruleFor('unhandled-request').fix}; a raw connection (a database, SMTP) needs the client mocked`
  return `serve the host with an msw handler in your tests, ${handlers} (check cannot tell what the service would answer)`
}

/**
 * The fix for a `threw` message: the rule's guard advice fits a missing value (`user_metadata`
 * null, `full_name` absent); an undeclared name or `require` in an ES module is fixed otherwise,
 * and any other error is the function's to catch. @internal
 */
export function threwFix(message: string, kind: 'event' | 'http'): string {
  if (/\brequire is not defined in ES module scope/.test(message)) return 'the file is an ES module: import the package instead of require(), or rename the file .cjs'
  if (/ReferenceError: \S+ is not defined/.test(message)) return 'declare the variable (let or const) or import what the name refers to: ES modules run in strict mode, where an undeclared name throws'
  if (/Cannot read propert(?:y|ies) of (?:null|undefined)|Cannot destructure|(?:null|undefined) is not an object|is not iterable/.test(message)) return ruleFor('threw').fix
  return kind === 'event'
    ? 'catch the failure the message names, or answer with a status of your choosing: an uncaught throw is a 500, which GoTrue retries 3 times and then blocks the user with 422'
    : 'catch the failure the message names and answer with a status of your choosing: an uncaught throw is a 500 for the caller'
}

/** The fix for a typed identity handler's unsupported return value (functions-runtime.md §2.3). @internal */
export const TYPED_RESULT_FIX = 'return undefined to keep the user, { user: { ...event.user, roles } } to change it, or call event.deny() to refuse'

/** Netlify's limit for a synchronous function (functions-runtime.md §3.7). */
const SYNCHRONOUS_TIMEOUT_MS = 30_000

/**
 * A timeout's fix: production's limit for the kind of function, and, when check waited less than
 * that, how to see production's outcome (a slow SDK retry can pass there and time out here).
 * Limits: functions-runtime.md §3.7 (30 s synchronous, 15 min background), gotrue.md §1.7 (5 s a hook attempt).
 */
function timeoutFix(report: FunctionReport, timeoutMs: number): string {
  if (report.kind === 'event' && !report.background) {
    const attempt = shortAttempt(timeoutMs)
    return attempt !== undefined
      ? `check gave each of GoTrue's 3 attempts ${attempt} ms (--timeout ${timeoutMs}), less than GoTrue's 5 s: run check with --timeout ${DEFAULT_SCENARIO_TIMEOUT_MS} to see whether production times out too`
      : ruleFor('timeout').fix
  }
  const [limit, what] = report.background ? [BACKGROUND_TIMEOUT_MS, '15 minutes'] : [SYNCHRONOUS_TIMEOUT_MS, '30 s']
  return timeoutMs < limit
    ? `await every promise and answer within Netlify's ${what} (check waited ${timeoutMs} ms; raise --timeout to wait longer)`
    : `await every promise and answer within Netlify's ${what}`
}

/** A failure of the function itself (not a deliberate block). */
const FAILURES = new Set(['threw', 'undefined-response', 'invalid-response', 'non-string-body', 'sync-return', 'timeout', 'malformed-json', 'load-failed'])

/**
 * Findings of one function: its diagnostics by code, plus what comparing its scenarios shows.
 * `envIrrelevant`: the battery gave the same outcomes with the unset variables set (see runCheck).
 * `siteDir`: paths under it are written relative to it, as the report's `file` is.
 * `timeoutMs`: the per-scenario timeout check ran with (a timeout's fix names a budget shorter than production's).
 * @internal
 */
export function findingsFor(
  report: FunctionReport,
  { envIrrelevant = false, siteDir, timeoutMs = DEFAULT_SCENARIO_TIMEOUT_MS }: { envIrrelevant?: boolean; siteDir?: string; timeoutMs?: number } = {},
): Finding[] {
  const byCode = new Map<string, Finding>()
  /** Codes whose scenarios said it in other words (another provider, another error): their message is the first scenario's. */
  const varied = new Set<string>()
  const add = (code: string, scenario: string, message: string, severity?: Severity): void => {
    const seen = byCode.get(code)
    if (seen) {
      if (!seen.scenarios.includes(scenario)) seen.scenarios.push(scenario)
      if (message !== seen.message) varied.add(code)
      return
    }
    const rule = ruleFor(code)
    byCode.set(code, { severity: severity ?? rule.severity, code, function: report.name, scenarios: [scenario], message, fix: rule.fix })
  }
  const label = (s: ScenarioResult): string => scenarioLabel(report, s)
  for (const s of report.scenarios) {
    // A failure caused by a service check cannot reach is not the function's own bug: it shows as
    // `unhandled-request` (with the URL), not as a crash.
    const offline = s.unhandled.length > 0
    // A crash already says why GoTrue blocked: "any status but 200/202/204 blocks, intended?" is for deliberate answers.
    const failedHere = s.diagnostics.some((d) => FAILURES.has(d.code))
    for (const d of s.diagnostics) {
      if (offline && (FAILURES.has(d.code) || d.code === 'status-blocks' || d.code === 'unserved-request')) continue
      if (failedHere && d.code === 'status-blocks') continue
      add(d.code, label(s), d.code === 'unhandled-request' ? `${report.name} ${d.message}` : d.message)
    }
  }

  const blocking = report.kind === 'event' && !report.background && report.events.some((e) => e === 'validate' || e === 'signup' || e === 'login')
  const failed = report.scenarios.filter((s) => !s.allowed && (report.kind === 'http' ? s.diagnostics.some((d: Diagnostic) => FAILURES.has(d.code)) || s.status >= 500 || s.status === 0 : true))
  const crashed = report.scenarios.filter((s) => s.diagnostics.some((d) => FAILURES.has(d.code)) || (report.kind === 'http' && s.status >= 500))
  if (report.env.unset.length > 0) {
    const names = report.env.unset.map((n) => `process.env.${n}`).join(', ')
    const everyFailed = report.scenarios.length > 0 && failed.length === report.scenarios.length && (blocking || report.kind === 'http')
    const one = report.env.unset.length === 1
    const severity: Severity = envIrrelevant ? 'info' : everyFailed && (crashed.length > 0 || blocking) ? 'error' : crashed.length > 0 ? 'warning' : 'info'
    const message = envIrrelevant
      ? `${report.name} read ${names}, unset here; with ${one ? 'it' : 'them'} set to "${PLACEHOLDER_VALUE}" every scenario ended the same, so ${one ? 'it is' : 'they are'} not why ${report.kind === 'event' ? 'it blocked every user of the battery' : 'every request failed'}.`
      : severity === 'error'
        ? `${report.name} read ${names}, unset here, and ${report.kind === 'event' ? 'blocked every user of the battery' : 'failed every request'}: set ${one ? 'it' : 'them'} in the site's environment (and with --env KEY=VALUE or --env-file .env for check).`
        : `${report.name} read ${names}, unset here${crashed.length > 0 ? ', and failed in some scenarios' : '; the function coped without'}.`
    for (const s of severity === 'info' ? report.scenarios : failed.length > 0 ? failed : crashed) add('env-unset', label(s), message, severity)
    // Not the cause: the advice is to check with the production value, not to set one.
    if (envIrrelevant) byCode.get('env-unset')!.fix = `if production sets ${one ? 'it' : 'them'}, run check with the same value (--env KEY=VALUE or --env-file .env) to see what the function does there`
  }
  // Per event: a typed-handler file whose userValidate refuses everyone blocks every signup,
  // however its userSignup behaves. A deliberate refusal of everyone, not a crash.
  if (blocking && byCode.get('env-unset')?.severity !== 'error') {
    for (const event of report.events) {
      if (event !== 'validate' && event !== 'signup' && event !== 'login') continue
      const own = report.scenarios.filter((s) => (s.event ?? report.events[0]) === event)
      if (own.length === 0 || !own.every((s) => !s.allowed && s.status !== 0 && s.unhandled.length === 0)) continue
      // Every one a crash: the crash's own finding says so, and why.
      if (own.every((s) => s.diagnostics.some((d) => FAILURES.has(d.code)))) continue
      const on = report.events.length > 1 ? ` on ${event}` : ''
      for (const s of own) add('blocks-every-scenario', label(s), `${report.name} blocked every user of the battery${on} (${own.length} scenarios, statuses ${[...new Set(own.map((s) => s.status))].join(', ')}).`)
    }
  }
  if (report.kind === 'http') {
    const status = (id: string): number | undefined => report.scenarios.find((s) => s.id === id)?.status
    const none = status('no-token')
    const trusted = report.scenarios.filter((s) => ['expired-token', 'alg-none', 'wrong-secret'].includes(s.id) && s.status >= 200 && s.status < 300)
    if ((none === 401 || none === 403) && trusted.length > 0) {
      for (const s of trusted) {
        add('trusts-unverified-token', label(s), `${report.name} trusts unverified tokens: it answered ${none} without a token but ${trusted.map((t) => `${t.status} to the ${t.title}`).join(', ')}. Production's clientContext.user is set only for a valid signature and exp; decoding the JWT yourself skips both.`)
      }
    }
  }
  // The rule's one-line fix fits the usual cause; these say the one the message shows.
  const loadFailed = byCode.get('load-failed')
  if (loadFailed) loadFailed.fix = loadFailedFix(loadFailed.message)
  const invalid = byCode.get('invalid-response')
  if (invalid && invalid.message.includes('a typed identity handler returns')) invalid.fix = TYPED_RESULT_FIX
  const timedOut = byCode.get('timeout')
  if (timedOut) timedOut.fix = timeoutFix(report, timeoutMs)
  const unhandledRequest = byCode.get('unhandled-request')
  if (unhandledRequest) unhandledRequest.fix = unhandledFix(report.scenarios.flatMap((s) => s.unhandled))
  const threw = byCode.get('threw')
  // A background function crashing on the client context production does not give it: that is the cause.
  if (threw) threw.fix = byCode.has('background-client-context') ? ruleFor('background-client-context').fix : threwFix(threw.message, report.kind)
  if (threw && report.env.unset.length > 0 && (report.env.unset.some((n) => threw.message.includes(n)) || crashed.length === report.scenarios.length)) {
    const names = report.env.unset.join(', ')
    threw.fix = `it crashed without ${names} (unset here): set ${report.env.unset.length === 1 ? 'it' : 'them'} (--env KEY=VALUE here), and when a variable is missing answer with a clear error instead of throwing`
  }
  for (const code of varied) {
    // One finding per code, but its message must not claim one scenario's details for all.
    const f = byCode.get(code)!
    f.message = `${f.message} (as in ${f.scenarios[0]}; ${f.scenarios.length === 2 ? f.scenarios[1] : `the other ${f.scenarios.length - 1} scenarios`} with ${f.scenarios.length === 2 ? 'its' : 'their'} own details)`
  }
  if (siteDir !== undefined) {
    const prefix = siteDir.endsWith(sep) ? siteDir : siteDir + sep
    for (const f of byCode.values()) f.message = f.message.split(prefix).join('')
  }
  return [...byCode.values()].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.code.localeCompare(b.code))
}
