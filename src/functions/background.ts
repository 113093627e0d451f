import type { Diagnostic, FunctionResponse } from '../types.js'
import { plainResponse } from './response.js'
import type { ShapeRun } from './invoke-v2.js'

/** How long a background run may take before `background` rejects: 15 minutes, as in production (§3.7, §5). */
export const BACKGROUND_TIMEOUT_MS = 900_000

/** What Netlify answers at once for a background function: 202 with an empty body (functions-runtime.md §5). */
export function backgroundAccepted(): FunctionResponse {
  return plainResponse(202, '')
}

/**
 * Starts a background run: the caller gets the 202 at once and this promise of the run. It
 * resolves with the function's own response (202 with no body when it returned nothing) and
 * rejects with what it threw, or with a timeout error. The promise is marked handled, so a test
 * that ignores it never sees an unhandled rejection; awaiting it still rejects.
 *
 * Context (functions-runtime.md §3.6, §5; netlify/cli#4383 reported that production gives
 * background functions no client context, and netlify/cli#4395 removed it from `netlify dev`
 * "to match production behavior"): the callers give a background run an empty `clientContext`
 * in both modes, HTTP and event functions alike. Production's retries after a failed run are not
 * replayed.
 * @internal
 */
export function runInBackground(start: () => Promise<ShapeRun>): Promise<FunctionResponse> {
  const run = start().then((r) => {
    if (r.timedOut) throw new Error(r.diagnostics.find((d) => d.code === 'timeout')?.message ?? 'the background run timed out')
    if (r.error !== undefined) throw r.error
    if (r.empty) return backgroundAccepted()
    return r.response
  })
  run.catch(() => undefined)
  return run
}

/**
 * The empty `clientContext` a background function gets, which notes a read of `identity`,
 * `user` or `custom` (absent in production) as `background-client-context` on the call.
 * @internal
 */
export function backgroundClientContext(note: (d: Diagnostic) => void, name: string): Record<string, never> {
  return new Proxy({}, {
    get(target, prop, receiver) {
      if (prop === 'identity' || prop === 'user' || prop === 'custom') {
        note({
          code: 'background-client-context',
          message: `${name} read context.clientContext.${prop}, but background functions get an empty clientContext in production (netlify/cli#4383, #4395): no admin token, no user. Call a synchronous function for the admin API, or pass what it needs in the request body.`,
        })
      }
      return Reflect.get(target, prop, receiver)
    },
  }) as Record<string, never>
}

/** The diagnostic every background outcome carries. @internal */
export function backgroundDiagnostic(name: string): Diagnostic {
  return {
    code: 'background',
    message: `${name} is a background function: Netlify answered 202 at once, so GoTrue can neither be blocked nor change the user from its result. Await outcome.background to see the run.`,
  }
}
