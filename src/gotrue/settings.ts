import { HarnessError } from '../errors.js'

/** The external OAuth providers GoTrue supports and its tests cover (gotrue:api/external.go `Provider`). */
export type ExternalProviderName = 'github' | 'gitlab' | 'google' | 'bitbucket' | 'facebook'

/** Every {@link ExternalProviderName}, in the order GoTrue's `/settings` lists them. */
export const EXTERNAL_PROVIDERS: readonly ExternalProviderName[] = ['bitbucket', 'github', 'gitlab', 'google', 'facebook']

/**
 * A site's Identity settings as GoTrue's instance configuration holds them (gotrue:conf
 * `External.*.Enabled`, `External.Email.Disabled`, `DisableSignup`, `Mailer.Autoconfirm`).
 * @internal
 */
export interface SiteSettings {
  readonly autoconfirm: boolean
  /** `!External.Email.Disabled`: `/signup`, `/recover`, `/token` and `POST /admin/users` answer. */
  readonly emailEnabled: boolean
  /** `DisableSignup`: invite-only (`/signup` and new external users are refused). */
  readonly disableSignup: boolean
  /** The enabled external providers. */
  readonly providers: ReadonlySet<ExternalProviderName>
}

/** The site-settings part of `createIdentity()`'s options, validated into {@link SiteSettings}. @internal */
export function siteSettings(options: { autoconfirm?: unknown; providers?: unknown; emailLogin?: unknown; disableSignup?: unknown }): SiteSettings {
  const bool = (name: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined) return fallback
    if (typeof value !== 'boolean') throw new HarnessError('ERR_INVALID_OPTION', `${name} must be a boolean; got ${JSON.stringify(value)}`)
    return value
  }
  const raw = options.providers ?? []
  if (!Array.isArray(raw)) {
    throw new HarnessError('ERR_INVALID_OPTION', `providers must be an array of provider names (${EXTERNAL_PROVIDERS.join(', ')}); got ${JSON.stringify(raw)}`)
  }
  const providers = new Set<ExternalProviderName>()
  for (const name of raw) {
    if (!EXTERNAL_PROVIDERS.includes(name as ExternalProviderName)) {
      throw new HarnessError('ERR_INVALID_OPTION', `providers: ${JSON.stringify(name)} is not a provider GoTrue supports; use one of ${EXTERNAL_PROVIDERS.join(', ')} (SAML is not emulated)`)
    }
    providers.add(name as ExternalProviderName)
  }
  return {
    autoconfirm: bool('autoconfirm', options.autoconfirm, false),
    emailEnabled: bool('emailLogin', options.emailLogin, true),
    disableSignup: bool('disableSignup', options.disableSignup, false),
    providers,
  }
}

/**
 * `GET /settings`'s body (gotrue:api/settings.go `Settings`): every provider's `Enabled`, `email`
 * as `!External.Email.Disabled`, `saml` false (not emulated) and `external_labels` with no `saml`
 * name (`omitempty`), then `disable_signup` and `autoconfirm`.
 * @internal
 */
export function settingsBody(s: SiteSettings): unknown {
  return {
    external: {
      bitbucket: s.providers.has('bitbucket'),
      github: s.providers.has('github'),
      gitlab: s.providers.has('gitlab'),
      google: s.providers.has('google'),
      facebook: s.providers.has('facebook'),
      email: s.emailEnabled,
      saml: false,
    },
    external_labels: {},
    disable_signup: s.disableSignup,
    autoconfirm: s.autoconfirm,
  }
}
