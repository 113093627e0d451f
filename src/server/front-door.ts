import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { errorLabel, HarnessError } from '../errors.js'
import type { InvokeRequest } from '../functions/invoke-http.js'
import type { RedirectRule } from '../site/redirects.js'
import { hasRoleRules, matchRedirect } from '../site/redirects.js'
import type { ServeListener } from './events.js'
import type { FunctionTable, ServedFunction } from './functions.js'
import { harnessApi, HARNESS_PREFIX } from './harness-api.js'
import { BodyTooLarge, fetchHeaders, parseCookieHeader, readBody, sendFunctionResponse, sendResponse, sendText } from './http.js'
import type { ServedIdentity } from './identity.js'
import { redirectRoles } from './roles.js'
import { epochSeconds } from '../clock.js'
import { ADMIN_TOKEN_USER_LOOKUP_NOTE, isAdminTokenUserLookup } from '../gotrue/admin-user-lookup.js'
import { verifyHmacJwt } from '../tokens/hmac-jwt.js'
import { sendFile } from './static.js'
import type { StaticFiles } from './static.js'
import { Upstream } from './upstream.js'

const IDENTITY_PREFIX = '/.netlify/identity'
/** `/.netlify/functions/<name>` and the legacy `/.netlify/builders/<name>` (netlify/cli `DEFAULT_FUNCTION_URL_EXPRESSION`). */
const FUNCTION_URL = /^\/\.netlify\/(?:functions|builders)\/([^/]+)(?:\/.*)?$/
/** How many internal rewrites one request may go through (a rule pointing at itself). */
const MAX_REWRITES = 4

/** One request as it moves through the front door. */
interface Ctx {
  req: IncomingMessage
  res: ServerResponse
  /** The URL being served now (changes on a rewrite). */
  url: URL
  /** The URL the browser asked for. */
  original: URL
  /** For a rewrite with a status (401, 404…): the status to answer with. */
  status: number | undefined
  /** Extra headers from a netlify.toml rule, for the destination. */
  headers: Record<string, string>
  /** The request body, read once when a room needs it. */
  body: Buffer | undefined
  /** Who answered, for the request log. */
  via: string
  depth: number
}

/** A room of the front door: answers every request under its prefix. @internal */
export type Room = (ctx: { req: IncomingMessage; res: ServerResponse; url: URL; path: string; body: () => Promise<Buffer> }) => Promise<void>

/** What the front door serves. @internal */
export interface FrontDoorOptions {
  identity: ServedIdentity
  functions: FunctionTable
  /** The site's rules (a getter: they are reloaded when the files change). */
  rules: () => readonly RedirectRule[]
  /** `--proxy`: the user's dev server. */
  upstream: Upstream | undefined
  /** `--dir`: the site's files. */
  files: StaticFiles | undefined
  /** The publish directory's `404.html` for role-gated misses in proxy mode. */
  notFoundPage: () => string | undefined
  /** Per-call timeout for synchronous functions. */
  functionTimeoutMs: number
  emit: ServeListener
}

/**
 * The front door on loopback, in the order Netlify's edge routes a request (netlify/cli
 * `src/utils/proxy.ts`, `startProxy` → `onRequest`): `/.netlify/identity/*` to GoTrue, the
 * harness's own `/.netlify/harness/*`, functions by URL or v2 `config.path`, then the site's
 * redirect rules, then the dev server (`--proxy`) or the site's files (`--dir`).
 *
 * With `--dir` every rule is applied here, as on Netlify. With `--proxy` only what involves a
 * `Role` rule is decided here — the gate, its fallback, its 404 — and everything else reaches the
 * dev server untouched, which applies its own rules (`netlify dev`) or none (Vite, Next…).
 * @internal
 */
export class FrontDoor {
  readonly #o: FrontDoorOptions
  readonly #rooms = new Map<string, Room>()
  /** Set when the server stops: the answers it cuts off are the server's doing, not the client's. */
  stopping = false

  constructor(options: FrontDoorOptions) {
    this.#o = options
  }

  /**
   * Adds a room under a path prefix, tried before functions and redirects (for example a fake
   * OAuth provider's consent page under `/.netlify/harness/oauth`). Longer prefixes win.
   */
  mount(prefix: string, room: Room): void {
    this.#rooms.set(prefix.replace(/\/$/, ''), room)
  }

  /** Answers one request; never throws (a harness failure is a 500 that says what failed). */
  async handle(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
    const started = performance.now()
    const url = new URL(req.url ?? '/', origin)
    const ctx: Ctx = { req, res, url, original: url, status: undefined, headers: {}, body: undefined, via: '', depth: 0 }
    // 'close', not 'finish': a request the browser gave up on (a navigation that replaced the
    // page, a cancelled prefetch) never finishes, and the log must still show it.
    res.once('close', () => {
      const via = res.writableFinished ? ctx.via : `${ctx.via || 'harness'}, ${this.stopping ? 'cut off by the server stopping' : 'closed by the client'} before the answer was complete`
      const status = res.headersSent ? res.statusCode : 0
      this.#o.emit({ type: 'request', method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, status, ms: Math.round(performance.now() - started), via })
    })
    try {
      await this.#route(ctx, true)
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        ctx.via = 'limit'
        return sendText(res, 413, `Request body too large: Netlify accepts at most 6 MB for functions and Identity.\n`)
      }
      this.#o.emit({ type: 'warning', message: `${req.method} ${url.pathname} failed in the harness: ${error instanceof Error ? (error.stack ?? errorLabel(error)) : String(error)}` })
      if (res.headersSent) return void res.destroy()
      sendText(res, 500, `netlify-identity-harness serve failed on this request: ${errorLabel(error)}\n`)
    }
  }

  /** Forwards a websocket upgrade (dev servers' hot reload) to the dev server. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.#o.upstream) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n')
      return
    }
    this.#o.upstream.upgrade(req, socket, head)
  }

  async #body(ctx: Ctx): Promise<Buffer> {
    ctx.body ??= await readBody(ctx.req)
    return ctx.body
  }

  async #route(ctx: Ctx, applyRules: boolean): Promise<void> {
    const path = ctx.url.pathname
    if (path === IDENTITY_PREFIX || path.startsWith(`${IDENTITY_PREFIX}/`)) return this.#identity(ctx)
    const room = this.#room(path)
    if (room) {
      ctx.via = 'harness'
      return room.room({ req: ctx.req, res: ctx.res, url: ctx.url, path: path.slice(room.prefix.length), body: () => this.#body(ctx) })
    }
    const byName = FUNCTION_URL.exec(path)
    if (byName) {
      const fn = await this.#o.functions.byName(byName[1]!)
      if (!fn) {
        ctx.via = 'function (none)'
        return sendText(ctx.res, 404, `Function not found: no function named ${JSON.stringify(byName[1])} in ${this.#o.functions.dir ?? 'the site (no functions directory)'}\n`)
      }
      return this.#function(ctx, fn)
    }
    const method = ctx.req.method ?? 'GET'
    const files = this.#o.files
    const routed = await this.#o.functions.byPath(path, method, async () => files?.exists(path) ?? false)
    if (routed) return this.#function(ctx, routed)
    if (applyRules && (await this.#redirect(ctx))) return
    return this.#site(ctx)
  }

  #room(path: string): { prefix: string; room: Room } | undefined {
    let best: { prefix: string; room: Room } | undefined
    for (const [prefix, room] of this.#rooms) {
      if ((path === prefix || path.startsWith(`${prefix}/`)) && (!best || prefix.length > best.prefix.length)) best = { prefix, room }
    }
    if (best) return best
    if (path === HARNESS_PREFIX || path.startsWith(`${HARNESS_PREFIX}/`)) {
      const identity = this.#o.identity
      return {
        prefix: HARNESS_PREFIX,
        room: async ({ req, res, url, path: rest, body }) => harnessApi(identity, req.method ?? 'GET', rest, url.searchParams, await body(), res),
      }
    }
    return undefined
  }

  /** GoTrue: the same core the msw handlers call, given a fetch Request under `identity.url`. */
  async #identity(ctx: Ctx): Promise<void> {
    ctx.via = 'identity'
    const { req, res } = ctx
    const body = await this.#body(ctx)
    const identity = this.#o.identity
    const rest = ctx.url.pathname.slice(IDENTITY_PREFIX.length)
    const method = req.method ?? 'GET'
    const request = new Request(`${identity.url}${rest}${ctx.url.search}`, {
      method,
      headers: fetchHeaders(req),
      ...(body.length && method !== 'GET' && method !== 'HEAD' ? { body: new Uint8Array(body) } : {}),
    })
    const response = await identity.handleGoTrue(request)
    if (response.status === 400 && method === 'GET' && rest === '/user' && isAdminTokenUserLookup(method, rest, response.status, await response.clone().text())) ctx.via = `identity: ${ADMIN_TOKEN_USER_LOOKUP_NOTE}`
    await sendResponse(res, response, method === 'HEAD')
  }

  /** A site function, run the way Netlify runs it for a request, with production's contexts. */
  async #function(ctx: Ctx, fn: ServedFunction): Promise<void> {
    ctx.via = ctx.via ? `${ctx.via} → function ${fn.name}` : `function ${fn.name}`
    const { req, res } = ctx
    const body = await this.#body(ctx)
    if (fn.event && !(await this.#signedByGoTrue(req, body))) {
      // Netlify's edge only lets GoTrue's signed hook requests reach identity event functions (gotrue.md §1.4).
      return sendText(res, 403, 'Forbidden: identity event functions only run for GoTrue\'s signed hook requests\n')
    }
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = value
    Object.assign(headers, ctx.headers)
    const request: InvokeRequest = {
      name: fn.name,
      method: req.method ?? 'GET',
      // A rewrite to a function keeps the browser's path (x-netlify-original-pathname, functions-runtime.md §3.4).
      path: `${ctx.original.pathname}${ctx.original.search}`,
      headers,
      ...(body.length ? { body: new Uint8Array(body) } : {}),
      ...(fn.background ? {} : { timeoutMs: this.#o.functionTimeoutMs }),
    }
    let response
    try {
      response = await this.#o.identity.invoke(fn.file, request)
    } catch (error) {
      const message = error instanceof HarnessError ? `${error.message} [${error.code}]` : errorLabel(error)
      this.#o.emit({ type: 'warning', message: `function ${fn.name}: ${message}` })
      return sendText(res, 500, `${message}\n`)
    }
    for (const diagnostic of response.diagnostics) this.#o.emit({ type: 'diagnostic', function: fn.name, diagnostic })
    response.background?.catch((error: unknown) => this.#o.emit({ type: 'warning', message: `background function ${fn.name} failed: ${errorLabel(error)}` }))
    sendFunctionResponse(res, response, req.method === 'HEAD')
  }

  /** Whether a request carries GoTrue's hook signature for exactly this body (gotrue.md §1.5). */
  async #signedByGoTrue(req: IncomingMessage, body: Buffer): Promise<boolean> {
    const signature = req.headers['x-webhook-signature']
    if (typeof signature !== 'string') return false
    const rt = this.#o.identity.runtime
    const payload = verifyHmacJwt(signature, rt.key.hmacKey, { algorithms: ['HS256'], now: epochSeconds(rt.clock), issuer: 'gotrue' })
    return payload?.sha256 === createHash('sha256').update(body).digest('hex')
  }

  /** The site's redirect rules; `true` when a rule answered. */
  async #redirect(ctx: Ctx): Promise<boolean> {
    const rules = this.#o.rules()
    if (rules.length === 0) return false
    const proxied = this.#o.upstream !== undefined
    const gated = hasRoleRules(rules)
    if (proxied && !gated) return false
    const { req, url } = ctx
    const cookies = parseCookieHeader(req.headers.cookie)
    const rt = this.#o.identity.runtime
    const match = matchRedirect(rules, {
      path: safeDecode(url.pathname),
      query: url.search.slice(1),
      host: req.headers.host ?? url.host,
      scheme: 'http',
      cookies,
      language: cookies.get('nf_lang') || (req.headers['accept-language'] ?? 'en').split(',')[0]!.slice(0, 2),
      country: cookies.get('nf_country') || 'US',
      roles: gated ? await redirectRoles(cookies.get('nf_jwt'), rt.key, rt.clock) : undefined,
    })
    if (!match) return false
    if (match.kind === 'not-found') {
      ctx.via = `role gate ${match.gatedBy[0]!.source} → 404`
      this.#notFound(ctx)
      return true
    }
    const { rule } = match
    // With a dev server, rules that involve no role are the dev server's to apply.
    if (proxied && match.gatedBy.length === 0 && rule.conditions.Role === undefined) return false
    // Shadowing: a rule without `!` gives way to an existing file (only known with --dir).
    if (!rule.force && this.#o.files?.exists(url.pathname)) return false
    let to = match.to
    if (!to.includes('?') && url.search) to += url.search
    const label = `${rule.source} → ${to}`
    if (rule.status >= 300 && rule.status < 400) {
      ctx.via = `redirect ${label}`
      const location = /^https?:\/\//.test(to) ? to : new URL(to, url).pathname + new URL(to, url).search
      sendText(ctx.res, rule.status, `Redirecting to ${location}\n`, { location, 'cache-control': 'no-cache' })
      return true
    }
    ctx.via = `rewrite ${label}${rule.status === 200 ? '' : ` (${rule.status})`}`
    if (/^https?:\/\//.test(to)) {
      // A proxy rule (200 to a full URL): Netlify fetches it from there.
      const target = new URL(to)
      new Upstream(target.origin).forward(req, ctx.res, '', { url: target, headers: rule.headers, ...(rule.status === 200 ? {} : { status: rule.status }) })
      return true
    }
    if (ctx.depth >= MAX_REWRITES) {
      sendText(ctx.res, 508, `Too many rewrites for ${ctx.original.pathname}: check the rules in ${rule.source}\n`)
      return true
    }
    ctx.url = new URL(to, url)
    ctx.status = rule.status === 200 ? undefined : rule.status
    ctx.headers = rule.headers
    ctx.depth++
    await this.#route(ctx, false)
    return true
  }

  /** The dev server or the site's files. */
  async #site(ctx: Ctx): Promise<void> {
    const { req, res, url } = ctx
    if (this.#o.upstream) {
      ctx.via ||= 'proxy'
      this.#o.upstream.forward(req, res, `${url.pathname}${url.search}`, { headers: ctx.headers, ...(ctx.status ? { status: ctx.status } : {}) })
      return
    }
    const files = this.#o.files
    ctx.via ||= 'static'
    if (files?.serve(req, res, url.pathname, ctx.status ?? 200)) return
    this.#notFound(ctx)
  }

  /** Netlify's 404: the site's `404.html` with status 404, else a plain `Not Found`. */
  #notFound(ctx: Ctx): void {
    const page = this.#o.files?.notFoundPage() ?? this.#o.notFoundPage()
    if (page) return sendFile(ctx.req, ctx.res, page, 404)
    sendText(ctx.res, 404, 'Not Found\n')
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
