import type { Diagnostic, JsonObject } from '../types.js'

/** One request to the emulated GoTrue made during a call, as the emulator answered it. @internal */
export interface GoTrueExchange {
  method: string
  /** The path under the instance URL (`/admin/users/…`). */
  path: string
  status: number
  /** The request body as text. */
  text: string
  /**
   * A failure that is the platform's normal path rather than the function's mistake: `GET /user`
   * with a token that names no user (the admin token), which `@netlify/identity`'s server-side
   * `getUser()` sends before it falls back to the token's claims. Not an ignored GoTrue error.
   */
  expected?: boolean
}

const ADMIN_USER = '/admin/users/'

/**
 * Pitfalls in a function's request to the GoTrue admin API that GoTrue accepts but that break
 * Identity afterwards (real-world-patterns.md, "Defects"):
 *
 * - `admin-roles-not-array`: a `PUT /admin/users/:id` (or `POST /admin/users`) whose
 *   `app_metadata.roles` is not an array of strings — GoTrue stores it, and the Identity UI and
 *   Netlify's role redirects break (netlify/functions#406 is exactly this admin case).
 * - `admin-malformed-id`: braces in the id (`/admin/users/{${id}}`, seen twice in real
 *   functions: GoTrue's UUID parser happens to accept `{…}`, which hides the template mistake),
 *   `undefined` or `null` as the id (a missing field interpolated into the path), or an id GoTrue
 *   refused with 400/404.
 * @internal
 */
export function adminWriteDiagnostics(x: GoTrueExchange, name: string): Diagnostic[] {
  const out: Diagnostic[] = []
  const isUserPath = x.path.startsWith(ADMIN_USER)
  if (isUserPath) {
    const raw = x.path.slice(ADMIN_USER.length)
    let id = raw
    try {
      id = decodeURIComponent(raw)
    } catch {
      // keep the raw text
    }
    if (id === 'undefined' || id === 'null') {
      out.push({
        code: 'admin-malformed-id',
        message: `${name} sent ${x.method} ${x.path}: the user id is ${id}, so the value put in the path was missing (a field the request body or the event did not carry). Check it before calling GoTrue and answer 400 when it is absent.`,
      })
    } else if (id.includes('{') || id.includes('}')) {
      out.push({
        code: 'admin-malformed-id',
        message: `${name} sent ${x.method} ${x.path}: the user id is wrapped in braces (a template literal like \`/admin/users/{\${id}}\`). Write \`/admin/users/\${id}\`.`,
      })
    } else if (x.status === 400 || x.status === 404) {
      out.push({
        code: 'admin-malformed-id',
        message: `${name} sent ${x.method} ${x.path} and GoTrue answered ${x.status}: ${JSON.stringify(id)} is not the id of a stored user (GoTrue ids are UUIDs; use user.id from the event body, not the e-mail).`,
      })
    }
  }
  if ((x.method === 'PUT' && isUserPath) || (x.method === 'POST' && x.path === '/admin/users')) {
    const roles = rolesIn(x.text)
    if (roles.present && !(Array.isArray(roles.value) && roles.value.every((r) => typeof r === 'string'))) {
      out.push({
        code: 'admin-roles-not-array',
        message: `${name} sent ${x.method} ${x.path} with app_metadata.roles = ${JSON.stringify(roles.value)}: roles must be an array of strings (netlify/functions#406: a string broke the Identity UI and role-based redirects). Send { app_metadata: { roles: [${JSON.stringify(typeof roles.value === 'string' ? roles.value : 'member')}] } }.`,
      })
    }
  }
  return out
}

function rolesIn(text: string): { present: boolean; value?: unknown } {
  if (!text.includes('roles')) return { present: false }
  try {
    const body = JSON.parse(text) as { app_metadata?: { roles?: unknown } } | null
    const meta = body !== null && typeof body === 'object' ? body.app_metadata : undefined
    if (meta === null || typeof meta !== 'object' || !Object.hasOwn(meta, 'roles')) return { present: false }
    return meta.roles === null ? { present: false } : { present: true, value: meta.roles }
  } catch {
    return { present: false }
  }
}

/**
 * Who made the HTTP request a function is answering, for `app-metadata-from-request`: the body
 * it sent (parsed JSON, `undefined` when it is not JSON) and its verified token claims
 * (`undefined` without a valid token). Computed only when the function writes through the admin API.
 * @internal
 */
export interface CallerRequest {
  body: unknown
  claims: { app_metadata?: unknown; role?: unknown } | undefined
}

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Whether the caller passes the role check admin functions use: `app_metadata.roles` has `admin`, or GoTrue's top-level `role` is `admin`. */
function isAdminCaller(claims: CallerRequest['claims']): boolean {
  if (!claims) return false
  const roles = isObject(claims.app_metadata) ? claims.app_metadata.roles : undefined
  return claims.role === 'admin' || (Array.isArray(roles) && roles.includes('admin'))
}

/**
 * `app-metadata-from-request` (real-world-patterns.md, "Defects": a function that lets a user
 * write their own `app_metadata`): an admin `PUT /admin/users/:id` or `POST /admin/users` set an
 * `app_metadata` key to exactly the value the request body gave it (`body.app_metadata.<key>` or
 * `body.<key>`), the caller is not an admin, and the value is not what the caller's token already
 * had. GoTrue lets only admins write `app_metadata` (gotrue.md §5.4: `PUT /user` answers a non-admin 401), so a
 * function that forwards it hands every caller the admin's power: roles are `app_metadata`.
 * @internal
 */
export function appMetadataFromRequest(x: GoTrueExchange, request: () => CallerRequest, name: string): Diagnostic | undefined {
  if (!((x.method === 'PUT' && x.path.startsWith(ADMIN_USER)) || (x.method === 'POST' && x.path === '/admin/users'))) return undefined
  if (!x.text.includes('app_metadata')) return undefined
  // Only now: parsing the request and verifying its token is work most exchanges never need.
  const caller = request()
  if (!isObject(caller.body) || isAdminCaller(caller.claims)) return undefined
  let written: unknown
  try {
    written = (JSON.parse(x.text) as { app_metadata?: unknown } | null)?.app_metadata
  } catch {
    return undefined
  }
  if (!isObject(written)) return undefined
  const sent = caller.body
  const sentMeta = isObject(sent.app_metadata) ? sent.app_metadata : undefined
  const had = caller.claims && isObject(caller.claims.app_metadata) ? caller.claims.app_metadata : {}
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
  const keys = Object.keys(written).filter((key) => {
    const value = written[key]
    if (value === null || same(value, had[key])) return false
    return (sentMeta !== undefined && Object.hasOwn(sentMeta, key) && same(value, sentMeta[key])) || (Object.hasOwn(sent, key) && same(value, sent[key]))
  })
  if (keys.length === 0) return undefined
  const who = caller.claims ? 'a caller who is not an admin' : 'a caller without a valid token'
  const shown = keys.map((k) => `app_metadata.${k} = ${JSON.stringify(written[k])}`).join(', ')
  return {
    code: 'app-metadata-from-request',
    message: `${name} sent ${x.method} ${x.path} with ${shown} taken from the request body, for ${who}: anyone can give themselves roles this way (privilege escalation; GoTrue lets only admins write app_metadata, and PUT /user refuses it). Decide app_metadata in the function (the caller's verified role, an allow-list of values), never from the request.`,
  }
}
