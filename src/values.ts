/** Whether a value is a non-null object that is not an array (the shape of a JSON object). @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A text parsed as JSON, or the text itself when it is not JSON (for showing bodies). @internal */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/**
 * A short description of a value for error messages: `null`, `undefined`, `an array`,
 * `the string "…"` (truncated), `an object with keys "a", "b"` (or `an empty object`), `a number`.
 * @internal
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`
  if (typeof value === 'object') {
    const keys = Object.keys(value)
    return keys.length ? `an object with keys ${keys.map((k) => JSON.stringify(k)).join(', ')}` : 'an empty object'
  }
  return withArticle(typeof value)
}

/** `a number`, `an object`: a type name with its article. @internal */
export function withArticle(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`
}

/**
 * `next(value)` for a value that is ready now or later: at once when `start()` gives a plain
 * value, after it resolves when it gives a promise; a throw from either becomes a rejection. The
 * hot paths (a trigger of a function value or a warm path) make no promise of their own this way
 * (issue 12).
 * @internal
 */
export function thenNowOrLater<T, R>(start: () => T | Promise<T>, next: (value: T) => Promise<R>): Promise<R> {
  try {
    const value = start()
    return value instanceof Promise ? value.then(next) : next(value)
  } catch (error) {
    return Promise.reject(error)
  }
}
