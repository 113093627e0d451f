import { parseJsonOrText } from '../values.js'

/**
 * One request the emulated GoTrue answered (`identity.requests`).
 */
export interface RecordedRequest {
  /** Upper-case HTTP method. */
  method: string
  /** Path relative to `identity.url`, e.g. `/admin/users/…` (not decoded). */
  path: string
  /** Query parameters (the last value wins for repeated keys). */
  query: Record<string, string>
  /** Request headers, lower-case names. */
  headers: Record<string, string>
  /**
   * The parsed body: JSON (read whatever the content type, as functions often omit it), an object
   * for `application/x-www-form-urlencoded`, the raw text otherwise, `undefined` when empty.
   */
  body: unknown
  /** The status the emulator answered. */
  status: number
  /** The response body: parsed JSON, text (the 404 page), or `undefined` (204). */
  response: unknown
  /** Set when an injected fault answered (or delayed) the request. */
  fault?: true
  /** The emulator's own failure behind a 500 `Internal server error` (a bug to report). */
  error?: string
}

/** How many requests `identity.requests` keeps by default (the oldest are dropped). */
export const DEFAULT_REQUEST_LOG_LIMIT = 1000

/**
 * What the hot path records: references and texts only. It becomes a {@link RecordedRequest}
 * (headers copied, bodies parsed) the first time `identity.requests` is read.
 * @internal
 */
export interface RawRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: Headers
  text: string
  status: number
  /** The response text; `undefined` = no body. */
  responseText: string | undefined
  /** Whether the response text is JSON. */
  json: boolean
  fault: boolean
  error: string | undefined
}

function materialize(raw: RawRequest): RecordedRequest {
  const entry: RecordedRequest = {
    method: raw.method,
    path: raw.path,
    query: Object.fromEntries(raw.query),
    headers: Object.fromEntries(raw.headers),
    body: parseBody(raw.text, raw.headers.get('content-type')),
    status: raw.status,
    response: raw.responseText === undefined ? undefined : raw.json ? JSON.parse(raw.responseText) : raw.responseText,
  }
  if (raw.fault) entry.fault = true
  if (raw.error) entry.error = raw.error
  return entry
}

function parseBody(text: string, contentType: string | null): unknown {
  if (text.length === 0) return undefined
  if (contentType && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text))
  }
  return parseJsonOrText(text)
}

/**
 * A bounded, ordered log: keeps the newest `limit` entries with amortised O(1) appends, and
 * turns raw entries into plain records only when read.
 * @internal
 */
export class RequestLog {
  #entries: (RawRequest | RecordedRequest)[] = []
  #materialized = 0
  readonly limit: number

  constructor(limit: number) {
    this.limit = limit
  }

  push(entry: RawRequest): void {
    this.#entries.push(entry)
    // Trim in batches so that a long run does not shift the array on every request.
    if (this.#entries.length >= this.limit * 2) this.#trim()
  }

  /** The newest `limit` entries, oldest first, as plain records. */
  entries(): readonly RecordedRequest[] {
    if (this.#entries.length > this.limit) this.#trim()
    const list = this.#entries
    for (let i = this.#materialized; i < list.length; i++) list[i] = materialize(list[i] as RawRequest)
    this.#materialized = list.length
    return list as RecordedRequest[]
  }

  clear(): void {
    this.#entries = []
    this.#materialized = 0
  }

  #trim(): void {
    const drop = this.#entries.length - this.limit
    this.#entries = this.#entries.slice(drop)
    this.#materialized = Math.max(0, this.#materialized - drop)
  }
}
