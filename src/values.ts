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
  return `a ${typeof value}`
}
