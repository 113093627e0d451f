import type { Diagnostic, GoTrueUser, JsonObject, JsonValue } from '../types.js'
import { cloneJson } from './json.js'

/**
 * The camelCase user Netlify's typed event handlers receive (`User` from `@netlify/functions`
 * 5.3 / `@netlify/types`; functions-runtime.md §2.3). Optional strings are omitted when GoTrue
 * has no value for them.
 */
export interface CamelUser {
  /** The user's id (UUID). */
  id: string
  /** E-mail address. */
  email?: string
  /** GoTrue `confirmed_at`. */
  confirmedAt?: string
  /** GoTrue `created_at`. */
  createdAt?: string
  /** GoTrue `updated_at`. */
  updatedAt?: string
  /** GoTrue's top-level `role` (usually empty, then omitted). */
  role?: string
  /** `app_metadata.provider`. */
  provider?: string
  /** `user_metadata.full_name` (or `user_metadata.name`). */
  name?: string
  /** `user_metadata.avatar_url`. */
  pictureUrl?: string
  /** `app_metadata.roles` when it is an array of strings. */
  roles?: string[]
  /** GoTrue `invited_at`. */
  invitedAt?: string
  /** GoTrue `confirmation_sent_at`. */
  confirmationSentAt?: string
  /** GoTrue `recovery_sent_at`. */
  recoverySentAt?: string
  /** GoTrue `new_email`. */
  pendingEmail?: string
  /** GoTrue `email_change_sent_at`. */
  emailChangeSentAt?: string
  /** GoTrue `last_sign_in_at`. */
  lastSignInAt?: string
  /** A copy of `user_metadata` (`{}` when GoTrue has `null`). */
  userMetadata?: Record<string, unknown>
  /** A copy of `app_metadata`. */
  appMetadata?: Record<string, unknown>
}

/** snake_case GoTrue field ↔ camelCase `User` field, for the plain string fields. */
const STRING_FIELDS = [
  ['confirmed_at', 'confirmedAt'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['role', 'role'],
  ['invited_at', 'invitedAt'],
  ['confirmation_sent_at', 'confirmationSentAt'],
  ['recovery_sent_at', 'recoverySentAt'],
  ['new_email', 'pendingEmail'],
  ['email_change_sent_at', 'emailChangeSentAt'],
  ['last_sign_in_at', 'lastSignInAt'],
] as const

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== ''

/**
 * GoTrue's snake_case user → the camelCase `User` a typed handler gets (functions-runtime.md
 * §2.3): `provider` and `roles` lifted from `app_metadata`, `name` (`full_name`, else `name`) and
 * `pictureUrl` (`avatar_url`) from `user_metadata`; both maps are deep copies.
 * @internal
 */
export function toCamelUser(user: GoTrueUser): CamelUser {
  const app = (user.app_metadata ?? {}) as Record<string, unknown>
  const meta = (user.user_metadata ?? {}) as Record<string, unknown>
  const out: CamelUser = { id: user.id }
  if (nonEmpty(user.email)) out.email = user.email
  const source = user as unknown as Record<string, unknown>
  for (const [snake, camel] of STRING_FIELDS) {
    const v = source[snake]
    if (nonEmpty(v)) out[camel] = v
  }
  if (nonEmpty(app.provider)) out.provider = app.provider
  const name = meta.full_name ?? meta.name
  if (nonEmpty(name)) out.name = name
  if (nonEmpty(meta.avatar_url)) out.pictureUrl = meta.avatar_url
  if (Array.isArray(app.roles) && app.roles.every((r) => typeof r === 'string')) out.roles = [...(app.roles as string[])]
  out.userMetadata = cloneJson(meta)
  out.appMetadata = cloneJson(app)
  return out
}

/**
 * A typed handler's `{ user }` → GoTrue's snake_case user (functions-runtime.md §2.3): `roles`
 * and `provider` folded into `app_metadata`, `name`/`pictureUrl` into
 * `user_metadata.full_name`/`avatar_url`. The top-level fields win over the same key inside the
 * maps. Given the user the handler received, a change made only inside a map that the stale
 * top-level field then overwrites is reported as a diagnostic.
 * @internal
 */
export function fromCamelUser(user: CamelUser, received?: CamelUser): { user: Record<string, JsonValue>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const out: Record<string, JsonValue> = { id: user.id }
  if (user.email !== undefined) out.email = user.email
  const source = user as unknown as Record<string, unknown>
  for (const [snake, camel] of STRING_FIELDS) {
    const v = source[camel]
    if (typeof v === 'string') out[snake] = v
  }
  const app: JsonObject = cloneJson((user.appMetadata ?? {}) as JsonObject)
  const meta: JsonObject = cloneJson((user.userMetadata ?? {}) as JsonObject)
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
  const fold = (map: JsonObject, mapName: 'appMetadata' | 'userMetadata', key: string, field: 'roles' | 'provider' | 'name' | 'pictureUrl'): void => {
    const value = user[field] as JsonValue | undefined
    if (value === undefined) return
    const before = received?.[mapName]?.[key]
    if (received && key in map && !same(map[key], value) && !same(map[key], before) && same(value, received[field])) {
      diagnostics.push({
        code: 'typed-user-conflict',
        message: `the handler changed ${mapName}.${key} to ${JSON.stringify(map[key])} but left ${field} = ${JSON.stringify(value)}; the top-level ${field} wins, so the change is lost. Set ${field} instead.`,
      })
    }
    map[key] = value
  }
  fold(app, 'appMetadata', 'roles', 'roles')
  fold(app, 'appMetadata', 'provider', 'provider')
  fold(meta, 'userMetadata', 'full_name', 'name')
  fold(meta, 'userMetadata', 'avatar_url', 'pictureUrl')
  out.app_metadata = app
  out.user_metadata = meta
  return { user: out, diagnostics }
}
