import type { TokenClaims } from '../tokens/claims.js'
import type { Runtime } from '../runtime.js'
import type { ContextMode } from '../runtime.js'
import { netlifyDevClientContext, productionClientContext } from '../netlify/client-context.js'
import type { ClientContext } from '../netlify/client-context.js'
import { httpEvent } from '../netlify/event.js'
import type { HttpRequestInit } from '../netlify/event.js'
import { parseBearer, parseBearerNetlifyDev } from '../tokens/bearer.js'
import { checkToken, decodeUnverified } from '../tokens/verify.js'
import type { Diagnostic, FunctionResponse, GoTrueUser } from '../types.js'
import type { EnvOverrides } from './env.js'
import { withEnv } from './env.js'
import { backgroundAccepted, backgroundDiagnostic, BACKGROUND_TIMEOUT_MS, runInBackground } from './background.js'
import { runResolved, v2IdentityContext } from './invoke-v2.js'
import { netlifyRequestHeaders } from '../netlify/v2-context.js'
import type { ResolvedFunction } from './resolve.js'

/** A request for {@link Identity.invoke}. */
export interface InvokeRequest extends HttpRequestInit {
  /** Signs an access token for this user and sends `Authorization: Bearer …`. */
  user?: GoTrueUser
  /** Sends this raw token as `Authorization: Bearer …` (for bad-token tests). */
  token?: string
  /** Per-call timeout in ms (default 5000). */
  timeoutMs?: number
  /** `process.env` values for the duration of the call. */
  env?: EnvOverrides
  /** The Netlify function name (default: from the file name, else `function`). */
  name?: string
  /** Overrides the instance's context mode for this call. */
  mode?: ContextMode
  /** For a file path: load a new module instance instead of the cached one. */
  fresh?: boolean
  /** For a bare function value: run it as a v1 `handler` (default) or as a v2 default export. */
  shape?: 'v1' | 'v2'
}

/** What {@link Identity.invoke} returns: the function's response plus non-enumerable diagnostics. */
export type InvokeResponse = FunctionResponse & {
  /** Pitfalls seen during the call (non-enumerable, so equality checks and snapshots ignore it). */
  readonly diagnostics: Diagnostic[]
  /**
   * Background functions only (non-enumerable): the run that continues after the 202; resolves
   * with the function's own response, rejects with what it threw.
   */
  readonly background?: Promise<FunctionResponse>
}

/** Default per-call timeout for HTTP functions (production allows 60 s; tests want an answer sooner). */
export const INVOKE_TIMEOUT_MS = 5000

/**
 * Builds the client context an HTTP function gets: production verifies the bearer (HS256, the
 * instance secret, not expired) and adds `user` only then (gotrue.md §6.1); `netlify-dev`
 * decodes without verifying (§6.2).
 * @internal
 */
export async function httpClientContext(rt: Runtime, authorization: string | undefined, mode: ContextMode): Promise<ClientContext> {
  if (mode === 'netlify-dev') {
    const token = parseBearerNetlifyDev(authorization)
    return netlifyDevClientContext(token ? decodeUnverified(token) : undefined)
  }
  let user: TokenClaims | undefined
  const token = parseBearer(authorization)
  if (token) {
    const check = checkToken(token, rt.key, rt.clock)
    if (check.ok) user = check.claims
  }
  return productionClientContext({ url: rt.url, token: await rt.adminTokens.get() }, rt.siteUrl, user)
}

const fixedEdgeHeaders = new WeakMap<Runtime, Readonly<Record<string, string>>>()

/**
 * The headers Netlify adds to every function request that are the same on every call of an
 * instance, built once: the x-nf-* headers (account, site, geo: §3.3), which v2 functions read
 * account, deploy, site and geo from (§2.2), then `host` and the client address.
 */
function edgeHeaders(rt: Runtime): Readonly<Record<string, string>> {
  let headers = fixedEdgeHeaders.get(rt)
  if (!headers) {
    headers = {
      ...netlifyRequestHeaders(rt),
      host: new URL(rt.siteUrl).host,
      'client-ip': '127.0.0.1',
      'x-forwarded-for': '127.0.0.1',
      'x-nf-client-connection-ip': '127.0.0.1',
    }
    fixedEdgeHeaders.set(rt, headers)
  }
  return headers
}

/** Calls an HTTP function once, like Netlify does for a request. @internal */
export async function invokeHttp(rt: Runtime, fn: ResolvedFunction, request: InvokeRequest, signUser: (u: NonNullable<InvokeRequest['user']>) => Promise<string>): Promise<InvokeResponse> {
  const name = request.name ?? fn.name ?? 'function'
  const headers: Record<string, string | string[]> = { ...request.headers }
  const bearer = request.user ? await signUser(request.user) : request.token
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
  const edge = { ...edgeHeaders(rt), 'x-nf-request-id': rt.ids.hex(13) }
  const event = httpEvent(rt.siteUrl, name, { ...request, headers }, edge)
  const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1]
  const mode = request.mode ?? rt.mode
  const contexts = {
    // netlify dev invokes background functions without a client context (§3.6, §5).
    clientContext: fn.background && mode === 'netlify-dev'
      ? () => Promise.resolve({})
      : () => httpClientContext(rt, Array.isArray(auth) ? auth[0] : auth, mode),
    identity: (req: Request) => v2IdentityContext(rt, req, mode),
  }
  if (fn.background) {
    // functions-runtime.md §5: 202 with an empty body at once; the run continues.
    const response = backgroundAccepted() as InvokeResponse
    const background = runInBackground(request.env, () => runResolved(rt, fn, name, event, contexts, request.timeoutMs ?? BACKGROUND_TIMEOUT_MS))
    Object.defineProperty(response, 'diagnostics', { value: [backgroundDiagnostic(name)], enumerable: false })
    Object.defineProperty(response, 'background', { value: background, enumerable: false })
    return response
  }
  const run = await withEnv(request.env, () => runResolved(rt, fn, name, event, contexts, request.timeoutMs ?? INVOKE_TIMEOUT_MS))
  const response = run.response as InvokeResponse
  Object.defineProperty(response, 'diagnostics', { value: run.diagnostics, enumerable: false })
  return response
}
