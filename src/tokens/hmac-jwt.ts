import { createHmac, timingSafeEqual } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/** The HMAC algorithms a compact JWS may name, with node:crypto's digest for each. */
const DIGESTS = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const

/** An HMAC JWS algorithm name. @internal */
export type HmacAlg = keyof typeof DIGESTS

/** What {@link verifyHmacJwt} checks beyond the signature. @internal */
export interface HmacJwtOptions {
  /** The algorithms accepted (a token naming another one is refused). */
  algorithms: readonly HmacAlg[]
  /** Current time in seconds since the epoch. */
  now: number
  /** Refuse a token without a numeric `exp`. */
  requireExp?: boolean
  /** Refuse a token whose `iss` is not this value. */
  issuer?: string
  /** Refuse a token whose protected header has no `typ`. */
  requireTyp?: boolean
}

const json = (segment: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * A compact HMAC JWS checked with node:crypto, the way a generic JWT library checks one (not
 * GoTrue's golang-jwt rules, which `checkToken` implements): three base64url segments, a JSON
 * object header naming one of `algorithms`, a constant-time signature match, then `exp` (must be
 * in the future when present; required with `requireExp`), `nbf` (not in the future) and `iss`.
 * Used where the platform's checker is not GoTrue: the redirect engine's `nf_jwt` check and the
 * function gateway's webhook signature. Returns the claims, or `undefined` for any failure.
 * @internal
 */
export function verifyHmacJwt(token: string, key: Uint8Array | KeyObject, options: HmacJwtOptions): Record<string, unknown> | undefined {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  const [head, body, signature] = parts as [string, string, string]
  const header = json(head)
  const alg = header?.alg
  if (typeof alg !== 'string' || !options.algorithms.includes(alg as HmacAlg)) return undefined
  if (options.requireTyp && !('typ' in header!)) return undefined
  const expected = createHmac(DIGESTS[alg as HmacAlg], key).update(`${head}.${body}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
  const claims = json(body)
  if (!claims) return undefined
  const { exp, nbf, iss } = claims
  if (exp !== undefined && (typeof exp !== 'number' || !(exp > options.now))) return undefined
  if (options.requireExp && exp === undefined) return undefined
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > options.now)) return undefined
  if (options.issuer !== undefined && iss !== options.issuer) return undefined
  return claims
}
