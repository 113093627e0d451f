import type { GoTrueUser, IdentityEvent } from '../types.js'
import { serializeUser } from '../users/json.js'

/** The Lambda-style event Netlify passes v1 handlers (functions-runtime.md §1.1). */
export interface HandlerEvent {
  /** Full URL including the query. */
  rawUrl: string
  /** The query without `?`. */
  rawQuery: string
  /** The request path. */
  path: string
  /** Upper-case method. */
  httpMethod: string
  /** Single-valued headers, lower-case names. */
  headers: Record<string, string | undefined>
  /** Multi-valued headers. */
  multiValueHeaders: Record<string, string[] | undefined>
  /** Repeated keys joined with `", "`; `{}` when there is no query. */
  queryStringParameters: Record<string, string | undefined>
  /** Every value of every key. */
  multiValueQueryStringParameters: Record<string, string[] | undefined>
  /** The body (base64 when `isBase64Encoded`), `null` when there is none. */
  body: string | null
  /** Content-type driven (functions-runtime.md §3.5). */
  isBase64Encoded: boolean
}

/** The JSON body GoTrue posts to an identity function (gotrue.md §1.6). */
export interface IdentityEventPayload {
  /** The event name. */
  event: IdentityEvent
  /** The instance UUID. */
  instance_id: string
  /** The user at that moment. */
  user: GoTrueUser
}

/**
 * The user as GoTrue sends it for an event (gotrue.md §1.6): `signup` comes before
 * confirmation, so it has no `confirmed_at`; `login` only happens to confirmed users.
 * @internal
 */
export function userForEvent(event: IdentityEvent, user: GoTrueUser): GoTrueUser {
  if (event === 'signup' && user.confirmed_at !== undefined) {
    // Every own key but confirmed_at, in order (a rest pattern does the same on a slow runtime path).
    const rest: Record<string, unknown> = {}
    for (const key in user) {
      if (key !== 'confirmed_at' && Object.hasOwn(user, key)) rest[key] = (user as unknown as Record<string, unknown>)[key]
    }
    return rest as unknown as GoTrueUser
  }
  if (event === 'login' && user.confirmed_at === undefined) {
    return serializeUser({ ...user, confirmed_at: user.updated_at })
  }
  return user
}

/** Headers Node keeps only the first of when repeated (https://nodejs.org/api/http.html#messageheaders). */
const SINGLE_VALUED = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after',
  'server', 'user-agent',
])

/**
 * Lower-cases names and builds the multi-value twin as Netlify does (functions-runtime.md §3.3):
 * repeated values are combined the way Node's `IncomingMessage.headers` does (`cookie` joined
 * with `; `, single-valued headers keep the first, `set-cookie` stays a list, others joined with
 * `, `); `multiValueHeaders` wraps each combined value in a one-element array (no splitting).
 * @internal
 */
export function headerMaps(input: Record<string, string | string[] | undefined>): {
  headers: Record<string, string>
  multiValueHeaders: Record<string, string[]>
} {
  const all: Record<string, string[]> = {}
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue
    const key = name.toLowerCase()
    const values = Array.isArray(value) ? value.map(String) : [String(value)]
    if (all[key]) all[key].push(...values)
    else all[key] = values
  }
  const headers: Record<string, string> = {}
  const multiValueHeaders: Record<string, string[]> = {}
  for (const key in all) {
    const values = all[key]!
    if (key === 'set-cookie') {
      multiValueHeaders[key] = values
      headers[key] = values.join(', ')
      continue
    }
    const value = values.length === 1 ? values[0]! : SINGLE_VALUED.has(key) ? values[0]! : values.join(key === 'cookie' ? '; ' : ', ')
    headers[key] = value
    multiValueHeaders[key] = [value]
  }
  return { headers, multiValueHeaders }
}

/**
 * The hook request as an event: `POST`, JSON body, lower-case headers including
 * `x-netlify-event` and `x-webhook-signature` (gotrue.md §1.4; functions-runtime.md §4.4).
 * @internal
 */
export function identityEvent(siteUrl: string, functionName: string, event: IdentityEvent, body: string, signature: string): HandlerEvent {
  const path = `/.netlify/functions/${functionName}`
  const netlifyEvent = `identity_${event}`
  // What headerMaps makes of these three lower-case, single-valued headers, written out (hot path).
  const headers = { 'content-type': 'application/json', 'x-netlify-event': netlifyEvent, 'x-webhook-signature': signature }
  const multiValueHeaders = { 'content-type': ['application/json'], 'x-netlify-event': [netlifyEvent], 'x-webhook-signature': [signature] }
  return {
    rawUrl: `${siteUrl}${path}`,
    rawQuery: '',
    path,
    httpMethod: 'POST',
    headers,
    multiValueHeaders,
    queryStringParameters: {},
    multiValueQueryStringParameters: {},
    body,
    isBase64Encoded: false,
  }
}

/** Where {@link watchEventReads} records what was read. @internal */
export interface EventReads {
  eventUserReads: boolean
  eventBodyReads: boolean
}

/** The Proxy handler of {@link watchEventReads}: one object per watched event. */
class EventReadsHandler implements ProxyHandler<HandlerEvent> {
  readonly #reads: EventReads
  constructor(reads: EventReads) {
    this.#reads = reads
  }

  get(target: HandlerEvent, prop: string | symbol, receiver: unknown): unknown {
    if (prop === 'body') this.#reads.eventBodyReads = true
    else if (prop === 'user') this.#reads.eventUserReads = true
    return Reflect.get(target, prop, receiver)
  }
}

/**
 * Wraps an event so that reading `user` (which Netlify's events never have) or `body` is
 * recorded in `reads`; values and `in` checks stay as on the plain event.
 * @internal
 */
export function watchEventReads(event: HandlerEvent, reads: EventReads): HandlerEvent {
  return new Proxy(event, new EventReadsHandler(reads))
}

const TEXTUAL_APPLICATION_TYPES = new Set([
  'application/csp-report', 'application/graphql', 'application/json', 'application/javascript',
  'application/x-www-form-urlencoded', 'application/x-ndjson', 'application/xml',
])

/**
 * Netlify's base64 rule (functions-runtime.md §3.5): base64 unless the content type is text-like;
 * a missing content type counts as binary.
 * @internal
 */
export function shouldBase64Encode(contentType: string | undefined): boolean {
  if (!contentType) return true
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  if (type.startsWith('text/')) return false
  if (type.endsWith('+json') || type.endsWith('+xml')) return false
  return !TEXTUAL_APPLICATION_TYPES.has(type)
}

/** A request for an HTTP function. */
export interface HttpRequestInit {
  /** HTTP method, default `GET`. */
  method?: string
  /** Path on the site, default `/.netlify/functions/<name>`. */
  path?: string
  /** Query parameters; arrays repeat a key. */
  query?: Record<string, string | string[]>
  /** Request headers. */
  headers?: Record<string, string | string[]>
  /** A string, bytes, or an object sent as JSON. */
  body?: string | Uint8Array | object
}

/** Builds the event for an HTTP function call (functions-runtime.md §1.1, §3.3–3.5). @internal */
export function httpEvent(siteUrl: string, functionName: string, init: HttpRequestInit, extraHeaders: Record<string, string>): HandlerEvent {
  const method = (init.method ?? 'GET').toUpperCase()
  const path = init.path ?? `/.netlify/functions/${functionName}`
  const q = path.indexOf('?')
  const pathOnly = q < 0 ? path : path.slice(0, q)
  // rawQuery is the query as sent (§3.4); only the values from init.query are encoded here.
  const sentQuery = q < 0 ? '' : path.slice(q + 1)
  const search = new URLSearchParams(sentQuery)
  const added = new URLSearchParams()
  for (const [k, v] of Object.entries(init.query ?? {})) {
    for (const value of Array.isArray(v) ? v : [v]) {
      search.append(k, value)
      added.append(k, value)
    }
  }
  const queryStringParameters: Record<string, string> = {}
  const multiValueQueryStringParameters: Record<string, string[]> = {}
  for (const key of new Set(search.keys())) {
    const all = search.getAll(key)
    multiValueQueryStringParameters[key] = all
    queryStringParameters[key] = all.join(', ')
  }
  const addedQuery = added.toString()
  const rawQuery = sentQuery && addedQuery ? `${sentQuery}&${addedQuery}` : sentQuery || addedQuery

  const rawHeaders: Record<string, string | string[]> = { ...extraHeaders }
  for (const [k, v] of Object.entries(init.headers ?? {})) rawHeaders[k.toLowerCase()] = v
  let body: string | null = null
  let isBase64Encoded = false
  if (init.body !== undefined && init.body !== null) {
    if (typeof init.body === 'string') {
      body = init.body
      // Every client sends a content type with a string body: fetch's default (Fetch standard,
      // "extract a body": USVString → text/plain;charset=UTF-8).
      rawHeaders['content-type'] ??= 'text/plain;charset=UTF-8'
    } else if (init.body instanceof Uint8Array) {
      body = Buffer.from(init.body).toString('utf8')
    } else {
      body = JSON.stringify(init.body)
      rawHeaders['content-type'] ??= 'application/json'
    }
  }
  const contentType = rawHeaders['content-type']
  isBase64Encoded = shouldBase64Encode(Array.isArray(contentType) ? contentType[0] : contentType)
  if (body !== null) {
    if (isBase64Encoded) {
      body = init.body instanceof Uint8Array ? Buffer.from(init.body).toString('base64') : Buffer.from(body, 'utf8').toString('base64')
    }
    rawHeaders['content-length'] ??= String(Buffer.byteLength(init.body instanceof Uint8Array ? Buffer.from(init.body) : body, isBase64Encoded ? 'base64' : 'utf8'))
  }
  const { headers, multiValueHeaders } = headerMaps(rawHeaders)
  return {
    rawUrl: `${siteUrl}${pathOnly}${rawQuery ? `?${rawQuery}` : ''}`,
    rawQuery,
    path: pathOnly,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    body,
    isBase64Encoded,
  }
}
