import { HarnessError } from '../errors.js'
import type { Runtime } from '../runtime.js'
import { goEncodeValues } from '../go/url-values.js'
import type { ProviderProfile, ProviderSpec, ResolvedProfile } from './providers.js'
import type { ExternalProviderName } from './settings.js'

/** Where the fake OAuth providers live: a harness path under the site's own origin, never a real host. */
export const OAUTH_PREFIX = '/.netlify/harness/oauth'

/**
 * How a fake provider fails the next login (`identity.providers.github.fail(stage)`):
 * `denied` the user cancels on the consent page (the callback gets `error=access_denied`);
 * `token` the code exchange fails (GoTrue: 500 `Unable to exchange external code for … provider`);
 * `userinfo` the user-info request fails (GoTrue: 500 `Error getting user email from external provider`).
 */
export type ProviderFailure = 'denied' | 'token' | 'userinfo'

type Answer = { profile: ResolvedProfile } | { fail: ProviderFailure; description: string | undefined }

/** The description a real provider sends when the user cancels (GitHub's words). */
const DENIED = 'The user has denied your application access.'

/**
 * One fake OAuth provider of an instance (`identity.providers.github`): tests choose who it says
 * the next user is, or make it fail; its consent page, token and user-info endpoints answer as the
 * real provider's do (its JSON shapes), under `${siteUrl}/.netlify/harness/oauth/<provider>`.
 *
 * @example
 * ```ts
 * identity.providers.github.next({ email: 'ada@example.com', name: 'Ada', verified: true })
 * const result = await identity.loginWith('github')
 * ```
 */
export class FakeProvider {
  /** The provider's name (`github`, …). */
  readonly name: ExternalProviderName
  /** The provider's root URL (what GoTrue's `External.<p>.URL` would be). */
  readonly url: string
  /** The OAuth client id the emulator's GoTrue uses with it. */
  readonly clientId: string
  /** @internal */
  readonly clientSecret: string
  /** @internal */
  readonly spec: ProviderSpec
  readonly #rt: Runtime
  readonly #defaultProfile: () => ProviderProfile
  #queue: Answer[] = []
  #codes = new Map<string, { answer: Answer; redirectUri: string }>()
  #tokens = new Map<string, Answer>()
  #uid = 0

  /** @internal */
  constructor(rt: Runtime, spec: ProviderSpec, defaultProfile: () => ProviderProfile) {
    this.#rt = rt
    this.spec = spec
    this.name = spec.name
    this.url = `${rt.siteUrl}${OAUTH_PREFIX}/${spec.name}`
    this.clientId = `nih-${spec.name}-client-id`
    this.clientSecret = `nih-${spec.name}-client-secret`
    this.#defaultProfile = defaultProfile
  }

  /**
   * Sets who the provider says the next user is (queued: each login takes one; with none queued,
   * a seeded fake user with a verified e-mail). Returns the provider, for chaining.
   */
  next(profile: ProviderProfile = {}): this {
    this.#queue.push({ profile: this.#resolve(profile) })
    return this
  }

  /** Makes the next login fail at `stage` (queued like {@link next}); `description` replaces `denied`'s text. */
  fail(stage: ProviderFailure, description?: string): this {
    if (stage !== 'denied' && stage !== 'token' && stage !== 'userinfo') {
      throw new HarnessError('ERR_INVALID_OPTION', `fail() takes 'denied', 'token' or 'userinfo'; got ${JSON.stringify(stage)}`)
    }
    this.#queue.push({ fail: stage, description })
    return this
  }

  /** How many queued answers are left. */
  get pending(): number {
    return this.#queue.length
  }

  /** Forgets queued answers, codes and tokens. @internal */
  clear(): void {
    this.#queue = []
    this.#codes.clear()
    this.#tokens.clear()
    this.#uid = 0
  }

  #resolve(p: ProviderProfile): ResolvedProfile {
    if (p === null || typeof p !== 'object') throw new HarnessError('ERR_INVALID_OPTION', `next() takes a profile object ({ email, name, avatar, verified }); got ${JSON.stringify(p)}`)
    for (const key of ['email', 'name', 'avatar'] as const) {
      if (p[key] !== undefined && typeof p[key] !== 'string') throw new HarnessError('ERR_INVALID_OPTION', `profile.${key} must be a string; got ${JSON.stringify(p[key])}`)
    }
    if (p.verified !== undefined && typeof p.verified !== 'boolean') throw new HarnessError('ERR_INVALID_OPTION', `profile.verified must be a boolean; got ${JSON.stringify(p.verified)}`)
    if (p.emails !== undefined && (!Array.isArray(p.emails) || p.emails.some((e) => !e || typeof e.email !== 'string'))) {
      throw new HarnessError('ERR_INVALID_OPTION', 'profile.emails must be an array of { email, verified?, primary? }')
    }
    const base = p.email === undefined || p.name === undefined || p.avatar === undefined ? this.#defaultProfile() : {}
    return {
      email: p.email ?? base.email ?? '',
      name: p.name ?? base.name ?? '',
      avatar: p.avatar ?? base.avatar ?? '',
      verified: p.verified ?? true,
      emails: (p.emails ?? []).map((e) => ({ email: e.email, verified: e.verified === true, primary: e.primary === true })),
      uid: 1000 + ++this.#uid,
    }
  }

  /** The consent step: takes the next answer and returns where the browser goes (the callback with a code, or an error). @internal */
  consent(redirectUri: string, state: string, profile?: ProviderProfile): { location: string; answer: Answer } {
    const answer = profile !== undefined ? { profile: this.#resolve(profile) } : (this.#queue.shift() ?? { profile: this.#resolve({}) })
    const sep = redirectUri.includes('?') ? '&' : '?'
    if ('fail' in answer && answer.fail === 'denied') {
      return { answer, location: `${redirectUri}${sep}${goEncodeValues({ error: 'access_denied', error_description: answer.description ?? DENIED, state })}` }
    }
    const code = this.#rt.ids.base64url(15)
    this.#codes.set(code, { answer, redirectUri })
    return { answer, location: `${redirectUri}${sep}${goEncodeValues({ code, state })}` }
  }

  /** The token endpoint: a single-use code for an access token, or the provider's error. @internal */
  exchange(code: string): { ok: true; body: { access_token: string; token_type: string; scope: string } } | { ok: false; status: number; body: unknown } {
    const entry = this.#codes.get(code)
    this.#codes.delete(code)
    if (!entry) return { ok: false, status: 400, body: { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.' } }
    if ('fail' in entry.answer && entry.answer.fail === 'token') {
      return { ok: false, status: 500, body: { error: 'server_error', error_description: entry.answer.description ?? 'The provider failed' } }
    }
    const token = `nih_${this.name}_${this.#rt.ids.base64url(15)}`
    this.#tokens.set(token, entry.answer)
    return { ok: true, body: { access_token: token, token_type: 'bearer', scope: this.spec.scopes.join(',') } }
  }

  /** A user-info endpoint (`path` with its query): the provider's JSON for the token's user, or an error. @internal */
  userInfo(token: string | undefined, path: string): { status: number; body: unknown } {
    const answer = token ? this.#tokens.get(token) : undefined
    if (!answer) return { status: 401, body: { message: 'Bad credentials' } }
    if ('fail' in answer) return { status: 500, body: { message: answer.description ?? 'The provider failed' } }
    const bare = path.split('?')[0]!
    if (!this.spec.infoPaths(token!, this.clientSecret).some((p) => p.split('?')[0] === bare)) return { status: 404, body: { message: 'Not Found' } }
    return { status: 200, body: this.spec.render(answer.profile, bare) }
  }

  /** The consent page a browser sees at the authorize URL. @internal */
  consentPage(query: URLSearchParams): Response {
    const redirectUri = query.get('redirect_uri') ?? ''
    const state = query.get('state') ?? ''
    if (query.get('client_id') !== this.clientId || !redirectUri || query.get('response_type') !== 'code') {
      return new Response(`<!doctype html><title>Error</title><p id="error">invalid OAuth request: client_id, redirect_uri and response_type=code are required</p>`, { status: 400, headers: HTML })
    }
    const { location, answer } = this.consent(redirectUri, state)
    const who = 'profile' in answer ? `${esc(answer.profile.name)} &lt;${esc(answer.profile.email)}&gt;` : 'a user who will cancel'
    const deny = `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${goEncodeValues({ error: 'access_denied', error_description: DENIED, state })}`
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize with ${this.spec.title} (fake)</title></head><body>
<h1>${this.spec.title} (netlify-identity-harness fake provider)</h1>
<p>Signing in as <span id="profile">${who}</span>. Scope: <code>${esc(query.get('scope') ?? '')}</code>.</p>
<p><a id="authorize" href="${esc(location)}">Authorize</a> <a id="cancel" href="${esc(deny)}">Cancel</a></p>
</body></html>`
    return new Response(body, { status: 200, headers: HTML })
  }

  /** Answers a request under {@link url} (consent page, token and user-info endpoints). @internal */
  async handle(request: Request, rest: string, query: URLSearchParams): Promise<Response> {
    const spec = this.spec
    if (request.method === 'GET' && rest === spec.authorizePath) return this.consentPage(query)
    if (request.method === 'POST' && rest === spec.tokenPath) {
      const form = new URLSearchParams(await request.text())
      const result = this.exchange(form.get('code') ?? '')
      return Response.json(result.body, { status: result.ok ? 200 : result.status })
    }
    if (request.method === 'GET') {
      const auth = request.headers.get('authorization') ?? ''
      const token = /^bearer\s+(.+)$/i.exec(auth)?.[1]
      const search = query.toString()
      const result = this.userInfo(token, search ? `${rest}?${search}` : rest)
      return Response.json(result.body, { status: result.status })
    }
    return Response.json({ message: 'Not Found' }, { status: 404 })
  }
}

const HTML = { 'content-type': 'text/html; charset=utf-8' }

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
