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
 * A bounded, ordered log: keeps the newest `limit` entries with amortised O(1) appends.
 * @internal
 */
export class RequestLog {
  #entries: RecordedRequest[] = []
  readonly limit: number

  constructor(limit: number) {
    this.limit = limit
  }

  push(entry: RecordedRequest): void {
    this.#entries.push(entry)
    // Trim in batches so that a long run does not shift the array on every request.
    if (this.#entries.length >= this.limit * 2) this.#entries = this.#entries.slice(-this.limit)
  }

  /** The newest `limit` entries, oldest first. */
  entries(): readonly RecordedRequest[] {
    if (this.#entries.length > this.limit) this.#entries = this.#entries.slice(-this.limit)
    return this.#entries
  }

  clear(): void {
    this.#entries = []
  }
}
