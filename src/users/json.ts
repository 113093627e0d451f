import type { GoTrueUser } from '../types.js'

/** GoTrue's key order for a user (gotrue.md §3). @internal */
const KEY_ORDER = [
  'id', 'aud', 'role', 'email', 'confirmed_at', 'invited_at', 'confirmation_sent_at', 'recovery_sent_at',
  'new_email', 'email_change_sent_at', 'last_sign_in_at', 'app_metadata', 'user_metadata', 'created_at', 'updated_at',
] as const

const OMIT_WHEN_EMPTY = new Set<string>([
  'confirmed_at', 'invited_at', 'confirmation_sent_at', 'recovery_sent_at', 'new_email', 'email_change_sent_at',
  'last_sign_in_at',
])

/**
 * A user as GoTrue serialises it: known keys in GoTrue's order, optional timestamps omitted when
 * empty, metadata deep-copied so that callers never share maps with the store. `copy: false`
 * shares the metadata maps instead, for a view that is serialised at once (hot paths).
 * @internal
 */
export function serializeUser(user: GoTrueUser, copy = true): GoTrueUser {
  const out: Record<string, unknown> = {}
  for (const key of KEY_ORDER) {
    const value = (user as unknown as Record<string, unknown>)[key]
    if (OMIT_WHEN_EMPTY.has(key) && (value === undefined || value === null || value === '')) continue
    if (key === 'app_metadata') out[key] = value == null ? {} : copy ? cloneJson(value) : value
    else if (key === 'user_metadata') out[key] = value === undefined ? null : copy ? cloneJson(value) : value
    else out[key] = value ?? ''
  }
  return out as unknown as GoTrueUser
}

/** Deep copy of a JSON value. @internal */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  return structuredClone(value)
}
