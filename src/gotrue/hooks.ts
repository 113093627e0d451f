import { epochSeconds } from '../clock.js'
import { eventFunctionName } from '../events.js'
import { HarnessError } from '../errors.js'
import type { EnvOverrides } from '../functions/env.js'
import { attemptTimeout } from '../functions/budget.js'
import { currentCall } from '../functions/call-scope.js'
import { backgroundAccepted, backgroundClientContext, backgroundDiagnostic, BACKGROUND_TIMEOUT_MS, runInBackground } from '../functions/background.js'
import { runResolved, v2IdentityContext } from '../functions/invoke-v2.js'
import type { CallContexts, RunOptions, ShapeRun } from '../functions/invoke-v2.js'
import type { ResolvedFunction } from '../functions/resolve.js'
import { responseText } from '../functions/response.js'
import type { ClientContext } from '../netlify/client-context.js'
import type { NetlifyIdentityContext } from '../netlify/globals.js'
import { productionClientContext, watchUserReads } from '../netlify/client-context.js'
import { identityEvent, userForEvent, watchEventReads } from '../netlify/event.js'
import type { Runtime } from '../runtime.js'
import { signWebhook } from '../tokens/signature.js'
import { serializeUser } from '../users/json.js'
import type { Diagnostic, GoTrueError, GoTrueUser, HookOutcome, IdentityEvent } from '../types.js'
import { applyHookBody, HOOK_FAILED, hookTimeoutError, isAllowedHookStatus, isNonBlockingEvent } from './rules.js'

/** Options for {@link Identity.trigger}. */
export interface TriggerOptions {
  /**
   * Per-attempt timeout in ms, GoTrue's `webhook.timeout_sec` (default 5000, gotrue.md §1.7;
   * shortened so that all attempts fit in the test's own timeout when the instance knows it,
   * see `testTimeout`).
   */
  timeoutMs?: number
  /** How many times GoTrue tries (default 3, gotrue.md §1.7). */
  attempts?: number
  /** `process.env` values for the duration of the call (`undefined` unsets). */
  env?: EnvOverrides
  /** The Netlify function name, when it cannot be read from a file name (e.g. `identity-signup`). */
  name?: string
  /** For a file path: load a new module instance instead of the cached one. */
  fresh?: boolean
  /** For a bare function value: run it as a v1 `handler` (default) or as a v2 default export. */
  shape?: 'v1' | 'v2'
}

/** GoTrue's defaults for hooks (gotrue.md §1.7). */
export const HOOK_DEFAULTS = { timeoutMs: 5000, attempts: 3 } as const

function positiveNumber(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) {
    throw new HarnessError('ERR_INVALID_OPTION', `${name} must be a positive number; got ${String(value)}`)
  }
  return value
}

/**
 * Sends an identity event to a function the way GoTrue does and returns what GoTrue would do:
 * a signed POST per attempt, up to `attempts` immediate retries on any status but 200/202/204
 * or on a timeout, then the body's metadata replacing the user's maps (gotrue.md §1.4–§2.3).
 * @internal
 */
export function runHook(
  rt: Runtime,
  fn: ResolvedFunction,
  event: IdentityEvent,
  user: GoTrueUser,
  options: TriggerOptions = {},
): Promise<HookOutcome> {
  try {
    const nominalTimeoutMs = positiveNumber('timeoutMs', options.timeoutMs, HOOK_DEFAULTS.timeoutMs)
    const attempts = Math.floor(positiveNumber('attempts', options.attempts, HOOK_DEFAULTS.attempts))
    if (attempts < 1) throw new HarnessError('ERR_INVALID_OPTION', `attempts must be at least 1; got ${String(options.attempts)}`)
    const call = new HookCall(rt, fn, event, user, options)
    if (fn.background) return Promise.resolve(call.background(options.timeoutMs ?? BACKGROUND_TIMEOUT_MS))
    return call.run(attempts, nominalTimeoutMs, attemptTimeout(rt, HOOK_DEFAULTS.timeoutMs, attempts, options.timeoutMs))
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * One hook call's state: the body every attempt signs, the outcome's diagnostics and what the
 * function was seen reading. A class rather than closures, and the contexts a call gets are its
 * methods, so that a trigger allocates little (issue 12).
 */
class HookCall implements CallContexts {
  readonly rt: Runtime
  readonly fn: ResolvedFunction
  readonly event: IdentityEvent
  readonly name: string
  /** One copy of the caller's user; everything after works on it (and on freshly parsed JSON). */
  readonly base: GoTrueUser
  readonly body: string
  readonly diagnostics: Diagnostic[] = []
  readonly runOptions: RunOptions
  #seen: Set<string> | undefined
  /** The function read `context.clientContext.user`. */
  userReads = false
  /** A v1 handler that reads event.user (which does not exist) and never event.body is looking in the wrong place. */
  eventUserReads = false
  eventBodyReads = false

  constructor(rt: Runtime, fn: ResolvedFunction, event: IdentityEvent, user: GoTrueUser, options: TriggerOptions) {
    this.rt = rt
    this.fn = fn
    this.event = event
    this.name = fn.name ?? eventFunctionName(event)
    this.base = serializeUser(user)
    this.body = JSON.stringify({ event, instance_id: rt.instanceId, user: userForEvent(event, this.base) })
    this.runOptions = { env: options.env, sink: this.diagnostics }
  }

  /** Adds a diagnostic once (by code and message). */
  note(d: Diagnostic): void {
    const key = `${d.code}\u0000${d.message}`
    const seen = (this.#seen ??= new Set())
    if (!seen.has(key)) {
      seen.add(key)
      this.diagnostics.push(d)
    }
  }

  clientContext(): ClientContext {
    // Background functions get no client context (netlify/cli#4383, #4395; functions-runtime.md §5).
    if (this.fn.background) return backgroundClientContext((d) => currentCall()?.note(d), this.name)
    if (this.rt.mode === 'netlify-dev') return {}
    const ctx = productionClientContext({ url: this.rt.url, token: this.rt.adminTokens.current() }, this.rt.siteUrl)
    return watchUserReads(ctx, () => {
      this.userReads = true
    })
  }

  identity(): Promise<NetlifyIdentityContext | undefined> {
    return v2IdentityContext(this.rt, undefined, this.rt.mode)
  }

  /** One signed POST of the body; `watch` records the v1 handler's event reads. */
  attempt(timeoutMs: number, watch: boolean): Promise<ShapeRun> {
    const { rt, fn, name } = this
    const signature = signWebhook(this.body, rt.instanceId, epochSeconds(rt.clock), rt.key)
    const built = identityEvent(rt.siteUrl, name, this.event, this.body, signature)
    const ev = watch && fn.shape === 'v1' ? watchEventReads(built, this) : built
    return runResolved(rt, fn, name, ev, this, timeoutMs, this.runOptions)
  }

  /** functions-runtime.md §5: Netlify answers GoTrue 202 at once; the run continues on its own. */
  background(timeoutMs: number): HookOutcome {
    const { diagnostics } = this
    diagnostics.push(backgroundDiagnostic(this.name))
    const background = runInBackground(() => this.attempt(timeoutMs, false).then((run) => {
      for (const d of run.diagnostics) this.note(d)
      return run
    }))
    return { event: this.event, allowed: true, status: 200, attempts: 1, response: backgroundAccepted(), user: this.base, diagnostics, background }
  }

  /**
   * Up to `attempts` attempts, immediately one after the other, then GoTrue's verdict. A chain of
   * `then`s rather than an async loop: an async function's frame stays alive while its call is in
   * flight (issue 12, concurrency: what 1,000 calls in flight hold is what the GC copies).
   */
  run(attempts: number, nominalTimeoutMs: number, budget: ReturnType<typeof attemptTimeout>): Promise<HookOutcome> {
    let statuses: number[] | undefined
    let count = 0
    const next = (): Promise<HookOutcome> => {
      count++
      return this.attempt(budget.timeoutMs, true).then((last) => {
        for (const d of last.diagnostics) this.note(d)
        if (last.timedOut || !isAllowedHookStatus(last.response.statusCode)) {
          ;(statuses ??= []).push(last.timedOut ? 0 : last.response.statusCode)
          if (count < attempts) return next()
        }
        return this.verdict(last, count, statuses ?? [], nominalTimeoutMs, budget)
      })
    }
    return next()
  }

  verdict(final: ShapeRun, count: number, statuses: number[], nominalTimeoutMs: number, budget: ReturnType<typeof attemptTimeout>): HookOutcome {
    const { event, name, base, diagnostics } = this
    if (this.eventUserReads && !this.eventBodyReads) {
      this.note({
        code: 'event-user-read',
        message: `${name} read event.user, which Netlify never sets (it is undefined): GoTrue sends the user in the JSON body, so read JSON.parse(event.body).user.`,
      })
    }
    if (this.userReads) {
      this.note({
        code: 'client-context-user-in-event',
        message: `${name} read context.clientContext.user, which production never sets for event functions: read the user from JSON.parse(event.body).user.`,
      })
    }

    const blocked = (error: GoTrueError, status: number): HookOutcome => {
      const nonBlocking = isNonBlockingEvent(event)
      if (nonBlocking) {
        this.note({
          code: 'non-blocking-event',
          message: `GoTrue only logs a failed ${event} hook: the admin request still answers 200 and the user is unchanged.`,
        })
      }
      return {
        event,
        allowed: false,
        status: nonBlocking ? 200 : status,
        error,
        attempts: count,
        response: final.response,
        user: base,
        diagnostics,
      }
    }

    if (final.timedOut || !isAllowedHookStatus(final.response.statusCode)) {
      if (final.timedOut) {
        if (budget.shortened) this.note(budget.shortened)
        // GoTrue's message names its own timeout (5 s unless configured), also when the harness waited less.
        return blocked(hookTimeoutError(nominalTimeoutMs), 504)
      }
      const described = statuses.map((s) => (s === 0 ? 'timeout' : String(s))).join(', ')
      this.note({
        code: 'status-blocks',
        message: `${name} answered ${described} on ${count === 1 ? 'its only attempt' : `all ${count} attempts`}; GoTrue accepts only 200, 202 or 204, ${retriedWord(count - 1)} and blocked with 422 "${HOOK_FAILED.msg}".`,
      })
      return blocked({ ...HOOK_FAILED }, 422)
    }

    const applied = applyHookBody(base, responseText(final.response), event, () => this.rt.ids.uuid())
    // A typed handler's { user } comes back as a whole snake_case user: GoTrue reading only the
    // two maps from it is the design, not the function's mistake.
    for (const d of applied.diagnostics) if (this.fn.shape !== 'typed' || d.code !== 'ignored-keys') this.note(d)
    if (!applied.ok) return blocked(applied.error, 500)
    const changed = changedProvider(base, applied.user, name)
    if (changed) this.note(changed)
    return {
      event,
      allowed: true,
      status: 200,
      attempts: count,
      response: final.response,
      user: applied.user,
      diagnostics,
    }
  }
}

/**
 * `changed-provider`: the hook replaced `app_metadata.provider` (set by GoTrue: `email`,
 * `github`, …) with another string; GoTrue stores it, and the Identity UI and the user's
 * next external login then disagree about how the user signs in.
 */
function changedProvider(before: GoTrueUser, after: GoTrueUser, name: string): Diagnostic | undefined {
  const was = before.app_metadata?.provider
  const now = after.app_metadata?.provider
  if (typeof was !== 'string' || typeof now !== 'string' || was === now) return undefined
  return {
    code: 'changed-provider',
    message: `${name} changed app_metadata.provider from ${JSON.stringify(was)} to ${JSON.stringify(now)}: GoTrue sets provider itself and stores what the hook returns. Spread the user's app_metadata and change only your own keys.`,
  }
}

/** GoTrue's retries in words: "did not retry", "retried once", "retried twice", "retried 4 times". */
function retriedWord(retries: number): string {
  if (retries <= 0) return 'did not retry'
  if (retries === 1) return 'retried once'
  if (retries === 2) return 'retried twice'
  return `retried ${retries} times`
}
