import { errorLabel } from '../errors.js'
import { isOwnFrame } from '../own-frames.js'
import { withArticle } from '../values.js'
import { mappedStack, thrownAt } from './source-map.js'
import type { Diagnostic, FunctionResponse } from '../types.js'
import { safeGet, safeInspect, safeString } from './safe.js'

/** How a run ended, before Netlify's response mapping. @internal */
export type Completion =
  | { kind: 'result'; value: unknown; style: string }
  | { kind: 'error'; error: unknown; style: string }
  | { kind: 'timeout'; timeoutMs: number; pending: string }

/** Netlify's own error bodies (functions-runtime.md §3.9). @internal */
export const NETLIFY_MESSAGES = {
  undefinedResponse: 'lambda response was undefined. check your function code again',
  noResponse: 'no lambda response. check your function code again. make sure to return a promise or use the callback.',
  statusCode: (given: unknown) => `Your function response must have a numerical statusCode. You gave: ${safeInspect(given)}`,
  body: (given: unknown) => `Your function response must have a string or a stream body. You gave: ${safeInspect(given, { depth: 2 })}`,
  timeout: (ms: number) => `TimeoutError: Task timed out after ${(ms / 1000).toFixed(2)} seconds`,
} as const

/** A response with no headers and a plain-text body, as Netlify answers on its own. @internal */
export function plainResponse(statusCode: number, body: string): FunctionResponse {
  return { statusCode, headers: {}, multiValueHeaders: {}, body, isBase64Encoded: false }
}

/**
 * `<errorType>: <errorMessage>\n <stack lines>` as Netlify answers thrown errors (§3.9). Never
 * throws: a Symbol `name`, throwing getters or a Proxy are printed as far as they can be.
 * @internal
 */
export function errorBody(error: unknown): string {
  let isError = false
  try {
    isError = error instanceof Error
  } catch {
    // a Proxy whose getPrototypeOf trap throws
  }
  const field = (key: string): unknown => {
    if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return undefined
    const got = safeGet(error, key)
    return got.ok ? got.value : undefined
  }
  if (isError) {
    const stack = mappedStack(error) ?? field('stack')
    // Production's trace has the function's frames and the runtime's; the harness's own (files a
    // user's install does not even have under those names) are left out.
    const lines = (typeof stack === 'string' ? stack : '').split('\n').slice(1).filter((l) => !isOwnFrame(l)).map((l) => l.trim().replace(/^at /, '')).filter(Boolean)
    return `${safeString(field('name') ?? 'Error')}: ${safeString(field('message') ?? '')}\n ${lines.map((l) => `    at ${l}`).join('\n')}`
  }
  if (error !== null && typeof error === 'object') {
    return `${safeString(field('errorType') ?? field('name') ?? 'Error')}: ${safeString(field('errorMessage') ?? field('message') ?? safeInspect(error))}`
  }
  return `Error: ${safeString(error)}`
}

function describeError(error: unknown): string {
  // Unlike errorLabel(), a thrown non-Error is inspected (`{ errorMessage: … }` rather than `[object Object]`).
  let isError = false
  try {
    isError = error instanceof Error
  } catch {
    // a Proxy whose getPrototypeOf trap throws
  }
  if (isError) return thrownAt(error)
  return safeInspect(error, { depth: 1, breakLength: Infinity })
}

/** The fields Netlify reads from a v1 response, read once (a getter or Proxy trap may throw). */
interface ResponseFields {
  statusCode: unknown
  body: unknown
  headers: unknown
  multiValueHeaders: unknown
  isBase64Encoded: unknown
}

function readFields(value: object): { ok: true; fields: ResponseFields } | { ok: false; key: string; error: unknown } {
  const fields: Record<string, unknown> = {}
  for (const key of ['statusCode', 'body', 'headers', 'multiValueHeaders', 'isBase64Encoded']) {
    const got = safeGet(value, key)
    if (!got.ok) return { ok: false, key, error: got.error }
    fields[key] = got.value
  }
  return { ok: true, fields: fields as unknown as ResponseFields }
}

function toNumber(value: unknown): number {
  if (typeof value === 'symbol') return Number.NaN
  try {
    return Number(value)
  } catch {
    return Number.NaN // an object whose valueOf/toString throws
  }
}

/**
 * Turns a v1 handler's completion into what Netlify answers, with a diagnostic for every
 * mistake (functions-runtime.md §3.9: errors, then validation, then headers and body).
 * @internal
 */
export function mapV1Completion(completion: Completion, name: string): { response: FunctionResponse; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  if (completion.kind === 'timeout') {
    diagnostics.push({
      code: 'timeout',
      message: `${name} did not complete within ${completion.timeoutMs} ms: ${completion.pending}`,
    })
    return { response: plainResponse(500, NETLIFY_MESSAGES.timeout(completion.timeoutMs)), diagnostics }
  }
  if (completion.kind === 'error') {
    diagnostics.push({ code: 'threw', message: `${name} failed (${completion.style}): ${describeError(completion.error)}` })
    return { response: plainResponse(500, errorBody(completion.error)), diagnostics }
  }
  const value = completion.value
  if (completion.style === 'sync-return') {
    diagnostics.push({
      code: 'sync-return',
      message: `${name} returned a value synchronously: Netlify ignores the return value of a non-async handler and answers 500 "${NETLIFY_MESSAGES.noResponse}". Make the handler async or call the callback.`,
    })
    return { response: plainResponse(500, NETLIFY_MESSAGES.noResponse), diagnostics }
  }
  if (value === undefined) {
    diagnostics.push({
      code: 'undefined-response',
      message: `${name} completed with undefined (a missing return, a bare \`return;\`, or an un-awaited promise); Netlify answers 500.`,
    })
    return { response: plainResponse(500, NETLIFY_MESSAGES.undefinedResponse), diagnostics }
  }
  if (value === null) {
    diagnostics.push({ code: 'invalid-response', message: `${name} completed with null; Netlify answers 500.` })
    return { response: plainResponse(500, NETLIFY_MESSAGES.noResponse), diagnostics }
  }
  if (typeof value !== 'object') {
    const what = typeof value === 'string'
      ? `a bare string (${safeInspect(value.length > 40 ? `${value.slice(0, 37)}...` : value)}) instead of { statusCode, body }`
      : `${typeof value === 'function' ? 'a function' : withArticle(typeof value)} instead of { statusCode, body }`
    diagnostics.push({ code: 'invalid-response', message: `${name} returned ${what}; Netlify answers 500.` })
    return { response: plainResponse(500, NETLIFY_MESSAGES.statusCode(undefined)), diagnostics }
  }
  const read = readFields(value)
  if (!read.ok) {
    // The runtime serialises the response; a getter or Proxy trap that throws fails the invocation.
    diagnostics.push({
      code: 'unreadable-response',
      message: `${name} returned a response whose ${read.key} throws when read (a getter or Proxy: ${errorLabel(read.error)}); Netlify cannot serialise it and answers 500. Return a plain object.`,
    })
    return { response: plainResponse(500, errorBody(read.error)), diagnostics }
  }
  const res = read.fields
  const status = toNumber(res.statusCode)
  if (!status || !Number.isInteger(status)) {
    let isError = false
    try {
      isError = value instanceof Error
    } catch {
      // a Proxy whose getPrototypeOf trap throws
    }
    const what = isError
      ? 'an Error object instead of throwing it or returning { statusCode, body }'
      : `a response without a numeric statusCode (${safeInspect(res.statusCode)})`
    diagnostics.push({ code: 'invalid-response', message: `${name} returned ${what}; Netlify answers 500.` })
    return { response: plainResponse(500, NETLIFY_MESSAGES.statusCode(res.statusCode)), diagnostics }
  }
  const body = res.body
  if (body && typeof body !== 'string' && !isStream(body)) {
    diagnostics.push({
      code: 'non-string-body',
      message: `${name} returned a body that is ${Array.isArray(body) ? 'an array' : withArticle(typeof body)}, not a string; Netlify answers 500. Wrap it in JSON.stringify().`,
    })
    return { response: plainResponse(500, NETLIFY_MESSAGES.body(body)), diagnostics }
  }
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  try {
    if (res.headers && typeof res.headers === 'object') {
      for (const [k, v] of Object.entries(res.headers as Record<string, unknown>)) {
        if (v === undefined) continue
        if (Array.isArray(v)) {
          // Not in the HandlerResponse type (functions-runtime.md §1.3, §7.10): the CLI's setHeader
          // sends each value; production's handling is undocumented. Keep the values, say so.
          diagnostics.push({
            code: 'array-header',
            message: `${name} returned an array for the "${k}" header; headers take one value each. Use multiValueHeaders for repeated headers such as set-cookie.`,
          })
          multiValueHeaders[k.toLowerCase()] = v.map(String)
          headers[k.toLowerCase()] = v.map(String).join(', ')
          continue
        }
        headers[k.toLowerCase()] = String(v)
        multiValueHeaders[k.toLowerCase()] = [String(v)]
      }
    }
    if (res.multiValueHeaders && typeof res.multiValueHeaders === 'object') {
      for (const [k, v] of Object.entries(res.multiValueHeaders as Record<string, unknown>)) {
        if (!Array.isArray(v)) continue
        multiValueHeaders[k.toLowerCase()] = v.map(String)
        headers[k.toLowerCase()] = v.map(String).join(', ')
      }
    }
  } catch (error) {
    // The CLI answers 500 when a header cannot be set (functions-runtime.md §3.9, step 3).
    diagnostics.push({
      code: 'invalid-header',
      message: `${name} returned headers that cannot be sent (${errorLabel(error)}: a value whose toString throws, or a Proxy); Netlify answers 500. Use strings, numbers or booleans as header values.`,
    })
    return { response: plainResponse(500, errorBody(error)), diagnostics }
  }
  return {
    response: {
      statusCode: status,
      headers,
      multiValueHeaders,
      body: typeof body === 'string' ? body : '',
      isBase64Encoded: res.isBase64Encoded === true,
    },
    diagnostics,
  }
}

function isStream(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  const pipe = safeGet(value, 'pipe')
  return pipe.ok && typeof pipe.value === 'function'
}

/** The body bytes as text, decoding base64 (what GoTrue reads). @internal */
export function responseText(response: { body: string; isBase64Encoded?: boolean }): string {
  return response.isBase64Encoded ? Buffer.from(response.body, 'base64').toString('utf8') : response.body
}
