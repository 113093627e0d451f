import type { Clock } from '../clock.js'
import { epochSeconds } from '../clock.js'
import { verifyHmacJwt } from '../tokens/hmac-jwt.js'
import type { SecretKey } from '../tokens/key.js'
import { isRecord } from '../values.js'

/** Where Netlify Identity keeps a user's roles in its tokens (gotrue.md §3; not `netlify dev`'s default, §6.4). */
export const IDENTITY_ROLE_CLAIM = 'app_metadata.roles'

/**
 * The roles a role-based redirect sees in an `nf_jwt` cookie, as Netlify's redirect engine reads
 * them (netlify-redirector, the wasm build of libredirect; checked in test/redirects.test.ts):
 * the token must verify with the Identity instance's secret (HS256, HS384 or HS512) and carry an
 * unexpired `exp` — a token without `exp` is refused, unlike GoTrue's own parser — and a `typ`
 * header (any value; GoTrue's tokens have `typ: "JWT"`); roles come from
 * `app_metadata.roles`, an array of strings or a single string. `undefined` means no valid token.
 * @internal
 */
export async function redirectRoles(token: string | undefined, key: SecretKey, clock: Clock): Promise<string[] | undefined> {
  if (!token) return undefined
  const claims = verifyHmacJwt(token, key.hmacKey, { algorithms: ['HS256', 'HS384', 'HS512'], now: epochSeconds(clock), requireExp: true, requireTyp: true })
  if (!claims) return undefined
  const app = claims.app_metadata
  const roles = isRecord(app) ? app.roles : undefined
  if (typeof roles === 'string') return [roles]
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : []
}
