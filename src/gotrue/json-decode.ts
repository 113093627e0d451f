import { goDecodeFirst } from '../go/json.js'

export { MAX_JSON_DEPTH } from '../go/json.js'

/**
 * Reads the first JSON value of a request or hook body, the way Go's streaming `json.Decoder`
 * does (gotrue.md §2.3): leading white space skipped, anything after the first value ignored
 * (`123abc` is 123, as in Go), an empty or white-space-only text is `EOF`, a value cut short is
 * `unexpected EOF`, syntax errors in Go's words. See `src/go/json.ts`.
 * @internal
 */
export function decodeFirstJsonValue(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const decoded = goDecodeFirst(text)
  return decoded.ok ? { ok: true, value: decoded.value } : decoded
}
