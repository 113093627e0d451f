import type { AppMetadata, UserMetadata } from '../types.js'

/**
 * The claims of a token that passed GoTrue's checks, as a function sees them
 * (`clientContext.user`, `netlifyIdentityContext.user`): the token's JSON payload, decoded.
 * GoTrue's own access tokens carry `sub`, `exp`, `email`, `app_metadata`, `user_metadata` and,
 * when the user has one, `aud` (gotrue.md §4); anything else a token carries is kept as is.
 */
export interface TokenClaims {
  /** The user id (`"0"` for the system user of an admin token). */
  sub?: string
  /** Expiry, epoch seconds. Absent (or 0) means the token never expires, as GoTrue reads it. */
  exp?: number
  /** The user's audience, when non-empty. */
  aud?: string
  /** The user's e-mail. */
  email?: string
  /** Snapshot of `app_metadata` at issue time (roles live here). */
  app_metadata?: AppMetadata | null
  /** Snapshot of `user_metadata` at issue time. */
  user_metadata?: UserMetadata | null
  /** Any other claim. */
  [claim: string]: unknown
}
