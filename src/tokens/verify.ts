import { decodeJwt, errors, jwtVerify } from 'jose'
import type { JWTPayload } from 'jose'
import type { Clock } from '../clock.js'
import { epochSeconds } from '../clock.js'
import type { SecretKey } from './key.js'

/** Why a bearer token was rejected: GoTrue's `Invalid token: …` detail. @internal */
export type TokenCheck = { ok: true; claims: JWTPayload } | { ok: false; reason: string; code: string }

/**
 * Verifies a token the way GoTrue parses bearers (gotrue.md §4): HS256 only, the instance
 * secret, `exp`/`nbf` checked only when present, `aud` not checked.
 * @internal
 */
export async function verifyToken(token: string, key: SecretKey, clock: Clock): Promise<TokenCheck> {
  const known = key.recall(token)
  if (known) return checkTimes(known, clock)
  try {
    const { payload } = await jwtVerify(token, await key.get(), { algorithms: ['HS256'], currentDate: clock() })
    key.remember(token, JSON.stringify(payload))
    return { ok: true, claims: payload }
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      const exp = typeof error.payload.exp === 'number' ? error.payload.exp : 0
      const by = Math.max(0, epochSeconds(clock) - exp)
      return { ok: false, code: error.code, reason: `token is expired by ${formatGoDuration(by)}` }
    }
    if (error instanceof errors.JOSEError) {
      const reason = error instanceof errors.JWSSignatureVerificationFailed
        ? 'signature is invalid'
        : error instanceof errors.JOSEAlgNotAllowed
          ? `signing method ${algOf(token)} is invalid`
          : 'token contains an invalid number of segments'
      return { ok: false, code: error.code, reason }
    }
    return { ok: false, code: 'ERR_JWT_INVALID', reason: 'token contains an invalid number of segments' }
  }
}

/**
 * The time checks jose applies (`exp` and `nbf`, only when present), for a token whose signature
 * is already known to be valid.
 */
function checkTimes(claims: JWTPayload, clock: Clock): TokenCheck {
  const now = epochSeconds(clock)
  if (typeof claims.exp === 'number' && claims.exp <= now) {
    return { ok: false, code: 'ERR_JWT_EXPIRED', reason: `token is expired by ${formatGoDuration(now - claims.exp)}` }
  }
  if (typeof claims.nbf === 'number' && claims.nbf > now) {
    return { ok: false, code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', reason: 'token is not valid yet' }
  }
  return { ok: true, claims }
}

/** Decodes claims without verifying anything (what `netlify dev` does, functions-runtime.md §3.6). @internal */
export function decodeUnverified(token: string): JWTPayload | undefined {
  try {
    return decodeJwt(token)
  } catch {
    return undefined
  }
}

function algOf(token: string): string {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown }
    return String(header.alg)
  } catch {
    return 'unknown'
  }
}

/** Go's `time.Duration` text for whole seconds, e.g. `5m0s`. @internal */
export function formatGoDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  if (h) return `${h}h${m}m${s}s`
  if (m) return `${m}m${s}s`
  return `${s}s`
}
