import { createHmac } from 'node:crypto'
import type { SecretKey } from './key.js'

/**
 * Signs a compact HS256 JWS with node:crypto's HMAC, synchronously. It produces the same bytes as
 * jose's `SignJWT` for the same header and claims, without WebCrypto's thread-pool round trip
 * (about 6× faster here), which matters on the hook and request hot paths. Unless `remember` is
 * false, the token is remembered as validly signed, so verifying it later costs no cryptography;
 * other tokens are verified with jose (`src/tokens/verify.ts`).
 * @internal
 */
export function signHS256(header: object, claims: object, key: SecretKey, remember = true): string {
  const claimsJson = JSON.stringify(claims)
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(claimsJson)}`
  const token = `${signingInput}.${createHmac('sha256', key.bytes).update(signingInput).digest('base64url')}`
  if (remember) key.remember(token, claimsJson)
  return token
}

function b64url(json: string): string {
  return Buffer.from(json, 'utf8').toString('base64url')
}
