/**
 * The instance's HS256 secret, imported once as a WebCrypto key and reused for every signature
 * and verification (jose re-imports raw bytes on each call otherwise).
 * @internal
 */
export class SecretKey {
  readonly secret: string
  #key: Promise<CryptoKey> | undefined

  constructor(secret: string) {
    this.secret = secret
  }

  /** The imported key, created on first use. */
  get(): Promise<CryptoKey> {
    this.#key ??= crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(this.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    )
    return this.#key
  }
}
