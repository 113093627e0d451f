import { isAbsolute } from 'node:path'
import { errorLabel } from '../errors.js'
import { thenNowOrLater, withArticle } from '../values.js'
import { thrownAt } from './source-map.js'
import type { ClientContext } from '../netlify/client-context.js'
import type { HandlerEvent } from '../netlify/event.js'
import { shouldBase64Encode } from '../netlify/event.js'
import type { NetlifyIdentityContext } from '../netlify/globals.js'
import { getNetlifyEnv, withGlobals } from '../netlify/globals.js'
import { createV2Context, parseCookies } from '../netlify/v2-context.js'
import type { ContextMode, Runtime } from '../runtime.js'
import { parseBearer } from '../tokens/bearer.js'
import { checkToken } from '../tokens/verify.js'
import type { Diagnostic, FunctionResponse } from '../types.js'
import { netlifyRuntimeEnv } from '../netlify/runtime-env.js'
import { CallScope, runInCall } from './call-scope.js'
import { installCallObservers } from './observe.js'
import type { EnvOverrides } from './env.js'
import type { CallerRequest } from './admin-writes.js'
import { lateCompletionTicks, mapV1Run, startV1 } from './invoke-v1.js'
import type { V1Run } from './invoke-v1.js'
import type { V1Settled } from './run-v1.js'
import type { ResolvedFunction } from './resolve.js'
import { errorBody, NETLIFY_MESSAGES, plainResponse, responseText } from './response.js'
import { isDispatcherError, typedDispatcher } from './typed.js'
import type { V2Handler } from './shapes.js'


/** The production bootstrap's error for any other return value (functions-runtime.md §2.1). */
export const UNSUPPORTED_V2_VALUE = "Function returned an unsupported value. Accepted types are 'Response' or 'undefined'"

/** One run of a v2 handler, mapped to what Netlify answers. @internal */
export interface V2Run {
  response: FunctionResponse
  timedOut: boolean
  diagnostics: Diagnostic[]
  /** What the handler threw, when it threw. */
  error?: unknown
  /** The handler returned `undefined`. */
  empty?: boolean
}

/** Options for one v2 call. @internal */
export interface V2CallOptions {
  name: string
  timeoutMs: number
  /** `globalThis.netlifyIdentityContext` for the call (absent under `netlify dev`). */
  identity: NetlifyIdentityContext | undefined
  /** `config.path` patterns, for `context.params`. */
  paths?: readonly string[]
}

/**
 * The `Request` the v2 bootstrap builds from Netlify's Lambda event (functions-runtime.md §2.2):
 * URL = `rawUrl`, method, headers, body decoded from base64 when `isBase64Encoded`.
 * @internal
 */
export function requestFromEvent(event: HandlerEvent): Request {
  const headers = new Headers()
  for (const [k, v] of Object.entries(event.headers)) if (v !== undefined) headers.set(k, v)
  const hasBody = event.body !== null && event.body !== undefined && event.body !== '' && event.httpMethod !== 'GET' && event.httpMethod !== 'HEAD'
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body!) : undefined
  return new Request(event.rawUrl, { method: event.httpMethod, headers, body })
}

/**
 * `netlifyIdentityContext` for a request, as production's edge computes `x-nf-identity-info`:
 * the instance URL, an admin token, and the claims of a **verified** token from
 * `Authorization: Bearer` or else the `nf_jwt` cookie. `netlify dev` sets none (§2.3).
 * @internal
 */
export async function v2IdentityContext(rt: Runtime, request: Request | undefined, mode: ContextMode): Promise<NetlifyIdentityContext | undefined> {
  if (mode === 'netlify-dev') return undefined
  const ctx: NetlifyIdentityContext = { url: rt.url, token: await rt.adminTokens.get() }
  if (!request) return ctx
  const candidates = [parseBearer(request.headers.get('authorization') ?? undefined), parseCookies(request.headers.get('cookie')).get('nf_jwt')]
  for (const token of candidates) {
    if (!token) continue
    const check = checkToken(token, rt.key, rt.clock)
    if (check.ok) {
      ctx.user = check.claims
      break
    }
  }
  return ctx
}

/** What reading a v2 response body ended with. @internal */
export interface ResponseRead {
  response: FunctionResponse
  /** The body stream errored before its end (the bytes before the error are kept). */
  streamError?: unknown
  /** The body was still streaming when the time ran out (the bytes so far are kept). */
  timedOut?: boolean
}

/**
 * A `Response` as Netlify passes it on: lower-case headers (`set-cookie` only in
 * `multiValueHeaders` as a list, joined in `headers`), cookies from `context.cookies` appended,
 * the body as text, or base64 for binary content types (functions-runtime.md §3.5 rule). The
 * body is read within `timeoutMs` (a `text/event-stream` that never closes is cut there, as the
 * function's time limit cuts it in production) and a body stream that errors keeps what it
 * delivered before the error.
 * @internal
 */
export async function functionResponseFrom(res: Response, extraSetCookies: readonly string[] = [], timeoutMs = Infinity): Promise<ResponseRead> {
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  res.headers.forEach((value, key) => {
    if (key === 'set-cookie') return
    headers[key] = value
    multiValueHeaders[key] = [value]
  })
  const cookies = [...res.headers.getSetCookie(), ...extraSetCookies]
  if (cookies.length) {
    multiValueHeaders['set-cookie'] = cookies
    headers['set-cookie'] = cookies.join(', ')
  }
  const read = await readBody(res, timeoutMs)
  const bytes = read.bytes
  const binary = bytes.length > 0 && shouldBase64Encode(headers['content-type'])
  const response: FunctionResponse = {
    statusCode: res.status,
    headers,
    multiValueHeaders,
    body: binary ? bytes.toString('base64') : bytes.toString('utf8'),
    isBase64Encoded: binary,
  }
  return { response, ...(read.error !== undefined ? { streamError: read.error } : {}), ...(read.timedOut ? { timedOut: true } : {}) }
}

async function readBody(res: Response, timeoutMs: number): Promise<{ bytes: Buffer; error?: unknown; timedOut?: boolean }> {
  if (res.body === null) return { bytes: Buffer.alloc(0) }
  if (!Number.isFinite(timeoutMs)) {
    try {
      return { bytes: Buffer.from(await res.arrayBuffer()) }
    } catch (error) {
      return { bytes: Buffer.alloc(0), error }
    }
  }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs))
  })
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), expired])
      if (next === 'timeout') {
        reader.cancel().catch(() => undefined)
        return { bytes: Buffer.concat(chunks), timedOut: true }
      }
      if (next.done) return { bytes: Buffer.concat(chunks) }
      chunks.push(next.value instanceof Uint8Array ? next.value : Buffer.from(String(next.value)))
    }
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error }
  } finally {
    clearTimeout(timer)
  }
}

type Settled = { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'timeout' }

/**
 * Runs a v2 handler once, as the production bootstrap does: a `Context` (§2.2), the globals and
 * the request-context store scoped to this call, `Response` → the function's response,
 * `undefined` → 204, anything else or a throw → a 500 plus a diagnostic. Promises passed to
 * `context.waitUntil` are awaited (within the timeout) before the call returns, so their effects
 * are visible to the test.
 * @internal
 */
export async function invokeV2(rt: Runtime, handler: V2Handler, request: Request, options: V2CallOptions): Promise<V2Run> {
  const { name, timeoutMs } = options
  const diagnostics: Diagnostic[] = []
  const handle = createV2Context(rt, request, options.paths)
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs)
  })
  const run = withGlobals({ netlify: { context: handle.context, env: getNetlifyEnv() }, identity: options.identity }, async (): Promise<Settled> => {
    let settled: Settled
    try {
      settled = { kind: 'value', value: await handler(request, handle.context) }
    } catch (error) {
      settled = { kind: 'error', error }
    }
    for (let done = 0; done < handle.waitUntil.length;) {
      const batch = handle.waitUntil.slice(done)
      done += batch.length
      for (const r of await Promise.allSettled(batch)) {
        if (r.status === 'rejected') {
          diagnostics.push({ code: 'wait-until-rejected', message: `a promise ${name} passed to context.waitUntil() rejected: ${errorLabel(r.reason)}` })
        }
      }
    }
    return settled
  })
  let settled: Settled
  try {
    settled = await Promise.race([run, timeout])
  } finally {
    clearTimeout(timer)
  }
  if (settled.kind === 'timeout') {
    diagnostics.push({ code: 'timeout', message: `${name} did not settle within ${timeoutMs} ms (its promise, or a promise passed to context.waitUntil(), had not settled by then)` })
    return { response: plainResponse(500, NETLIFY_MESSAGES.timeout(timeoutMs)), timedOut: true, diagnostics }
  }
  if (settled.kind === 'error') {
    diagnostics.push({ code: 'threw', message: `${name} threw: ${thrownAt(settled.error)}` })
    return { response: plainResponse(500, errorBody(settled.error)), timedOut: false, diagnostics, error: settled.error }
  }
  const value = settled.value
  if (value === undefined) return { response: plainResponse(204, ''), timedOut: false, diagnostics, empty: true }
  let isResponse: boolean
  try {
    isResponse = value instanceof Response
  } catch {
    isResponse = false
  }
  if (isResponse) {
    const left = timeoutMs - (performance.now() - started)
    let read: ResponseRead
    try {
      read = await functionResponseFrom(value as Response, handle.setCookies, left)
    } catch (error) {
      // A Response subclass or Proxy whose status or headers throw when read.
      diagnostics.push({ code: 'invalid-response', message: `${name} returned a Response that throws when read (${errorLabel(error)}); the v2 runtime answers 500.` })
      return { response: plainResponse(500, errorBody(error)), timedOut: false, diagnostics, error }
    }
    if (read.timedOut) {
      diagnostics.push({
        code: 'timeout',
        message: `${name} answered ${read.response.statusCode} but its body was still streaming after ${timeoutMs} ms (a stream that never closes, e.g. text/event-stream): Netlify cuts it at the function's time limit. Close the stream, or test the first events with a shorter read.`,
      })
      return { response: read.response, timedOut: true, diagnostics }
    }
    if (read.streamError !== undefined) {
      diagnostics.push({
        code: 'response-stream-error',
        message: `${name}'s response body stream errored after ${Buffer.byteLength(read.response.body, read.response.isBase64Encoded ? 'base64' : 'utf8')} bytes (${errorLabel(read.streamError)}): the client gets status ${read.response.statusCode} and a truncated body. Handle the upstream error before answering.`,
      })
      return { response: read.response, timedOut: false, diagnostics, error: read.streamError }
    }
    return { response: read.response, timedOut: false, diagnostics }
  }
  let isLambdaShape = false
  try {
    isLambdaShape = value !== null && typeof value === 'object' && 'statusCode' in value
  } catch {
    // a Proxy whose `has` trap throws: not a Response either
  }
  const what = isLambdaShape
    ? 'a Lambda-style { statusCode, body } object (that is the v1 shape: return new Response(body, { status }) in a v2 function)'
    : `${value === null ? 'null' : withArticle(typeof value)} instead of a Response`
  diagnostics.push({ code: 'invalid-response', message: `${name} returned ${what}; the v2 runtime answers 500 "${UNSUPPORTED_V2_VALUE}".` })
  return { response: plainResponse(500, `Error: ${UNSUPPORTED_V2_VALUE}`), timedOut: false, diagnostics, error: new Error(UNSUPPORTED_V2_VALUE) }
}

/** One run of any shape on a Lambda event. @internal */
export type ShapeRun = V2Run

/** The contexts a call gets, built lazily (only the shape that needs one pays for it). @internal */
export interface CallContexts {
  /** Synchronous where it can be (an event function's), so the hot path has one await less. */
  clientContext: () => ClientContext | Promise<ClientContext>
  identity: (req: Request) => Promise<NetlifyIdentityContext | undefined>
}

/** Options of one call beyond its event. @internal */
export interface RunOptions {
  /** `process.env` overrides for this call only. */
  env?: EnvOverrides | undefined
  /** Where findings after the call settled go (the outcome's diagnostics). */
  sink?: Diagnostic[] | undefined
  /** An HTTP call's request (see `CallInit.caller`). */
  caller?: (() => CallerRequest) | undefined
}

/**
 * Runs a resolved function of any shape once on the Lambda event Netlify built, inside its own
 * call scope (see {@link CallScope}): its own `process.env` layer (Netlify's runtime variables,
 * then `options.env`), its requests, logs and file reads attributed to it, and nothing it does
 * after it settled reaching anything else. v1 runs through the Lambda invoker with
 * `clientContext`; v2 and typed handlers through the v2 bootstrap emulation with a `Request`
 * made from the same event (functions-runtime.md §2.2).
 * @internal
 */
export function runResolved(
  rt: Runtime,
  fn: ResolvedFunction,
  name: string,
  event: HandlerEvent,
  contexts: CallContexts,
  timeoutMs: number,
  options: RunOptions = {},
): Promise<ShapeRun> {
  try {
    installCallObservers()
    const file = isAbsolute(fn.source) ? fn.source : undefined
    const scope = new CallScope({ name, env: options.env, base: netlifyRuntimeEnv(rt), sink: options.sink, file, caller: options.caller })
    if (fn.shape !== 'v1') return runInCall(scope, () => runV2Shape(rt, fn, name, event, contexts, timeoutMs, scope)).then((run) => settleRun(fn, scope, run))
    // Only the handler's own run is inside the call scope, and the harness's steps around it make
    // as few promises as they can: on Node 20 every promise made while an AsyncLocalStorage is in
    // use gets an init hook and two properties, a third of a concurrent trigger's cost (issue 12).
    return thenNowOrLater(() => contexts.clientContext(), (clientContext) => runV1Call(rt, fn, name, event, clientContext, timeoutMs, scope))
  } catch (error) {
    return Promise.reject(error)
  }
}

/** The call has its verdict: the load's findings and the scope's join the run's diagnostics. */
function settleRun(fn: ResolvedFunction, scope: CallScope, run: ShapeRun): ShapeRun {
  if (fn.loadDiagnostics) run.diagnostics.push(...fn.loadDiagnostics)
  scope.settle(run.response, run.diagnostics, run.timedOut)
  return run
}

function runV1Call(rt: Runtime, fn: Extract<ResolvedFunction, { shape: 'v1' }>, name: string, event: HandlerEvent, clientContext: ClientContext, timeoutMs: number, scope: CallScope): Promise<ShapeRun> {
  // (A background function's context is empty and notes reads: the harness itself must not read it.)
  const adminToken = fn.background ? undefined : clientContext.identity?.token
  if (adminToken) scope.secrets = [adminToken]
  const finish = (settled: V1Settled): ShapeRun => settleRun(fn, scope, v1ShapeRun(rt, mapV1Run(settled, name), adminToken, name))
  return runInCall(scope, () => startV1(rt, fn.handler, name, event, clientContext, timeoutMs)).then((settled) => {
    const ticks = lateCompletionTicks(settled.completion)
    if (ticks === 0) return finish(settled)
    // `ticks` microtasks, then the mapping (a late completion lands in settled.late meanwhile).
    let wait = Promise.resolve()
    for (let i = 1; i < ticks; i++) wait = wait.then()
    return wait.then(() => finish(settled))
  })
}

/** A v1 run's outcome with what the harness checks on every v1 answer. */
function v1ShapeRun(rt: Runtime, run: V1Run, adminToken: string | undefined, name: string): ShapeRun {
  const c = run.completion
  const diagnostics = run.diagnostics
  if (c.kind === 'result' && isResponseValue(c.value)) {
    diagnostics.push({
      code: 'v2-as-v1',
      message: `${name} was run as a v1 handler but returned a Response: it is a Functions v2 function. Pass its module ({ default: fn }), its file path, or { shape: 'v2' }.`,
    })
  }
  const leak = adminTokenLeak(run.response, adminToken, name, 'context.clientContext.identity.token')
  if (leak) diagnostics.push(leak)
  const unserved = c.kind === 'error' ? identityNotServed(rt, c.error, name) : undefined
  if (unserved) diagnostics.push(unserved)
  return {
    response: run.response,
    timedOut: c.kind === 'timeout',
    diagnostics,
    ...(c.kind === 'error' ? { error: c.error } : {}),
    ...(c.kind === 'result' && (c.value === undefined || c.style === 'sync-return') ? { empty: true } : {}),
  }
}

async function runV2Shape(rt: Runtime, fn: Exclude<ResolvedFunction, { shape: 'v1' }>, name: string, event: HandlerEvent, contexts: CallContexts, timeoutMs: number, scope: CallScope): Promise<ShapeRun> {
  const request = requestFromEvent(event)
  const diagnostics: Diagnostic[] = []
  const handler = fn.shape === 'v2' ? fn.handler : typedDispatcher(fn.handlers, diagnostics)
  const paths = fn.config?.path === undefined ? [] : Array.isArray(fn.config.path) ? fn.config.path : [fn.config.path]
  const identity = await contexts.identity(request)
  if (identity?.token) scope.secrets = [identity.token]
  const run = await invokeV2(rt, handler, request, { name, timeoutMs, identity, paths })
  // The typed-handler bootstrap's own throw is explained by its diagnostic: not a crash of the function too.
  if (run.error !== undefined && isDispatcherError(run.error)) run.diagnostics = run.diagnostics.filter((d) => d.code !== 'threw')
  run.diagnostics.unshift(...diagnostics)
  const leak = adminTokenLeak(run.response, identity?.token, name, 'netlifyIdentityContext.token')
  if (leak) run.diagnostics.push(leak)
  const unserved = run.error === undefined ? undefined : identityNotServed(rt, run.error, name)
  if (unserved) run.diagnostics.push(unserved)
  return run
}

function isResponseValue(value: unknown): boolean {
  // Not for primitives and plain objects (every v1 answer): reading the global `Response` makes
  // Node load undici (≈ 10 ms), which a v1 call otherwise never needs (issue 12).
  if (value === null || typeof value !== 'object') return false
  try {
    const proto = Object.getPrototypeOf(value)
    if (proto === Object.prototype || proto === null) return false
    return value instanceof Response
  } catch {
    return false
  }
}

/**
 * When a function failed because its request to the emulated GoTrue found nobody serving it (a
 * DNS failure or refused connection for the site's host, from fetch, node-fetch or axios),
 * a diagnostic that says how to serve it. The outcome itself stays what production would do.
 * @internal
 */
export function identityNotServed(rt: Runtime, error: unknown, name: string): Diagnostic | undefined {
  try {
    return findNotServed(rt, error, name)
  } catch {
    return undefined // an error object whose getters throw: nothing to say about it
  }
}

function findNotServed(rt: Runtime, error: unknown, name: string): Diagnostic | undefined {
  const host = new URL(rt.siteUrl).hostname
  let current: unknown = error
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const e = current as { code?: unknown; hostname?: unknown; message?: unknown; cause?: unknown }
    const connectionFailure = e.code === 'ENOTFOUND' || e.code === 'ECONNREFUSED' || e.code === 'EAI_AGAIN'
    if (connectionFailure && (e.hostname === host || (typeof e.message === 'string' && e.message.includes(host)))) {
      return {
        code: 'identity-not-served',
        message: `${name} could not reach ${rt.url}: nothing is serving the emulated GoTrue. Use the \`identity\` fixture from netlify-identity-harness/vitest, call identity.listen(), or add identity.handlers to your msw server.`,
      }
    }
    current = e.cause
  }
  return undefined
}

/**
 * The `admin-token-leaked` diagnostic when a response echoes the admin token the function was
 * given, in its body (decoded when base64) or a header value (real-world-patterns.md: "leaks
 * the admin token in the response body"). A plain substring search: cheap, and a JWT cannot
 * appear by accident.
 * @internal
 */
export function adminTokenLeak(response: FunctionResponse, token: string | undefined, name: string, source: string): Diagnostic | undefined {
  if (!token) return undefined
  const where: string[] = []
  if (response.body.length >= token.length && responseText(response).includes(token)) where.push('its body')
  for (const key in response.multiValueHeaders) {
    if (response.multiValueHeaders[key]!.some((v) => v.includes(token))) where.push(`the ${key} header`)
  }
  if (!where.length) return undefined
  return {
    code: 'admin-token-leaked',
    message: `${name} echoed the admin token (${source}) in ${where.join(' and ')}: whoever calls the function gets full admin access to GoTrue. Use the token only in requests to the Identity URL and never return it.`,
  }
}
