import { epochSeconds } from '../clock.js'
import { HarnessError } from '../errors.js'
import type { EnvOverrides } from '../functions/env.js'
import { attemptTimeout } from '../functions/budget.js'
import { currentCall } from '../functions/call-scope.js'
import { backgroundAccepted, backgroundClientContext, backgroundDiagnostic, BACKGROUND_TIMEOUT_MS, runInBackground } from '../functions/background.js'
import { runResolved, v2IdentityContext } from '../functions/invoke-v2.js'
import type { ShapeRun } from '../functions/invoke-v2.js'
import type { ResolvedFunction } from '../functions/resolve.js'
import { responseText } from '../functions/response.js'
import type { ClientContext } from '../netlify/client-context.js'
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
export async function runHook(
  rt: Runtime,
  fn: ResolvedFunction,
  event: IdentityEvent,
  user: GoTrueUser,
  options: TriggerOptions = {},
): Promise<HookOutcome> {
  const nominalTimeoutMs = positiveNumber('timeoutMs', options.timeoutMs, HOOK_DEFAULTS.timeoutMs)
  const attempts = Math.floor(positiveNumber('attempts', options.attempts, HOOK_DEFAULTS.attempts))
  const name = fn.name ?? `identity-${event}`
  // One copy of the caller's user; everything after works on it (and on freshly parsed JSON), so
  // no further deep copies are needed on this hot path.
  const base = serializeUser(user)
  const sent = userForEvent(event, base)
  const body = JSON.stringify({ event, instance_id: rt.instanceId, user: sent })
  const diagnostics: Diagnostic[] = []
  const seen = new Set<string>()
  const note = (d: Diagnostic): void => {
    const key = `${d.code}\u0000${d.message}`
    if (!seen.has(key)) {
      seen.add(key)
      diagnostics.push(d)
    }
  }

  let userReads = false
  const clientContext = (): ClientContext => {
    // Background functions get no client context (netlify/cli#4383, #4395; functions-runtime.md §5).
    if (fn.background) return backgroundClientContext((d) => currentCall()?.note(d), name)
    if (rt.mode === 'netlify-dev') return {}
    const ctx = productionClientContext({ url: rt.url, token: rt.adminTokens.current() }, rt.siteUrl)
    return watchUserReads(ctx, () => {
      userReads = true
    })
  }

  const contexts = { clientContext, identity: () => v2IdentityContext(rt, undefined, rt.mode) }
  // A v1 handler that reads event.user (which does not exist) and never event.body is looking
  // for the user in the wrong place; reading both (a fallback) is not flagged.
  let eventUserReads = false
  let eventBodyReads = false
  /** One signed POST of the body; `watch` records the v1 handler's event reads. */
  const attemptOnce = (attemptTimeoutMs: number, watch: boolean): Promise<ShapeRun> => {
    const signature = signWebhook(body, rt.instanceId, epochSeconds(rt.clock), rt.key)
    const built = identityEvent(rt.siteUrl, name, event, body, signature)
    const ev = watch && fn.shape === 'v1'
      ? watchEventReads(built, () => { eventUserReads = true }, () => { eventBodyReads = true })
      : built
    return runResolved(rt, fn, name, ev, contexts, attemptTimeoutMs, { env: options.env, sink: diagnostics })
  }

  if (fn.background) {
    // functions-runtime.md §5: Netlify answers GoTrue 202 at once; the run continues on its own.
    diagnostics.push(backgroundDiagnostic(name))
    const background = runInBackground(() => attemptOnce(options.timeoutMs ?? BACKGROUND_TIMEOUT_MS, false).then((run) => {
      for (const d of run.diagnostics) note(d)
      return run
    }))
    return { event, allowed: true, status: 200, attempts: 1, response: backgroundAccepted(), user: base, diagnostics, background }
  }

  const budget = attemptTimeout(rt, HOOK_DEFAULTS.timeoutMs, attempts, options.timeoutMs)
  const timeoutMs = budget.timeoutMs
  {
    const statuses: number[] = []
    let last: ShapeRun | undefined
    let count = 0
    while (count < attempts) {
      count++
      last = await attemptOnce(timeoutMs, true)
      for (const d of last.diagnostics) note(d)
      if (!last.timedOut && isAllowedHookStatus(last.response.statusCode)) break
      statuses.push(last.timedOut ? 0 : last.response.statusCode)
    }
    const final = last!
    if (eventUserReads && !eventBodyReads) {
      note({
        code: 'event-user-read',
        message: `${name} read event.user, which Netlify never sets (it is undefined): GoTrue sends the user in the JSON body, so read JSON.parse(event.body).user.`,
      })
    }
    if (userReads) {
      note({
        code: 'client-context-user-in-event',
        message: `${name} read context.clientContext.user, which production never sets for event functions: read the user from JSON.parse(event.body).user.`,
      })
    }

    const blocked = (error: GoTrueError, status: number): HookOutcome => {
      const nonBlocking = isNonBlockingEvent(event)
      if (nonBlocking) {
        note({
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
        if (budget.shortened) note(budget.shortened)
        // GoTrue's message names its own timeout (5 s unless configured), also when the harness waited less.
        return blocked(hookTimeoutError(nominalTimeoutMs), 504)
      }
      const described = statuses.map((s) => (s === 0 ? 'timeout' : String(s))).join(', ')
      note({
        code: 'status-blocks',
        message: `${name} answered ${described} on ${count === 1 ? 'its only attempt' : `all ${count} attempts`}; GoTrue accepts only 200, 202 or 204, retried ${count - 1} time(s) and blocked with 422 "${HOOK_FAILED.msg}".`,
      })
      return blocked({ ...HOOK_FAILED }, 422)
    }

    const applied = applyHookBody(base, responseText(final.response), event, () => rt.ids.uuid())
    // A typed handler's { user } comes back as a whole snake_case user: GoTrue reading only the
    // two maps from it is the design, not the function's mistake.
    for (const d of applied.diagnostics) if (fn.shape !== 'typed' || d.code !== 'ignored-keys') note(d)
    if (!applied.ok) return blocked(applied.error, 500)
    const changed = changedProvider(base, applied.user, name)
    if (changed) note(changed)
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
