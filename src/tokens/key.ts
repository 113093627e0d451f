/**
 * The instance's HS256 secret: its bytes for signing (`signHS256`) and, for jose's verification,
 * a WebCrypto key imported once and reused (jose re-imports raw bytes on each call otherwise).
 * @internal
 */
export class SecretKey {
  readonly secret: string
  /** The secret's UTF-8 bytes, for node:crypto HMAC signing. */
  readonly bytes: Uint8Array<ArrayBuffer>
  #key: Promise<CryptoKey> | undefined

  constructor(secret: string) {
    this.secret = secret
    this.bytes = new TextEncoder().encode(secret)
  }

  /**
   * Tokens known to carry a valid signature, with their claims as JSON: the ones this instance
   * signed, and the ones jose verified once. Expiry is still checked on every use. Bounded: the
   * oldest entries are dropped past {@link SecretKey.CACHE_LIMIT}.
   */
  readonly #known = new Map<string, string>()

  /** How many verified tokens are remembered. */
  static readonly CACHE_LIMIT = 1024

  /** Remembers a token whose signature is known to be valid. */
  remember(token: string, claimsJson: string): void {
    if (this.#known.size >= SecretKey.CACHE_LIMIT) this.#known.delete(this.#known.keys().next().value!)
    this.#known.set(token, claimsJson)
  }

  /** The claims (a fresh object) of a token known to be validly signed, else `undefined`. */
  recall(token: string): Record<string, unknown> | undefined {
    const json = this.#known.get(token)
    return json === undefined ? undefined : (JSON.parse(json) as Record<string, unknown>)
  }

  /** The imported WebCrypto key, created on first use. */
  get(): Promise<CryptoKey> {
    this.#key ??= crypto.subtle.importKey(
      'raw',
      this.bytes,
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    return this.#key
  }
}
