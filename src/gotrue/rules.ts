import type { Diagnostic, GoTrueError, GoTrueUser, IdentityEvent, JsonObject } from '../types.js'
import { decodeFirstJsonValue } from './json-decode.js'
import { isRecord } from '../values.js'

/** Statuses GoTrue accepts from a hook (gotrue.md §2.1): 200, 202 and 204; 201 is a failure. */
export const ALLOWED_HOOK_STATUSES: ReadonlySet<number> = new Set([200, 202, 204])

/** Whether GoTrue accepts a hook's status. */
export function isAllowedHookStatus(status: number): boolean {
  return ALLOWED_HOOK_STATUSES.has(status)
}

/** Events whose failure GoTrue only logs (gotrue.md §1.2). */
export function isNonBlockingEvent(event: IdentityEvent): boolean {
  return event === 'usermodified' || event === 'userdeleted'
}

/** GoTrue's error after the last failed attempt (gotrue.md §2.1); the text says "signup" for every event. */
export const HOOK_FAILED: GoTrueError = Object.freeze({ code: 422, msg: 'Failed to handle signup webhook' })

/** GoTrue's error when the last attempt timed out (gotrue.md §2.1). */
export function hookTimeoutError(timeoutMs: number): GoTrueError {
  return { code: 504, msg: `Failed to perform webhook in time frame (${Number((timeoutMs / 1000).toFixed(3))} seconds)` }
}

/** The result of reading an accepted hook's body. @internal */
export type BodyResult =
  | { ok: true; user: GoTrueUser; changed: { app_metadata: boolean; user_metadata: boolean }; diagnostics: Diagnostic[] }
  | { ok: false; error: GoTrueError; diagnostics: Diagnostic[] }

/** Which maps an accepted hook body set, by the user object {@link applyHookBody} returned. */
const changedMaps = new WeakMap<GoTrueUser, { app_metadata: boolean; user_metadata: boolean }>()

/**
 * The maps a hook's body replaced on the user it produced (`HookOutcome.user`), or `undefined`
 * when it replaced none: an empty body, `null`, `{}` or a body without either map writes nothing
 * (gotrue.md §2.3). Flows write only these, so a hook never writes back a stale copy.
 * @internal
 */
export function hookChanges(user: GoTrueUser): { app_metadata: boolean; user_metadata: boolean } | undefined {
  return changedMaps.get(user)
}

const GO_TYPE = (v: unknown): string => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v)

/**
 * Applies an accepted hook's body to a user as GoTrue does (gotrue.md §2.3): empty = no-op;
 * the first JSON value is read; `app_metadata`/`user_metadata` objects **replace** the stored
 * maps whole (nulls inside kept); other keys ignored; malformed JSON is a 500 that blocks.
 * The input user is never mutated; the returned maps are the freshly parsed ones (not shared).
 * @internal
 */
export function applyHookBody(user: GoTrueUser, body: string, event: IdentityEvent, errorId: () => string): BodyResult {
  const diagnostics: Diagnostic[] = []
  const unchanged = { app_metadata: false, user_metadata: false }
  if (event === 'userdeleted' || body.length === 0) return { ok: true, user, changed: unchanged, diagnostics }
  const decoded = decodeFirstJsonValue(body)
  const malformed = (detail: string): BodyResult => {
    diagnostics.push({
      code: 'malformed-json',
      message: `the function answered an allowed status with a body GoTrue cannot read (${detail}); GoTrue answers 500 and blocks the ${event}.`,
    })
    return { ok: false, error: { code: 500, msg: `Webhook returned malformed JSON: ${detail}`, error_id: errorId() }, diagnostics }
  }
  if (!decoded.ok) return malformed(decoded.error)
  const value = decoded.value
  if (value === null) return { ok: true, user, changed: unchanged, diagnostics }
  if (!isRecord(value)) {
    return malformed(`json: cannot unmarshal ${GO_TYPE(value)} into Go value of type api.HookResponse`)
  }
  const obj = value
  for (const key of ['app_metadata', 'user_metadata'] as const) {
    const v = obj[key]
    if (v !== undefined && v !== null && !isRecord(v)) {
      return malformed(`json: cannot unmarshal ${GO_TYPE(v)} into Go struct field HookResponse.${key} of type map[string]interface {}`)
    }
  }
  const ignored = Object.keys(obj).filter((k) => k !== 'app_metadata' && k !== 'user_metadata')
  if (ignored.length) {
    diagnostics.push({
      code: 'ignored-keys',
      message: `GoTrue ignores ${ignored.map((k) => JSON.stringify(k)).join(', ')} in a hook response: only app_metadata and user_metadata can change the user.`,
    })
  }
  const next: GoTrueUser = { ...user }
  const changed = { ...unchanged }
  const app = obj.app_metadata as JsonObject | null | undefined
  if (app) {
    next.app_metadata = app
    changed.app_metadata = true
    const roles = app.roles
    if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
      diagnostics.push({
        code: 'roles-not-array',
        message: `the response set app_metadata.roles to ${JSON.stringify(roles)}; Netlify reads roles as an array of strings (a string breaks the Identity UI and role-based redirects). Use roles: [${typeof roles === 'string' ? JSON.stringify(roles) : '"role"'}].`,
      })
    }
    const hadProvider = user.app_metadata && 'provider' in user.app_metadata
    if (hadProvider && !('provider' in app)) {
      diagnostics.push({
        code: 'dropped-provider',
        message: `the response replaced app_metadata without "provider" (${JSON.stringify(user.app_metadata.provider)}): GoTrue replaces the whole map, so provider is lost. Spread the existing map: { app_metadata: { ...user.app_metadata, roles } }.`,
      })
    }
  }
  const meta = obj.user_metadata as JsonObject | null | undefined
  if (meta) {
    next.user_metadata = meta
    changed.user_metadata = true
  }
  if (!changed.app_metadata && !changed.user_metadata) return { ok: true, user, changed, diagnostics }
  changedMaps.set(next, changed)
  return { ok: true, user: next, changed, diagnostics }
}
