import type { TokenClaims } from '../tokens/claims.js'

/** `clientContext.identity`: the GoTrue URL and a short-lived admin token (gotrue.md §6.1). */
export interface ClientContextIdentity {
  /** `${siteUrl}/.netlify/identity`. */
  url: string
  /** The system-user JWT (`sub: "0"`). */
  token: string
}

/** The Lambda `clientContext` Netlify builds for v1 functions (gotrue.md §6.1). */
export interface ClientContext {
  /** The Identity instance. */
  identity?: ClientContextIdentity
  /** The decoded claims of a valid bearer token; only on HTTP functions. */
  user?: TokenClaims
  /** `custom.netlify` is base64 JSON of `{ identity, user?, site_url }`. */
  custom?: { netlify: string }
}

/** The `netlify dev` placeholder identity (functions-runtime.md §3.6). */
export const NETLIFY_DEV_IDENTITY: ClientContextIdentity = {
  url: 'https://netlify-dev-locally-emulated-identity.netlify.app/.netlify/identity',
  // A constant HS256 JWT whose payload is {"source":"netlify dev","testData":"NETLIFY_DEV_LOCALLY_EMULATED_IDENTITY"};
  // the signature part is a placeholder, as nothing ever verifies it.
  token: [
    Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url'),
    Buffer.from(JSON.stringify({ source: 'netlify dev', testData: 'NETLIFY_DEV_LOCALLY_EMULATED_IDENTITY' })).toString('base64url'),
    'bmV0bGlmeS1kZXYtbG9jYWxseS1lbXVsYXRlZA',
  ].join('.'),
}

let lastBlob: { token: string; url: string; siteUrl: string; netlify: string } | undefined

/**
 * Production's client context: `identity` at top level and in the base64 `custom.netlify` blob
 * with `site_url`; `user` only when given (a verified bearer on an HTTP function).
 * @internal
 */
export function productionClientContext(identity: ClientContextIdentity, siteUrl: string, user?: TokenClaims): ClientContext {
  let netlify: string
  if (user) {
    netlify = Buffer.from(JSON.stringify({ identity, user, site_url: siteUrl })).toString('base64')
  } else {
    // Without a user the blob only changes with the admin token, which is reused for half its
    // lifetime: encode it once per token (a string, so no call can change another's).
    const { token, url } = identity
    if (lastBlob?.token !== token || lastBlob.url !== url || lastBlob.siteUrl !== siteUrl) {
      lastBlob = { token, url, siteUrl, netlify: Buffer.from(JSON.stringify({ identity, site_url: siteUrl })).toString('base64') }
    }
    netlify = lastBlob.netlify
  }
  const ctx: ClientContext = { custom: { netlify }, identity: { ...identity } }
  if (user) ctx.user = user
  return ctx
}

/**
 * `netlify dev`'s client context: `{}` without a usable bearer, else the fake identity, the
 * unverified claims and `custom.netlify` without `site_url` (functions-runtime.md §3.6).
 * @internal
 */
export function netlifyDevClientContext(user: TokenClaims | undefined): ClientContext {
  if (!user) return {}
  const identity = NETLIFY_DEV_IDENTITY
  return {
    identity,
    user,
    custom: { netlify: Buffer.from(JSON.stringify({ identity, user })).toString('base64') },
  }
}

/**
 * Wraps an event function's client context so that reading `user` (which production never sets
 * there) is recorded, while the value stays absent as in production.
 * @internal
 */
export function watchUserReads(ctx: ClientContext, onRead: () => void): ClientContext {
  return new Proxy(ctx, {
    get(target, prop, receiver) {
      if (prop === 'user') onRead()
      return Reflect.get(target, prop, receiver)
    },
  })
}
