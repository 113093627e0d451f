/**
 * How deep arrays and objects may nest. Go's decoder refuses more than 10,000 levels with
 * `exceeded max depth`; the emulator refuses beyond 1,000 with the same words, because V8 cannot
 * clone or serialise much deeper values (structuredClone overflows the stack near 3,000 levels,
 * JSON.stringify near 5,000), and a 400 that names the problem beats a 500 from a stack overflow.
 * A deliberate, documented deviation: no real metadata nests this deep.
 * @internal
 */
export const MAX_JSON_DEPTH = 1000

/**
 * Reads the first JSON value of a text, the way Go's streaming `json.Decoder` does: leading
 * white space skipped, anything after the first value ignored, an empty or white-space-only
 * text is `EOF` (gotrue.md §2.3), nesting beyond {@link MAX_JSON_DEPTH} is `exceeded max depth`.
 * @internal
 */
export function decodeFirstJsonValue(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  let i = 0
  const n = text.length
  while (i < n && isSpace(text.charCodeAt(i))) i++
  if (i >= n) return { ok: false, error: 'EOF' }
  const start = i
  const c = text[i]
  if (c === '{' || c === '[') {
    let depth = 0
    let inString = false
    for (; i < n; i++) {
      const ch = text[i]
      if (inString) {
        if (ch === '\\') i++
        else if (ch === '"') inString = false
        continue
      }
      if (ch === '"') inString = true
      else if (ch === '{' || ch === '[') {
        if (++depth > MAX_JSON_DEPTH) return { ok: false, error: 'exceeded max depth' }
      }
      else if (ch === '}' || ch === ']') {
        depth--
        if (depth === 0) {
          i++
          break
        }
      }
    }
    if (depth !== 0) return { ok: false, error: 'unexpected EOF' }
  } else if (c === '"') {
    i++
    for (; i < n; i++) {
      const ch = text[i]
      if (ch === '\\') i++
      else if (ch === '"') {
        i++
        break
      }
    }
  } else {
    while (i < n && !isSpace(text.charCodeAt(i)) && !',]}{["'.includes(text[i]!)) i++
  }
  const slice = text.slice(start, i)
  try {
    return { ok: true, value: JSON.parse(slice) }
  } catch (error) {
    return { ok: false, error: goStyleError(slice, error) }
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09
}

function goStyleError(slice: string, error: unknown): string {
  const first = slice[0] ?? ''
  if (!/[-0-9tfn"{[]/.test(first)) return `invalid character '${first}' looking for beginning of value`
  return error instanceof Error ? error.message : String(error)
}
