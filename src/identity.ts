import type { Clock } from './clock.js'
import { epochSeconds } from './clock.js'
import { HarnessError } from './errors.js'
import { invokeHttp } from './functions/invoke-http.js'
import type { InvokeRequest, InvokeResponse } from './functions/invoke-http.js'
import type { FunctionInput } from './functions/resolve.js'
import { resolveFunction } from './functions/resolve.js'
import { assertEvent, eventFromName, runHook } from './gotrue/hooks.js'
import type { TriggerOptions } from './gotrue/hooks.js'
import { SeededRandom } from './random.js'
import type { ContextMode, Runtime } from './runtime.js'
import { accessTokenClaims, signAccessToken } from './tokens/access.js'
import type { TokenOptions } from './tokens/access.js'
import { AdminTokens } from './tokens/admin.js'
import { SecretKey } from './tokens/key.js'
import { UserFactory } from './users/fake.js'
import type { FakeUserOverrides } from './users/fake.js'
import type { GoTrueUser, HookOutcome, IdentityEvent } from './types.js'

/** Options for {@link createIdentity}. */
export interface IdentityOptions {
  /** Every fake value derives from it: same seed, same users, ids and dates. Default `1`. */
  seed?: number
  /** The site's URL. Default `https://site.netlify.test` (a reserved TLD: never a real host). */
  siteUrl?: string
  /** The instance's JWT secret (signs access tokens, admin tokens and hook signatures). */
  jwtSecret?: string
  /** Clock for tokens and timestamps. Default: real time for tokens, a fixed reference date for fake users. */
  now?: () => Date
  /**
   * How function contexts are built: `production` (default) verifies bearer tokens and always
   * provides `identity`; `netlify-dev` reproduces the CLI (decode without verifying, fake identity,
   * `{}` without a bearer) for tests that want to see the difference.
   */
  mode?: ContextMode
}

/** The default site URL. */
export const DEFAULT_SITE_URL = 'https://site.netlify.test'
/** The default JWT secret: fixed so that tokens are reproducible; never use it outside tests. */
export const DEFAULT_JWT_SECRET = 'netlify-identity-harness-test-secret-do-not-use-in-production'
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
  /** The seed every fake value derives from. */
  readonly seed: number
  /** The GoTrue instance id sent as `instance_id` in hook payloads (seeded). */
  readonly instanceId: string
  /** @internal */
  protected readonly rt: Runtime
  readonly #users: UserFactory

  /** Use {@link createIdentity}. */
  constructor(options: IdentityOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new HarnessError('ERR_INVALID_OPTION', 'createIdentity() takes an options object')
    }
    const seed = options.seed ?? DEFAULT_SEED
    if (!Number.isSafeInteger(seed)) throw new HarnessError('ERR_INVALID_OPTION', `seed must be an integer; got ${String(seed)}`)
    const siteUrl = normalizeSiteUrl(options.siteUrl ?? DEFAULT_SITE_URL)
    const secret = options.jwtSecret ?? DEFAULT_JWT_SECRET
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
    const key = new SecretKey(secret)
    const setup = new SeededRandom(seed, 1)
    this.seed = seed
    this.siteUrl = siteUrl
    this.url = `${siteUrl}/.netlify/identity`
    this.instanceId = setup.uuid()
    this.rt = {
      siteUrl,
      url: this.url,
      instanceId: this.instanceId,
      accountId: String(100_000_000_000 + (setup.next() % 900_000_000_000)),
      key,
      clock,
      ids: new SeededRandom(seed, 2),
      adminTokens: new AdminTokens(key, clock),
      mode,
    }
    this.#users = new UserFactory(seed, userClock)
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
   * The event can be omitted when the function's name says it (`identity-signup`, …); the user
   * defaults to a fresh fake user in the state GoTrue sends for that event.
   */
  trigger(fn: FunctionInput, event?: IdentityEvent, user?: GoTrueUser, options?: TriggerOptions): Promise<HookOutcome>
  /** Same, with the event inferred from the function's name. */
  trigger(fn: FunctionInput, user: GoTrueUser, options?: TriggerOptions): Promise<HookOutcome>
  async trigger(
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
    const resolved = await this.resolve(fn, options.name)
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
    if (user !== undefined && (user === null || typeof user !== 'object' || typeof user.id !== 'string')) {
      throw new HarnessError('ERR_INVALID_USER', 'trigger() needs a GoTrue user object (use identity.fakeUser())')
    }
    const subject = user ?? this.fakeUser({ confirmed: event !== 'validate' && event !== 'signup' })
    return runHook(this.rt, resolved, event, subject, options)
  }

  /**
   * Calls an HTTP function the way Netlify does for a request, with production's client context:
   * `request.user` signs a token and sends `Authorization: Bearer …`.
   */
  async invoke(fn: FunctionInput, request: InvokeRequest = {}): Promise<InvokeResponse> {
    const resolved = await this.resolve(fn, request.name)
    return invokeHttp(this.rt, resolved, request, (u) => this.token(u))
  }

  /** Resolves anything a user has at hand to a runnable function. @internal */
  protected async resolve(fn: FunctionInput, name: string | undefined) {
    return resolveFunction(fn, { name })
  }
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
