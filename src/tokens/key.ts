import { createSecretKey } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/**
 * What verifying a token finds out from the token and the secret alone (no clock): either the
 * error, or the claims text and the three times GoTrue checks. A pure function of the two, so a
 * remembered result can never differ from a fresh one. @internal
 */
export type ParsedToken =
  | { ok: true; claimsText: string; exp: bigint; iat: bigint; nbf: bigint }
  | { ok: false; code: string; reason: string }

/**
 * The instance's HS256 secret: its bytes for node:crypto's HMAC, and a bounded memo of parsed
 * tokens (signature checked, claims decoded) so that a token used on every request costs one
 * HMAC in all. The memo only skips recomputing a pure result: time checks run on every use.
 * @internal
 */
export class SecretKey {
  readonly secret: string
  /** The secret's UTF-8 bytes. */
  readonly bytes: Uint8Array<ArrayBuffer>
  /**
   * The same bytes as node:crypto's key object, for every HMAC: Node 24 prepares a byte-array key
   * anew on each `createHmac` (≈ 16 µs a call on Node 24.21, against ≈ 2.6 µs with a key object;
   * both ≈ 2.6 µs on Node 20).
   */
  readonly hmacKey: KeyObject
  readonly #parsed = new Map<string, ParsedToken>()

  /** How many parsed tokens are remembered (the oldest are dropped first). */
  static readonly CACHE_LIMIT = 1024

  constructor(secret: string) {
    this.secret = secret
    this.bytes = new TextEncoder().encode(secret)
    this.hmacKey = createSecretKey(this.bytes)
  }

  /** The remembered result for a token, or the one `parse` computes (then remembered). */
  parsed(token: string, parse: (token: string) => ParsedToken): ParsedToken {
    const known = this.#parsed.get(token)
    if (known) return known
    const result = parse(token)
    if (this.#parsed.size >= SecretKey.CACHE_LIMIT) this.#parsed.delete(this.#parsed.keys().next().value!)
    this.#parsed.set(token, result)
    return result
  }

  /** How many parsed tokens are remembered (for tests of the bound). */
  get remembered(): number {
    return this.#parsed.size
  }
}
