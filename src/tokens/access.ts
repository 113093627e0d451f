import type { GoTrueUser, JsonValue } from '../types.js'
import { signHS256 } from './hs256.js'
import type { SecretKey } from './key.js'

/** Options for {@link Identity.token}. */
export interface TokenOptions {
  /** Lifetime in seconds from the instance clock (GoTrue's default is 3600). Negative values make expired tokens. */
  expiresIn?: number
  /** Extra or replacement claims; a claim set to `undefined` is removed (e.g. `{ exp: undefined }` for a token that never expires). */
  claims?: Record<string, JsonValue | undefined>
}

/** The claims GoTrue puts in an access token (gotrue.md §4). */
export interface AccessTokenClaims {
  /** The user id. */
  sub: string
  /** Expiry, epoch seconds. */
  exp?: number
  /** The user's `aud`, only when non-empty. */
  aud?: string
  /** The user's e-mail. */
  email: string
  /** Snapshot of `app_metadata` at issue time. */
  app_metadata: GoTrueUser['app_metadata'] | null
  /** Snapshot of `user_metadata` at issue time. */
  user_metadata: GoTrueUser['user_metadata']
  /** Anything added through `claims`. */
  [claim: string]: unknown
}

/** GoTrue's default access-token lifetime (gotrue.md §4). */
export const DEFAULT_TOKEN_LIFETIME = 3600

/** The claims of an access token for `user` issued at `nowSeconds`. @internal */
export function accessTokenClaims(user: GoTrueUser, nowSeconds: number, options: TokenOptions = {}): AccessTokenClaims {
  const claims: Record<string, unknown> = {
    sub: user.id,
    exp: nowSeconds + (options.expiresIn ?? DEFAULT_TOKEN_LIFETIME),
    email: user.email,
    app_metadata: user.app_metadata ?? null,
    user_metadata: user.user_metadata ?? null,
  }
  if (user.aud) claims.aud = user.aud
  if (options.claims) Object.assign(claims, options.claims)
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k]
  return claims as AccessTokenClaims
}

/** Signs claims as GoTrue signs access tokens: HS256, `kid: "nf-ident"`, no `iat`/`iss`. @internal */
export function signAccessToken(claims: object, key: SecretKey): string {
  return signHS256({ alg: 'HS256', kid: 'nf-ident', typ: 'JWT' }, claims, key)
}
