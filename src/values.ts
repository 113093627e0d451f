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
