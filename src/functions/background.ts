import type { Diagnostic, FunctionResponse } from '../types.js'
import type { EnvOverrides } from './env.js'
import { withEnv } from './env.js'
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
 * rejects with what it threw, or with a timeout error. `env` stays applied until the run
 * settles. The promise is marked handled, so a test that ignores it never sees an unhandled
 * rejection; awaiting it still rejects.
 *
 * Context choice (functions-runtime.md §3.6, §5): `netlify dev` gives background functions `{}`
 * as `clientContext`; production's behaviour is undocumented. The callers give a background run
 * the same contexts as a synchronous call in the instance's mode (production: `identity` and
 * `custom.netlify`, `user` only for a verified bearer on HTTP functions); in `netlify-dev` mode
 * every background run gets `{}`, as the CLI does. Production's retries after a failed run are not replayed.
 * @internal
 */
export function runInBackground(env: EnvOverrides | undefined, start: () => Promise<ShapeRun>): Promise<FunctionResponse> {
  const run = withEnv(env, start).then((r) => {
    if (r.timedOut) throw new Error(r.diagnostics.find((d) => d.code === 'timeout')?.message ?? 'the background run timed out')
    if (r.error !== undefined) throw r.error
    if (r.empty) return backgroundAccepted()
    return r.response
  })
  run.catch(() => undefined)
  return run
}

/** The diagnostic every background outcome carries. @internal */
export function backgroundDiagnostic(name: string): Diagnostic {
  return {
    code: 'background',
    message: `${name} is a background function: Netlify answered 202 at once, so GoTrue can neither be blocked nor change the user from its result. Await outcome.background to see the run.`,
  }
}
