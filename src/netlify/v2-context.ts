import { createHash } from 'node:crypto'
import type { Runtime } from '../runtime.js'
import { readEnvQuietly } from '../functions/env.js'

/** A cookie to set, as `context.cookies.set()` takes it (`@netlify/types` `Cookie`). */
export interface V2Cookie {
  /** Name. */
  name: string
  /** Value. */
  value: string
  /** `Expires`. */
  expires?: Date | number
  /** `Max-Age` in seconds. */
  maxAge?: number
  /** `Domain`. */
  domain?: string
  /** `Path`. */
  path?: string
  /** `Secure`. */
  secure?: boolean
  /** `HttpOnly`. */
  httpOnly?: boolean
  /** `SameSite`. */
  sameSite?: 'Strict' | 'Lax' | 'None'
  /** Extra `key=value` attributes. */
  unparsed?: string[]
}

/** `context.geo` (functions-runtime.md §2.2). */
export interface V2Geo {
  /** City name. */
  city?: string
  /** Country. */
  country?: { code?: string; name?: string }
  /** Postal code. */
  postalCode?: string
  /** State or region. */
  subdivision?: { code?: string; name?: string }
  /** Latitude. */
  latitude?: number
  /** Longitude. */
  longitude?: number
  /** IANA time zone. */
  timezone?: string
}

/** The `Context` a Functions v2 handler receives: every field of functions-runtime.md §2.2. */
export interface V2Context {
  /** `x-nf-account-id`. */
  account: { id: string }
  /** The request's cookies; `set`/`delete` become `set-cookie` headers on the response. */
  cookies: {
    /** A request cookie's value (`undefined` when absent). */
    get(name: string): string
    /** Sets a cookie on the response. */
    set(cookieOrName: V2Cookie | string, value?: string): void
    /** Expires a cookie on the response. */
    delete(input: string | { name: string; domain?: string; path?: string }): void
  }
  /** `x-nf-deploy-context`, `x-nf-deploy-id`, `x-nf-deploy-published`, `x-nf-branch`. */
  deploy: { context: string; id: string; published: boolean; branch?: string; skewProtectionToken?: string }
  /** Decoded from the base64 JSON header `x-nf-geo`. */
  geo: V2Geo
  /** `x-nf-client-connection-ip`. */
  ip: string
  /** `Response.json(input)`. */
  json(input: unknown): Response
  /** `console.log`. */
  log(...data: unknown[]): void
  /** Throws: not implemented for serverless functions. */
  next(...args: unknown[]): Promise<Response>
  /** URL-pattern parameters of the matched `config.path`. */
  params: Record<string, string>
  /** @deprecated Fetches the target URL. */
  rewrite(url: string | URL): Promise<Response>
  /** `x-nf-request-id`. */
  requestId: string
  /** `{ region }` from `AWS_REGION`. */
  server: { region?: string }
  /** `{ id, name, url }` from `SITE_ID`, `SITE_NAME`, `URL`. */
  site: { id?: string; name?: string; url?: string }
  /** `new URL(req.url)`. */
  url: URL
  /** Keeps the invocation alive until the promise settles. */
  waitUntil(promise: Promise<unknown>): void
}

/** The headers Netlify's edge adds before a v2 function runs, with this instance's values. @internal */
export function netlifyRequestHeaders(rt: Runtime): Record<string, string> {
  const site = siteDefaults(rt)
  return {
    'x-nf-account-id': rt.accountId,
    'x-nf-site-id': site.id,
    'x-nf-deploy-id': site.deployId,
    'x-nf-deploy-context': 'production',
    'x-nf-deploy-published': '1',
    'x-nf-branch': 'main',
    'x-nf-geo': DEFAULT_GEO_HEADER,
  }
}

const DEFAULT_GEO_HEADER = Buffer.from(JSON.stringify({
  city: 'San Francisco',
  country: { code: 'US', name: 'United States' },
  subdivision: { code: 'CA', name: 'California' },
  timezone: 'America/Los_Angeles',
  latitude: 37.7749,
  longitude: -122.4194,
  postal_code: '94107',
})).toString('base64')

const siteCache = new WeakMap<Runtime, { id: string; name: string; deployId: string }>()

/** Site id, name and deploy id derived from the instance (seeded, so stable). @internal */
export function siteDefaults(rt: Runtime): { id: string; name: string; deployId: string } {
  let site = siteCache.get(rt)
  if (!site) {
    const h = createHash('sha256').update(`${rt.instanceId}|${rt.siteUrl}`).digest('hex')
    site = {
      id: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`,
      name: new URL(rt.siteUrl).hostname.split('.')[0] ?? 'site',
      deployId: h.slice(32, 56),
    }
    siteCache.set(rt, site)
  }
  return site
}

function decodeGeo(header: string | null): V2Geo {
  if (!header) return {}
  try {
    const raw = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as Record<string, unknown>
    const { postal_code: postalCode, ...rest } = raw
    return (postalCode === undefined ? rest : { ...rest, postalCode }) as V2Geo
  } catch {
    return {}
  }
}

/** The `cookie` header as a map: first value per name wins, values URI-decoded when possible. @internal */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq < 1) continue
    const name = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (!out.has(name)) {
      try {
        out.set(name, decodeURIComponent(value))
      } catch {
        out.set(name, value)
      }
    }
  }
  return out
}

function serializeCookie(c: V2Cookie): string {
  const parts = [`${c.name}=${encodeURIComponent(c.value)}`]
  if (c.expires !== undefined) parts.push(`Expires=${new Date(c.expires).toUTCString()}`)
  if (c.maxAge !== undefined) parts.push(`Max-Age=${c.maxAge}`)
  if (c.domain) parts.push(`Domain=${c.domain}`)
  if (c.path) parts.push(`Path=${c.path}`)
  if (c.secure) parts.push('Secure')
  if (c.httpOnly) parts.push('HttpOnly')
  if (c.sameSite) parts.push(`SameSite=${c.sameSite}`)
  for (const extra of c.unparsed ?? []) parts.push(extra)
  return parts.join('; ')
}

/** Matches a `config.path` pattern (`/users/:id`, `/files/*`) against a path. @internal */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const names: string[] = []
  let wildcard = 0
  const source = pattern
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        names.push(seg.slice(1))
        return '([^/]+)'
      }
      if (seg === '*') {
        names.push(String(wildcard++))
        return '(.*)'
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  const match = new RegExp(`^${source}/?$`).exec(path)
  if (!match) return undefined
  const params: Record<string, string> = {}
  names.forEach((n, i) => {
    params[n] = decodeURIComponent(match[i + 1] ?? '')
  })
  return params
}

/** What {@link createV2Context} hands back besides the context. @internal */
export interface V2ContextHandle {
  context: V2Context
  /** `set-cookie` values produced by `context.cookies.set/delete`, in call order. */
  setCookies: string[]
  /** Promises passed to `context.waitUntil`. */
  waitUntil: Promise<unknown>[]
}

/**
 * Builds a v2 `Context` the way the production bootstrap does (functions-runtime.md §2.2): from
 * the request's `x-nf-*` headers, `process.env` (`SITE_ID`, `SITE_NAME`, `URL`, `AWS_REGION`,
 * falling back to this instance's values) and the matched `config.path`.
 * @internal
 */
export function createV2Context(rt: Runtime, request: Request, paths: readonly string[] = []): V2ContextHandle {
  const h = request.headers
  const url = new URL(request.url)
  const site = siteDefaults(rt)
  const jar = parseCookies(h.get('cookie'))
  const setCookies: string[] = []
  const pending: Promise<unknown>[] = []
  let params: Record<string, string> = {}
  for (const p of paths) {
    const m = matchPath(p, url.pathname)
    if (m) {
      params = m
      break
    }
  }
  const deploy: V2Context['deploy'] = {
    context: h.get('x-nf-deploy-context') ?? 'production',
    id: h.get('x-nf-deploy-id') ?? site.deployId,
    published: h.get('x-nf-deploy-published') === '1',
  }
  const branch = h.get('x-nf-branch')
  if (branch) deploy.branch = branch
  const context: V2Context = {
    account: { id: h.get('x-nf-account-id') ?? '' },
    cookies: {
      get: (name: string) => jar.get(name) as string,
      set: (cookieOrName: V2Cookie | string, value?: string) => {
        const cookie = typeof cookieOrName === 'string' ? { name: cookieOrName, value: value ?? '' } : cookieOrName
        setCookies.push(serializeCookie(cookie))
      },
      delete: (input: string | { name: string; domain?: string; path?: string }) => {
        const opts = typeof input === 'string' ? { name: input } : input
        setCookies.push(serializeCookie({ ...opts, value: '', expires: 0 }))
      },
    },
    deploy,
    geo: decodeGeo(h.get('x-nf-geo')),
    ip: h.get('x-nf-client-connection-ip') ?? '',
    json: (input: unknown) => Response.json(input),
    log: (...data: unknown[]) => console.log(...data),
    next: () => {
      throw new Error('`context.next` is not implemented for serverless functions')
    },
    params,
    rewrite: (target: string | URL) => fetch(new URL(target, url)),
    requestId: h.get('x-nf-request-id') ?? '',
    // Read for the context, not by the function: `check` must not list them as the function's.
    server: { region: readEnvQuietly('AWS_REGION') ?? 'us-east-1' },
    site: { id: readEnvQuietly('SITE_ID') ?? site.id, name: readEnvQuietly('SITE_NAME') ?? site.name, url: readEnvQuietly('URL') ?? rt.siteUrl },
    url,
    waitUntil: (promise: Promise<unknown>) => {
      if (promise === undefined) throw new TypeError('waitUntil requires a promise argument')
      pending.push(Promise.resolve(promise))
    },
  }
  return { context, setCookies, waitUntil: pending }
}
