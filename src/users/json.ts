import type { GoTrueUser } from '../types.js'

/** GoTrue's key order for a user (gotrue.md §3). @internal */
export const KEY_ORDER = [
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
  const u = user as unknown as Record<string, unknown>
  const app = u.app_metadata
  const meta = u.user_metadata
  // The common shape (a confirmed user, no other optional timestamp) as one literal, in the
  // order of KEY_ORDER: the same object as the loop below builds, at a fraction of the cost.
  if (!isEmpty(u.confirmed_at) && isEmpty(u.invited_at) && isEmpty(u.confirmation_sent_at) && isEmpty(u.recovery_sent_at) &&
    isEmpty(u.new_email) && isEmpty(u.email_change_sent_at) && isEmpty(u.last_sign_in_at)) {
    return {
      id: u.id ?? '',
      aud: u.aud ?? '',
      role: u.role ?? '',
      email: u.email ?? '',
      confirmed_at: u.confirmed_at,
      app_metadata: app == null ? {} : copy ? cloneJson(app) : app,
      user_metadata: meta === undefined ? null : copy ? cloneJson(meta) : meta,
      created_at: u.created_at ?? '',
      updated_at: u.updated_at ?? '',
    } as unknown as GoTrueUser
  }
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

/**
 * Deep copy of a JSON value, with `structuredClone`'s result. Plain objects and arrays (what users
 * hold) are copied by a direct walk, about ten times cheaper than `structuredClone` for a small
 * metadata map; anything else inside (a `Date`, a `Map`, a class instance, a cycle, a sparse
 * array, deeper than 64 levels) hands the whole value to `structuredClone`, so results and errors
 * stay exactly its own.
 * @internal
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  const copy = copyPlain(value, 0)
  return copy === NOT_PLAIN ? structuredClone(value) : (copy as T)
}

const NOT_PLAIN: unique symbol = Symbol('not plain')
const OBJECT_PROTO = Object.prototype
const ARRAY_PROTO = Array.prototype

function copyPlain(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? NOT_PLAIN : value
  if (depth > 64) return NOT_PLAIN
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === ARRAY_PROTO && Array.isArray(value)) {
    const n = value.length
    const out = new Array<unknown>(n)
    for (let i = 0; i < n; i++) {
      if (!(i in value)) return NOT_PLAIN
      const v = copyPlain(value[i], depth + 1)
      if (v === NOT_PLAIN) return NOT_PLAIN
      out[i] = v
    }
    // structuredClone also copies an array's own non-index properties.
    if (Object.keys(value).length !== n) return NOT_PLAIN
    return out
  }
  if (proto !== OBJECT_PROTO && proto !== null) return NOT_PLAIN
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const v = copyPlain((value as Record<string, unknown>)[key], depth + 1)
    if (v === NOT_PLAIN) return NOT_PLAIN
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true })
    else out[key] = v
  }
  return out
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === ''
}
