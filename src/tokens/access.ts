import { HarnessError } from '../errors.js'
import type { GoTrueUser, JsonValue } from '../types.js'
import { describeValue } from '../values.js'
import { signHS256 } from './hs256.js'
import type { SecretKey } from './key.js'

/** Options for {@link Identity.token}. */
export interface TokenOptions {
  /**
   * Lifetime from the instance clock (GoTrue's default is 3600 s): seconds as a number, or a
   * time span as jose writes it (`'5m'`, `'2 hours'`, `'1 day'`, `'30s'`, `'-5m'`, `'5m ago'`).
   * Negative values make expired tokens. Anything else is an `ERR_INVALID_OPTION`.
   */
  expiresIn?: number | string
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

const SPAN = /^(\+|-)? ?(\d+|\d+\.\d+) ?(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)(?: (ago|from now))?$/i
const UNIT_SECONDS: [RegExp, number][] = [[/^s/, 1], [/^mi|^m$/, 60], [/^h/, 3600], [/^d/, 86400], [/^w/, 604800], [/^y/, 31557600]]

/**
 * `expiresIn` in seconds, read as jose reads a time span (jose `lib/secs`): a finite number of
 * seconds, or `<n> <unit>` with an optional sign or `ago`/`from now`; a year is 365.25 days.
 * @internal
 */
export function lifetimeSeconds(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return Math.round(value)
  } else if (typeof value === 'string') {
    const m = SPAN.exec(value)
    if (m && !(m[1] === '-' && m[4] === 'ago')) {
      const unit = m[3]!.toLowerCase()
      const seconds = Math.round(Number(m[2]) * UNIT_SECONDS.find(([re]) => re.test(unit))![1])
      return m[1] === '-' || m[4] === 'ago' ? -seconds : seconds
    }
  }
  throw new HarnessError('ERR_INVALID_OPTION', `expiresIn must be seconds (a number) or a time span such as '5m', '2 hours' or '1 day'; got ${describeValue(value)}`)
}

/** The claims of an access token for `user` issued at `nowSeconds`. @internal */
export function accessTokenClaims(user: GoTrueUser, nowSeconds: number, options: TokenOptions = {}): AccessTokenClaims {
  const claims: Record<string, unknown> = {
    sub: user.id,
    exp: nowSeconds + (options.expiresIn === undefined ? DEFAULT_TOKEN_LIFETIME : lifetimeSeconds(options.expiresIn)),
    email: user.email,
    app_metadata: user.app_metadata ?? null,
    user_metadata: user.user_metadata ?? null,
  }
  if (user.aud) claims.aud = user.aud
  if (options.claims) Object.assign(claims, options.claims)
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k]
  return claims as AccessTokenClaims
}

/** GoTrue's access-token header (frozen: {@link signHS256} encodes it once). */
const ACCESS_HEADER = Object.freeze({ alg: 'HS256', kid: 'nf-ident', typ: 'JWT' })

/** Signs claims as GoTrue signs access tokens: HS256, `kid: "nf-ident"`, no `iat`/`iss`. @internal */
export function signAccessToken(claims: object, key: SecretKey): string {
  return signHS256(ACCESS_HEADER, claims, key)
}
