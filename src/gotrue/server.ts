import { mswHttp, mswSetupServer } from '../msw-http.js'
import type { HttpHandler, RequestHandler } from 'msw'
import type { SetupServer } from 'msw/node'
import { errorLabel, HarnessError } from '../errors.js'
import { currentCall } from '../functions/call-scope.js'
import { guardNetwork } from '../functions/network-guard.js'
import { addCorsHeaders, isPreflight, preflightResponse } from './cors.js'
import { STRICT_LISTEN_OPTIONS } from '../msw-options.js'
import type { Runtime } from '../runtime.js'
import type { FlowContext, HookRunner, Reply } from './flows.js'
import { fail } from './flows.js'
import type { FaultSpec } from './faults.js'
import { Faults } from './faults.js'
import { RequestLog } from './log.js'
import { MailBox } from './mail.js'
import type { Incoming } from './routes.js'
import { Routes } from './routes.js'
import { Store } from './store.js'
import { AuditLog } from './audit.js'
import { isAdminTokenUserLookup } from './admin-user-lookup.js'
import { FakeProvider, OAUTH_PREFIX } from './fake-provider.js'
import type { ProviderProfile } from './providers.js'
import { PROVIDER_SPECS } from './providers.js'
import type { ExternalProviderName, SiteSettings } from './settings.js'
import { EXTERNAL_PROVIDERS } from './settings.js'
import { SecretKey } from '../tokens/key.js'
import type { ExternalDeps } from './external.js'

/** Go's `http.NotFound` page (gotrue.md §5.1: unknown routes are a plain-text 404). */
const NOT_FOUND_TEXT = '404 page not found\n'
const JSON_HEADERS = { 'content-type': 'application/json' }
const TEXT_HEADERS = { 'content-type': 'text/plain; charset=utf-8' }
const NOT_FOUND_HEADERS = { ...TEXT_HEADERS, 'x-content-type-options': 'nosniff' }

/**
 * The URL of the instance whose own msw server is active. msw patches process-wide globals, so
 * a second server would be silently undone when either closes; one at a time is enforced.
 */
let activeListener: string | undefined

/** Options of the emulated GoTrue. @internal */
export interface EmulatorOptions {
  settings: SiteSettings
  /** Who a fake provider says the user is when a test queued nobody. */
  defaultProfile: (provider: ExternalProviderName) => ProviderProfile
  requestLogLimit: number
  auditLogLimit: number
  hook: HookRunner
}

/**
 * One instance's in-memory GoTrue: store, outbox, request log, faults, msw handlers and its own
 * msw server. @internal
 */
export class Emulator {
  readonly store = new Store()
  readonly mail: MailBox
  readonly log: RequestLog
  readonly faults = new Faults()
  readonly audit: AuditLog
  /** The fake OAuth providers, served under `${siteUrl}/.netlify/harness/oauth/<provider>`. */
  readonly providers: Readonly<Record<ExternalProviderName, FakeProvider>>
  readonly external: ExternalDeps
  readonly ctx: FlowContext
  readonly routes: Routes
  readonly #rt: Runtime
  /** Length of `identity.url`: what precedes the GoTrue path in a request URL. */
  readonly #base: number
  #handlers: HttpHandler[] | undefined
  #server: SetupServer | undefined
  #unguard: (() => void) | undefined

  constructor(rt: Runtime, options: EmulatorOptions) {
    this.#rt = rt
    this.#base = rt.url.length
    this.mail = new MailBox(rt.siteUrl)
    this.log = new RequestLog(options.requestLogLimit)
    this.audit = new AuditLog(options.auditLogLimit)
    // Netlify production has a real SMTP mailer, so GoTrue validates addresses (gotrue:mailer/mailer.go).
    this.ctx = {
      rt, store: this.store, mail: this.mail, autoconfirm: options.settings.autoconfirm, hook: options.hook, validateEmails: true,
      settings: options.settings, audit: this.audit,
    }
    const providers = {} as Record<ExternalProviderName, FakeProvider>
    for (const name of EXTERNAL_PROVIDERS) providers[name] = new FakeProvider(rt, PROVIDER_SPECS[name], () => options.defaultProfile(name))
    this.providers = providers
    // GoTrue signs the OAuth state with its operator token, not the instance's JWT secret.
    this.external = { providers, stateKey: new SecretKey(`operator-token:${rt.key.secret}`) }
    this.routes = new Routes(this.ctx, this.external)
  }

  /** One msw handler for everything under the instance URL, so unknown routes get GoTrue's 404. */
  get handlers(): HttpHandler[] {
    if (!this.#handlers) {
      const pattern = new RegExp(`^${this.#rt.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/.*)?$`)
      const oauth = `${this.#rt.siteUrl}${OAUTH_PREFIX}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      const http = mswHttp()
      this.#handlers = [
        http.all(pattern, ({ request }) => this.handle(request)),
        http.all(new RegExp(`^${oauth}/.*$`), ({ request }) => this.handleProvider(request)),
      ]
    }
    return this.#handlers
  }

  /** Answers one intercepted request. */
  async handle(request: Request): Promise<Response> {
    // A request from a function call that already settled is refused, never answered (issue 10 §2).
    const call = currentCall()
    if (call?.settled) return call.refuseLate(request.method, request.url)
    // request.url is already normalised by the URL parser: slice it rather than parse it again.
    const href = request.url
    const q = href.indexOf('?')
    const hash = href.indexOf('#')
    const end = q >= 0 ? q : hash >= 0 ? hash : href.length
    const path = href.slice(this.#base, end) || '/'
    const query = new URLSearchParams(q >= 0 ? href.slice(q + 1, hash > q ? hash : undefined) : '')
    const method = request.method
    // GoTrue's CORS middleware wraps the router: preflights never reach a route or a fault (cors.ts).
    if (isPreflight(method, request.headers)) {
      this.log.push({ method, path, query, headers: request.headers, text: '', status: 204, responseText: undefined, json: false, fault: false, error: undefined })
      return preflightResponse(request.headers)
    }
    const text = method === 'GET' || method === 'HEAD' ? '' : await request.text()
    const req: Incoming = { method, path, query, headers: request.headers, text }
    const fault = this.faults.take(method, path)
    let reply: Reply | undefined
    if (fault) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
      if (fault.status !== undefined) reply = this.#faultReply(fault)
    }
    let failure: string | undefined
    if (!reply) {
      try {
        reply = await this.routes.handle(req)
      } catch (error) {
        // GoTrue's answer to an unexpected error (gotrue.md §5.1); the cause stays visible in the log.
        reply = fail(this.ctx, 500, 'Internal server error')
        failure = errorLabel(error)
      }
    }
    let response: Response
    let responseText: string | undefined
    let json = true
    if (!reply) {
      responseText = NOT_FOUND_TEXT
      json = false
      reply = { status: 404 }
      response = new Response(NOT_FOUND_TEXT, { status: 404, headers: NOT_FOUND_HEADERS })
    } else if (reply.body === undefined) {
      response = new Response(null, { status: reply.status, headers: reply.headers })
    } else if (typeof reply.body === 'string' && fault) {
      responseText = reply.body
      json = false
      response = new Response(responseText, { status: reply.status, headers: TEXT_HEADERS })
    } else {
      // Replies may share maps with the store: serialise now, before anything else can change them.
      responseText = JSON.stringify(reply.body)
      response = new Response(responseText, {
        status: reply.status,
        headers: reply.headers ? { ...JSON_HEADERS, ...reply.headers } : JSON_HEADERS,
      })
    }
    this.log.push({
      method,
      path,
      query,
      headers: request.headers,
      text,
      status: reply.status,
      responseText,
      json,
      fault: fault !== undefined,
      error: failure,
    })
    const expected = isAdminTokenUserLookup(method, path, reply.status, responseText)
    call?.exchanged({ method, path, status: reply.status, text, ...(expected ? { expected } : {}) })
    addCorsHeaders(method, request.headers, response.headers)
    return response
  }

  /**
   * Answers a request to a fake OAuth provider under `${siteUrl}/.netlify/harness/oauth/<provider>`
   * (consent page, token and user-info endpoints); 404 for anything else.
   */
  async handleProvider(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const rest = url.pathname.slice(OAUTH_PREFIX.length + 1)
    const slash = rest.indexOf('/')
    const name = (slash < 0 ? rest : rest.slice(0, slash)) as ExternalProviderName
    const provider = EXTERNAL_PROVIDERS.includes(name) ? this.providers[name] : undefined
    if (!provider) return Response.json({ message: `no fake provider here: use one of ${EXTERNAL_PROVIDERS.join(', ')}` }, { status: 404 })
    return provider.handle(request, slash < 0 ? '' : rest.slice(slash), url.searchParams)
  }

  #faultReply(fault: FaultSpec): Reply {
    const status = fault.status!
    if (fault.body !== undefined) return { status, body: fault.body }
    if (status === 204) return { status }
    return fail(this.ctx, status, 'Injected fault')
  }

  /** Starts an own msw server with the handlers (plus `extra`), unhandled requests as errors. */
  listen(extra: RequestHandler[]): void {
    if (this.#server) {
      throw new HarnessError('ERR_ALREADY_LISTENING', `identity.listen() was already called for ${this.#rt.url}: call identity.close() first`)
    }
    if (activeListener !== undefined) {
      throw new HarnessError(
        'ERR_ALREADY_LISTENING',
        `another identity (${activeListener}) is already listening, and msw allows one server per process: pass this instance's handlers to it instead (first.listen(...second.handlers)), or close it first`,
      )
    }
    const server = mswSetupServer()(...extra, ...this.handlers)
    server.listen(STRICT_LISTEN_OPTIONS)
    this.#unguard = guardNetwork()
    this.#server = server
    activeListener = this.#rt.url
  }

  /** Stops the server started by {@link listen}. */
  close(): void {
    if (!this.#server) {
      throw new HarnessError('ERR_NOT_LISTENING', `identity.close() without identity.listen() for ${this.#rt.url}`)
    }
    const server = this.#server
    this.#server = undefined
    activeListener = undefined
    this.#unguard?.()
    server.close()
  }

  /** Empties the store, the outbox, the log and the faults. */
  reset(): void {
    this.store.clear()
    this.mail.clear()
    this.log.clear()
    this.faults.clear()
    this.audit.clear()
    for (const p of Object.values(this.providers)) p.clear()
  }
}
