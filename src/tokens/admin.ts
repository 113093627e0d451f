import type { Clock } from '../clock.js'
import { epochSeconds } from '../clock.js'
import { HS256_HEADER, signHS256 } from './hs256.js'
import type { SecretKey } from './key.js'

/**
 * Lifetime of the function's admin token (`clientContext.identity.token`). Production calls it
 * "short-lived" without a number (gotrue.md §6.1); one minute is enough for any test.
 */
export const ADMIN_TOKEN_LIFETIME = 60

/**
 * Issues the system-user token (`sub: "0"`, HS256, short `exp`) that Netlify hands functions.
 * A token is reused while more than half of its lifetime remains, so hot paths sign rarely.
 * @internal
 */
export class AdminTokens {
  readonly #key: SecretKey
  readonly #clock: Clock
  #cached: { token: string; exp: number } | undefined

  constructor(key: SecretKey, clock: Clock) {
    this.#key = key
    this.#clock = clock
  }

  /** A valid admin token. */
  get(): Promise<string> {
    return Promise.resolve(this.current())
  }

  /** A valid admin token, synchronously (signing is synchronous: the hot paths need no await). */
  current(): string {
    const now = epochSeconds(this.#clock)
    const cached = this.#cached
    if (cached && cached.exp - now > ADMIN_TOKEN_LIFETIME / 2) return cached.token
    const exp = now + ADMIN_TOKEN_LIFETIME
    const token = signHS256(HS256_HEADER, { exp, sub: '0' }, this.#key)
    this.#cached = { token, exp }
    return token
  }
}
