/**
 * Reads the first JSON value of a text, the way Go's streaming `json.Decoder` does: leading
 * white space skipped, anything after the first value ignored, an empty or white-space-only
 * text is `EOF` (gotrue.md §2.3).
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
      else if (ch === '{' || ch === '[') depth++
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
