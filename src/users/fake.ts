import { faker as enFaker } from '@faker-js/faker/locale/en'
import { HarnessError } from '../errors.js'
import type { Clock } from '../clock.js'
import { REFERENCE_DATE } from '../clock.js'
import { SeededRandom } from '../random.js'
import { describeValue } from '../values.js'
import { nearest } from '../nearest.js'
import type { AppMetadata, GoTrueUser, UserMetadata } from '../types.js'
import { KEY_ORDER, serializeUser } from './json.js'

/**
 * Overrides for a fake user. Top-level GoTrue fields replace the generated ones; `app_metadata`
 * and `user_metadata` are merged shallowly over the defaults (a key set to `undefined` removes
 * it), except that an empty object `{}` gives an empty map; the shorthands set common cases.
 * Any other key (a camelCase `userMetadata`, a typo) is refused with `ERR_INVALID_USER`, naming
 * the field it probably meant, rather than dropped.
 */
export interface FakeUserOverrides extends Partial<Omit<GoTrueUser, 'app_metadata' | 'user_metadata'>> {
  /** Merged over `{ provider: 'email' }`; `{}` makes the map empty (then `roles`/`provider` still apply). */
  app_metadata?: AppMetadata
  /** Merged over the generated `{ full_name }`; `{}` makes the map empty, `null` makes it `null`. */
  user_metadata?: UserMetadata | null
  /** Shorthand for `app_metadata.roles`. */
  roles?: string[]
  /** Shorthand for `app_metadata.provider`; external providers also get `full_name`/`avatar_url`. */
  provider?: string
  /** `false` makes an unconfirmed user (no `confirmed_at`, a `confirmation_sent_at`). Default `true`. */
  confirmed?: boolean
}

type FakerInstance = typeof enFaker

/**
 * Faker's randomizer interface, fed from whichever instance's seeded stream is generating a user.
 * Building a Faker costs about 0.1 ms; one private instance serves every factory, and each
 * factory plugs its own stream in for the (synchronous) duration of `make()`, so values depend
 * only on the factory's seed and call count — never on the global `faker`, `Math.random` or
 * other instances.
 */
class StreamRandomizer {
  current: SeededRandom | undefined
  // Arrow properties: Faker calls these detached from the object.
  readonly next = (): number => this.current!.next() / 4294967296
  readonly seed = (): void => {
    // Seeding happens per factory (SeededRandom), never through Faker.
  }
}

let shared: { faker: FakerInstance; randomizer: StreamRandomizer } | undefined

function sharedFaker(): { faker: FakerInstance; randomizer: StreamRandomizer } {
  if (!shared) {
    const randomizer = new StreamRandomizer()
    // A private instance built from the English locale data: never the shared `faker` object.
    const FakerClass = enFaker.constructor as new (options: { locale: unknown; randomizer: StreamRandomizer }) => FakerInstance
    shared = { faker: new FakerClass({ locale: enFaker.rawDefinitions, randomizer }), randomizer }
  }
  return shared
}

/**
 * Makes fake GoTrue users from one seed and one clock.
 * @internal
 */
export class UserFactory {
  readonly #random: SeededRandom
  readonly #clock: Clock | undefined
  readonly #emails = new Set<string>()
  #count = 0

  constructor(seed: number, clock: Clock | undefined) {
    this.#random = new SeededRandom(seed, 3)
    this.#clock = clock
  }

  /** A new fake user. */
  make(overrides: FakeUserOverrides = {}): GoTrueUser {
    const { faker, randomizer } = sharedFaker()
    randomizer.current = this.#random
    try {
      return this.#make(faker, overrides)
    } finally {
      randomizer.current = undefined
    }
  }

  #make(f: FakerInstance, overrides: FakeUserOverrides): GoTrueUser {
    if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
      throw new HarnessError('ERR_INVALID_USER', `fakeUser() takes an object of overrides; got ${describeValue(overrides)}`)
    }
    const plain = Object.getPrototypeOf(overrides) === Object.prototype && Object.keys(overrides).length === 0
    // A rest pattern copies the object (a slow runtime path): only when there is something to copy.
    let roles: FakeUserOverrides['roles']
    let provider: FakeUserOverrides['provider']
    let confirmed: FakeUserOverrides['confirmed']
    let app_metadata: FakeUserOverrides['app_metadata']
    let user_metadata: FakeUserOverrides['user_metadata']
    let fields: Partial<GoTrueUser> = {}
    if (!plain) {
      ;({ roles, provider, confirmed, app_metadata, user_metadata, ...fields } = overrides)
      for (const key in fields) if (!GOTRUE_FIELDS.has(key)) throw new HarnessError('ERR_INVALID_USER', unknownOverride(key))
    }
    if (roles !== undefined && (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string'))) {
      throw new HarnessError('ERR_INVALID_USER', `roles must be an array of strings; got ${describeValue(roles)}`)
    }
    if (provider !== undefined && typeof provider !== 'string') {
      throw new HarnessError('ERR_INVALID_USER', `provider must be a string; got ${describeValue(provider)}`)
    }
    const n = this.#count++
    const ref = this.#clock ? this.#clock() : REFERENCE_DATE
    const firstName = f.person.firstName()
    const lastName = f.person.lastName()
    const fullName = `${firstName} ${lastName}`
    const id = f.string.uuid()
    let email = f.internet.exampleEmail({ firstName, lastName }).toLowerCase()
    if (this.#emails.has(email)) email = email.replace('@', `.${n}@`)
    const created = f.date.past({ years: 1, refDate: ref })
    const confirmedAt = new Date(Math.min(ref.getTime(), created.getTime() + f.number.int({ min: 1_000, max: 172_800_000 })))
    const avatar = f.image.avatarGitHub()

    if (plain) {
      // No overrides (the common case): the user in GoTrue's key order, as serializeUser writes
      // it, built in one literal (one shape, every field in the object itself).
      const confirmedIso = confirmedAt.toISOString()
      const user: GoTrueUser = {
        id,
        aud: '',
        role: '',
        email,
        confirmed_at: confirmedIso,
        app_metadata: { provider: 'email' },
        user_metadata: { full_name: fullName },
        created_at: created.toISOString(),
        updated_at: confirmedIso,
      }
      this.#emails.add(email)
      return user
    }

    const isConfirmed = confirmed ?? true
    const providerName = provider ?? (app_metadata?.provider as string | undefined) ?? 'email'
    const external = providerName !== 'email'
    const baseUserMeta: UserMetadata = external ? { avatar_url: avatar, full_name: fullName } : { full_name: fullName }

    // An empty map asks for an empty map: merging it would change nothing, silently (the user
    // testing a hook against `user_metadata: {}` would get the generated full_name).
    const appMeta: AppMetadata = isEmptyMap(app_metadata) ? {} : { provider: 'email', ...app_metadata }
    if (provider !== undefined) appMeta.provider = provider
    if (roles !== undefined) appMeta.roles = [...roles]

    const user: GoTrueUser = {
      id,
      aud: '',
      role: '',
      email,
      ...(isConfirmed
        ? { confirmed_at: confirmedAt.toISOString() }
        : { confirmation_sent_at: created.toISOString() }),
      app_metadata: appMeta,
      user_metadata: user_metadata === null ? null : isEmptyMap(user_metadata) ? {} : { ...baseUserMeta, ...user_metadata },
      created_at: created.toISOString(),
      updated_at: (isConfirmed ? confirmedAt : created).toISOString(),
      ...stripUndefined(fields),
    }
    this.#emails.add(user.email.toLowerCase())
    // The maps built here are fresh; only values taken from the overrides can be shared with the caller.
    return serializeUser(user, app_metadata !== undefined || (user_metadata !== undefined && user_metadata !== null))
  }
}

/** `{}` (own enumerable keys: none), the override that means "this map, empty". */
function isEmptyMap(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  for (const _ in value) return false
  return true
}

/** The top-level fields a fake user's overrides may set (GoTrue's user JSON, gotrue.md §3). */
const GOTRUE_FIELDS: ReadonlySet<string> = new Set(KEY_ORDER)
const SHORTHANDS = ['roles', 'provider', 'confirmed']

/**
 * Why an override key is refused, and what was probably meant: a key no GoTrue user has would be
 * dropped without a word, and the test would pass for the wrong reason. The camelCase spelling of
 * a field (`userMetadata`, the shape @netlify/identity hands out) and near misses are named.
 */
function unknownOverride(key: string): string {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
  const known = [...KEY_ORDER, ...SHORTHANDS]
  // the nearest known key within two edits
  const guess = GOTRUE_FIELDS.has(snake) ? snake : nearest(key, known)
  return `fakeUser() and createUser() have no ${JSON.stringify(key)} override${guess ? `: did you mean ${JSON.stringify(guess)}?` : '.'} They take GoTrue's snake_case user fields (${KEY_ORDER.join(', ')}) and the shorthands ${SHORTHANDS.join(', ')} (createUser() also password).`
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v
  return out
}
