import type { Clock } from './clock.js'
import { epochSeconds } from './clock.js'
import { HarnessError } from './errors.js'
import { describeValue, thenNowOrLater } from './values.js'
import { invokeHttp } from './functions/invoke-http.js'
import type { InvokeRequest, InvokeResponse } from './functions/invoke-http.js'
import type { FunctionInput, ResolvedFunction } from './functions/resolve.js'
import { resolveFile, resolveInputNow } from './functions/resolve.js'
import { netlifyRuntimeEnv } from './netlify/runtime-env.js'
import { discoverIdentityFunctions } from './functions/discover.js'
import { functionDirectory } from './functions/load.js'
import type { DiscoveredIdentityFunctions } from './functions/discover.js'
import type { EnvOverrides } from './functions/env.js'
import { assertEvent, eventFromName, eventFunctionName, isIdentityEvent } from './events.js'
import { runHook } from './gotrue/hooks.js'
import type { TriggerOptions } from './gotrue/hooks.js'
import { createHash } from 'node:crypto'
import { hash32, SeededRandom } from './random.js'
import type { ContextMode, Runtime } from './runtime.js'
import { accessTokenClaims, signAccessToken } from './tokens/access.js'
import type { TokenOptions } from './tokens/access.js'
import { AdminTokens } from './tokens/admin.js'
import { SecretKey } from './tokens/key.js'
import { UserFactory } from './users/fake.js'
import { serializeUser } from './users/json.js'
import type { FakeUserOverrides } from './users/fake.js'
import type { GoTrueUser, HookOutcome, IdentityEvent } from './types.js'
import { IDENTITY_EVENTS } from './types.js'
import type { HttpHandler, RequestHandler } from 'msw'
import { Emulator } from './gotrue/server.js'
import { emailProviderGate, passwordGrant, signup as signupFlow } from './gotrue/flows.js'
import type { SignupParams, TokenResponse } from './gotrue/flows.js'
import { authorize, callback } from './gotrue/external.js'
import type { FakeProvider } from './gotrue/fake-provider.js'
import type { ProviderProfile } from './gotrue/providers.js'
import type { ExternalProviderName } from './gotrue/settings.js'
import { siteSettings } from './gotrue/settings.js'
import type { AuditLogEntry } from './gotrue/audit.js'
import { DEFAULT_AUDIT_LOG_LIMIT } from './gotrue/audit.js'
import type { Fault, FaultSpec } from './gotrue/faults.js'
import type { RecordedRequest } from './gotrue/log.js'
import { DEFAULT_REQUEST_LOG_LIMIT } from './gotrue/log.js'
import type { Outbox } from './gotrue/mail.js'
import type { UserStore } from './gotrue/store.js'

/** The default site URL. */
export const DEFAULT_SITE_URL = 'https://site.netlify.test'

/** Options for {@link createIdentity}. */
export interface IdentityOptions {
  /** Every fake value derives from it: same seed, same users, ids and dates. Default `1`. */
  seed?: number
  /** The site's URL. Default `https://site.netlify.test` (a reserved TLD: never a real host). */
  siteUrl?: string
  /**
   * The instance's JWT secret (signs access tokens, admin tokens and hook signatures). Default:
   * derived from `seed` and `siteUrl` (see {@link Identity.jwtSecret}).
   */
  jwtSecret?: string
  /** Clock for tokens and timestamps. Default: real time for tokens, a fixed reference date for fake users. */
  now?: () => Date
  /**
   * How function contexts are built: `production` (default) verifies bearer tokens and always
   * provides `identity`; `netlify-dev` reproduces the CLI (decode without verifying, fake identity,
   * `{}` without a bearer) for tests that want to see the difference.
   */
  mode?: ContextMode
  /**
   * GoTrue's autoconfirm setting: `/signup` confirms at once (and fires `signup`), and external
   * logins with an unverified provider e-mail are confirmed too. Default `false`.
   */
  autoconfirm?: boolean
  /**
   * The external OAuth providers enabled on the site (`/settings`' `external.<name>`): `/authorize`
   * answers 400 `Unsupported provider: Provider is not enabled` for the others. Each is a fake
   * provider the emulator serves itself ({@link Identity.providers}). Default `[]`.
   *
   * @example
   * ```ts
   * const identity = createIdentity({ providers: ['github', 'google'], disableSignup: true })
   * ```
   */
  providers?: ExternalProviderName[]
  /**
   * Whether the e-mail provider is on (`/settings`' `external.email`). Off, GoTrue answers 400
   * `Unsupported email provider` on `/signup`, `/recover`, `/token` (both grants) and `POST /admin/users`.
   * Default `true`.
   */
  emailLogin?: boolean
  /**
   * GoTrue's `disable_signup` (an invite-only site): `/signup` answers 403 `Signups not allowed for
   * this instance`, and so does an external login of someone with no account (as
   * `#error=access_denied`); `/invite`, admin create and invite acceptance still work. Default `false`.
   */
  disableSignup?: boolean
  /**
   * Functions wired to identity events for the emulator's flows (`/signup`, `/verify`, `/token`,
   * `/invite`, admin PUT/DELETE), each anything {@link Identity.trigger} accepts. Resolved lazily,
   * on the first request that fires the event, as `identity-<event>`.
   *
   * A string is a functions directory (`'netlify/functions'`): its `identity-<event>` files or
   * folders (and `identity-<event>-background` variants) are discovered on first use and wired by
   * name, as Netlify does; when both variants exist the synchronous one is wired.
   */
  functions?: IdentityFunctions | string
  /** How many requests `identity.requests` keeps (the oldest are dropped). Default 1000. */
  requestLogLimit?: number
  /**
   * How many audit entries (`GET /admin/audit`, {@link Identity.audit}) the instance keeps, the
   * newest; GoTrue keeps every one, an in-memory log must stop somewhere. Default 1000.
   */
  auditLogLimit?: number
  /**
   * The test runner's timeout (ms) for the test that uses this instance, counted from
   * `createIdentity()`. When set, the default timeouts of `trigger` (GoTrue's 3 × 5 s) and
   * `invoke` (5 s) shrink so that a hanging function is reported by the harness (outcome, 504,
   * `timeout` and `timeout-budget` diagnostics) before the runner kills the test. The Vitest
   * `identity` fixture sets it from the test's timeout; an explicit `timeoutMs` always wins.
   */
  testTimeout?: number
}

/** The functions wired to each identity event (object form of {@link IdentityOptions.functions}). */
export interface IdentityFunctions {
  /** `identity-validate`: fired by `/signup` (new user) and `/invite`. */
  validate?: FunctionInput
  /** `identity-signup`: fired before confirmation (`/verify`, autoconfirm `/signup`). */
  signup?: FunctionInput
  /** `identity-login`: fired by the password grant, before the token is minted. */
  login?: FunctionInput
  /** `identity-usermodified`: fired after `PUT /admin/users/:id` (non-blocking). */
  usermodified?: FunctionInput
  /** `identity-userdeleted`: fired after `DELETE /admin/users/:id` (non-blocking, body ignored). */
  userdeleted?: FunctionInput
}

/**
 * The `functions` option as given, once its keys are known event names: a key such as
 * `'identity-signup'` (a file name) would otherwise wire nothing, and the test would pass with
 * no hook ever called.
 */
function checkFunctions(functions: IdentityOptions['functions']): IdentityFunctions | string | undefined {
  if (functions === undefined || typeof functions === 'string') return functions
  const proto: unknown = functions !== null && typeof functions === 'object' ? Object.getPrototypeOf(functions) : undefined
  if (functions === null || typeof functions !== 'object' || (proto !== Object.prototype && proto !== null)) {
    const got = functions === null ? 'null' : Array.isArray(functions) ? 'an array' : functions instanceof URL ? 'a URL (pass fileURLToPath(url))' : typeof functions === 'object' ? `a ${(functions as object).constructor?.name ?? 'non-plain'} object` : typeof functions
    throw new HarnessError('ERR_INVALID_OPTION', `functions must be a functions directory (a string) or a plain object of event names to functions; got ${got}`)
  }
  for (const key of Object.keys(functions)) {
    if (isIdentityEvent(key)) continue
    const event = eventFromName(key)
    throw new HarnessError(
      'ERR_INVALID_OPTION',
      `functions has an unknown key ${JSON.stringify(key)}: its keys are event names (${IDENTITY_EVENTS.join(', ')})` +
        (event ? `; write ${event}: for the function Netlify would wire as ${key}` : ''),
    )
  }
  return functions
}

/** What {@link Identity.signup} and {@link Identity.login} return: the HTTP status and JSON body GoTrue answers. */
export interface FlowResult {
  /** The HTTP status. */
  status: number
  /** The JSON body: the user (signup), the token response (login), or GoTrue's error. */
  body: unknown
}

/** The tokens of a successful external login: the redirect fragment's values. */
export interface ExternalTokens {
  /** The access token. */
  access_token: string
  /** Seconds, 3600. */
  expires_in: number
  /** A refresh token. */
  refresh_token: string
  /** Always `bearer`. */
  token_type: 'bearer'
}

/** Options for {@link Identity.loginWith}. */
export interface LoginWithOptions {
  /** An invite's token (`/authorize?invite_token=`): the invited user accepts with the provider. */
  inviteToken?: string
  /** The page the login started from (`Referer`): GoTrue redirects back there when it is on the site. */
  referrer?: string
}

/** What {@link Identity.loginWith} returns: where GoTrue sends the browser, and what the redirect says. */
export interface ExternalLoginResult {
  /** 302 for every redirect (success or error fragment); 400/404 when `/authorize` or the state refused (JSON `body`). */
  status: number
  /** The redirect to the site, with its fragment; `undefined` when GoTrue answered JSON. */
  location: string | undefined
  /** The fragment's tokens on success; `undefined` when no token was issued (error, or an unverified e-mail). */
  tokens: ExternalTokens | undefined
  /** The fragment's `error` and `error_description` (e.g. a refused `identity-signup`). */
  error: { error: string; error_description: string } | undefined
  /** GoTrue's JSON error body when it answered without a redirect. */
  body: unknown
  /** The user as stored after the flow (created, linked or confirmed), if any. */
  user: GoTrueUser | undefined
}

/** Overrides for {@link Identity.createUser}: a fake user's overrides plus a password. */
export interface CreateUserOverrides extends FakeUserOverrides {
  /** A password, so that the user can log in (`/token`, {@link Identity.login}). */
  password?: string
}

/**
 * Derives an instance's default JWT secret from its seed and site URL: deterministic, and
 * different for every (seed, site), so that one instance never accepts another's tokens.
 * @internal
 */
export function defaultJwtSecret(seed: number, siteUrl: string): string {
  return `nih-test-secret-${createHash('sha256').update(`${seed}|${siteUrl}`).digest('hex').slice(0, 32)}-do-not-use-in-production`
}

/** The seed the fake-value streams of an instance start from: its seed mixed with its site URL. */
function streamSeed(seed: number, siteUrl: string): number {
  return siteUrl === DEFAULT_SITE_URL ? seed : hash32(`${seed}|${siteUrl}`)
}

/**
 * The JWT secret of `createIdentity()` with the default seed and site URL. Every other instance
 * derives its own from its seed and site URL (read it as `identity.jwtSecret`); tokens are
 * reproducible per (seed, site), and never accepted by another instance. Never use outside tests.
 */
export const DEFAULT_JWT_SECRET = defaultJwtSecret(1, DEFAULT_SITE_URL)
/** The default seed. */
export const DEFAULT_SEED = 1

/**
 * One emulated Netlify Identity instance: one site's GoTrue with its secret, URL, users and
 * functions. Create it with {@link createIdentity}.
 */
export class Identity {
  /** The site URL, without a trailing slash. */
  readonly siteUrl: string
  /** GoTrue's endpoint: `${siteUrl}/.netlify/identity`. */
  readonly url: string
  /** The seed every fake value derives from (with the site URL). */
  readonly seed: number
  /** The GoTrue instance id sent as `instance_id` in hook payloads (seeded). */
  readonly instanceId: string
  /**
   * The instance's JWT secret: `options.jwtSecret`, else derived from the seed and site URL. Give
   * it to a function that verifies tokens itself (e.g. `env: { JWT_SECRET: identity.jwtSecret }`).
   */
  readonly jwtSecret: string
  /** @internal */
  protected readonly rt: Runtime
  #users: UserFactory
  #profiles: UserFactory
  readonly #gotrue: Emulator
  readonly #explicitSecret: boolean
  readonly #userClock: Clock | undefined
  readonly #functions: IdentityFunctions | string | undefined
  #discovered: DiscoveredIdentityFunctions | undefined
  /** Outcomes of the hooks the emulator fired, oldest settled first (at most `requestLogLimit`). */
  #fired: HookOutcome[] = []
  readonly #firedLimit: number

  /** Use {@link createIdentity}. */
  constructor(options: IdentityOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new HarnessError('ERR_INVALID_OPTION', 'createIdentity() takes an options object')
    }
    const seed = options.seed ?? DEFAULT_SEED
    if (!Number.isSafeInteger(seed)) throw new HarnessError('ERR_INVALID_OPTION', `seed must be an integer; got ${String(seed)}`)
    const siteUrl = normalizeSiteUrl(options.siteUrl ?? DEFAULT_SITE_URL)
    const secret = options.jwtSecret ?? defaultJwtSecret(seed, siteUrl)
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new HarnessError('ERR_INVALID_OPTION', 'jwtSecret must be a non-empty string')
    }
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new HarnessError('ERR_INVALID_OPTION', 'now must be a function returning a Date')
    }
    const mode = options.mode ?? 'production'
    if (mode !== 'production' && mode !== 'netlify-dev') {
      throw new HarnessError('ERR_INVALID_OPTION', `mode must be 'production' or 'netlify-dev'; got ${JSON.stringify(mode)}`)
    }
    const userClock: Clock | undefined = options.now
    const clock: Clock = options.now ?? (() => new Date())
    this.siteUrl = siteUrl
    this.url = `${siteUrl}/.netlify/identity`
    this.#explicitSecret = options.jwtSecret !== undefined
    this.#userClock = userClock
    this.rt = { siteUrl, url: this.url, clock, mode, deadline: testDeadline(options.testTimeout) } as Runtime
    this.seed = seed
    this.instanceId = ''
    this.jwtSecret = secret
    this.#users = this.#seeded(seed, secret)
    this.#profiles = this.#profileStream()
    const settings = siteSettings(options)
    const limit = options.requestLogLimit ?? DEFAULT_REQUEST_LOG_LIMIT
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new HarnessError('ERR_INVALID_OPTION', `requestLogLimit must be a positive integer; got ${String(limit)}`)
    }
    const auditLimit = options.auditLogLimit ?? DEFAULT_AUDIT_LOG_LIMIT
    if (!Number.isSafeInteger(auditLimit) || auditLimit < 1) {
      throw new HarnessError('ERR_INVALID_OPTION', `auditLogLimit must be a positive integer; got ${String(auditLimit)}`)
    }
    this.#functions = checkFunctions(options.functions)
    this.#firedLimit = limit
    this.#gotrue = new Emulator(this.rt, {
      auditLogLimit: auditLimit,
      settings,
      defaultProfile: (provider) => {
        const user = this.#profiles.make({ provider })
        const meta = user.user_metadata as Record<string, string>
        return { email: user.email, name: meta.full_name, avatar: meta.avatar_url }
      },
      requestLogLimit: limit,
      hook: (event, user) => this.fire(event, user),
    })
  }

  /**
   * Sets everything that derives from the seed (and the site URL) to its first value: ids,
   * instance id, account id, the default secret and the fake-user sequence.
   */
  #seeded(seed: number, secret: string): UserFactory {
    const base = streamSeed(seed, this.siteUrl)
    const setup = new SeededRandom(base, 1)
    const key = new SecretKey(secret)
    const self = this as { seed: number; instanceId: string; jwtSecret: string }
    self.seed = seed
    self.instanceId = setup.uuid()
    self.jwtSecret = secret
    Object.assign(this.rt, {
      instanceId: this.instanceId,
      accountId: String(100_000_000_000 + (setup.next() % 900_000_000_000)),
      key,
      ids: new SeededRandom(base, 2),
      adminTokens: new AdminTokens(key, this.rt.clock),
    })
    return new UserFactory(base, this.#userClock)
  }

  /**
   * Starts the instance over from `seed` as if it had just been created with it (store, log,
   * outbox and faults emptied; the fake-value sequence restarted; the default secret re-derived).
   * For runner helpers that keep one instance per file and seed each test by its name.
   * @internal
   */
  reseed(seed: number): void {
    if (!Number.isSafeInteger(seed)) throw new HarnessError('ERR_INVALID_OPTION', `seed must be an integer; got ${String(seed)}`)
    this.#gotrue.reset()
    this.#fired = []
    this.#users = this.#seeded(seed, this.#explicitSecret ? this.jwtSecret : defaultJwtSecret(seed, this.siteUrl))
    this.#profiles = this.#profileStream()
  }

  /** Fake provider users come from their own seeded stream, so they never shift `fakeUser()`'s sequence. */
  #profileStream(salt = ''): UserFactory {
    return new UserFactory(hash32(`${streamSeed(this.seed, this.siteUrl)}${salt}|providers`), this.#userClock)
  }

  /**
   * Draws ids and fake users from another stream named by `salt`, while the instance id, the
   * account id and the default secret stay the seed's: for a server restarted on a kept store
   * (`serve --state`), so new users never take a kept user's id and tokens issued before the
   * restart still verify. `reset()` goes back to the seed's own streams. @internal
   */
  protected restream(salt: string): void {
    const base = hash32(`${streamSeed(this.seed, this.siteUrl)}|${salt}`)
    Object.assign(this.rt, { ids: new SeededRandom(base, 2) })
    this.#users = new UserFactory(base, this.#userClock)
    this.#profiles = this.#profileStream(`|${salt}`)
  }

  /**
   * Starts the `testTimeout` budget over (for runner helpers that keep one instance across tests
   * and call this as each test starts); does nothing without `testTimeout`.
   * @internal
   */
  restartTestDeadline(): void {
    const deadline = this.rt.deadline
    if (deadline) (this.rt as { deadline: Runtime['deadline'] }).deadline = { at: performance.now() + deadline.timeoutMs, timeoutMs: deadline.timeoutMs }
  }

  /** Runs the function wired to `event`, if any, through GoTrue's hook rules (fronts observe the verdict). @internal */
  protected fire(event: IdentityEvent, user: GoTrueUser): Promise<HookOutcome> | undefined {
    const fn = this.wiredFunction(event)
    if (fn === undefined) return undefined
    const log = this.#fired
    return thenNowOrLater(() => this.resolve(fn, eventFunctionName(event)), (resolved) => runHook(this.rt, resolved, event, user)).then((outcome) => {
      // The outcome itself: the store keeps its maps, but writes there replace a map, never change
      // one in place (mergeMetadata copies), and `hooks` hands out copies. A background run adds
      // its diagnostics to the outcome's array when it settles.
      log.push(outcome)
      if (log.length > this.#firedLimit) log.splice(0, log.length - this.#firedLimit)
      return outcome
    })
  }

  /**
   * The outcome of every hook the emulator fired in its flows (`/signup`, `/verify`, the password
   * grant, `/invite`, admin PUT and DELETE, an external login), in the order they settled: what
   * the wired function answered, what GoTrue made of it and the diagnostics. When a flow answers
   * `422 Failed to handle signup webhook`, this says why. A copy each time it is read; only the
   * newest `requestLogLimit` (default 1000) are kept; {@link reset} empties it. A function that
   * could not run at all (it does not build) fires no hook: the request that needed it answers
   * 500 and its entry in {@link requests} carries the `error`.
   *
   * @example
   * ```ts
   * const identity = createIdentity({ autoconfirm: true, functions: { signup: handler } })
   * const res = await identity.signup({ email: 'ada@example.com', password: 'secret-1234' })
   * expect(res.status, JSON.stringify(identity.hooks.at(-1)?.diagnostics)).toBe(200)
   * expect(identity.hooks.at(-1)).toAllowSignup()
   * ```
   */
  get hooks(): HookOutcome[] {
    return this.#fired.map(copyOutcome)
  }

  /** The transport-neutral GoTrue core (`handle(request)`), for fronts other than msw. @internal */
  protected get emulator(): Emulator {
    return this.#gotrue
  }

  /** The function wired to an event through `options.functions`, if any. @internal */
  protected wiredFunction(event: IdentityEvent): FunctionInput | undefined {
    const fns = this.#functions
    if (typeof fns === 'string') {
      // String form: the identity event functions in that directory; a synchronous
      // identity-<event> wins over its -background variant (functions-runtime.md §5, §6).
      if (!this.#discovered) {
        this.#discovered = discoverIdentityFunctions(fns)
        functionDirectory(fns, Object.values(this.#discovered).flatMap((list) => list.map((f) => f.path)))
      }
      return this.#discovered[event]?.find((f) => f.name === eventFunctionName(event))?.path ?? this.#discovered[event]?.[0]?.path
    }
    return fns && typeof fns === 'object' ? fns[event] : undefined
  }

  /**
   * The emulator's users: `all()`, `get(id)`, `findByEmail(email)` (both `undefined` when absent),
   * `add(user, { password })`, `clear()`. Users returned are copies.
   */
  get users(): UserStore {
    return this.#gotrue.store
  }

  /** A fake user (see {@link fakeUser}) stored in the emulator; `password` lets it log in. */
  createUser(overrides: CreateUserOverrides = {}): GoTrueUser {
    // No overrides (the common call): nothing to take the password out of (a rest pattern copies).
    const none = overrides !== null && typeof overrides === 'object' && Object.getPrototypeOf(overrides) === Object.prototype && Object.keys(overrides).length === 0
    let password: unknown
    let rest: FakeUserOverrides = overrides
    if (!none) ({ password, ...rest } = overrides ?? {})
    if (password !== undefined && typeof password !== 'string') throw new HarnessError('ERR_INVALID_USER', 'password must be a string')
    // A fresh fake user is in GoTrue's shape and nobody else's: handed out as the stored copy
    // (adopt gives it copies of the maps the record keeps).
    const user = this.fakeUser(rest)
    this.#gotrue.store.adopt(user, password as string | undefined)
    return user
  }

  /**
   * The mails GoTrue would have sent (confirmation, invite, recovery, e-mail change), with their
   * tokens: `identity.mail.last(email, 'confirmation')?.token`.
   */
  get mail(): Outbox {
    return this.#gotrue.mail
  }

  /**
   * msw handlers answering every GoTrue route under {@link url} (gotrue.md §5), with GoTrue's auth
   * rules, errors and hooks; anything else under the URL is GoTrue's plain-text 404. Use with your
   * own server (`server.use(...identity.handlers)`) or call {@link listen}.
   */
  get handlers(): HttpHandler[] {
    return this.#gotrue.handlers
  }

  /**
   * Starts an own msw server with {@link handlers} (and `extra` handlers for other hosts); any
   * request nobody handles is an error. Throws `ERR_ALREADY_LISTENING` when already listening.
   * Do not combine with another msw server in the same test file.
   */
  listen(...extra: RequestHandler[]): void {
    this.#gotrue.listen(extra)
  }

  /** Stops the server started by {@link listen}. Throws `ERR_NOT_LISTENING` when not listening. */
  close(): void {
    this.#gotrue.close()
  }

  /**
   * Every request the emulator answered, oldest first (method, path relative to {@link url}, query,
   * lower-case headers, parsed body, status, response body). Only the newest `requestLogLimit`
   * (default 1000) are kept; {@link reset} empties it.
   */
  get requests(): readonly RecordedRequest[] {
    // A snapshot: it never grows later, and changing it never changes the log.
    return this.#gotrue.log.entries().map((entry) => structuredClone(entry))
  }

  /**
   * Empties the store, the request log, the outbox and the injected faults, and restarts the
   * fake-value sequence: after a reset the instance makes the same users, ids and tokens as a
   * fresh one with the same options.
   */
  reset(): void {
    this.reseed(this.seed)
  }

  /**
   * Makes matching requests fail (`status`, `body`) or slow down (`delayMs`), `times` times
   * (default: until {@link reset} or `fault.remove()`); faulted requests are logged.
   */
  inject(fault: FaultSpec): Fault {
    return this.#gotrue.faults.add(fault)
  }

  /** `POST /signup` without HTTP: same code path, same hooks; returns GoTrue's status and body. */
  async signup(params: SignupParams): Promise<FlowResult> {
    if (!params || typeof params !== 'object') throw new HarnessError('ERR_INVALID_OPTION', 'signup() takes { email, password, data? }')
    const reply = await signupFlow(this.#gotrue.ctx, { email: params.email ?? '', password: params.password ?? '', data: params.data ?? null })
    // Replies are views that share maps with the store: hand out a copy.
    return { status: reply.status, body: structuredClone(reply.body) }
  }

  /** `POST /token` `grant_type=password` without HTTP (fires `login`); the body is the token response or the error. */
  async login(email: string, password: string): Promise<FlowResult> {
    const reply = emailProviderGate(this.#gotrue.ctx) ?? (await passwordGrant(this.#gotrue.ctx, email ?? '', password ?? ''))
    return { status: reply.status, body: reply.body }
  }

  /**
   * The fake OAuth providers (`github`, `gitlab`, `google`, `bitbucket`, `facebook`): choose who
   * the next login is (`next(profile)`) or make it fail (`fail('denied' | 'token' | 'userinfo')`).
   * Each serves a consent page, a token and user-info endpoints with the real provider's JSON under
   * `${siteUrl}/.netlify/harness/oauth/<provider>` (never a real host). Enable a provider on the
   * site with {@link IdentityOptions.providers}.
   *
   * @example
   * ```ts
   * const identity = createIdentity({ providers: ['github'] })
   * identity.providers.github.next({ email: 'ada@example.com', name: 'Ada Lovelace', verified: true })
   * const { tokens, user } = await identity.loginWith('github')
   * ```
   */
  get providers(): Readonly<Record<ExternalProviderName, FakeProvider>> {
    return this.#gotrue.providers
  }

  /**
   * An external login without HTTP, through the same code as `GET /authorize` → the provider's
   * consent → `GET /callback`: creates or links the user as GoTrue does, fires `validate`,
   * `signup` or `login` at GoTrue's points, and returns the redirect's tokens or error fragment.
   * `profile` is who the provider says the user is for this login (else the next one queued with
   * `providers.<name>.next()`, else a seeded fake with a verified e-mail).
   *
   * @example
   * ```ts
   * const identity = createIdentity({ providers: ['google'], functions: { signup: './netlify/functions/identity-signup.ts' } })
   * const result = await identity.loginWith('google', { email: 'ada@example.com', name: 'Ada' })
   * expect(result.tokens?.token_type).toBe('bearer')
   * expect(result.user?.app_metadata.provider).toBe('google')
   * ```
   */
  async loginWith(provider: ExternalProviderName, profile?: ProviderProfile, options: LoginWithOptions = {}): Promise<ExternalLoginResult> {
    const gotrue = this.#gotrue
    const ctx = gotrue.ctx
    const none = { location: undefined, tokens: undefined, error: undefined, user: undefined }
    const query = new URLSearchParams({ provider: String(provider) })
    if (options.inviteToken !== undefined) query.set('invite_token', options.inviteToken)
    const start = authorize(ctx, gotrue.external, query, options.referrer ?? null)
    if (start.status !== 302) return { ...none, status: start.status, body: structuredClone(start.body) }
    const to = new URL(start.headers!.location!)
    const fake = gotrue.providers[provider.toLowerCase() as ExternalProviderName]
    // A profile given here is this login's; otherwise the provider's queue (or a seeded fake) decides.
    const consent = fake.consent(to.searchParams.get('redirect_uri')!, to.searchParams.get('state')!, profile)
    const back = new URL(consent.location)
    const done = await callback(ctx, gotrue.external, back.searchParams, '')
    const reply = done.reply
    const user = done.record ? serializeUser(done.record.user) : undefined
    if (reply.status !== 302) return { ...none, status: reply.status, body: structuredClone(reply.body), user }
    const t: TokenResponse | undefined = done.tokens
    return {
      status: 302,
      location: reply.headers!.location!,
      tokens: t ? { access_token: t.access_token, expires_in: t.expires_in, refresh_token: t.refresh_token, token_type: t.token_type } : undefined,
      error: done.failure ? { error: done.failure.error, error_description: done.failure.description } : undefined,
      body: undefined,
      user,
    }
  }

  /**
   * The audit log GoTrue keeps (`GET /admin/audit`), oldest first: `login`, `logout`,
   * `user_signedup`, `user_invited`, `invite_accepted`, `user_modified`, `user_deleted`,
   * `user_recovery_requested`, `token_refreshed`. A flow a hook refused leaves no entry. Only the
   * newest `auditLogLimit` (default 1000) are kept.
   */
  get audit(): AuditLogEntry[] {
    return this.#gotrue.audit.all()
  }

  /**
   * A fake GoTrue user (snake_case, as GoTrue serialises it), not stored. Values derive from the
   * seed: the n-th call on two instances with the same seed returns equal users.
   */
  fakeUser(overrides?: FakeUserOverrides): GoTrueUser {
    return this.#users.make(overrides)
  }

  /**
   * An access token for `user`, signed as GoTrue signs it (HS256, `kid: "nf-ident"`, claims `sub`,
   * `exp`, `email`, `app_metadata`, `user_metadata`, `aud` only when non-empty; gotrue.md §4).
   */
  async token(user: GoTrueUser, options: TokenOptions = {}): Promise<string> {
    if (!user || typeof user !== 'object' || typeof user.id !== 'string') {
      throw new HarnessError('ERR_INVALID_USER', 'token() needs a GoTrue user object with an id')
    }
    return signAccessToken(accessTokenClaims(user, epochSeconds(this.rt.clock), options), this.rt.key)
  }

  /** The admin token a function gets as `clientContext.identity.token`: HS256, `sub: "0"`, short `exp`. */
  adminToken(): Promise<string> {
    return this.rt.adminTokens.get()
  }

  /**
   * Sends an identity event to a function as GoTrue does and returns GoTrue's verdict.
   * The event can be omitted when the function's name says it (`identity-signup`, …), also as
   * `trigger(fn, user, options)`; the user defaults to a fresh fake user in the state GoTrue
   * sends for that event.
   */
  trigger(fn: FunctionInput, event?: IdentityEvent, user?: GoTrueUser, options?: TriggerOptions): Promise<HookOutcome>
  trigger(fn: FunctionInput, user: GoTrueUser, options?: TriggerOptions): Promise<HookOutcome>
  trigger(
    fn: FunctionInput,
    eventOrUser?: IdentityEvent | GoTrueUser,
    userOrOptions?: GoTrueUser | TriggerOptions,
    maybeOptions?: TriggerOptions,
  ): Promise<HookOutcome> {
    let event: IdentityEvent | undefined
    let user: GoTrueUser | undefined
    let options: TriggerOptions
    if (eventOrUser !== undefined && typeof eventOrUser === 'object') {
      user = eventOrUser
      options = (userOrOptions as TriggerOptions | undefined) ?? {}
    } else {
      event = eventOrUser
      user = userOrOptions as GoTrueUser | undefined
      options = maybeOptions ?? {}
    }
    // Not an async function: a function value or a warm path goes straight to the hook with no
    // promise of its own (issue 12); every error still arrives as a rejection.
    return thenNowOrLater(() => this.resolve(fn, options.name, options), (resolved) => this.#triggerResolved(resolved, event, user, options))
  }

  #triggerResolved(resolved: ResolvedFunction, event: IdentityEvent | undefined, user: GoTrueUser | undefined, options: TriggerOptions): Promise<HookOutcome> {
    if (event === undefined) {
      event = eventFromName(resolved.name)
      if (!event) {
        throw new HarnessError(
          'ERR_EVENT_REQUIRED',
          `cannot tell which identity event to send to ${resolved.source}: pass it (trigger(fn, 'signup', user)) or a function name ({ name: 'identity-signup' })`,
        )
      }
    }
    assertEvent(event)
    if (user !== undefined) assertHookUser(user)
    const subject = user ?? this.fakeUser({ confirmed: event !== 'validate' && event !== 'signup' })
    return runHook(this.rt, resolved, event, subject, options)
  }

  /**
   * Calls an HTTP function the way Netlify does for a request, with production's client context:
   * `request.user` signs a token and sends `Authorization: Bearer …`.
   */
  invoke(fn: FunctionInput, request: InvokeRequest = {}): Promise<InvokeResponse> {
    return thenNowOrLater(() => this.resolve(fn, request.name, request), (resolved) => invokeHttp(this.rt, resolved, request, (u) => this.token(u)))
  }

  /**
   * Resolves anything a user has at hand to a runnable function: at once for a function value or
   * a warm path (no promise, no microtask on the hot paths), else once the file is loaded. May
   * throw. @internal
   */
  protected resolve(fn: FunctionInput, name: string | undefined, load: { env?: EnvOverrides; fresh?: boolean; shape?: 'v1' | 'v2' } = {}): ResolvedFunction | Promise<ResolvedFunction> {
    // A path is loaded the way Netlify bundles it; its file name is its function name.
    const hints = { name, shape: load.shape }
    const options = { env: load.env, fresh: load.fresh, runtimeEnv: netlifyRuntimeEnv(this.rt) }
    return resolveInputNow(fn, hints, options) ?? resolveFile(fn as string, hints, options)
  }
}

/** A copy of a hook outcome whose data is its own (the background promise stays shared). */
function copyOutcome(o: HookOutcome): HookOutcome {
  const copy: HookOutcome = { ...o, user: structuredClone(o.user), diagnostics: o.diagnostics.map((d) => ({ ...d })) }
  if (o.response) copy.response = structuredClone(o.response)
  if (o.error) copy.error = { ...o.error }
  return copy
}

function testDeadline(testTimeout: number | undefined): Runtime['deadline'] {
  if (testTimeout === undefined) return undefined
  if (typeof testTimeout !== 'number' || !(testTimeout > 0)) {
    throw new HarnessError('ERR_INVALID_OPTION', `testTimeout must be a positive number of milliseconds; got ${String(testTimeout)}`)
  }
  // Infinity (a runner without timeout) never shortens anything.
  return Number.isFinite(testTimeout) ? { at: performance.now() + testTimeout, timeoutMs: testTimeout } : undefined
}

function normalizeSiteUrl(input: string): string {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new HarnessError('ERR_INVALID_OPTION', `siteUrl must be an absolute URL; got ${JSON.stringify(input)}`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HarnessError('ERR_INVALID_OPTION', `siteUrl must be http(s); got ${JSON.stringify(input)}`)
  }
  return `${url.protocol}//${url.host}`
}

/**
 * Creates one emulated Netlify Identity instance (one site's GoTrue). Instances are independent:
 * each has its own secret, users, log and handlers.
 */
export function createIdentity(options?: IdentityOptions): Identity {
  return new Identity(options)
}

/**
 * A user `trigger()` can send: an object with GoTrue's string `id` and `email` (every user GoTrue
 * stores has both, and the hook payload carries them). The error names what is missing.
 */
function assertHookUser(user: unknown): asserts user is GoTrueUser {
  // The usual case first, allocating nothing (trigger() is a hot path, issue 12).
  const u = user as { id?: unknown; email?: unknown } | null
  if (u !== null && typeof u === 'object' && typeof u.id === 'string' && typeof u.email === 'string') return
  const fix = 'make one with identity.fakeUser({ email: … }) (it fills in the id, dates and metadata) or take a stored one (identity.users)'
  if (user === null || typeof user !== 'object' || Array.isArray(user)) {
    throw new HarnessError('ERR_INVALID_USER', `trigger() needs a GoTrue user object; got ${describeValue(user)}: ${fix}`)
  }
  const missing = (['id', 'email'] as const).filter((key) => typeof (user as Record<string, unknown>)[key] !== 'string')
  if (missing.length) {
    throw new HarnessError(
      'ERR_INVALID_USER',
      `trigger() needs a GoTrue user object with a string ${missing.join(' and ')}, as every user GoTrue stores has; got an object with ${Object.keys(user).length ? Object.keys(user).slice(0, 8).join(', ') : 'no keys'}: ${fix}`,
    )
  }
}
