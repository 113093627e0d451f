import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../clock.js'
import { epochSeconds } from '../clock.js'
import { goBytes, goDecodeFirst, goDecodeStruct, goKind, goUnmarshal } from '../go/json.js'
import type { GoFieldKind } from '../go/json.js'
import { goDurationBetween, goRawUrlBase64 } from '../go/text.js'
import type { TokenClaims } from './claims.js'
import type { ParsedToken, SecretKey } from './key.js'

/**
 * Why a token was refused, after golang-jwt v4's `ValidationError` flags: the text GoTrue puts
 * after `Invalid token: `, and a stable code. @internal
 */
export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: string; code: TokenErrorCode }

/** Stable codes for a refused token, one per golang-jwt v4 validation flag. @internal */
export type TokenErrorCode =
  | 'ERR_JWT_MALFORMED'
  | 'ERR_JWT_UNVERIFIABLE'
  | 'ERR_JWT_SIGNATURE_INVALID'
  | 'ERR_JWT_EXPIRED'
  | 'ERR_JWT_USED_BEFORE_ISSUED'
  | 'ERR_JWT_NOT_VALID_YET'

/** `api.GoTrueClaims`: `jwt.StandardClaims` embedded, plus GoTrue's three claims (gotrue:api/token.go). */
const CLAIM_FIELDS: Record<string, GoFieldKind> = {
  aud: 'string', exp: 'int64', jti: 'string', iat: 'int64', iss: 'string', nbf: 'int64', sub: 'string',
  email: 'string', app_metadata: 'map', user_metadata: 'map',
}
/** Promoted fields are named through the embedded struct in Go's type errors. */
const CLAIM_PATHS: Record<string, string> = Object.fromEntries(['aud', 'exp', 'jti', 'iat', 'iss', 'nbf', 'sub'].map((k) => [k, `StandardClaims.${k}`]))

/** Every `alg` golang-jwt v4 registers; another name is "unavailable", not "invalid". */
const KNOWN_ALGS = new Set(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'none'])

const malformed = (reason: string): ParsedToken => ({ ok: false, code: 'ERR_JWT_MALFORMED', reason })

/**
 * golang-jwt v4.5.2 `Parser.ParseWithClaims` as GoTrue calls it (`ValidMethods: [HS256]`, the
 * instance secret, `&GoTrueClaims{}`; gotrue:api/auth.go `parseJWTClaims`), up to and including
 * the signature check: everything that depends on the token and the secret only. A `crit`
 * header is not looked at (the library has no notion of it).
 */
function parseToken(token: string, key: SecretKey): ParsedToken {
  const parts = token.split('.')
  if (parts.length !== 3) return malformed('token contains an invalid number of segments')
  const [head, body, signature] = parts as [string, string, string]
  const headerBytes = goRawUrlBase64(head)
  if (!headerBytes.ok) {
    return malformed(token.toLowerCase().startsWith('bearer ') ? "tokenstring should not contain 'bearer '" : headerBytes.error)
  }
  const header = goBytes(headerBytes.bytes, goUnmarshal)
  if (!header.ok) return malformed(header.error)
  if (header.value !== null && (typeof header.value !== 'object' || Array.isArray(header.value))) {
    return malformed(`json: cannot unmarshal ${goKind(header.value)} into Go value of type map[string]interface {}`)
  }
  const claimBytes = goRawUrlBase64(body)
  if (!claimBytes.ok) return malformed(claimBytes.error)
  // Numbers are typed by the struct below (int64 claims); others are never built as floats here.
  const decoded = goBytes(claimBytes.bytes, (text) => goDecodeFirst(text, { floats: false }))
  if (!decoded.ok) return malformed(decoded.error)
  let raw: Record<string, string> = {}
  if (decoded.value !== null) {
    if (typeof decoded.value !== 'object' || Array.isArray(decoded.value)) {
      return malformed(`json: cannot unmarshal ${goKind(decoded.value)} into Go value of type api.GoTrueClaims`)
    }
    const typed = goDecodeStruct(decoded.source, 'GoTrueClaims', CLAIM_FIELDS, CLAIM_PATHS)
    if (typed.error) return malformed(typed.error)
    raw = typed.raw
  }
  const alg = (header.value as Record<string, unknown> | null)?.alg
  if (typeof alg !== 'string') return { ok: false, code: 'ERR_JWT_UNVERIFIABLE', reason: 'signing method (alg) is unspecified.' }
  if (!KNOWN_ALGS.has(alg)) return { ok: false, code: 'ERR_JWT_UNVERIFIABLE', reason: 'signing method (alg) is unavailable.' }
  if (alg !== 'HS256') return { ok: false, code: 'ERR_JWT_SIGNATURE_INVALID', reason: `signing method ${alg} is invalid` }
  const sig = goRawUrlBase64(signature)
  if (!sig.ok) return { ok: false, code: 'ERR_JWT_SIGNATURE_INVALID', reason: sig.error }
  const expected = createHmac('sha256', key.hmacKey).update(`${head}.${body}`).digest()
  if (sig.bytes.length !== expected.length || !timingSafeEqual(sig.bytes, expected)) {
    return { ok: false, code: 'ERR_JWT_SIGNATURE_INVALID', reason: 'signature is invalid' }
  }
  const int = (name: string): bigint => (raw[name] === undefined ? 0n : BigInt(raw[name]))
  return { ok: true, claimsText: decoded.source, exp: int('exp'), iat: int('iat'), nbf: int('nbf') }
}

/**
 * `StandardClaims.Valid()` (golang-jwt v4): `exp`, `iat`, `nbf` checked only when non-zero, in
 * that order, with the last failure's text winning, as the library overwrites its inner error.
 */
function checkTimes(parsed: Extract<ParsedToken, { ok: true }>, now: number): TokenCheck {
  const nowBig = BigInt(now)
  let failure: { code: TokenErrorCode; reason: string } | undefined
  if (parsed.exp !== 0n && !(nowBig < parsed.exp)) {
    failure = { code: 'ERR_JWT_EXPIRED', reason: `token is expired by ${goDurationBetween(now, Number(parsed.exp))}` }
  }
  if (parsed.iat !== 0n && nowBig < parsed.iat) failure = { code: 'ERR_JWT_USED_BEFORE_ISSUED', reason: 'token used before issued' }
  if (parsed.nbf !== 0n && nowBig < parsed.nbf) failure = { code: 'ERR_JWT_NOT_VALID_YET', reason: 'token is not valid yet' }
  if (failure) return { ok: false, ...failure }
  return { ok: true, claims: parsed.claimsText === 'null' ? {} : (JSON.parse(parsed.claimsText) as TokenClaims) }
}

/**
 * Checks a token exactly as GoTrue checks a bearer (gotrue.md §4; gotrue:api/auth.go
 * `parseJWTClaims`, golang-jwt v4.5.2): HS256 only, the instance secret, the claims decoded into
 * `GoTrueClaims` with Go's type rules (a non-integer `exp` is malformed), then `exp`/`iat`/`nbf`
 * against the clock. The one verifier for every surface: GoTrue's routes, `clientContext.user`,
 * the v2 bearer and the `nf_jwt` cookie. The claims returned are a fresh object on every call.
 * @internal
 */
export function checkToken(token: string, key: SecretKey, clock: Clock): TokenCheck {
  const parsed = key.parsed(token, (t) => parseToken(t, key))
  if (!parsed.ok) return { ok: false, code: parsed.code as TokenErrorCode, reason: parsed.reason }
  return checkTimes(parsed, epochSeconds(clock))
}

/** {@link checkToken} as a promise, for callers written against the earlier asynchronous verifier. @internal */
export async function verifyToken(token: string, key: SecretKey, clock: Clock): Promise<TokenCheck> {
  return checkToken(token, key, clock)
}

/**
 * Decodes a token's claims without verifying anything (what `netlify dev` does with jwt-decode,
 * functions-runtime.md §3.6): three segments, the middle one base64url JSON of an object; else
 * `undefined`. @internal
 */
export function decodeUnverified(token: string): TokenClaims | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as TokenClaims) : undefined
  } catch {
    return undefined
  }
}
