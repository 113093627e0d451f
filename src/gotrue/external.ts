import { HS256_HEADER, signHS256 } from '../tokens/hs256.js'
import type { SecretKey } from '../tokens/key.js'
import { checkToken } from '../tokens/verify.js'
import { goEncodeValues } from '../go/url-values.js'
import { goTrimSpace } from '../go/text.js'
import type { JsonObject } from '../types.js'
import type { FakeProvider } from './fake-provider.js'
import type { FlowContext, Reply, TokenResponse } from './flows.js'
import {
  audit, confirm, fail, findInAud, fireHook, issueTokens, mergeMetadata, newUserRecord, nowIso, sendConfirmation, transaction,
} from './flows.js'
import type { UserProvidedData } from './providers.js'
import type { ExternalProviderName } from './settings.js'
import { EXTERNAL_PROVIDERS } from './settings.js'
import type { UserRecord } from './store.js'

/** What the external flows need besides the instance's flow context. @internal */
export interface ExternalDeps {
  /** The fake providers, by name. */
  providers: Readonly<Record<ExternalProviderName, FakeProvider>>
  /** The operator token GoTrue signs the OAuth `state` with (not the JWT secret). */
  stateKey: SecretKey
}

/** `state` lives 5 minutes (gotrue:api/external.go `ExternalProviderRedirect`). */
const STATE_LIFETIME_S = 5 * 60

/** The OAuth error map of redirect fragments (gotrue:api/errors.go `oauthErrorMap`). */
const OAUTH_ERROR: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized_client', 403: 'access_denied', 500: 'server_error', 503: 'temporarily_unavailable' }

/** An error the callback turns into a `#error=…&error_description=…` fragment. */
type Failure = { error: string; description: string }

/**
 * `API.Provider` (gotrue:api/external.go): the lower-cased name must be a provider GoTrue knows
 * and enabled on the site (`conf.OAuthProviderConfiguration.Validate`); else `Unsupported provider: …`.
 */
function provider(ctx: FlowContext, deps: ExternalDeps, type: string): FakeProvider | { error: string } {
  const name = type.toLowerCase()
  if (name === 'saml') return { error: 'SAML Provider is not enabled' }
  if (!EXTERNAL_PROVIDERS.includes(name as ExternalProviderName)) return { error: `Provider ${name} could not be found` }
  if (!ctx.settings.providers.has(name as ExternalProviderName)) return { error: 'Provider is not enabled' }
  return deps.providers[name as ExternalProviderName]
}

/** `getReferrer` (gotrue:api/helpers.go): the Referer when its host name is the site's. */
function referrerOf(ctx: FlowContext, referer: string | null): string {
  if (!referer) return ''
  try {
    return new URL(referer).hostname === new URL(ctx.rt.siteUrl).hostname ? referer : ''
  } catch {
    return ''
  }
}

/** GoTrue's callback URL, the OAuth `redirect_uri` (`External.<p>.RedirectURI`): `${identity.url}/callback`. */
function callbackUrl(ctx: FlowContext): string {
  return `${ctx.rt.url}/callback`
}

/**
 * `GET /authorize` (gotrue:api/external.go `ExternalProviderRedirect`; gotrue:api/external_github_test.go
 * `TestSignupExternalGithub`): an unknown or disabled provider is a 400 `Unsupported provider: …`; a
 * non-empty (trimmed) `invite_token` must be some user's confirmation token (else 404 `User not found`);
 * then a 302 to the provider's authorize URL with `client_id`, `redirect_uri`, `response_type=code`,
 * `scope` and `state`, an HS256 JWT signed with the operator token that lasts 5 minutes and carries
 * `exp`, `site_url`, `id`, `netlify_id`, `function_hooks`, `provider` and, when set, `invite_token`
 * and `referrer`.
 * @internal
 */
export function authorize(ctx: FlowContext, deps: ExternalDeps, query: URLSearchParams, referer: string | null): Reply {
  const type = query.get('provider') ?? ''
  const p = provider(ctx, deps, type)
  if ('error' in p) return fail(ctx, 400, `Unsupported provider: ${p.error}`)
  const inviteToken = goTrimSpace(query.get('invite_token') ?? '')
  if (inviteToken && !ctx.store.byConfirmationToken(inviteToken)) return fail(ctx, 404, 'User not found')
  const referrer = referrerOf(ctx, referer)
  const claims: Record<string, unknown> = {
    exp: Math.floor(ctx.rt.clock().getTime() / 1000) + STATE_LIFETIME_S,
    site_url: ctx.rt.siteUrl,
    id: ctx.rt.instanceId,
    netlify_id: '',
    function_hooks: null,
    provider: type,
  }
  if (inviteToken) claims.invite_token = inviteToken
  if (referrer) claims.referrer = referrer
  const state = signHS256(HS256_HEADER, claims, deps.stateKey)
  // oauth2.Config.AuthCodeURL: the values encoded with url.Values.Encode (keys sorted).
  const location = `${p.url}${p.spec.authorizePath}?${goEncodeValues({
    client_id: p.clientId, redirect_uri: callbackUrl(ctx), response_type: 'code', scope: p.spec.scopes.join(' '), state,
  })}`
  return { status: 302, headers: { location } }
}

/** What the callback found in a valid `state`. */
interface LoadedState {
  provider: string
  inviteToken: string
  referrer: string
}

/**
 * `loadOAuthState` (gotrue:api/external_oauth.go, gotrue:api/external.go `loadExternalState`):
 * runs before the handler, so its errors are JSON 400s, never redirects. The `/callback` group's
 * middleware: it also runs for a wrong method or an unknown path in the group.
 * @internal
 */
export function loadState(ctx: FlowContext, deps: ExternalDeps, state: string | null): LoadedState | Reply {
  if (!state) return fail(ctx, 400, 'OAuth state parameter missing')
  const check = checkToken(state, deps.stateKey, ctx.rt.clock)
  if (!check.ok) return fail(ctx, 400, `OAuth state is invalid: ${check.reason}`)
  const c = check.claims
  const type = typeof c.provider === 'string' ? c.provider : ''
  if (!type) return fail(ctx, 400, 'OAuth state is invalid: <nil>')
  return { provider: type, inviteToken: typeof c.invite_token === 'string' ? c.invite_token : '', referrer: typeof c.referrer === 'string' ? c.referrer : '' }
}

/** `oAuthCallback` (gotrue:api/external_oauth.go): the provider's answer, its code exchanged, its user read. */
function providerData(ctx: FlowContext, deps: ExternalDeps, type: string, query: URLSearchParams): UserProvidedData | Failure {
  const extError = query.get('error') ?? ''
  if (extError) return { error: extError, description: query.get('error_description') ?? '' }
  const code = query.get('code') ?? ''
  if (!code) return { error: 'invalid_request', description: 'Authorization code missing' }
  const p = provider(ctx, deps, type)
  if ('error' in p) return { error: 'invalid_request', description: `Unsupported provider: ${p.error}` }
  const exchanged = p.exchange(code)
  if (!exchanged.ok) return { error: 'server_error', description: `Unable to exchange external code for ${type} provider` }
  const bodies: unknown[] = []
  for (const path of p.spec.infoPaths(exchanged.body.access_token, p.clientSecret)) {
    const info = p.userInfo(exchanged.body.access_token, path)
    // makeRequest: a non-2xx answer is a RequestError; GoTrue reports it in these words.
    if (info.status < 200 || info.status > 299) return { error: 'server_error', description: 'Error getting user email from external provider' }
    bodies.push(structuredClone(info.body))
  }
  const data = p.spec.read(bodies)
  if ('error' in data) return { error: 'server_error', description: 'Error getting user email from external provider' }
  return data
}

/** A reply's GoTrue error as a fragment error (`getErrorQueryString`). */
function asFailure(reply: Reply): Failure {
  const body = reply.body as { msg?: unknown; error?: unknown; error_description?: unknown } | undefined
  if (body && typeof body.error === 'string') return { error: body.error, description: typeof body.error_description === 'string' ? body.error_description : '' }
  return { error: OAUTH_ERROR[reply.status] ?? 'server_error', description: typeof body?.msg === 'string' ? body.msg : '' }
}

/** The non-empty provider metadata (`full_name`, `avatar_url`, Facebook's `slug`). */
function metadataOf(data: UserProvidedData): JsonObject {
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(data.metadata)) if (v !== '') out[k] = v
  return out
}

/** The callback's outcome: where the browser goes, and what its fragment says. @internal */
export interface CallbackResult {
  reply: Reply
  tokens?: TokenResponse
  failure?: Failure
  /** The user the flow created, linked or confirmed (even when it issued no token). */
  record?: UserRecord
}

/**
 * `GET /callback` (gotrue:api/external.go `ExternalProviderCallback`, `processInvite`; encoded by
 * gotrue:api/external_github_test.go and the other external_*_test.go): every error after the
 * state is loaded is a 302 to the redirect URL (the state's referrer, else the site) with
 * `#error=…&error_description=…`; success is a 302 with `#access_token=…&expires_in=…&refresh_token=…&token_type=bearer`,
 * or no fragment at all when a new user's e-mail is unverified (a confirmation mail is sent).
 * The user part runs as one transaction: a refused hook leaves no user, no audit entry.
 * @internal
 */
export async function callback(ctx: FlowContext, deps: ExternalDeps, query: URLSearchParams, aud: string): Promise<CallbackResult> {
  const loaded = loadState(ctx, deps, query.get('state'))
  if ('status' in loaded) return { reply: loaded }
  const target = loaded.referrer || ctx.rt.siteUrl
  const redirect = (fragment?: Record<string, string>): Reply => ({ status: 302, headers: { location: fragment ? `${target}#${goEncodeValues(fragment)}` : target } })
  const failed = (failure: Failure): CallbackResult => ({ reply: redirect({ error: failure.error, error_description: failure.description }), failure })
  const data = providerData(ctx, deps, loaded.provider, query)
  if ('error' in data) return failed(data)
  let record: UserRecord | undefined
  let tokens: TokenResponse | undefined
  const reply = await transaction(ctx, async (tx) => {
    if (loaded.inviteToken) {
      // processInvite: the invited user, its e-mail among the provider's (compared exactly).
      const invited = ctx.store.byConfirmationToken(loaded.inviteToken)
      if (!invited) return fail(ctx, 404, 'User not found')
      if (!data.emails.some((e) => e.email === invited.user.email)) return fail(ctx, 400, 'Invited email does not match emails from external provider')
      record = invited
      tx.write(invited, 'app_metadata', mergeMetadata(invited.user.app_metadata as JsonObject, { provider: loaded.provider }))
      tx.write(invited, 'user_metadata', mergeMetadata(invited.user.user_metadata as JsonObject | null, metadataOf(data)))
      audit(ctx, tx, invited.user, 'invite_accepted')
      const blocked = await fireHook(ctx, tx, 'signup', invited)
      if (blocked) return blocked
      confirm(tx, invited, nowIso(ctx))
    } else {
      const autoconfirm = ctx.settings.autoconfirm
      let email = data.emails[0]!
      let found: UserRecord | undefined
      for (const e of data.emails) {
        if (!(e.verified || autoconfirm)) continue
        found = findInAud(ctx, e.email, aud)
        if (found) {
          email = e
          break
        }
      }
      let created: UserRecord | undefined
      if (!found) {
        if (ctx.settings.disableSignup) return fail(ctx, 403, 'Signups not allowed for this instance')
        email = data.emails.find((e) => e.primary) ?? data.emails[0]!
        created = newUserRecord(ctx, { email: email.email, password: undefined, aud, role: '', data: metadataOf(data), provider: loaded.provider })
        const blocked = await fireHook(ctx, tx, 'validate', created)
        if (blocked) return blocked
      }
      const user = (found ?? created)!
      record = user
      if (!user.user.confirmed_at) {
        if (!email.verified && !autoconfirm) {
          sendConfirmation(ctx, tx, user, created ? user.user.created_at : nowIso(ctx))
          if (created) ctx.store.insert(created)
          // "email must be verified to issue a token": committed, no fragment.
          return { status: 200 }
        }
        audit(ctx, tx, user.user, 'user_signedup')
        const blocked = await fireHook(ctx, tx, 'signup', user)
        if (blocked) return blocked
        confirm(tx, user, created ? user.user.created_at : nowIso(ctx))
      } else {
        audit(ctx, tx, user.user, 'login')
        const blocked = await fireHook(ctx, tx, 'login', user)
        if (blocked) return blocked
      }
      if (created) ctx.store.insert(created)
    }
    const issued = await issueTokens(ctx, record!.user)
    tokens = issued.body as TokenResponse
    return { status: 200 }
  })
  if (reply.status !== 200) {
    // The transaction rolled back; a user it created was never stored.
    const kept = record && ctx.store.record(record.user.id) === record ? { record } : {}
    return { ...failed(asFailure(reply)), ...kept }
  }
  if (!tokens) return { reply: redirect(), ...(record ? { record } : {}) }
  const t: TokenResponse = tokens
  return {
    reply: redirect({ access_token: t.access_token, token_type: t.token_type, expires_in: String(t.expires_in), refresh_token: t.refresh_token }),
    tokens: t,
    ...(record ? { record } : {}),
  }
}
