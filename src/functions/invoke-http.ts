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
import { HarnessError } from '../errors.js'
import type { EnvOverrides } from './env.js'
import { attemptTimeout } from './budget.js'
import { currentCall } from './call-scope.js'
import { backgroundAccepted, backgroundClientContext, backgroundDiagnostic, BACKGROUND_TIMEOUT_MS, runInBackground } from './background.js'
import { runResolved, v2IdentityContext } from './invoke-v2.js'
import type { ShapeRun } from './invoke-v2.js'
import type { CallerRequest } from './admin-writes.js'
import { netlifyRequestHeaders, parseCookies } from '../netlify/v2-context.js'
import type { ResolvedFunction } from './resolve.js'

/** A request for {@link Identity.invoke}. */
export interface InvokeRequest extends HttpRequestInit {
  /** Signs an access token for this user and sends `Authorization: Bearer …`. */
  user?: GoTrueUser
  /** Sends this raw token as `Authorization: Bearer …` (for bad-token tests). */
  token?: string
  /**
   * A JSON body: sent as `JSON.stringify(json)` with `content-type: application/json` (unless
   * `headers` give another content type). Not with `body`.
   */
  json?: unknown
  /**
   * Per-call timeout in ms (default 5000, shortened to fit the test's own timeout when the
   * instance knows it, see `testTimeout`); it covers reading a v2 response body.
   */
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

function hasHeader(headers: Record<string, unknown> | undefined, name: string): boolean {
  return headers !== undefined && Object.keys(headers).some((k) => k.toLowerCase() === name)
}

/**
 * Checks the parts of a request that say the same thing twice, so that there is one rule: the
 * `Authorization` header the function sees is the only source of `clientContext.user` and of
 * the v2 identity (issue 10 §5), and a body comes from `body` or `json`, not both.
 */
function checkRequest(request: InvokeRequest): void {
  if (request === null || typeof request !== 'object') throw new HarnessError('ERR_INVALID_OPTION', 'invoke() takes a request object ({ method, path, headers, body, json, user, … })')
  const sources = [request.user !== undefined && 'user', request.token !== undefined && 'token', hasHeader(request.headers, 'authorization') && 'headers.authorization'].filter(Boolean)
  if (sources.length > 1) {
    throw new HarnessError(
      'ERR_INVALID_OPTION',
      `invoke() got ${sources.join(' and ')}: each sets the Authorization header, so the function would see one token and its context another. Pass only one (user signs a token, token sends a raw one, headers.authorization sends the header as given).`,
    )
  }
  if (request.json !== undefined && request.body !== undefined) {
    throw new HarnessError('ERR_INVALID_OPTION', 'invoke() got both body and json: pass json for a JSON body, or body with your own content-type')
  }
}

/** Calls an HTTP function once, like Netlify does for a request. @internal */
export async function invokeHttp(rt: Runtime, fn: ResolvedFunction, request: InvokeRequest, signUser: (u: NonNullable<InvokeRequest['user']>) => Promise<string>): Promise<InvokeResponse> {
  checkRequest(request)
  const name = request.name ?? fn.name ?? 'function'
  const headers: Record<string, string | string[]> = { ...request.headers }
  const bearer = request.user ? await signUser(request.user) : request.token
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
  let init: InvokeRequest = request
  if (request.json !== undefined) {
    const text = JSON.stringify(request.json)
    if (text === undefined) throw new HarnessError('ERR_INVALID_OPTION', `invoke() json must be JSON-serialisable; got ${typeof request.json}`)
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json'
    init = { ...request, body: text }
  }
  const edge = { ...edgeHeaders(rt), 'x-nf-request-id': rt.ids.hex(13) }
  const event = httpEvent(rt.siteUrl, name, { ...init, headers }, edge)
  // One rule: the context is built from the Authorization header the function receives.
  const auth = event.headers.authorization
  const mode = request.mode ?? rt.mode
  // Read only if the function writes through the admin API (app-metadata-from-request).
  const caller = (): CallerRequest => callerRequest(rt, event, mode)
  const contexts = {
    // Background functions get no client context, in production as under netlify dev (§3.6, §5).
    clientContext: fn.background
      ? () => Promise.resolve(backgroundClientContext((d) => currentCall()?.note(d), name))
      : () => httpClientContext(rt, auth, mode),
    identity: (req: Request) => v2IdentityContext(rt, req, mode),
  }
  if (fn.background) {
    // functions-runtime.md §5: 202 with an empty body at once; the run continues.
    const response = backgroundAccepted() as InvokeResponse
    const diagnostics = [backgroundDiagnostic(name)]
    const background = runInBackground(() => runResolved(rt, fn, name, event, contexts, request.timeoutMs ?? BACKGROUND_TIMEOUT_MS, { env: request.env, sink: diagnostics, caller }).then((run) => {
      diagnostics.push(...run.diagnostics)
      return run
    }))
    Object.defineProperty(response, 'diagnostics', { value: diagnostics, enumerable: false })
    Object.defineProperty(response, 'background', { value: background, enumerable: false })
    return response
  }
  const budget = attemptTimeout(rt, INVOKE_TIMEOUT_MS, 1, request.timeoutMs)
  const diagnostics: Diagnostic[] = []
  const run = await runResolved(rt, fn, name, event, contexts, budget.timeoutMs, { env: request.env, sink: diagnostics, caller })
  diagnostics.push(...run.diagnostics)
  if (budget.shortened && run.timedOut) diagnostics.push(budget.shortened)
  const base64 = base64BodyDiagnostic(fn, event, run, name)
  if (base64) diagnostics.push(base64)
  const response = run.response as InvokeResponse
  Object.defineProperty(response, 'diagnostics', { value: diagnostics, enumerable: false })
  return response
}

/**
 * The request as the function got it, for `app-metadata-from-request`: its JSON body and the
 * claims of its token (the bearer, else the `nf_jwt` cookie a v2 function reads), verified as
 * production verifies them; under `netlify-dev` decoded, as the CLI does.
 */
function callerRequest(rt: Runtime, event: { body: string | null; isBase64Encoded: boolean; headers: Record<string, string | undefined> }, mode: ContextMode): CallerRequest {
  let body: unknown
  if (event.body) {
    try {
      body = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body)
    } catch {
      body = undefined
    }
  }
  const cookie = parseCookies(event.headers.cookie ?? null).get('nf_jwt')
  const token = parseBearer(event.headers.authorization) ?? cookie
  let claims: CallerRequest['claims']
  if (token) {
    if (mode === 'netlify-dev') claims = decodeUnverified(token) ?? undefined
    else {
      const check = checkToken(token, rt.key, rt.clock)
      if (check.ok) claims = check.claims
    }
  }
  return { body, claims }
}

/**
 * `base64-body`: a v1 function got its body base64-encoded (Netlify's rule for a binary or
 * missing content type, functions-runtime.md §3.5) and then failed, most likely parsing it.
 */
function base64BodyDiagnostic(fn: ResolvedFunction, event: { isBase64Encoded: boolean; body: string | null; headers: Record<string, string | undefined> }, run: ShapeRun, name: string): Diagnostic | undefined {
  if (fn.shape !== 'v1' || !event.isBase64Encoded || !event.body) return undefined
  if (run.error === undefined && run.response.statusCode < 400) return undefined
  const type = event.headers['content-type']
  return {
    code: 'base64-body',
    message: `${name} failed on a body that Netlify delivered base64-encoded (event.isBase64Encoded is true because the content type ${type ? JSON.stringify(type) : 'is missing'} is binary by Netlify's rule): decode it first (Buffer.from(event.body, 'base64').toString()), or send a text content type such as application/json (invoke(fn, { json })).`,
  }
}
