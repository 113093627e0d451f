import { createHmac } from 'node:crypto'
import type { SecretKey } from './key.js'

/** The plain HS256 JWS header (`{"alg":"HS256","typ":"JWT"}`), frozen so that its encoding is kept. @internal */
export const HS256_HEADER = Object.freeze({ alg: 'HS256', typ: 'JWT' })

/**
 * Signs a compact HS256 JWS with node:crypto's HMAC, synchronously. It produces the same bytes as
 * jose's `SignJWT` for the same header and claims, without WebCrypto's thread-pool round trip
 * (about 6× faster here), which matters on the hook and request hot paths. Signing tells the
 * verifier nothing: a token this instance signed is judged like any other (`src/tokens/verify.ts`).
 * @internal
 */
export function signHS256(header: object, claims: object, key: SecretKey): string {
  const signingInput = `${encodedHeader(header)}.${b64url(JSON.stringify(claims))}`
  return `${signingInput}.${createHmac('sha256', key.hmacKey).update(signingInput).digest('base64url')}`
}

/** The encoded form of each frozen header signed so far (the hot paths pass frozen module constants). */
const headers = new WeakMap<object, string>()

function encodedHeader(header: object): string {
  if (!Object.isFrozen(header)) return b64url(JSON.stringify(header))
  let encoded = headers.get(header)
  if (encoded === undefined) headers.set(header, (encoded = b64url(JSON.stringify(header))))
  return encoded
}

/** Where short JSON texts are encoded (synchronously, so never shared): no Buffer per token (issue 12). */
const SCRATCH = Buffer.allocUnsafe(4096)

function b64url(json: string): string {
  // A UTF-8 character takes at most 3 bytes per UTF-16 unit: a text that surely fits is written
  // into the scratch buffer, anything longer gets its own.
  if (json.length * 3 > SCRATCH.length) return Buffer.from(json, 'utf8').toString('base64url')
  const n = SCRATCH.write(json, 0, 'utf8')
  return SCRATCH.toString('base64url', 0, n)
}
