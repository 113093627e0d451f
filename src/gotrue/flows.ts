import type { Runtime } from '../runtime.js'
import { accessTokenClaims, DEFAULT_TOKEN_LIFETIME, signAccessToken } from '../tokens/access.js'
import { cloneJson, serializeUser } from '../users/json.js'
import { goTrimSpace } from '../go/text.js'
import { parseAddressError } from '../go/mail.js'
import type { GoTrueUser, HookOutcome, IdentityEvent, JsonObject, JsonValue } from '../types.js'
import type { MailBox, MailType } from './mail.js'
import { hookChanges, isNonBlockingEvent } from './rules.js'
import type { RecordField, Store, UserRecord } from './store.js'
import type { AuditAction, AuditActor, AuditLog, AuditLogEntry } from './audit.js'
import { SYSTEM_ACTOR } from './audit.js'
import type { SiteSettings } from './settings.js'
import { settingsBody } from './settings.js'

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
  /**
   * Whether e-mail addresses are validated with Go's `net/mail.ParseAddress` (GoTrue does it only
   * with a real SMTP mailer, which Netlify production has; gotrue:mailer/mailer.go `NewMailer`).
   */
  readonly validateEmails: boolean
  /** The site's settings (providers, e-mail provider, `disable_signup`, autoconfirm). */
  readonly settings: SiteSettings
  /** The instance's audit log (`GET /admin/audit`). */
  readonly audit: AuditLog
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
/**
 * Confirmation and recovery tokens live 24 h, invites 7 days (gotrue.md §5.4), measured from
 * `confirmation_sent_at` and `recovery_sent_at` only when set (gotrue:api/verify.go).
 */
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
 * GoTrue clears `nf_jwt` (empty, expired 10 h ago, `Max-Age=0`) on a refused bearer, a reused or
 * expired refresh token and `/logout` (gotrue.md §4, §5.4; gotrue:api/token.go `RefreshTokenGrant`).
 * @internal
 */
export function withClearedCookie(ctx: FlowContext, reply: Reply): Reply {
  const expired = new Date(ctx.rt.clock().getTime() - 10 * 3_600_000).toUTCString()
  return { ...reply, headers: { ...reply.headers, 'set-cookie': `nf_jwt=; Path=/; Expires=${expired}; Max-Age=0; HttpOnly; Secure` } }
}

export function nowIso(ctx: FlowContext): string {
  return ctx.rt.clock().toISOString()
}

/** Milliseconds since an RFC 3339 time, or `undefined` when the time is not set. */
function elapsedSince(ctx: FlowContext, iso: string | undefined): number | undefined {
  return iso ? ctx.rt.clock().getTime() - Date.parse(iso) : undefined
}

/** Go's `time.Now().After(sentAt.Add(maxAge))`: only when the time is set, strictly after. */
function expired(ctx: FlowContext, sentAt: string | undefined, maxAgeMs: number): boolean {
  const elapsed = elapsedSince(ctx, sentAt)
  return elapsed !== undefined && elapsed > maxAgeMs
}

/** `SMTP.MaxFrequency`: a mail of a kind was sent no longer ago than 15 minutes (`!sentAt.Add(f).Before(now)`). */
function tooSoon(ctx: FlowContext, sentAt: string | undefined): boolean {
  const elapsed = elapsedSince(ctx, sentAt)
  return elapsed !== undefined && elapsed <= MAIL_MAX_FREQUENCY_MS
}


/** Defines a data property, so that keys such as `__proto__` stay plain data. */
function defineData(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  else target[key] = value
}

/**
 * Shallow key-by-key merge of admin and self updates (gotrue.md §5.3; gotrue:models/user.go
 * `UpdateUserMetaData`/`UpdateAppMetaData`): a `null` value deletes the key, anything else
 * overwrites it whole; when the stored map is `null` the update is assigned as is (nulls kept).
 * Returns a new map (the stored one is never changed in place, so that a transaction can tell
 * whether another request wrote the map since). Keys such as `__proto__` are plain data.
 * @internal
 */
export function mergeMetadata(current: JsonObject | null | undefined, updates: JsonObject): JsonObject {
  if (current === null || current === undefined) return cloneJson(updates)
  const next: JsonObject = { ...current }
  for (const key of Object.keys(updates)) {
    const value = updates[key] as JsonValue
    if (value === null) delete next[key]
    else defineData(next, key, value)
  }
  return next
}

/**
 * The writes of one request, GoTrue's transaction in miniature: every change goes through
 * {@link Tx.write}; {@link Tx.rollback} undoes them newest first, each only if the field still
 * holds what this request wrote, so writes made meanwhile by other requests (including the
 * admin calls a hook makes, which are their own transactions in GoTrue) survive.
 * @internal
 */
export class Tx {
  readonly #store: Store
  readonly #undo: { record: UserRecord; field: RecordField; before: unknown; after: unknown }[] = []
  readonly #audits: { log: AuditLog; entry: AuditLogEntry }[] = []

  constructor(store: Store) {
    this.#store = store
  }

  write(record: UserRecord, field: RecordField, value: unknown): void {
    const before = read(record, field)
    if (Object.is(before, value)) return
    this.#store.write(record, field, value)
    this.#undo.push({ record, field, before, after: value })
  }

  /** Records an audit entry written by this request: a rollback removes it again. */
  audited(log: AuditLog, entry: AuditLogEntry): void {
    this.#audits.push({ log, entry })
  }

  rollback(): void {
    for (const { log, entry } of this.#audits) log.remove(entry)
    this.#audits.length = 0
    for (let i = this.#undo.length - 1; i >= 0; i--) {
      const { record, field, before, after } = this.#undo[i]!
      if (Object.is(read(record, field), after)) this.#store.write(record, field, before)
    }
    this.#undo.length = 0
  }
}

function read(record: UserRecord, field: RecordField): unknown {
  if (field === 'password' || field === 'confirmationToken' || field === 'recoveryToken' || field === 'emailChangeToken') return record[field]
  return (record.user as unknown as Record<string, unknown>)[field]
}

/**
 * Runs one request's work as a transaction: a reply of 300 or more (or a throw) rolls back what
 * the work wrote through its {@link Tx}, nothing else.
 * @internal
 */
export async function transaction(ctx: FlowContext, work: (tx: Tx) => Promise<Reply>): Promise<Reply> {
  const tx = new Tx(ctx.store)
  let reply: Reply
  try {
    reply = await work(tx)
  } catch (error) {
    tx.rollback()
    throw error
  }
  if (reply.status >= 300) tx.rollback()
  return reply
}

/**
 * Runs the hook wired to an event on a record (gotrue:api/hooks.go `triggerHook`): refused →
 * the reply to send (non-blocking events never refuse); accepted → only the maps the hook's body
 * set are written (an empty or metadata-free body writes nothing, gotrue.md §2.3).
 */
export async function fireHook(ctx: FlowContext, tx: Tx, event: IdentityEvent, record: UserRecord, view?: GoTrueUser): Promise<Reply | undefined> {
  const pending = ctx.hook(event, record.user)
  if (!pending) return undefined
  const outcome = await pending
  if (!outcome.allowed) {
    if (isNonBlockingEvent(event)) return undefined
    return { status: outcome.status, body: outcome.error }
  }
  const changed = event === 'userdeleted' ? undefined : hookChanges(outcome.user)
  if (changed?.app_metadata) tx.write(record, 'app_metadata', outcome.user.app_metadata)
  if (changed?.user_metadata) tx.write(record, 'user_metadata', outcome.user.user_metadata)
  if (view && changed?.app_metadata) view.app_metadata = outcome.user.app_metadata
  if (view && changed?.user_metadata) view.user_metadata = outcome.user.user_metadata
  return undefined
}

/**
 * `models.NewAuditLogEntry` inside the request's transaction (gotrue:models/audit_log_entry.go):
 * undone with the transaction's other writes. @internal
 */
export function audit(ctx: FlowContext, tx: Tx, actor: AuditActor, action: AuditAction, subject?: GoTrueUser): void {
  const entry = ctx.audit.add(ctx.rt.ids.uuid(), ctx.rt.clock(), actor, action, subject ? { user_id: subject.id, user_email: subject.email } : undefined)
  tx.audited(ctx.audit, entry)
}

/**
 * `requireEmailProvider` (gotrue:api/middleware.go) on `/signup`, `/recover`, `/token` and
 * `POST /admin/users`: 400 `Unsupported email provider` when the e-mail provider is off. @internal
 */
export function emailProviderGate(ctx: FlowContext): Reply | undefined {
  return ctx.settings.emailEnabled ? undefined : fail(ctx, 400, 'Unsupported email provider')
}

/** `/signup`'s own first check (gotrue:api/signup.go): 403 on an invite-only site, before the body is read. @internal */
export function signupGate(ctx: FlowContext): Reply | undefined {
  return emailProviderGate(ctx) ?? (ctx.settings.disableSignup ? fail(ctx, 403, 'Signups not allowed for this instance') : undefined)
}

export function newToken(ctx: FlowContext): string {
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

/** `User.Confirm`: clears the confirmation token, sets `confirmed_at` (again, if already set). */
export function confirm(tx: Tx, record: UserRecord, at: string): void {
  tx.write(record, 'confirmationToken', undefined)
  tx.write(record, 'confirmed_at', at)
}

/** `sendConfirmation` (gotrue:api/mail.go): silently skipped within `SMTP.MaxFrequency` of the last one. */
export function sendConfirmation(ctx: FlowContext, tx: Tx, record: UserRecord, at: string): void {
  if (tooSoon(ctx, record.user.confirmation_sent_at)) return
  const token = newToken(ctx)
  tx.write(record, 'confirmationToken', token)
  tx.write(record, 'confirmation_sent_at', at)
  sendMail(ctx, record, 'confirmation', token, at)
}

/** What creates a user (signup, invite, admin create, and later external providers). */
export interface NewUser {
  email: string
  /** `undefined` = no password (an invite); GoTrue hashes even `""`, so `""` is a password. */
  password: string | undefined
  aud: string
  role: string
  data: JsonObject | null
  provider: string
}

/** GoTrue's `models.NewUser` plus `app_metadata.provider` and `SetRole` (trimmed): a record not stored yet. */
export function newUserRecord(ctx: FlowContext, params: NewUser): UserRecord {
  const at = nowIso(ctx)
  return ctx.store.newRecord({
    id: ctx.rt.ids.uuid(),
    aud: params.aud,
    role: goTrimSpace(params.role),
    email: params.email,
    app_metadata: { provider: params.provider },
    user_metadata: params.data === null ? null : cloneJson(params.data),
    created_at: at,
    updated_at: at,
  }, params.password)
}

/**
 * `validateEmail` (gotrue:api/mail.go): empty → 422 `An email address is required`; with a real
 * mailer, Go's `net/mail.ParseAddress` must accept it → else 422 `Unable to validate email
 * address: <Go's error>`.
 */
function validateEmail(ctx: FlowContext, email: string): Reply | undefined {
  if (!email) return fail(ctx, 422, 'An email address is required')
  if (!ctx.validateEmails) return undefined
  const error = parseAddressError(email)
  return error === undefined ? undefined : fail(ctx, 422, `Unable to validate email address: ${error}`)
}

/** GoTrue's `FindUserByEmailAndAudience`. */
export function findInAud(ctx: FlowContext, email: string, aud: string): UserRecord | undefined {
  return ctx.store.recordByEmail(email, aud)
}

/** Refusal for an e-mail that is taken in the audience (gotrue.md §5.3). */
function emailTaken(ctx: FlowContext): Reply {
  return fail(ctx, 422, 'Email address already registered by another user')
}

// ---------------------------------------------------------------------------------------------
// Public flows (gotrue.md §5.4)
// ---------------------------------------------------------------------------------------------

/** `GET /settings` (gotrue.md §5.4). @internal */
export function settings(ctx: FlowContext): Reply {
  return { status: 200, body: settingsBody(ctx.settings) }
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

/**
 * `POST /signup` (gotrue.md §1.2, §5.4; gotrue:api/signup.go `Signup`), after body decoding. The
 * e-mail is looked up before the transaction and the new row inserted at its end, with no unique
 * key in between (gotrue:migrations: `KEY users_instance_id_email_idx`, not `UNIQUE`): two
 * concurrent signups with one new address both create a user, as in GoTrue.
 * @internal
 */
export async function signup(ctx: FlowContext, params: SignupParams): Promise<Reply> {
  const gated = signupGate(ctx)
  if (gated) return gated
  if (!params.password) return fail(ctx, 422, 'Signup requires a valid password')
  const invalid = validateEmail(ctx, params.email)
  if (invalid) return invalid
  const data = params.data ?? null
  const aud = params.aud ?? ''
  const existing = findInAud(ctx, params.email, aud)
  if (existing?.user.confirmed_at) return fail(ctx, 400, 'A user with this email address has already been registered')
  return transaction(ctx, async (tx) => {
    const at = nowIso(ctx)
    let record: UserRecord
    if (existing) {
      // Unconfirmed: no validate; data merges; the password is ignored (gotrue.md §1.2).
      record = existing
      if (data) tx.write(record, 'user_metadata', mergeMetadata(record.user.user_metadata as JsonObject | null, data))
      tx.write(record, 'updated_at', at)
    } else {
      record = newUserRecord(ctx, { email: params.email, password: params.password, aud, role: '', data, provider: 'email' })
      const blocked = await fireHook(ctx, tx, 'validate', record)
      if (blocked) return blocked
    }
    if (ctx.autoconfirm) {
      audit(ctx, tx, record.user, 'user_signedup')
      const blocked = await fireHook(ctx, tx, 'signup', record)
      if (blocked) return blocked
      confirm(tx, record, record === existing ? at : record.user.created_at)
    } else {
      sendConfirmation(ctx, tx, record, record === existing ? at : record.user.created_at)
    }
    if (record !== existing) ctx.store.insert(record)
    return { status: 200, body: serializeUser(record.user, false) }
  })
}

/** `POST /token` `grant_type=password` (gotrue.md §1.2, §5.4; gotrue:api/token.go). @internal */
export async function passwordGrant(ctx: FlowContext, email: string, password: string, aud = ''): Promise<Reply> {
  const record = email ? findInAud(ctx, email, aud) : undefined
  const noUser = (): Reply => oauthFail('invalid_grant', 'No user found with that email, or password invalid.')
  if (!record) return noUser()
  if (!record.user.confirmed_at) return oauthFail('invalid_grant', 'Email not confirmed')
  if (record.password === undefined || record.password !== password) return noUser()
  return transaction(ctx, async (tx) => {
    audit(ctx, tx, record.user, 'login')
    // The login hook runs before the token is minted: its metadata is in the token (§1.2).
    const blocked = await fireHook(ctx, tx, 'login', record)
    if (blocked) return blocked
    return issueTokens(ctx, record.user)
  })
}

/**
 * `POST /token` `grant_type=refresh_token` (gotrue.md §4; gotrue:api/token.go `RefreshTokenGrant`,
 * gotrue:models/refresh_token.go `Expired`): the token and its user are looked up first; a revoked
 * token or one strictly older than 30 days also clears `nf_jwt`. @internal
 */
export async function refreshGrant(ctx: FlowContext, token: string): Promise<Reply> {
  if (!token) return oauthFail('invalid_request', 'refresh_token required')
  const stored = ctx.store.refreshToken(token)
  const record = stored && ctx.store.record(stored.userId)
  if (!stored || !record) return oauthFail('invalid_grant', 'Invalid Refresh Token')
  if (stored.revoked) return withClearedCookie(ctx, oauthFail('invalid_grant', 'Invalid Refresh Token'))
  if (ctx.rt.clock().getTime() - stored.createdAt > REFRESH_TOKEN_LIFETIME_MS) return withClearedCookie(ctx, oauthFail('invalid_grant', 'Refresh token expired'))
  stored.revoked = true
  audit(ctx, new Tx(ctx.store), record.user, 'token_refreshed')
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

/** `POST /verify` (gotrue.md §1.2, §2.2, §5.4; gotrue:api/verify.go). @internal */
export async function verify(ctx: FlowContext, params: VerifyParams): Promise<Reply> {
  // strings.TrimSpace: Go's white space (U+0085 and U+00A0 are space; U+FEFF is not).
  if (goTrimSpace(params.token ?? '') === '') return fail(ctx, 422, 'Verify requires a token')
  if (params.type === 'signup') {
    const record = ctx.store.byConfirmationToken(params.token)
    if (!record) return fail(ctx, 404, 'User not found')
    const invited = record.user.invited_at !== undefined
    // Measured from confirmation_sent_at only, which /invite never sets: an invite alone never expires.
    if (expired(ctx, record.user.confirmation_sent_at, invited ? INVITE_LIFETIME_MS : CONFIRMATION_LIFETIME_MS)) {
      return fail(ctx, 422, 'Confirmation token expired')
    }
    return transaction(ctx, async (tx) => {
      if (invited && record.password === undefined) {
        if (!params.password) return fail(ctx, 422, 'Invited users must specify a password')
        tx.write(record, 'password', params.password)
      }
      audit(ctx, tx, record.user, 'user_signedup')
      const blocked = await fireHook(ctx, tx, 'signup', record)
      if (blocked) return blocked
      confirm(tx, record, nowIso(ctx))
      return issueTokens(ctx, record.user)
    })
  }
  if (params.type === 'recovery') {
    const record = ctx.store.byRecoveryToken(params.token)
    if (!record) return fail(ctx, 404, 'User not found')
    if (expired(ctx, record.user.recovery_sent_at, RECOVERY_LIFETIME_MS)) return fail(ctx, 422, 'Recovery token expired')
    return transaction(ctx, async (tx) => {
      tx.write(record, 'recoveryToken', undefined)
      if (!record.user.confirmed_at) {
        audit(ctx, tx, record.user, 'user_signedup')
        const blocked = await fireHook(ctx, tx, 'signup', record)
        // A blocked hook during recovery surfaces as a database error (gotrue.md §2.2).
        if (blocked) return fail(ctx, 500, 'Database error updating user')
        confirm(tx, record, nowIso(ctx))
      }
      return issueTokens(ctx, record.user)
    })
  }
  return fail(ctx, 422, 'Verify requires a verification type')
}

/** `POST /recover` (gotrue.md §5.4; gotrue:api/recover.go). @internal */
export function recover(ctx: FlowContext, email: string, aud = ''): Reply {
  if (!email) return fail(ctx, 422, 'Password recovery requires an email')
  const record = findInAud(ctx, email, aud)
  if (!record) return { status: 200, body: {} }
  if (tooSoon(ctx, record.user.recovery_sent_at)) return fail(ctx, 429, 'Rate limit exceeded, try again later')
  const at = nowIso(ctx)
  const token = newToken(ctx)
  audit(ctx, new Tx(ctx.store), record.user, 'user_recovery_requested')
  ctx.store.write(record, 'recoveryToken', token)
  ctx.store.write(record, 'recovery_sent_at', at)
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

/**
 * `PUT /user` (gotrue.md §5.4; gotrue:api/user.go `UserUpdate`), in GoTrue's order inside one
 * transaction: password, `data`, `app_metadata` (only for a user who passes the admin test
 * against the configured audience `""`), then either the e-mail change token (expiry first, then
 * the match) or a new e-mail (compared exactly: a change of case only finds the user itself and
 * is refused as taken). A refusal rolls back the writes before it. @internal
 */
export async function updateSelf(ctx: FlowContext, record: UserRecord, params: UserUpdateParams): Promise<Reply> {
  return transaction(ctx, async (tx) => {
    const at = nowIso(ctx)
    if (params.password) tx.write(record, 'password', params.password)
    if (params.data) tx.write(record, 'user_metadata', mergeMetadata(record.user.user_metadata as JsonObject | null, params.data))
    if (params.app_metadata) {
      const isAdmin = record.user.aud === '' && record.user.role === 'admin'
      if (!isAdmin) return fail(ctx, 401, 'Updating app_metadata requires admin privileges')
      tx.write(record, 'app_metadata', mergeMetadata(record.user.app_metadata as JsonObject, params.app_metadata))
    }
    if (params.email_change_token) {
      if (expired(ctx, record.user.email_change_sent_at, EMAIL_CHANGE_LIFETIME_MS)) return fail(ctx, 422, 'Email change token expired')
      if (params.email_change_token !== record.emailChangeToken) return fail(ctx, 401, "Email Change Token didn't match token on file")
      // ConfirmEmailChange: email, new_email and the token change; email_change_sent_at stays.
      tx.write(record, 'email', record.user.new_email ?? '')
      tx.write(record, 'new_email', undefined)
      tx.write(record, 'emailChangeToken', undefined)
    } else if (params.email && params.email !== record.user.email) {
      const invalid = validateEmail(ctx, params.email)
      if (invalid) return invalid
      if (findInAud(ctx, params.email, record.user.aud)) return emailTaken(ctx)
      const token = newToken(ctx)
      tx.write(record, 'emailChangeToken', token)
      tx.write(record, 'new_email', params.email)
      tx.write(record, 'email_change_sent_at', at)
      sendMail(ctx, record, 'email_change', token, at)
    }
    tx.write(record, 'updated_at', at)
    audit(ctx, tx, record.user, 'user_modified')
    return { status: 200, body: serializeUser(record.user, false) }
  })
}

// ---------------------------------------------------------------------------------------------
// Admin flows (gotrue.md §5.3)
// ---------------------------------------------------------------------------------------------

/**
 * `POST /invite` (gotrue.md §1.2, §5.3; gotrue:api/invite.go, gotrue:api/mail.go `sendInvite`):
 * the user gets `invited_at` and a confirmation token, never `confirmation_sent_at`. @internal
 */
export async function invite(ctx: FlowContext, email: string, data: JsonObject | null, aud: string, actor: AuditActor = SYSTEM_ACTOR): Promise<Reply> {
  const invalid = validateEmail(ctx, email)
  if (invalid) return invalid
  if (findInAud(ctx, email, aud)) return emailTaken(ctx)
  return transaction(ctx, async (tx) => {
    const record = newUserRecord(ctx, { email, password: undefined, aud, role: '', data, provider: 'email' })
    const blocked = await fireHook(ctx, tx, 'validate', record)
    if (blocked) return blocked
    audit(ctx, tx, actor, 'user_invited', record.user)
    const at = record.user.created_at
    const token = newToken(ctx)
    tx.write(record, 'confirmationToken', token)
    tx.write(record, 'invited_at', at)
    ctx.store.insert(record)
    sendMail(ctx, record, 'invite', token, at)
    return { status: 200, body: serializeUser(record.user, false) }
  })
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

/** `POST /admin/users` (gotrue.md §5.3; gotrue:api/admin.go `adminUserCreate`): 200, `app_metadata` ignored, no hooks, no mail. @internal */
export function adminCreate(ctx: FlowContext, params: AdminCreateParams, requestAud: string, actor: AuditActor = SYSTEM_ACTOR): Reply {
  const gated = emailProviderGate(ctx)
  if (gated) return gated
  const invalid = validateEmail(ctx, params.email)
  if (invalid) return invalid
  const aud = params.aud || requestAud
  if (findInAud(ctx, params.email, aud)) return emailTaken(ctx)
  const record = newUserRecord(ctx, { email: params.email, password: params.password ?? '', aud, role: params.role ?? '', data: params.user_metadata ?? null, provider: 'email' })
  if (params.confirm === true) record.user.confirmed_at = record.user.created_at
  audit(ctx, new Tx(ctx.store), actor, 'user_signedup', record.user)
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

/**
 * `PUT /admin/users/{id}` (gotrue.md §5.3; gotrue:api/admin.go `adminUserUpdate`): one committed
 * transaction (a non-empty `role` is trimmed and set, even to `""`; `email` is set with no
 * check, so it may be another user's: the database allows it), then `usermodified`
 * (non-blocking), whose body's maps are written too and shown in the response. @internal
 */
export async function adminUpdate(ctx: FlowContext, record: UserRecord, params: AdminUpdateParams, actor: AuditActor = SYSTEM_ACTOR): Promise<Reply> {
  const tx = new Tx(ctx.store)
  const at = nowIso(ctx)
  if (params.role) tx.write(record, 'role', goTrimSpace(params.role))
  if (params.confirm === true) confirm(tx, record, at)
  if (params.password) tx.write(record, 'password', params.password)
  if (params.email) tx.write(record, 'email', params.email)
  if (params.app_metadata) tx.write(record, 'app_metadata', mergeMetadata(record.user.app_metadata as JsonObject, params.app_metadata))
  if (params.user_metadata) tx.write(record, 'user_metadata', mergeMetadata(record.user.user_metadata as JsonObject | null, params.user_metadata))
  tx.write(record, 'updated_at', at)
  audit(ctx, tx, actor, 'user_modified', record.user)
  // This request's view of the user once committed; the hook's maps are applied to it as well.
  const view: GoTrueUser = { ...record.user }
  await fireHook(ctx, new Tx(ctx.store), 'usermodified', record, view)
  return { status: 200, body: serializeUser(view, false) }
}

/** `DELETE /admin/users/{id}` (gotrue.md §5.3): 200 `{}`, then `userdeleted` (body ignored). @internal */
export async function adminDelete(ctx: FlowContext, record: UserRecord, actor: AuditActor = SYSTEM_ACTOR): Promise<Reply> {
  audit(ctx, new Tx(ctx.store), actor, 'user_deleted', record.user)
  ctx.store.remove(record)
  await fireHook(ctx, new Tx(ctx.store), 'userdeleted', record)
  return { status: 200, body: {} }
}
