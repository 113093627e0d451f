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
