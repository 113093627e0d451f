import { parseBearer } from '../tokens/bearer.js'
import type { TokenClaims } from '../tokens/claims.js'
import { checkToken } from '../tokens/verify.js'
import { serializeUser } from '../users/json.js'
import type { GoTrueUser, JsonObject } from '../types.js'
import type { FlowContext, Reply } from './flows.js'
import {
  adminCreate, adminDelete, adminUpdate, audit, emailProviderGate, fail, invite, oauthFail, passwordGrant, recover, refreshGrant,
  settings, signup, signupGate, Tx, updateSelf, verify, withClearedCookie, withJwtCookie,
} from './flows.js'
import type { AuditActor } from './audit.js'
import { SYSTEM_ACTOR } from './audit.js'
import type { ExternalDeps } from './external.js'
import { authorize, callback, loadState } from './external.js'
import { checkParams, decodeParams, str } from './params.js'
import type { GoFieldType } from './params.js'
import { decodeFirstJsonValue } from './json-decode.js'
import { goQueryEscape } from '../go/url-values.js'
import { UserRecord } from './store.js'

/** A request as the routes see it: the path relative to `identity.url`, the body as text. @internal */
export interface Incoming {
  method: string
  path: string
  query: URLSearchParams
  headers: Headers
  text: string
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000'
const HEX32 = /^[0-9a-f]{32}$/i

/**
 * Parses a UUID as GoTrue's parser does (gotrue.md §5.3): canonical, braced `{…}`, `urn:uuid:…`
 * and bare 32-hex forms; returns the canonical lower-case form or `undefined`.
 * @internal
 */
export function canonicalUuid(input: string): string | undefined {
  let s = input
  if (s.length === 45 && s.slice(0, 9).toLowerCase() === 'urn:uuid:') s = s.slice(9)
  else if (s.length === 38 && s[0] === '{' && s[37] === '}') s = s.slice(1, 37)
  let hex: string
  if (s.length === 36) {
    if (s[8] !== '-' || s[13] !== '-' || s[18] !== '-' || s[23] !== '-') return undefined
    hex = s.slice(0, 8) + s.slice(9, 13) + s.slice(14, 18) + s.slice(19, 23) + s.slice(24)
  } else if (s.length === 32) {
    hex = s
  } else return undefined
  if (!HEX32.test(hex)) return undefined
  hex = hex.toLowerCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export { goQueryEscape }

/** Go's `url.Values.Encode`: keys sorted, values in order. @internal */
function goEncode(values: Map<string, string[]>): string {
  return [...values.keys()]
    .sort()
    .flatMap((k) => values.get(k)!.map((v) => `${goQueryEscape(k)}=${goQueryEscape(v)}`))
    .join('&')
}

/** The methods chi knows (go-chi/chi v5.2.5 `tree.go` `methodMap`); any other is a 405 before routing. */
const CHI_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE'])

/**
 * chi's default 405 (`mux.go` `methodNotAllowedHandler`): one `Allow` per method the path has
 * (Go's map order, so any order; here GoTrue's), no body and no content type.
 */
function methodNotAllowed(allowed: readonly string[]): Reply {
  return allowed.length ? { status: 405, headers: { allow: allowed.join(', ') } } : { status: 405 }
}

/**
 * The path inside a group mounted at `prefix` (chi `Mount`: `prefix`, `prefix/` and
 * `prefix/*`), or `undefined` when the path is not in it: `/user` and `/user/` are `/`.
 */
function mounted(path: string, prefix: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined
  if (path.length === prefix.length) return '/'
  return path[prefix.length] === '/' ? path.slice(prefix.length) : undefined
}

type PublicRoute = 'authorize' | 'settings' | 'signup' | 'token' | 'verify' | 'recover' | 'logout' | 'invite'

/** The `/` group's own routes and their methods (gotrue:api/api.go). */
const PUBLIC_ROUTES = new Map<string, { name: PublicRoute; methods: readonly string[] }>([
  ['/settings', { name: 'settings', methods: ['GET'] }],
  ['/authorize', { name: 'authorize', methods: ['GET'] }],
  ['/invite', { name: 'invite', methods: ['POST'] }],
  ['/signup', { name: 'signup', methods: ['POST'] }],
  ['/recover', { name: 'recover', methods: ['POST'] }],
  ['/token', { name: 'token', methods: ['POST'] }],
  ['/verify', { name: 'verify', methods: ['POST'] }],
  ['/logout', { name: 'logout', methods: ['POST'] }],
])

/**
 * The `version` `GET /health` reports: production answers the git commit its GoTrue was built
 * from (`cmd.Version`, set by the Makefile); the emulator answers the netlify/gotrue commit it
 * follows (gotrue.md's sources).
 * @internal
 */
export const GOTRUE_COMMIT = 'ab1bf15f0aa64542500a9befb09b218ec93b3568'

/** `GET /health` (gotrue:api/api.go `HealthCheck`): a Go map, so its keys come sorted. */
function health(): Reply {
  return { status: 200, body: { description: 'GoTrue is a user registration and authentication API', name: 'GoTrue', version: GOTRUE_COMMIT } }
}

/** An admin caller and the request's decoded params. */
type Caller = { claims: TokenClaims; params: Record<string, unknown>; actor: AuditActor; value: unknown }
/** A refusal from a middleware step: the reply to send instead. */
type Refused = { refused: Reply }

/**
 * GoTrue's routes (gotrue.md §5.3, §5.4) over one instance's store, with its auth rules (§5.2).
 * @internal
 */
export class Routes {
  readonly #ctx: FlowContext
  readonly #external: ExternalDeps
  constructor(ctx: FlowContext, external: ExternalDeps) {
    this.#ctx = ctx
    this.#external = external
  }

  /**
   * Answers a request, or `undefined` for an unknown route (a 404), routed as GoTrue's chi router
   * does (gotrue:api/api.go `NewAPIWithVersion`; go-chi/chi v5.2.5 `mux.go`, `tree.go`):
   * `/health` and the `/callback` group at the top, everything else in the `/` group. A group
   * (`/callback`, `/user`, `/admin`, `/admin/audit`, `/admin/users`, `/admin/users/{user_id}`) is a
   * mounted sub-router: it answers its own path with or without a trailing slash, and its
   * middleware (loadOAuthState, requireAuthentication, requireAdminCredentials, loadUser) runs
   * before its routes are looked up, so that a wrong method or an unknown path inside it is
   * refused by the middleware first. A known path with another method is chi's 405 with `Allow`
   * and no body; a method chi does not know is a 405 without `Allow` whatever the path.
   */
  async handle(req: Incoming): Promise<Reply | undefined> {
    const { method, path } = req
    if (!CHI_METHODS.has(method)) return methodNotAllowed([])
    if (path === '/health') {
      if (method === 'GET') return health()
      // chi flags the method mismatch, then tries the catch-all `/` group, which has no /health:
      // the flag turns its 404 into a 405 (tree.go `findRoute`; the flag is never reset per group).
      return (await this.#root(req, path)) ?? methodNotAllowed(['GET'])
    }
    const callbackPath = mounted(path, '/callback')
    if (callbackPath !== undefined) return this.#callbackGroup(req, callbackPath)
    return this.#root(req, path)
  }

  /** The `/` group: the public routes, and the `/user` and `/admin` groups. */
  async #root(req: Incoming, path: string): Promise<Reply | undefined> {
    const { method } = req
    const userPath = mounted(path, '/user')
    if (userPath !== undefined) {
      if (userPath === '/' && (method === 'GET' || method === 'PUT')) return this.#user(req)
      const auth = await this.#authenticate(req)
      if ('refused' in auth) return auth.refused
      return userPath === '/' ? methodNotAllowed(['GET', 'PUT']) : undefined
    }
    const adminPath = mounted(path, '/admin')
    if (adminPath !== undefined) return this.#adminGroup(req, adminPath)
    const route = PUBLIC_ROUTES.get(path)
    if (!route) return undefined
    if (!route.methods.includes(method)) return methodNotAllowed(route.methods)
    switch (route.name) {
      case 'authorize':
        return authorize(this.#ctx, this.#external, req.query, req.headers.get('referer'))
      case 'settings':
        return settings(this.#ctx)
      case 'signup':
        return this.#signup(req)
      case 'token':
        return this.#token(req)
      case 'verify':
        return this.#verify(req)
      case 'recover':
        return this.#recover(req)
      case 'logout':
        return this.#logout(req)
      case 'invite':
        return this.#invite(req)
    }
  }

  /** The `/callback` group: loadOAuthState runs first, for any method and path in it. */
  async #callbackGroup(req: Incoming, path: string): Promise<Reply | undefined> {
    if (path === '/' && req.method === 'GET') {
      // requestAud at the callback: X-JWT-AUD, else the configured "" (gotrue:api/external.go).
      return (await callback(this.#ctx, this.#external, req.query, req.headers.get('x-jwt-aud') ?? '')).reply
    }
    const loaded = loadState(this.#ctx, this.#external, req.query.get('state'))
    if ('status' in loaded) return loaded
    return path === '/' ? methodNotAllowed(['GET']) : undefined
  }

  /**
   * The `/admin` group: requireAdminCredentials first for anything in it, then `/audit`,
   * `/users` and `/users/{user_id}` (whose loadUser runs before its routes).
   */
  async #adminGroup(req: Incoming, path: string): Promise<Reply | undefined> {
    const { method } = req
    const auditPath = mounted(path, '/audit')
    if (auditPath === '/' && method === 'GET') return this.#audit(req)
    const usersPath = mounted(path, '/users')
    if (usersPath === '/') {
      if (method === 'GET') return this.#adminList(req)
      if (method === 'POST') return this.#adminCreate(req)
    }
    const slash = usersPath === undefined ? -1 : usersPath.indexOf('/', 1)
    const rawId = usersPath === undefined || usersPath === '/' ? undefined : usersPath.slice(1, slash < 0 ? undefined : slash)
    const idPath = rawId === undefined ? undefined : slash < 0 ? '/' : usersPath!.slice(slash)
    const userRoute = idPath === '/' && (method === 'GET' || method === 'PUT' || method === 'DELETE')
    if (userRoute) return this.#adminUser(req, rawId!)
    // Nothing here answers the request: the middleware still decides first.
    const caller = await this.#admin(req, 'adminUserParams', {})
    if ('refused' in caller) return caller.refused
    if (auditPath !== undefined) return auditPath === '/' ? methodNotAllowed(['GET']) : undefined
    if (usersPath === '/') return methodNotAllowed(['GET', 'POST'])
    if (rawId === undefined || rawId === '') return undefined
    const record = this.#loadUser(rawId)
    if (!(record instanceof UserRecord)) return record
    return idPath === '/' ? methodNotAllowed(['GET', 'PUT', 'DELETE']) : undefined
  }

  /** loadUser (gotrue:api/admin.go): the `{user_id}` segment as a UUID, then its user. */
  #loadUser(rawId: string): UserRecord | Reply {
    let decoded: string
    try {
      decoded = decodeURIComponent(rawId)
    } catch {
      decoded = rawId
    }
    const id = canonicalUuid(decoded)
    if (!id) return fail(this.#ctx, 400, 'user_id must be an UUID')
    return this.#ctx.store.record(id) ?? fail(this.#ctx, 404, 'User not found')
  }

  // ---- auth (gotrue.md §5.2) ----

  /** `requireAuthentication`: the verified claims, or the 401 to answer (clearing `nf_jwt`, gotrue.md §4). */
  async #authenticate(req: Incoming): Promise<{ claims: TokenClaims } | Refused> {
    const token = parseBearer(req.headers.get('authorization'))
    if (!token) return { refused: withClearedCookie(this.#ctx, fail(this.#ctx, 401, 'This endpoint requires a Bearer token')) }
    const check = checkToken(token, this.#ctx.rt.key, this.#ctx.rt.clock)
    if (!check.ok) return { refused: withClearedCookie(this.#ctx, fail(this.#ctx, 401, `Invalid token: ${check.reason}`)) }
    return { claims: check.claims }
  }

  /**
   * `requireAdminCredentials` (gotrue.md §5.2), then the handler's own decoding of the body into
   * `struct`: bearer, token, admin user, the body's `aud` (a non-JSON body is a 400), the admin
   * test (401 `User not allowed`), the typed fields (a mismatch is a 400 starting with `prefix`).
   */
  async #admin(req: Incoming, struct: string, fields: Record<string, GoFieldType>, prefix = 'Could not decode admin user params'): Promise<Caller | Refused> {
    const auth = await this.#authenticate(req)
    if ('refused' in auth) return auth
    const claims = auth.claims
    const sub = typeof claims.sub === 'string' ? claims.sub : ''
    const system = sub === '0' || sub === NIL_UUID
    let record: UserRecord | undefined
    if (!system) {
      const id = canonicalUuid(sub)
      record = id ? this.#ctx.store.record(id) : undefined
      if (!record) return { refused: fail(this.#ctx, 401, 'Invalid admin user') }
    }
    let aud = this.#requestAud(req, claims)
    let value: unknown = null
    if (req.text.length > 0) {
      const decoded = decodeFirstJsonValue(req.text)
      const checked = decoded.ok ? checkParams(decoded.value, 'adminUserParams', AUD_ONLY) : decoded
      if (!checked.ok) return { refused: fail(this.#ctx, 400, `Could not decode admin user params: ${checked.error}`) }
      const bodyAud = checked.params.aud
      if (typeof bodyAud === 'string' && bodyAud !== '') aud = bodyAud
      value = decoded.ok ? decoded.value : null
    }
    if (!system && !(aud === record!.user.aud && record!.user.role === 'admin')) {
      return { refused: fail(this.#ctx, 401, 'User not allowed') }
    }
    const typed = checkParams(value, struct, fields)
    if (!typed.ok) return { refused: fail(this.#ctx, 400, `${prefix}: ${typed.error}`) }
    return { claims, params: typed.params, actor: record ? record.user : { ...SYSTEM_ACTOR }, value }
  }

  /** `X-JWT-AUD`, else the token's `aud`, else the configured aud (`""` on Netlify). */
  #requestAud(req: Incoming, claims: TokenClaims): string {
    const header = req.headers.get('x-jwt-aud')
    if (header) return header
    return typeof claims.aud === 'string' ? claims.aud : ''
  }

  // ---- admin routes (gotrue.md §5.3) ----

  async #adminList(req: Incoming): Promise<Reply> {
    const caller = await this.#admin(req, 'adminUserParams', {})
    if ('refused' in caller) return caller.refused
    const ctx = this.#ctx
    const paging = pagination(ctx, req)
    if ('refused' in paging) return paging.refused
    const sort = parseSort(req.query.get('sort'))
    if ('error' in sort) return fail(ctx, 400, `Bad Sort Parameters: ${sort.error}`)
    const aud = this.#requestAud(req, caller.claims)
    const ordered = ctx.store.ordered(aud)
    const raw = req.query.get('filter') ?? ''
    // FindUsersInAudience: `email LIKE %f% OR full_name LIKE %f%` (gotrue:models/user.go), the
    // filter's own % and _ being wildcards too; no filter: the audience's rows, already in order.
    const matching = raw ? ctx.store.search(aud, raw) : ordered
    const { pageNo, per, offset } = paging
    const total = matching.length
    // per_page=0 divides by zero in GoTrue (gotrue.md §5.3 says to avoid it); the emulator answers
    // an empty page with the total instead of failing.
    const users: GoTrueUser[] = []
    if (per > 0) {
      // created_at desc (the default) reads the ordered list from its end: a page costs O(page).
      for (let k = offset; k < offset + per && k < total; k++) {
        const r = matching[sort.dir === 'asc' ? k : total - 1 - k]!
        users.push(serializeUser(r.user, false))
      }
    }
    return { status: 200, body: { users, aud }, headers: { 'x-total-count': String(total), link: linkHeader(req, pageNo, per, total) } }
  }

  async #adminCreate(req: Incoming): Promise<Reply> {
    const caller = await this.#admin(req, 'adminUserParams', ADMIN_FIELDS)
    if ('refused' in caller) return caller.refused
    const body = caller.params
    return adminCreate(this.#ctx, {
      email: str(body, 'email'),
      password: typeof body.password === 'string' ? body.password : undefined,
      aud: str(body, 'aud'),
      role: str(body, 'role'),
      confirm: body.confirm === true,
      user_metadata: (body.user_metadata as JsonObject | null | undefined) ?? null,
    }, this.#requestAud(req, caller.claims), caller.actor)
  }

  async #adminUser(req: Incoming, rawId: string): Promise<Reply> {
    // requireAdminCredentials, then loadUser, then the handler's own decoding (adminUserUpdate's
    // getAdminParams): a PUT on a missing user is a 404 whatever its body says.
    const caller = await this.#admin(req, 'adminUserParams', {})
    if ('refused' in caller) return caller.refused
    const ctx = this.#ctx
    const record = this.#loadUser(rawId)
    if (!(record instanceof UserRecord)) return record
    if (req.method === 'GET') return { status: 200, body: serializeUser(record.user, false) }
    if (req.method === 'DELETE') return adminDelete(ctx, record, caller.actor)
    const typed = checkParams(caller.value, 'adminUserParams', ADMIN_FIELDS)
    if (!typed.ok) return fail(ctx, 400, `Could not decode admin user params: ${typed.error}`)
    const body = typed.params
    return adminUpdate(ctx, record, {
      role: str(body, 'role'),
      confirm: body.confirm === true,
      password: str(body, 'password'),
      email: str(body, 'email'),
      app_metadata: body.app_metadata as JsonObject | null | undefined,
      user_metadata: body.user_metadata as JsonObject | null | undefined,
    }, caller.actor)
  }

  /**
   * `GET /admin/audit` (gotrue:api/audit.go `adminAuditLog`; gotrue:api/audit_test.go): admin
   * only; `page`/`per_page` as the user list; `query=author:|action:|type:<value>`; newest first,
   * with `X-Total-Count` and `Link`. Entries of every audience (the handler leaves aud out).
   */
  async #audit(req: Incoming): Promise<Reply> {
    const caller = await this.#admin(req, 'adminUserParams', {})
    if ('refused' in caller) return caller.refused
    const ctx = this.#ctx
    const paging = pagination(ctx, req)
    if ('refused' in paging) return paging.refused
    const found = ctx.audit.find(req.query.get('query'))
    if ('error' in found) return fail(ctx, 400, found.error)
    const { pageNo, per, offset } = paging
    const total = found.entries.length
    const entries = per > 0 ? found.entries.slice(offset, offset + per) : []
    return { status: 200, body: entries, headers: { 'x-total-count': String(total), link: linkHeader(req, pageNo, per, total) } }
  }

  async #invite(req: Incoming): Promise<Reply> {
    // The middleware decodes only `aud`; Invite's own decoding has its own words (GoTrue's invite.go).
    const caller = await this.#admin(req, 'InviteParams', { email: 'string', data: 'object' }, 'Could not read Invite params')
    if ('refused' in caller) return caller.refused
    const body = caller.params
    // `app_metadata` in an invite is ignored (gotrue.md §5.3, netlify/gotrue-js#49).
    return invite(this.#ctx, str(body, 'email'), (body.data as JsonObject | null | undefined) ?? null, this.#requestAud(req, caller.claims), caller.actor)
  }

  // ---- public routes (gotrue.md §5.4) ----

  async #signup(req: Incoming): Promise<Reply> {
    // requireEmailProvider, then Signup's DisableSignup check, both before the body is read.
    const gated = signupGate(this.#ctx)
    if (gated) return gated
    const decoded = decodeParams(req.text, 'SignupParams', { email: 'string', password: 'string', data: 'object' })
    if (!decoded.ok) return fail(this.#ctx, 400, `Could not read Signup params: ${decoded.error}`)
    const p = decoded.params
    // No auth middleware on /signup: the request audience is X-JWT-AUD, else the configured "" (even
    // when a function sends its admin token, real-world-patterns.md).
    const aud = req.headers.get('x-jwt-aud') ?? ''
    return signup(this.#ctx, { email: str(p, 'email'), password: str(p, 'password'), data: (p.data as JsonObject | null | undefined) ?? null, aud })
  }

  async #token(req: Incoming): Promise<Reply> {
    const gated = emailProviderGate(this.#ctx)
    if (gated) return gated
    const form = await formValues(req)
    const grant = form('grant_type')
    const cookie = req.headers.get('x-use-cookie')
    if (grant === 'password') {
      // Users are looked up in the request audience (X-JWT-AUD, else ""), gotrue.md §5.2.
      const reply = await passwordGrant(this.#ctx, form('username'), form('password'), req.headers.get('x-jwt-aud') ?? '')
      return withJwtCookie(this.#ctx, reply, cookie)
    }
    if (grant === 'refresh_token') return withJwtCookie(this.#ctx, await refreshGrant(this.#ctx, form('refresh_token')), cookie)
    return oauthFail('unsupported_grant_type')
  }

  async #verify(req: Incoming): Promise<Reply> {
    const decoded = decodeParams(req.text, 'VerifyParams', { type: 'string', token: 'string', password: 'string' })
    if (!decoded.ok) return fail(this.#ctx, 400, `Could not read verification params: ${decoded.error}`)
    const p = decoded.params
    const reply = await verify(this.#ctx, { type: str(p, 'type'), token: str(p, 'token'), password: str(p, 'password') })
    return withJwtCookie(this.#ctx, reply, req.headers.get('x-use-cookie'))
  }

  async #recover(req: Incoming): Promise<Reply> {
    const gated = emailProviderGate(this.#ctx)
    if (gated) return gated
    const decoded = decodeParams(req.text, 'RecoverParams', { email: 'string' })
    // GoTrue's recover.go words its decode error like /verify's.
    if (!decoded.ok) return fail(this.#ctx, 400, `Could not read verification params: ${decoded.error}`)
    return recover(this.#ctx, str(decoded.params, 'email'), req.headers.get('x-jwt-aud') ?? '')
  }

  async #logout(req: Incoming): Promise<Reply> {
    const auth = await this.#authenticate(req)
    if ('refused' in auth) return auth.refused
    const ctx = this.#ctx
    const claims = auth.claims
    // gotrue:api/logout.go: the cookie is cleared first; then getUserFromClaims must find the
    // user (the system user for sub "0"), else 401 `Invalid user`; then the audit entry.
    const sub = typeof claims.sub === 'string' ? claims.sub : ''
    let actor: AuditActor | undefined
    if (sub === '0' || sub === NIL_UUID) actor = { ...SYSTEM_ACTOR }
    else {
      const id = canonicalUuid(sub)
      actor = id ? ctx.store.record(id)?.user : undefined
    }
    if (!actor) return withClearedCookie(ctx, fail(ctx, 401, 'Invalid user'))
    audit(ctx, new Tx(ctx.store), actor, 'logout')
    ctx.store.deleteRefreshTokens(actor.id)
    return withClearedCookie(ctx, { status: 204 })
  }

  async #user(req: Incoming): Promise<Reply> {
    const ctx = this.#ctx
    const auth = await this.#authenticate(req)
    if ('refused' in auth) return auth.refused
    const claims = auth.claims
    let params: Record<string, unknown> = {}
    if (req.method === 'PUT') {
      const decoded = decodeParams(req.text, 'UserUpdateParams', {
        email: 'string', password: 'string', data: 'object', app_metadata: 'object', email_change_token: 'string',
      })
      if (!decoded.ok) return fail(ctx, 400, `Could not read User Update params: ${decoded.error}`)
      params = decoded.params
    }
    const tokenAud = typeof claims.aud === 'string' ? claims.aud : ''
    const id = typeof claims.sub === 'string' ? canonicalUuid(claims.sub) : undefined
    if (!id) return fail(ctx, 400, 'Could not read User ID claim')
    // The audience rule is GET /user's alone, checked after the User ID claim (gotrue.md §5.4).
    if (req.method === 'GET' && this.#requestAud(req, claims) !== tokenAud) return fail(ctx, 400, "Token audience doesn't match request audience")
    const record = ctx.store.record(id)
    if (!record) return fail(ctx, 404, 'User not found')
    if (req.method === 'GET') return { status: 200, body: serializeUser(record.user, false) }
    return updateSelf(ctx, record, {
      email: str(params, 'email'),
      password: str(params, 'password'),
      data: params.data as JsonObject | null | undefined,
      app_metadata: params.app_metadata as JsonObject | null | undefined,
      email_change_token: str(params, 'email_change_token'),
    })
  }
}

/**
 * Go's `Request.FormValue` (gotrue:api/token.go reads every field with it): for a urlencoded
 * body, body values come first and then the query's; for `multipart/form-data`, the query's come
 * first and then the parts' (net/http `ParseMultipartForm` appends them); the first value wins.
 * File parts are not values. Any other body is not read.
 * @internal
 */
export async function formValues(req: Incoming): Promise<(key: string) => string> {
  const values = new Map<string, string[]>()
  const add = (k: string, v: string): void => {
    const list = values.get(k)
    if (list) list.push(v)
    else values.set(k, [v])
  }
  const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'application/x-www-form-urlencoded') for (const [k, v] of new URLSearchParams(req.text)) add(k, v)
  for (const [k, v] of req.query) add(k, v)
  if (type === 'multipart/form-data') {
    try {
      const parts = await new Response(req.text, { headers: { 'content-type': req.headers.get('content-type')! } }).formData()
      for (const [k, v] of parts) if (typeof v === 'string') add(k, v)
    } catch {
      // FormValue ignores a malformed multipart body: the query's values remain.
    }
  }
  return (key) => values.get(key)?.[0] ?? ''
}

const AUD_ONLY: Record<string, GoFieldType> = { aud: 'string' }

const ADMIN_FIELDS: Record<string, GoFieldType> = {
  aud: 'string', role: 'string', email: 'string', password: 'string', confirm: 'bool', app_metadata: 'object', user_metadata: 'object',
}

/** Go's `strconv.ParseUint(raw, 10, 64)`, with its error text. */
function parseUint(raw: string | null, fallback: number): { value: number; error?: string } {
  if (raw === null || raw === '') return { value: fallback }
  if (!/^\d+$/.test(raw)) return { value: fallback, error: `strconv.ParseUint: parsing ${JSON.stringify(raw)}: invalid syntax` }
  const value = Number(raw)
  if (value > MAX_UINT64 || (value === MAX_UINT64 && BigInt(raw) > 18446744073709551615n)) {
    return { value: fallback, error: `strconv.ParseUint: parsing ${JSON.stringify(raw)}: value out of range` }
  }
  return { value }
}

/**
 * `page` (default 1) and `per_page` (default 50) as GoTrue's paginated lists read them (gotrue.md
 * §5.3, the user list and the audit log alike): Go's ParseUint, a 400 "Bad Pagination Parameters"
 * naming its error, and the offset of the page (page 0 reads as page 1).
 */
function pagination(ctx: FlowContext, req: Incoming): { pageNo: number; per: number; offset: number } | { refused: Reply } {
  const page = parseUint(req.query.get('page'), 1)
  const perPage = parseUint(req.query.get('per_page'), 50)
  if (page.error || perPage.error) return { refused: fail(ctx, 400, `Bad Pagination Parameters: ${page.error ?? perPage.error}`) }
  return { pageNo: page.value, per: perPage.value, offset: (Math.max(page.value, 1) - 1) * perPage.value }
}

/** 2^64 as a double (the nearest double to uint64's maximum). */
const MAX_UINT64 = 2 ** 64

/** `sort=created_at [asc|desc][, …]`: the direction, or an error text (gotrue.md §5.3). */
function parseSort(raw: string | null): { dir: 'asc' | 'desc' } | { error: string } {
  if (raw === null || raw.trim() === '') return { dir: 'desc' }
  let dir: 'asc' | 'desc' = 'desc'
  for (const part of raw.split(',')) {
    const [field = '', direction = 'desc', ...extra] = part.trim().split(/\s+/)
    if (field !== 'created_at') return { error: `bad field for sort '${field}'` }
    const d = direction.toLowerCase()
    if ((d !== 'asc' && d !== 'desc') || extra.length) return { error: `bad direction for sort '${direction}', only 'asc' and 'desc' allowed` }
    dir = d
  }
  return { dir }
}

/** GoTrue's `Link` header: next, prev (optional) and last, from the request URL (gotrue.md §5.3). */
function linkHeader(req: Incoming, page: number, perPage: number, total: number): string {
  const totalPages = perPage > 0 ? Math.ceil(total / perPage) : 0
  const values = new Map<string, string[]>()
  for (const [k, v] of req.query) {
    const list = values.get(k)
    if (list) list.push(v)
    else values.set(k, [v])
  }
  const at = (p: number): string => {
    values.set('page', [String(p)])
    return `<${req.path}?${goEncode(values)}>`
  }
  const parts: string[] = []
  if (page < totalPages) parts.push(`${at(page + 1)}; rel="next"`)
  if (page > 1 && page <= totalPages) parts.push(`${at(page - 1)}; rel="prev"`)
  parts.push(`${at(totalPages)}; rel="last"`)
  return parts.join(', ')
}
