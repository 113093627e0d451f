import { createHmac } from 'node:crypto'

/**
 * Signs a compact HS256 JWS with node:crypto's HMAC, synchronously. It produces the same bytes as
 * jose's `SignJWT` for the same header and claims, without WebCrypto's thread-pool round trip
 * (about 6× faster here), which matters on the hook and request hot paths. Verification stays
 * with jose (`src/tokens/verify.ts`).
 * @internal
 */
export function signHS256(header: object, claims: object, secret: Uint8Array): string {
  const signingInput = `${b64url(header)}.${b64url(claims)}`
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`
}

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}
