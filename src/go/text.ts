/**
 * Small pieces of Go's standard library whose exact behaviour GoTrue's answers depend on:
 * `encoding/base64`'s `RawURLEncoding` (what golang-jwt decodes token segments with),
 * `time.Duration`'s text (`token is expired by 5m0s`) and `strings.TrimSpace`.
 * @internal
 */

/** The byte offset of the first character Go's decoder refuses, as `illegal base64 data at input byte N`. */
export type GoBase64 = { ok: true; bytes: Buffer } | { ok: false; error: string }

/**
 * `base64.RawURLEncoding.DecodeString`, non-strict (golang-jwt v4's `DecodeSegment` with its
 * defaults): only `A–Z a–z 0–9 - _`, no `=` padding (a `=` is an illegal byte), `\r` and `\n`
 * skipped, a single character left over at the end is an error, unused trailing bits ignored.
 */
export function goRawUrlBase64(segment: string): GoBase64 {
  let clean = segment
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i)
    const valid = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f
    if (valid) continue
    if (c === 0x0a || c === 0x0d) {
      clean = segment.replace(/[\r\n]/g, '')
      continue
    }
    // Everything before the first refused character is ASCII: its index is its byte offset.
    return { ok: false, error: `illegal base64 data at input byte ${i}` }
  }
  if (clean.length % 4 === 1) return { ok: false, error: `illegal base64 data at input byte ${segment.length - 1}` }
  return { ok: true, bytes: Buffer.from(clean, 'base64url') }
}

const MAX_DURATION_NS = 2n ** 63n - 1n
const MIN_DURATION_NS = -(2n ** 63n)

/**
 * Go's `time.Unix(a, 0).Sub(time.Unix(b, 0)).String()` for whole seconds: `0s`, `59s`, `5m0s`,
 * `1h0m0s`; a difference beyond ±292 years saturates as Go's `Sub` does.
 */
export function goDurationBetween(aSeconds: number, bSeconds: number): string {
  let ns = (BigInt(aSeconds) - BigInt(bSeconds)) * 1_000_000_000n
  if (ns > MAX_DURATION_NS) ns = MAX_DURATION_NS
  if (ns < MIN_DURATION_NS) ns = MIN_DURATION_NS
  return goDuration(ns)
}

/** `time.Duration.String()` for a number of nanoseconds (whole seconds and the saturated extremes). */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s'
  const negative = ns < 0n
  let u = negative ? -ns : ns
  const frac = u % 1_000_000_000n
  u /= 1_000_000_000n
  const secs = u % 60n
  const fracText = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`
  let out = `${secs}${fracText}s`
  u /= 60n
  if (u > 0n) {
    out = `${u % 60n}m${out}`
    u /= 60n
    if (u > 0n) out = `${u}h${out}`
  }
  return negative ? `-${out}` : out
}

/**
 * Go's `unicode.IsSpace`: ASCII `\t \n \v \f \r` and space, U+0085, U+00A0, and the Unicode
 * `White_Space` characters (U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
 * Not JavaScript's set: U+FEFF is not space in Go, U+0085 is.
 */
export function isGoSpace(code: number): boolean {
  if (code <= 0xff) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x85 || code === 0xa0
  return code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000
}

/** Go's `strings.TrimSpace`. */
export function goTrimSpace(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && isGoSpace(s.charCodeAt(start))) start++
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--
  return s.slice(start, end)
}
