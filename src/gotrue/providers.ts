import { createHmac } from 'node:crypto'
import type { ExternalProviderName } from './settings.js'

/**
 * Who a fake provider says the user is (`identity.providers.github.next(profile)`). Each provider
 * renders it in its own user-info JSON, which the callback reads exactly as GoTrue's provider code
 * does (gotrue:api/provider/*.go).
 */
export interface ProviderProfile {
  /** The primary e-mail; `''` makes the provider report no e-mail (GoTrue then fails the login). */
  email?: string
  /** Display name (`full_name` in `user_metadata`); Facebook splits it into first and last name. */
  name?: string
  /** Avatar URL (`avatar_url` in `user_metadata`). */
  avatar?: string
  /**
   * Whether the provider says the primary e-mail is verified. Default `true`. Facebook's e-mails
   * are always verified for GoTrue; GitLab's is verified when `confirmed_at` is set.
   */
  verified?: boolean
  /**
   * Further addresses (GitHub, GitLab, Bitbucket list several; Google and Facebook ignore these).
   * GitLab's extra addresses are never verified for GoTrue.
   */
  emails?: { email: string; verified?: boolean; primary?: boolean }[]
}

/** A profile with every field decided. @internal */
export interface ResolvedProfile {
  email: string
  name: string
  avatar: string
  verified: boolean
  emails: { email: string; verified: boolean; primary: boolean }[]
  /** The provider's own numeric user id (seeded). */
  uid: number
}

/** One provider e-mail as GoTrue's `provider.Email`. @internal */
export interface ProviderEmail {
  email: string
  verified: boolean
  primary: boolean
}

/** GoTrue's `provider.UserProvidedData`: the e-mails and the metadata (`full_name`, `avatar_url`, Facebook's `slug`). @internal */
export interface UserProvidedData {
  emails: ProviderEmail[]
  metadata: Record<string, string>
}

/** How one provider is reached and what it answers, with GoTrue's reading of it. @internal */
export interface ProviderSpec {
  name: ExternalProviderName
  /** Its display name on the consent page. */
  title: string
  /** Paths under the fake provider's root, as GoTrue builds them from `External.<p>.URL`. */
  authorizePath: string
  tokenPath: string
  scopes: readonly string[]
  /** The user-info requests GoTrue's `GetUserData` makes, in order (path and query under the root). */
  infoPaths(accessToken: string, clientSecret: string): string[]
  /** The provider's JSON for one of {@link infoPaths} (matched by path without query). */
  render(profile: ResolvedProfile, path: string): unknown
  /** GoTrue's `GetUserData` over the decoded bodies: the data, or its error text. */
  read(bodies: unknown[]): UserProvidedData | { error: string }
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})
const text = (v: unknown): string => (typeof v === 'string' ? v : '')
const flag = (v: unknown): boolean => v === true
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** `nameKey`, `avatarURLKey`, `aliasKey` (gotrue:api/provider/provider.go). */
const meta = (name: string, avatar: string): Record<string, string> => ({ full_name: name, avatar_url: avatar })

/** The secondary addresses plus the primary, as a provider lists them. */
function allEmails(p: ResolvedProfile): ProviderEmail[] {
  const out: ProviderEmail[] = []
  if (p.email) out.push({ email: p.email, verified: p.verified, primary: true })
  for (const e of p.emails) out.push(e)
  return out
}

const github: ProviderSpec = {
  name: 'github',
  title: 'GitHub',
  // gotrue:api/provider/github.go: a custom URL serves the API under /api/v3.
  authorizePath: '/login/oauth/authorize',
  tokenPath: '/login/oauth/access_token',
  scopes: ['user:email'],
  infoPaths: () => ['/api/v3/user', '/api/v3/user/emails'],
  render(p, path) {
    const login = (p.name || p.email.split('@')[0] || 'user').toLowerCase().replace(/[^a-z0-9-]/g, '-')
    if (path === '/api/v3/user') {
      return { login, id: p.uid, node_id: `U_${p.uid}`, avatar_url: p.avatar, type: 'User', name: p.name || null, email: p.email || null }
    }
    return allEmails(p).map((e) => ({ email: e.email, primary: e.primary, verified: e.verified, visibility: e.primary ? 'public' : null }))
  },
  read([user, emails]) {
    const u = obj(user)
    const data: UserProvidedData = { emails: [], metadata: meta(text(u.name), text(u.avatar_url)) }
    for (const e of list(emails).map(obj)) if (text(e.email)) data.emails.push({ email: text(e.email), verified: flag(e.verified), primary: flag(e.primary) })
    return data.emails.length ? data : { error: 'Unable to find email with GitHub provider' }
  },
}

const gitlab: ProviderSpec = {
  name: 'gitlab',
  title: 'GitLab',
  authorizePath: '/oauth/authorize',
  tokenPath: '/oauth/token',
  scopes: ['read_user'],
  infoPaths: () => ['/api/v4/user', '/api/v4/user/emails'],
  render(p, path) {
    if (path === '/api/v4/user') {
      const username = (p.name || p.email.split('@')[0] || 'user').toLowerCase().replace(/[^a-z0-9_.-]/g, '.')
      return { id: p.uid, username, name: p.name, state: 'active', avatar_url: p.avatar, email: p.email, confirmed_at: p.verified ? '2024-01-01T00:00:00.000Z' : null }
    }
    // /user/emails lists the secondary addresses only, without a confirmation flag.
    return p.emails.map((e, i) => ({ id: i + 1, email: e.email, confirmed_at: e.verified ? '2024-01-01T00:00:00.000Z' : null }))
  },
  read([user, emails]) {
    const u = obj(user)
    const data: UserProvidedData = { emails: [], metadata: meta(text(u.name), text(u.avatar_url)) }
    // gotrue:api/provider/gitlab.go: extra addresses "don't return confirm status": unverified.
    for (const e of list(emails).map(obj)) if (text(e.email)) data.emails.push({ email: text(e.email), verified: false, primary: false })
    if (text(u.email)) data.emails.push({ email: text(u.email), verified: text(u.confirmed_at) !== '', primary: true })
    return data.emails.length ? data : { error: 'Unable to find email with GitLab provider' }
  },
}

const google: ProviderSpec = {
  name: 'google',
  title: 'Google',
  authorizePath: '/o/oauth2/auth',
  tokenPath: '/o/oauth2/token',
  scopes: ['email', 'profile'],
  infoPaths: () => ['/userinfo/v2/me'],
  render(p) {
    const [given = '', ...rest] = p.name.split(' ')
    return { id: String(100_000_000_000_000_000_000n + BigInt(p.uid)), email: p.email, verified_email: p.verified, name: p.name, given_name: given, family_name: rest.join(' '), picture: p.avatar, locale: 'en' }
  },
  read([user]) {
    const u = obj(user)
    const data: UserProvidedData = { emails: [], metadata: meta(text(u.name), text(u.picture)) }
    if (text(u.email)) data.emails.push({ email: text(u.email), verified: flag(u.verified_email), primary: true })
    return data.emails.length ? data : { error: 'Unable to find email with Google provider' }
  },
}

const bitbucket: ProviderSpec = {
  name: 'bitbucket',
  title: 'Bitbucket',
  authorizePath: '/site/oauth2/authorize',
  tokenPath: '/site/oauth2/access_token',
  scopes: ['account', 'email'],
  infoPaths: () => ['/2.0/user', '/2.0/user/emails'],
  render(p, path) {
    if (path === '/2.0/user') {
      // GoTrue reads `avatar.href` (what its tests serve); Bitbucket's API also has `links.avatar.href`.
      return { type: 'user', display_name: p.name, uuid: `{${p.uid}}`, avatar: { href: p.avatar }, links: { avatar: { href: p.avatar } } }
    }
    return { pagelen: 10, page: 1, size: allEmails(p).length, values: allEmails(p).map((e) => ({ type: 'email', email: e.email, is_primary: e.primary, is_confirmed: e.verified })) }
  },
  read([user, emails]) {
    const u = obj(user)
    const data: UserProvidedData = { emails: [], metadata: meta(text(u.display_name), text(obj(u.avatar).href)) }
    for (const e of list(obj(emails).values).map(obj)) if (text(e.email)) data.emails.push({ email: text(e.email), verified: flag(e.is_confirmed), primary: flag(e.is_primary) })
    return data.emails.length ? data : { error: 'Unable to find email with Bitbucket provider' }
  },
}

const facebook: ProviderSpec = {
  name: 'facebook',
  title: 'Facebook',
  authorizePath: '/dialog/oauth',
  tokenPath: '/oauth/access_token',
  scopes: ['email'],
  // gotrue:api/provider/facebook.go: the profile URL carries an appsecret_proof (HMAC-SHA256 of the token).
  infoPaths: (token, secret) => [`/me?fields=email,first_name,last_name,name,picture&appsecret_proof=${createHmac('sha256', secret).update(token).digest('hex')}`],
  render(p) {
    const [first = '', ...rest] = p.name.split(' ')
    return { id: String(p.uid), email: p.email || undefined, first_name: first, last_name: rest.join(' '), name: p.name, picture: { data: { height: 50, width: 50, is_silhouette: false, url: p.avatar } } }
  },
  read([user]) {
    const u = obj(user)
    if (!text(u.email)) return { error: 'Unable to find email with Facebook provider' }
    return {
      metadata: { slug: text(u.name), full_name: `${text(u.first_name)} ${text(u.last_name)}`.trim(), avatar_url: text(obj(obj(u.picture).data).url) },
      emails: [{ email: text(u.email), verified: true, primary: true }],
    }
  },
}

/** Every provider GoTrue's tests cover (gotrue:api/external_*_test.go). @internal */
export const PROVIDER_SPECS: Readonly<Record<ExternalProviderName, ProviderSpec>> = { github, gitlab, google, bitbucket, facebook }
