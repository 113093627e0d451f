import type { Runtime } from '../runtime.js'
import { accessTokenClaims, DEFAULT_TOKEN_LIFETIME, signAccessToken } from '../tokens/access.js'
import { serializeUser } from '../users/json.js'
import type { GoTrueUser, HookOutcome, IdentityEvent, JsonObject, JsonValue } from '../types.js'
import type { MailBox, MailType } from './mail.js'
import { isNonBlockingEvent } from './rules.js'
import type { Store, UserRecord } from './store.js'

/** What a route answers: a status, a JSON body (or none), extra headers. @internal */
export interface Reply {
  status: number
  /** JSON body; `undefined` = no body (204). */
  body?: unknown
  headers?: Record<string, string>
}

/**
 * Runs the function wired to an event through GoTrue's hook rules; returns `undefined` at once
 * when nothing is wired (no promise on the hot path). @internal
 */
export type HookRunner = (event: IdentityEvent, user: GoTrueUser) => Promise<HookOutcome> | undefined

/** Everything a flow needs from its instance. @internal */
export interface FlowContext {
  readonly rt: Runtime
  readonly store: Store
  readonly mail: MailBox
  readonly autoconfirm: boolean
  readonly hook: HookRunner
}

/** What `/token` and `/verify` answer on success (gotrue.md §4). */
export interface TokenResponse {
  /** The access token (HS256, `kid: "nf-ident"`). */
  access_token: string
  /** Always `bearer`. */
  token_type: 'bearer'
  /** Seconds, 3600. */
  expires_in: number
  /** Opaque, 22 characters, single use. */
  refresh_token: string
}

const DAY_MS = 86_400_000
/** Refresh tokens live 30 days (gotrue.md §4). */
export const REFRESH_TOKEN_LIFETIME_MS = 30 * DAY_MS
/** Confirmation and recovery tokens live 24 h, invites 7 days (gotrue.md §5.4). */
const CONFIRMATION_LIFETIME_MS = DAY_MS
const INVITE_LIFETIME_MS = 7 * DAY_MS
const RECOVERY_LIFETIME_MS = DAY_MS
const EMAIL_CHANGE_LIFETIME_MS = DAY_MS
/** `SMTP.MaxFrequency`: one mail of a kind per 15 minutes (gotrue.md §1.2, §5.4). */
const MAIL_MAX_FREQUENCY_MS = 15 * 60_000

/** GoTrue's `{ code, msg }` error, with `error_id` on 5xx (gotrue.md §5.1). @internal */
export function fail(ctx: FlowContext, code: number, msg: string): Reply {
  return { status: code, body: code >= 500 ? { code, msg, error_id: ctx.rt.ids.uuid() } : { code, msg } }
}

/** The OAuth error shape `/token` uses (gotrue.md §5.1): always 400. @internal */
export function oauthFail(error: string, description?: string): Reply {
  return { status: 400, body: description ? { error, error_description: description } : { error } }
}

/** `cookies.duration`: the `nf_jwt` cookie's Max-Age in seconds (gotrue.md §4). */
const COOKIE_DURATION_S = 86_400

/**
 * Cookie mode (gotrue.md §4): with `X-Use-Cookie`, a successful `/token` or `/verify` also sets
 * `nf_jwt` to the access token, HttpOnly, Secure, Path=/; `session` makes it a session cookie,
 * any other value lasts `cookies.duration`. Attributes in the order Go's `http.Cookie` writes them.
 * @internal
 */
export function withJwtCookie(ctx: FlowContext, reply: Reply, mode: string | null): Reply {
  if (!mode || reply.status !== 200) return reply
  const token = (reply.body as TokenResponse).access_token
  const expiry = mode === 'session'
    ? ''
    : `; Expires=${new Date(ctx.rt.clock().getTime() + COOKIE_DURATION_S * 1000).toUTCString()}; Max-Age=${COOKIE_DURATION_S}`
  return { ...reply, headers: { ...reply.headers, 'set-cookie': `nf_jwt=${token}; Path=/${expiry}; HttpOnly; Secure` } }
}

/**
 * GoTrue clears `nf_jwt` (empty, expired 10 h ago, `Max-Age=0`) on a refused bearer, a reused
 * refresh token and `/logout` (gotrue.md §4, §5.4). @internal
 */
export function withClearedCookie(ctx: FlowContext, reply: Reply): Reply {
  const expired = new Date(ctx.rt.clock().getTime() - 10 * 3_600_000).toUTCString()
  return { ...reply, headers: { ...reply.headers, 'set-cookie': `nf_jwt=; Path=/; Expires=${expired}; Max-Age=0; HttpOnly; Secure` } }
}

function nowIso(ctx: FlowContext): string {
  return ctx.rt.clock().toISOString()
}

function elapsedSince(ctx: FlowContext, iso: string | undefined): number {
  return iso ? ctx.rt.clock().getTime() - Date.parse(iso) : Infinity
}

/**
 * Shallow key-by-key merge of admin and self updates (gotrue.md §5.3): a `null` value deletes the
 * key, anything else overwrites it whole; when the stored map is `null` the update is assigned
 * as is (nulls kept), as GoTrue's `UpdateUserMetaData` does.
 * @internal
 */
export function mergeMetadata<T extends JsonObject | null>(current: T, updates: JsonObject): JsonObject {
  if (current === null || current === undefined) return structuredClone(updates)
  const next: JsonObject = current
  for (const key in updates) {
    const value = updates[key] as JsonValue
    if (value === null) delete next[key]
    // Values come from a freshly decoded request body: nothing else holds them, no copy needed.
    else next[key] = value
  }
  return next
}

/** Runs a wired hook on a record; on success the replaced maps are stored (gotrue.md §2.3). */
async function fire(ctx: FlowContext, event: IdentityEvent, record: UserRecord): Promise<Reply | undefined> {
  const pending = ctx.hook(event, record.user)
  if (!pending) return undefined
  const outcome = await pending
  if (!outcome.allowed) {
    if (isNonBlockingEvent(event)) return undefined
    return { status: outcome.status, body: outcome.error }
  }
  if (event !== 'userdeleted') {
    record.user.app_metadata = outcome.user.app_metadata
    record.user.user_metadata = outcome.user.user_metadata
  }
  return undefined
}

/** Runs `body` as a transaction on a stored record: on a non-2xx reply the user is restored. */
async function transaction(ctx: FlowContext, record: UserRecord, body: () => Promise<Reply>): Promise<Reply> {
  const before = serializeUser(record.user)
  const saved = { password: record.password, confirmation: record.confirmationToken, recovery: record.recoveryToken }
  const reply = await body()
  if (reply.status >= 300) {
    record.user = before
    record.password = saved.password
    ctx.store.setConfirmationToken(record, saved.confirmation)
    ctx.store.setRecoveryToken(record, saved.recovery)
  }
  return reply
}

function newToken(ctx: FlowContext): string {
  return ctx.rt.ids.base64url(16)
}

function sendMail(ctx: FlowContext, record: UserRecord, type: MailType, token: string, at: string): void {
  ctx.mail.send(type, type === 'email_change' ? record.user.new_email ?? record.user.email : record.user.email, token, at)
}

/** Issues an access and a refresh token for a user (gotrue.md §4). @internal */
export async function issueTokens(ctx: FlowContext, user: GoTrueUser): Promise<Reply> {
  const nowMs = ctx.rt.clock().getTime()
  const access = signAccessToken(accessTokenClaims(user, Math.floor(nowMs / 1000)), ctx.rt.key)
  const refresh = newToken(ctx)
  ctx.store.addRefreshToken(refresh, user.id, nowMs)
  const body: TokenResponse = { access_token: access, token_type: 'bearer', expires_in: DEFAULT_TOKEN_LIFETIME, refresh_token: refresh }
  return { status: 200, body }
}

function confirm(ctx: FlowContext, record: UserRecord, at: string): void {
  record.user.confirmed_at = at
  ctx.store.setConfirmationToken(record, undefined)
}

function sendConfirmation(ctx: FlowContext, record: UserRecord, at: string): void {
  // Re-sends are throttled silently to one per SMTP.MaxFrequency (gotrue.md §1.2).
  if (record.confirmationToken && elapsedSince(ctx, record.user.confirmation_sent_at) < MAIL_MAX_FREQUENCY_MS) return
  const token = newToken(ctx)
  ctx.store.setConfirmationToken(record, token)
  record.user.confirmation_sent_at = at
  sendMail(ctx, record, 'confirmation', token, at)
}

function newRecord(ctx: FlowContext, email: string, password: string | undefined, aud: string, role: string, meta: JsonObject | null): UserRecord {
  const at = nowIso(ctx)
  return {
    user: {
      id: ctx.rt.ids.uuid(),
      aud,
      role,
      email,
      app_metadata: { provider: 'email' },
      user_metadata: meta === null ? null : structuredClone(meta),
      created_at: at,
      updated_at: at,
    },
    password,
    confirmationToken: undefined,
    recoveryToken: undefined,
    emailChangeToken: undefined,
  }
}

/**
 * GoTrue's `FindUserByEmailAndAudience`: the user with this e-mail in the request audience.
 * The emulator keeps e-mails unique across audiences, so a user of another audience is "not
 * found" here, yet blocks creating a second user with the same e-mail (see {@link emailTaken}).
 */
function findInAud(ctx: FlowContext, email: string, aud: string): UserRecord | undefined {
  const record = ctx.store.recordByEmail(email)
  return record && record.user.aud === aud ? record : undefined
}

/** Refusal for an e-mail that is taken (gotrue.md §5.3). */
function emailTaken(ctx: FlowContext): Reply {
  return fail(ctx, 422, 'Email address already registered by another user')
}

// ---------------------------------------------------------------------------------------------
// Public flows (gotrue.md §5.4)
// ---------------------------------------------------------------------------------------------

/** `GET /settings` (gotrue.md §5.4). @internal */
export function settings(ctx: FlowContext): Reply {
  return {
    status: 200,
    body: {
      external: { bitbucket: false, github: false, gitlab: false, google: false, facebook: false, email: true, saml: false },
      external_labels: {},
      disable_signup: false,
      autoconfirm: ctx.autoconfirm,
    },
  }
}

/** Parameters of `/signup`. */
export interface SignupParams {
  /** E-mail address. */
  email: string
  /** Password; empty is refused. */
  password: string
  /** Becomes `user_metadata`. */
  data?: JsonObject | null
  /** The request audience (`X-JWT-AUD`, else `""`): the new user's `aud`, and where an existing one is looked up. */
  aud?: string
}

/** `POST /signup` (gotrue.md §1.2, §5.4), after body decoding. @internal */
export async function signup(ctx: FlowContext, params: SignupParams): Promise<Reply> {
  if (!params.password) return fail(ctx, 422, 'Signup requires a valid password')
  if (!params.email) return fail(ctx, 422, 'An email address is required')
  const data = params.data ?? null
  const aud = params.aud ?? ''
  const existing = findInAud(ctx, params.email, aud)
  // GoTrue would add a second user in another audience; the emulator's e-mails are unique.
  if (!existing && ctx.store.recordByEmail(params.email)) return emailTaken(ctx)
  if (existing) {
    if (existing.user.confirmed_at) return fail(ctx, 400, 'A user with this email address has already been registered')
    // Unconfirmed: no validate; data merges; the password is ignored (gotrue.md §1.2).
    return transaction(ctx, existing, async () => {
      const at = nowIso(ctx)
      if (data) existing.user.user_metadata = mergeMetadata(existing.user.user_metadata as JsonObject | null, data)
      existing.user.updated_at = at
      if (ctx.autoconfirm) {
        const blocked = await fire(ctx, 'signup', existing)
        if (blocked) return blocked
        confirm(ctx, existing, at)
      } else {
        sendConfirmation(ctx, existing, at)
      }
      return { status: 200, body: serializeUser(existing.user, false) }
    })
  }
  const record = newRecord(ctx, params.email, params.password, aud, '', data)
  const validated = await fire(ctx, 'validate', record)
  if (validated) return validated
  // Another request stored this e-mail while the hook ran: answer as if this one had come after
  // it (GoTrue's transactions would both insert; the emulator keeps one user per e-mail).
  if (ctx.store.recordByEmail(params.email)) return signup(ctx, params)
  const at = record.user.created_at
  if (ctx.autoconfirm) {
    const blocked = await fire(ctx, 'signup', record)
    if (blocked) return blocked
    if (ctx.store.recordByEmail(params.email)) return signup(ctx, params)
    record.user.confirmed_at = at
  } else {
    const token = newToken(ctx)
    record.confirmationToken = token
    record.user.confirmation_sent_at = at
    ctx.store.insert(record)
    sendMail(ctx, record, 'confirmation', token, at)
    return { status: 200, body: serializeUser(record.user, false) }
  }
  ctx.store.insert(record)
  return { status: 200, body: serializeUser(record.user, false) }
}

/** `POST /token` `grant_type=password` (gotrue.md §1.2, §5.4). @internal */
export async function passwordGrant(ctx: FlowContext, email: string, password: string, aud = ''): Promise<Reply> {
  const record = email ? findInAud(ctx, email, aud) : undefined
  const noUser = (): Reply => oauthFail('invalid_grant', 'No user found with that email, or password invalid.')
  if (!record) return noUser()
  if (!record.user.confirmed_at) return oauthFail('invalid_grant', 'Email not confirmed')
  if (record.password === undefined || record.password !== password) return noUser()
  return transaction(ctx, record, async () => {
    // The login hook runs before the token is minted: its metadata is in the token (§1.2).
    const blocked = await fire(ctx, 'login', record)
    if (blocked) return blocked
    return issueTokens(ctx, record.user)
  })
}

/** `POST /token` `grant_type=refresh_token` (gotrue.md §4): rotating, single use, 30 days. @internal */
export async function refreshGrant(ctx: FlowContext, token: string): Promise<Reply> {
  if (!token) return oauthFail('invalid_request', 'refresh_token required')
  const stored = ctx.store.refreshToken(token)
  if (!stored) return oauthFail('invalid_grant', 'Invalid Refresh Token')
  // A reused (revoked) token also clears the cookie: GoTrue treats it as possible abuse (gotrue.md §4).
  if (stored.revoked) return withClearedCookie(ctx, oauthFail('invalid_grant', 'Invalid Refresh Token'))
  if (ctx.rt.clock().getTime() - stored.createdAt >= REFRESH_TOKEN_LIFETIME_MS) return oauthFail('invalid_grant', 'Refresh token expired')
  const record = ctx.store.record(stored.userId)
  if (!record) return oauthFail('invalid_grant', 'Invalid Refresh Token')
  stored.revoked = true
  return issueTokens(ctx, record.user)
}

/** Parameters of `/verify`. */
export interface VerifyParams {
  /** `signup` or `recovery`. */
  type: string
  /** The token from the mail. */
  token: string
  /** Required to accept an invite. */
  password?: string
}

/** `POST /verify` (gotrue.md §1.2, §2.2, §5.4). @internal */
export async function verify(ctx: FlowContext, params: VerifyParams): Promise<Reply> {
  if (!params.token || params.token.trim() === '') return fail(ctx, 422, 'Verify requires a token')
  if (params.type === 'signup') {
    const record = ctx.store.byConfirmationToken(params.token)
    if (!record) return fail(ctx, 404, 'User not found')
    const invited = record.user.invited_at !== undefined
    const sentAt = invited ? record.user.invited_at : record.user.confirmation_sent_at
    if (elapsedSince(ctx, sentAt) > (invited ? INVITE_LIFETIME_MS : CONFIRMATION_LIFETIME_MS)) {
      return fail(ctx, 422, 'Confirmation token expired')
    }
    return transaction(ctx, record, async () => {
      if (invited && record.password === undefined) {
        if (!params.password) return fail(ctx, 422, 'Invited users must specify a password')
        record.password = params.password
      }
      const blocked = await fire(ctx, 'signup', record)
      if (blocked) return blocked
      confirm(ctx, record, nowIso(ctx))
      return issueTokens(ctx, record.user)
    })
  }
  if (params.type === 'recovery') {
    const record = ctx.store.byRecoveryToken(params.token)
    if (!record) return fail(ctx, 404, 'User not found')
    if (elapsedSince(ctx, record.user.recovery_sent_at) > RECOVERY_LIFETIME_MS) return fail(ctx, 422, 'Recovery token expired')
    return transaction(ctx, record, async () => {
      ctx.store.setRecoveryToken(record, undefined)
      if (!record.user.confirmed_at) {
        const blocked = await fire(ctx, 'signup', record)
        // A blocked hook during recovery surfaces as a database error (gotrue.md §2.2).
        if (blocked) return fail(ctx, 500, 'Database error updating user')
        confirm(ctx, record, nowIso(ctx))
      }
      return issueTokens(ctx, record.user)
    })
  }
  return fail(ctx, 422, 'Verify requires a verification type')
}

/** `POST /recover` (gotrue.md §5.4). @internal */
export function recover(ctx: FlowContext, email: string, aud = ''): Reply {
  if (!email) return fail(ctx, 422, 'Password recovery requires an email')
  const record = findInAud(ctx, email, aud)
  if (!record) return { status: 200, body: {} }
  if (elapsedSince(ctx, record.user.recovery_sent_at) < MAIL_MAX_FREQUENCY_MS) return fail(ctx, 429, 'Rate limit exceeded, try again later')
  const at = nowIso(ctx)
  const token = newToken(ctx)
  ctx.store.setRecoveryToken(record, token)
  record.user.recovery_sent_at = at
  sendMail(ctx, record, 'recovery', token, at)
  return { status: 200, body: {} }
}

/** `PUT /user` parameters. */
export interface UserUpdateParams {
  email?: string
  password?: string
  data?: JsonObject | null
  app_metadata?: JsonObject | null
  email_change_token?: string
}

/** `PUT /user` (gotrue.md §5.4); `isAdmin` says whether the user passes the admin test. @internal */
export function updateSelf(ctx: FlowContext, record: UserRecord, params: UserUpdateParams, isAdmin: boolean): Reply {
  if (params.app_metadata && !isAdmin) return fail(ctx, 401, 'Updating app_metadata requires admin privileges')
  const newEmail = params.email && params.email.toLowerCase() !== record.user.email.toLowerCase() ? params.email : undefined
  if (newEmail && ctx.store.recordByEmail(newEmail)) return emailTaken(ctx)
  if (params.email_change_token) {
    if (params.email_change_token !== record.emailChangeToken) return fail(ctx, 401, "Email Change Token didn't match token on file")
    if (elapsedSince(ctx, record.user.email_change_sent_at) > EMAIL_CHANGE_LIFETIME_MS) return fail(ctx, 422, 'Email change token expired')
  }
  const at = nowIso(ctx)
  if (params.password) record.password = params.password
  if (params.email_change_token && record.user.new_email) {
    ctx.store.setEmail(record, record.user.new_email)
    delete record.user.new_email
    delete record.user.email_change_sent_at
    record.emailChangeToken = undefined
  }
  if (params.data) record.user.user_metadata = mergeMetadata(record.user.user_metadata as JsonObject | null, params.data)
  if (params.app_metadata) record.user.app_metadata = mergeMetadata(record.user.app_metadata as JsonObject, params.app_metadata)
  if (newEmail) {
    const token = newToken(ctx)
    record.emailChangeToken = token
    record.user.new_email = newEmail
    record.user.email_change_sent_at = at
    sendMail(ctx, record, 'email_change', token, at)
  }
  record.user.updated_at = at
  return { status: 200, body: serializeUser(record.user, false) }
}

// ---------------------------------------------------------------------------------------------
// Admin flows (gotrue.md §5.3)
// ---------------------------------------------------------------------------------------------

/** `POST /invite` (gotrue.md §1.2, §5.3), after admin auth and decoding. @internal */
export async function invite(ctx: FlowContext, email: string, data: JsonObject | null, aud: string): Promise<Reply> {
  if (!email) return fail(ctx, 422, 'An email address is required')
  if (ctx.store.recordByEmail(email)) return emailTaken(ctx)
  const record = newRecord(ctx, email, undefined, aud, '', data)
  const blocked = await fire(ctx, 'validate', record)
  if (blocked) return blocked
  // Invited meanwhile by a concurrent request: the same answer a later request gets.
  if (ctx.store.recordByEmail(email)) return emailTaken(ctx)
  const at = record.user.created_at
  record.confirmationToken = newToken(ctx)
  record.user.invited_at = at
  ctx.store.insert(record)
  sendMail(ctx, record, 'invite', record.confirmationToken, at)
  return { status: 200, body: serializeUser(record.user, false) }
}

/** `POST /admin/users` parameters. */
export interface AdminCreateParams {
  email: string
  password?: string
  aud?: string
  role?: string
  confirm?: boolean
  user_metadata?: JsonObject | null
}

/** `POST /admin/users` (gotrue.md §5.3): 200, `app_metadata` ignored, no hooks, no mail. @internal */
export function adminCreate(ctx: FlowContext, params: AdminCreateParams, requestAud: string): Reply {
  if (!params.email) return fail(ctx, 422, 'An email address is required')
  if (ctx.store.recordByEmail(params.email)) return emailTaken(ctx)
  const record = newRecord(ctx, params.email, params.password ?? '', params.aud || requestAud, params.role ?? '', params.user_metadata ?? null)
  if (params.confirm === true) record.user.confirmed_at = record.user.created_at
  ctx.store.insert(record)
  return { status: 200, body: serializeUser(record.user, false) }
}

/** `PUT /admin/users/{id}` parameters. */
export interface AdminUpdateParams {
  role?: string
  confirm?: boolean
  password?: string
  email?: string
  app_metadata?: JsonObject | null
  user_metadata?: JsonObject | null
}

/** `PUT /admin/users/{id}` (gotrue.md §5.3): merges, then `usermodified` (non-blocking). @internal */
export async function adminUpdate(ctx: FlowContext, record: UserRecord, params: AdminUpdateParams): Promise<Reply> {
  const at = nowIso(ctx)
  const role = params.role?.trim()
  if (role) record.user.role = role
  if (params.confirm === true) confirm(ctx, record, at)
  if (params.password) record.password = params.password
  if (params.email) ctx.store.setEmail(record, params.email)
  if (params.app_metadata) record.user.app_metadata = mergeMetadata(record.user.app_metadata as JsonObject, params.app_metadata)
  if (params.user_metadata) record.user.user_metadata = mergeMetadata(record.user.user_metadata as JsonObject | null, params.user_metadata)
  record.user.updated_at = at
  await fire(ctx, 'usermodified', record)
  return { status: 200, body: serializeUser(record.user, false) }
}

/** `DELETE /admin/users/{id}` (gotrue.md §5.3): 200 `{}`, then `userdeleted` (body ignored). @internal */
export async function adminDelete(ctx: FlowContext, record: UserRecord): Promise<Reply> {
  ctx.store.remove(record)
  await fire(ctx, 'userdeleted', record)
  return { status: 200, body: {} }
}
