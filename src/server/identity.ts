import { Identity } from '../identity.js'
import type { IdentityOptions } from '../identity.js'
import type { FunctionInput } from '../functions/resolve.js'
import type { Store } from '../gotrue/store.js'
import type { Runtime } from '../runtime.js'
import type { GoTrueUser, HookOutcome, IdentityEvent } from '../types.js'
import type { SentMail } from '../gotrue/mail.js'

/** What the served instance tells the server as it happens. @internal */
export interface IdentityObserver {
  /** A mail GoTrue sent (confirmation, invite, recovery, e-mail change). */
  mail(mail: SentMail): void
  /** GoTrue's verdict on a hook (or the reason the function could not run). */
  hook(event: IdentityEvent, result: { outcome: HookOutcome } | { error: unknown }): void
}

/**
 * The instance a server fronts: the same {@link Identity} (tests use `users`, `mail`, `requests`,
 * `inject`, `createUser` on it as usual), plus the few internals the HTTP front needs — the
 * transport-neutral GoTrue core, the instance runtime (secret, clock) and live hook wiring.
 * @internal
 */
export class ServedIdentity extends Identity {
  readonly #observer: IdentityObserver
  readonly #wired: ((event: IdentityEvent) => FunctionInput | undefined) | undefined

  /**
   * `wired` looks up the function for an event live; without it, `options.functions` wires them.
   * `run` > 0: a restart on a kept store (`--state`): ids and fake users come from that run's own
   * stream, the instance id and the default secret stay the seed's.
   */
  constructor(options: IdentityOptions, observer: IdentityObserver, wired?: (event: IdentityEvent) => FunctionInput | undefined, run = 0) {
    super(options)
    if (run > 0) this.restream(`serve-run:${run}`)
    this.#observer = observer
    this.#wired = wired
    this.emulator.mail.onSend = (mail) => this.#observer.mail(mail)
  }

  /** GoTrue's answer to one request (the same core the msw handlers call). */
  handleGoTrue(request: Request): Promise<Response> {
    return this.emulator.handle(request)
  }

  /** A fake OAuth provider's answer (consent page, token, user info) under `/.netlify/harness/oauth/`. */
  handleProvider(request: Request): Promise<Response> {
    return this.emulator.handleProvider(request)
  }

  /** The instance runtime: secret, clock, URLs. */
  get runtime(): Runtime {
    return this.rt
  }

  /** The live store (for `--state`). */
  get store(): Store {
    return this.emulator.store
  }

  /** Hooks follow the site's functions directory as it changes, not a list read once. */
  protected override wiredFunction(event: IdentityEvent): FunctionInput | undefined {
    return this.#wired ? this.#wired(event) : super.wiredFunction(event)
  }

  protected override fire(event: IdentityEvent, user: GoTrueUser): Promise<HookOutcome> | undefined {
    const run = super.fire(event, user)
    run?.then(
      (outcome) => this.#observer.hook(event, { outcome }),
      (error: unknown) => this.#observer.hook(event, { error }),
    )
    return run
  }
}
