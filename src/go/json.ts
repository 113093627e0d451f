/**
 * Go's `encoding/json` as GoTrue meets it: the scanner's syntax errors word for word
 * (`invalid character 'x' looking for beginning of value`, `unexpected end of JSON input`), the
 * difference between `json.Unmarshal` (one value, nothing after it) and `json.NewDecoder(r).Decode`
 * (the first value; whatever follows is left unread; empty input is `EOF`, a cut value
 * `unexpected EOF`), and the type errors of decoding into a struct.
 *
 * The state machine follows the one in Go's `encoding/json/scanner.go` (facts, not code: the
 * states and their error texts). Values are then built with `JSON.parse` on the exact text the
 * scanner accepted, so both agree on what is valid.
 * @internal
 */
import { isUtf8 } from 'node:buffer'

/**
 * How deep arrays and objects may nest. Go's decoder refuses more than 10,000 levels with
 * `exceeded max depth`; the emulator refuses beyond 1,000 with the same words, because V8 cannot
 * clone or serialise much deeper values (structuredClone overflows the stack near 3,000 levels,
 * JSON.stringify near 5,000), and a 400 that names the problem beats a 500 from a stack overflow.
 * A deliberate, documented deviation: no real metadata nests this deep.
 */
export const MAX_JSON_DEPTH = 1000

/** A decoded value, or Go's error text. */
export type GoDecoded = { ok: true; value: unknown; source: string } | { ok: false; error: string }

const enum Ctx {
  Top,
  ObjectKey,
  ObjectValue,
  Array,
}

/**
 * Set while a text decoded as latin1 is scanned (see {@link goBytes}): each character is then
 * one input byte, as Go's scanner sees it.
 */
let byteText = false

/** Go's `quoteChar`: `'x'`, `'\''`, `'"'`, `'\n'`, `'\x00'`… as `strconv.Quote` of one byte. */
function quoteChar(code: number): string {
  if (code === 0x27) return `'\\''`
  if (code === 0x22) return `'"'`
  // Go scans bytes: a non-ASCII character is shown as its first UTF-8 byte, read as a rune.
  const byte = code < 0x80 || byteText ? code : Buffer.from(String.fromCharCode(code), 'utf8')[0]!
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 0x5c: '\\\\' }
  if (named[byte]) return `'${named[byte]}'`
  if (byte < 0x20 || byte === 0x7f) return `'\\x${byte.toString(16).padStart(2, '0')}'`
  if (byte >= 0x80 && byte < 0xa0) return `'\\u00${byte.toString(16).padStart(2, '0')}'`
  if (byte === 0xad) return `'\\u00ad'`
  return `'${String.fromCharCode(byte)}'`
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39
const isHex = (c: number): boolean => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)

/** The result of scanning one value: where it ends, or the error, or that the input ran out. */
type Scan =
  | { kind: 'value'; end: number }
  | { kind: 'error'; error: string }
  /** The input ran out; `space` is the context a space would have been refused in (Go's `eof()` feeds one). */
  | { kind: 'eof'; space?: string }

/**
 * Scans one JSON value starting at `start` (white space before it skipped), the way Go's scanner
 * steps byte by byte. Returns the index just after the value.
 */
function scanValue(text: string, start: number): Scan & { overflow?: string } {
  const n = text.length
  const stack: Ctx[] = []
  let i = start
  let overflow: string | undefined
  const err = (c: number, context: string): Scan => ({ kind: 'error', error: `invalid character ${quoteChar(c)} ${context}` })
  const eofIn = (space: string): Scan => ({ kind: 'eof', space })

  // After a complete value (scalar or container): what may follow inside the enclosing container.
  // Returns a Scan when the top-level value is complete or an error happened, else undefined.
  const endValue = (): Scan | undefined => {
    for (;;) {
      if (stack.length === 0) return { kind: 'value', end: i }
      while (i < n && isSpace(text.charCodeAt(i))) i++
      if (i >= n) return { kind: 'eof' }
      const c = text.charCodeAt(i)
      const top = stack[stack.length - 1]!
      if (top === Ctx.ObjectKey) {
        if (c !== 0x3a) return err(c, 'after object key')
        stack[stack.length - 1] = Ctx.ObjectValue
        i++
        return undefined
      }
      if (top === Ctx.ObjectValue) {
        if (c === 0x2c) {
          stack[stack.length - 1] = Ctx.ObjectKey
          i++
          // A key string must follow.
          while (i < n && isSpace(text.charCodeAt(i))) i++
          if (i >= n) return { kind: 'eof' }
          const k = text.charCodeAt(i)
          if (k !== 0x22) return err(k, 'looking for beginning of object key string')
          const s = scanString()
          if (s) return s
          continue
        }
        if (c === 0x7d) {
          stack.pop()
          i++
          continue
        }
        return err(c, 'after object key:value pair')
      }
      // Array
      if (c === 0x2c) {
        i++
        return undefined
      }
      if (c === 0x5d) {
        stack.pop()
        i++
        continue
      }
      return err(c, 'after array element')
    }
  }

  // Scans a string at i (text[i] === '"'); leaves i after the closing quote.
  const scanString = (): Scan | undefined => {
    i++
    for (;;) {
      if (i >= n) return { kind: 'eof' }
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return undefined
      }
      if (c === 0x5c) {
        i++
        if (i >= n) return eofIn('in string escape code')
        const e = text.charCodeAt(i)
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++
            if (i >= n) return eofIn('in \\u hexadecimal character escape')
            const h = text.charCodeAt(i)
            if (!isHex(h)) return err(h, 'in \\u hexadecimal character escape')
          }
          i++
          continue
        }
        if ('bfnrt\\/"'.includes(text[i]!)) {
          i++
          continue
        }
        return err(e, 'in string escape code')
      }
      if (c < 0x20) return err(c, 'in string literal')
      i++
    }
  }

  // Scans a number at i; leaves i after it. A number ends at the first byte that cannot continue it.
  const scanNumber = (): Scan | undefined => {
    const start = i
    if (text.charCodeAt(i) === 0x2d) {
      i++
      if (i >= n) return eofIn('in numeric literal')
      const c = text.charCodeAt(i)
      if (!isDigit(c)) return err(c, 'in numeric literal')
    }
    if (text.charCodeAt(i) === 0x30) i++
    else while (i < n && isDigit(text.charCodeAt(i))) i++
    if (i < n && text.charCodeAt(i) === 0x2e) {
      i++
      if (i >= n) return eofIn('after decimal point in numeric literal')
      const c = text.charCodeAt(i)
      if (!isDigit(c)) return err(c, 'after decimal point in numeric literal')
      while (i < n && isDigit(text.charCodeAt(i))) i++
    }
    if (i < n && (text.charCodeAt(i) === 0x65 || text.charCodeAt(i) === 0x45)) {
      i++
      if (i < n && (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d)) i++
      if (i >= n) return eofIn('in exponent of numeric literal')
      const c = text.charCodeAt(i)
      if (!isDigit(c)) return err(c, 'in exponent of numeric literal')
      while (i < n && isDigit(text.charCodeAt(i))) i++
    }
    // Valid syntax, but no float64 can hold it: Go's decoder refuses it when it builds the value.
    if (overflow === undefined && !Number.isFinite(Number(text.slice(start, i)))) overflow = text.slice(start, i)
    return undefined
  }

  const scanLiteral = (word: string): Scan | undefined => {
    for (let k = 1; k < word.length; k++) {
      i++
      if (i >= n) return eofIn(`in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`)
      const c = text.charCodeAt(i)
      if (c !== word.charCodeAt(k)) return err(c, `in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`)
    }
    i++
    return undefined
  }

  for (;;) {
    // Begin a value (or, right after '[', possibly ']'; right after '{', a key or '}').
    while (i < n && isSpace(text.charCodeAt(i))) i++
    if (i >= n) return { kind: 'eof' }
    const c = text.charCodeAt(i)
    let r: Scan | undefined
    if (c === 0x7b) {
      if (stack.length >= MAX_JSON_DEPTH) return { kind: 'error', error: 'exceeded max depth' }
      i++
      while (i < n && isSpace(text.charCodeAt(i))) i++
      if (i >= n) return { kind: 'eof' }
      const k = text.charCodeAt(i)
      if (k === 0x7d) {
        i++
      } else {
        if (k !== 0x22) return err(k, 'looking for beginning of object key string')
        stack.push(Ctx.ObjectKey)
        r = scanString()
        if (r) return r
      }
    } else if (c === 0x5b) {
      if (stack.length >= MAX_JSON_DEPTH) return { kind: 'error', error: 'exceeded max depth' }
      i++
      while (i < n && isSpace(text.charCodeAt(i))) i++
      if (i >= n) return { kind: 'eof' }
      if (text.charCodeAt(i) === 0x5d) i++
      else {
        stack.push(Ctx.Array)
        continue
      }
    } else if (c === 0x22) r = scanString()
    else if (c === 0x2d || isDigit(c)) r = scanNumber()
    else if (c === 0x74) r = scanLiteral('true')
    else if (c === 0x66) r = scanLiteral('false')
    else if (c === 0x6e) r = scanLiteral('null')
    else return err(c, 'looking for beginning of value')
    if (r) return r
    const after = endValue()
    if (after) return after.kind === 'value' && overflow !== undefined ? { ...after, overflow } : after
  }
}

const overflowError = (literal: string): string => `json: cannot unmarshal number ${literal} into Go value of type float64`

/**
 * Decodes bytes with `decode` as Go does: on valid UTF-8 as text; on bytes that are not, a
 * syntax error names the byte Go's scanner stopped at (`'\u009e'`, not the replacement
 * character's first byte), and a success reads strings with U+FFFD for the bad bytes, as Go does.
 * @internal
 */
export function goBytes(bytes: Buffer, decode: (text: string) => GoDecoded): GoDecoded {
  if (isUtf8(bytes)) return decode(bytes.toString('utf8'))
  byteText = true
  let scanned: GoDecoded
  try {
    scanned = decode(bytes.toString('latin1'))
  } finally {
    byteText = false
  }
  return scanned.ok ? decode(bytes.toString('utf8')) : scanned
}

/** `json.Unmarshal(text, &v)`: exactly one value, only white space after it. */
export function goUnmarshal(text: string): GoDecoded {
  const scan = scanValue(text, 0)
  if (scan.kind === 'eof') return { ok: false, error: scan.space ? `invalid character ' ' ${scan.space}` : 'unexpected end of JSON input' }
  if (scan.kind === 'error') return { ok: false, error: scan.error }
  let i = scan.end
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  if (i < text.length) return { ok: false, error: `invalid character ${quoteChar(text.charCodeAt(i))} after top-level value` }
  if (scan.overflow !== undefined) return { ok: false, error: overflowError(scan.overflow) }
  return { ok: true, value: JSON.parse(text), source: text }
}

/**
 * `json.NewDecoder(r).Decode(&v)`: leading white space skipped, the first value read, anything
 * after it ignored; empty or white-space-only input is `EOF`, a value cut short `unexpected EOF`.
 * A number no float64 can hold is refused as Go refuses it when decoding into `interface{}`
 * (everywhere, also under keys a Go struct would skip; `floats: false` leaves it to the caller).
 */
export function goDecodeFirst(text: string, options: { floats?: boolean } = {}): GoDecoded {
  return parsedWhole(text, options) ?? goDecodeFirstScanned(text, options)
}

/**
 * The common case without the scan: a text that `JSON.parse` accepts whole is one value with
 * JSON white space around it, which the scanner accepts too (they agree on what is valid, see
 * above) and reads as the same value, unless it nests deeper than {@link MAX_JSON_DEPTH} (only
 * possible in a text longer than twice that) or holds a number no float64 can hold (JSON.parse
 * makes it ±Infinity). `undefined` sends the text to the scan. A hook's answer is read this way
 * on every trigger (issue 12).
 */
function parsedWhole(text: string, options: { floats?: boolean }): GoDecoded | undefined {
  if (text.length > 2 * MAX_JSON_DEPTH) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (options.floats !== false && holdsNonFinite(value)) return undefined
  const padded = text.length > 0 && (isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1)))
  return { ok: true, value, source: padded ? text.trim() : text }
}

function holdsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value)
  if (value === null || typeof value !== 'object') return false
  if (Array.isArray(value)) {
    for (const v of value) if (holdsNonFinite(v)) return true
    return false
  }
  for (const key in value) if (holdsNonFinite((value as Record<string, unknown>)[key])) return true
  return false
}

/** {@link goDecodeFirst} by the scan alone (every text; the tests hold the fast path to it). @internal */
export function goDecodeFirstScanned(text: string, options: { floats?: boolean } = {}): GoDecoded {
  let i = 0
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  if (i >= text.length) return { ok: false, error: 'EOF' }
  const scan = scanValue(text, i)
  if (scan.kind === 'eof') return { ok: false, error: 'unexpected EOF' }
  if (scan.kind === 'error') return { ok: false, error: scan.error }
  if (scan.overflow !== undefined && options.floats !== false) return { ok: false, error: overflowError(scan.overflow) }
  const source = text.slice(i, scan.end)
  return { ok: true, value: JSON.parse(source), source }
}

/** The kind Go's type errors name: `object`, `array`, `string`, `number`, `bool` (`null` is never an error). */
export function goKind(value: unknown): string {
  if (Array.isArray(value)) return 'array'
  if (value === null) return 'null'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'object') return 'object'
  return typeof value
}

/**
 * The top-level members of a JSON object text that is already known to be valid, in order, each
 * with its key decoded and its value's exact source text (Go reports number literals as written:
 * `number 1.5`, `number 1e3`).
 */
export function objectMembers(text: string): { key: string; raw: string }[] {
  const out: { key: string; raw: string }[] = []
  let i = text.indexOf('{') + 1
  const n = text.length
  const skipWs = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++
  }
  const skipString = (): void => {
    i++
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 0x5c) i += 2
      else if (c === 0x22) {
        i++
        return
      } else i++
    }
  }
  const skipValue = (): void => {
    const c = text.charCodeAt(i)
    if (c === 0x22) return skipString()
    if (c === 0x7b || c === 0x5b) {
      let depth = 0
      while (i < n) {
        const d = text.charCodeAt(i)
        if (d === 0x22) {
          skipString()
          continue
        }
        if (d === 0x7b || d === 0x5b) depth++
        else if (d === 0x7d || d === 0x5d) {
          depth--
          if (depth === 0) {
            i++
            return
          }
        }
        i++
      }
      return
    }
    while (i < n && !isSpace(text.charCodeAt(i)) && text[i] !== ',' && text[i] !== '}') i++
  }
  for (;;) {
    skipWs()
    if (i >= n || text[i] === '}') return out
    if (text[i] === ',') {
      i++
      continue
    }
    const keyStart = i
    skipString()
    const key = JSON.parse(text.slice(keyStart, i)) as string
    skipWs()
    i++ // ':'
    skipWs()
    const valueStart = i
    skipValue()
    out.push({ key, raw: text.slice(valueStart, i) })
  }
}

/** A Go struct field's type, as far as JSON decoding tells them apart. */
export type GoFieldKind = 'string' | 'int64' | 'bool' | 'map'

const GO_TYPE: Record<GoFieldKind, string> = { string: 'string', int64: 'int64', bool: 'bool', map: 'map[string]interface {}' }

/** Go's case folding for struct field names: ASCII case plus the two non-ASCII folds to `k`/`s`. */
function foldKey(key: string): string {
  return key.replace(/\u212a/g, 'k').replace(/\u017f/g, 's').toLowerCase()
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/**
 * Decodes an object's members into a Go struct the way `encoding/json` does: a key matches a
 * field exactly or case-insensitively, `null` leaves a field as it is, a later member overwrites
 * an earlier one, a value of the wrong kind is an `UnmarshalTypeError` (the first one is reported;
 * decoding goes on), a number for an `int64` must be an integer literal in range. `path` maps a
 * field to its name in Go's error (`StandardClaims.exp` for a promoted field). Returns the error
 * text, if any, and each field's final value as source text.
 */
export function goDecodeStruct(text: string, struct: string, fields: Record<string, GoFieldKind>, path: Record<string, string> = {}): { error?: string; raw: Record<string, string> } {
  const byFold = new Map<string, string>()
  for (const name of Object.keys(fields)) byFold.set(foldKey(name), name)
  const raw: Record<string, string> = {}
  let error: string | undefined
  for (const member of objectMembers(text)) {
    const name = Object.hasOwn(fields, member.key) ? member.key : byFold.get(foldKey(member.key))
    if (name === undefined || member.raw === 'null') continue
    const kind = fields[name]!
    const found = kindError(member.raw, kind)
    if (found === undefined) raw[name] = member.raw
    else error ??= `json: cannot unmarshal ${found} into Go struct field ${struct}.${path[name] ?? name} of type ${GO_TYPE[kind]}`
  }
  return error === undefined ? { raw } : { error, raw }
}

/** What Go's type error says the value was, or `undefined` when it fits the field. */
function kindError(raw: string, kind: GoFieldKind): string | undefined {
  const first = raw.charCodeAt(0)
  if (first === 0x22) return kind === 'string' ? undefined : 'string'
  if (first === 0x7b) return kind === 'map' ? undefined : 'object'
  if (first === 0x5b) return 'array'
  if (raw === 'true' || raw === 'false') return kind === 'bool' ? undefined : 'bool'
  if (kind !== 'int64') return 'number'
  return /^-?\d+$/.test(raw) && BigInt(raw) >= INT64_MIN && BigInt(raw) <= INT64_MAX ? undefined : `number ${raw}`
}
