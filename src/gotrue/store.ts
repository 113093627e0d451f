import { HarnessError } from '../errors.js'
import { serializeUser } from '../users/json.js'
import type { GoTrueUser } from '../types.js'

/**
 * What the emulator keeps about a user besides its JSON: the password and the one-time tokens.
 * None of this is ever serialised (gotrue.md §3, "Hidden fields").
 * @internal
 */
export interface UserRecord {
  /** The stored user, in GoTrue's JSON shape; mutated in place by the flows. */
  user: GoTrueUser
  /** The password in clear (a test emulator has nothing to protect); `undefined` = none set. */
  password: string | undefined
  /** Confirmation (and invite) token, cleared on confirmation. */
  confirmationToken: string | undefined
  /** Recovery token, cleared by `/verify` type `recovery`. */
  recoveryToken: string | undefined
  /** Pending e-mail change token. */
  emailChangeToken: string | undefined
}

/** A stored refresh token (gotrue.md §4). @internal */
export interface RefreshRecord {
  userId: string
  /** Epoch ms of issue, for the 30-day lifetime. */
  createdAt: number
  revoked: boolean
}

/** Options for {@link UserStore.add}. */
export interface AddUserOptions {
  /** A password, so that the user can log in through `/token` or {@link Identity.login}. */
  password?: string
}

/**
 * The users of one emulated Identity instance (`identity.users`). Every user returned is a copy in
 * GoTrue's JSON shape: changing it never changes the store. Lookups by id and by e-mail are O(1).
 */
export interface UserStore {
  /** Every stored user, in insertion order. */
  all(): GoTrueUser[]
  /** The user with this id, or `undefined`. */
  get(id: string): GoTrueUser | undefined
  /** The user with this e-mail (case-insensitive), or `undefined`. */
  findByEmail(email: string): GoTrueUser | undefined
  /**
   * Stores a user as is (use `identity.fakeUser()` to make one, or `identity.createUser()` to do
   * both). Throws `ERR_DUPLICATE_USER` when the id or e-mail is taken. Returns the stored copy.
   */
  add(user: GoTrueUser, options?: AddUserOptions): GoTrueUser
  /** Removes every user and every refresh token. */
  clear(): void
  /** How many users are stored. */
  readonly size: number
}

/**
 * The store behind `identity.users`, plus the internal records the routes use.
 * @internal
 */
export class Store implements UserStore {
  readonly #byId = new Map<string, UserRecord>()
  readonly #byEmail = new Map<string, UserRecord>()
  readonly #byConfirmation = new Map<string, UserRecord>()
  readonly #byRecovery = new Map<string, UserRecord>()
  readonly #refresh = new Map<string, RefreshRecord>()
  /** How often an e-mail was set that another user already had: 0 keeps removals O(1). */
  #shared = 0

  get size(): number {
    return this.#byId.size
  }

  all(): GoTrueUser[] {
    const out: GoTrueUser[] = []
    for (const r of this.#byId.values()) out.push(serializeUser(r.user))
    return out
  }

  get(id: string): GoTrueUser | undefined {
    const r = this.#byId.get(id)
    return r && serializeUser(r.user)
  }

  findByEmail(email: string): GoTrueUser | undefined {
    const r = typeof email === 'string' ? this.#byEmail.get(email.toLowerCase()) : undefined
    return r && serializeUser(r.user)
  }

  add(user: GoTrueUser, options: AddUserOptions = {}): GoTrueUser {
    if (!user || typeof user !== 'object' || typeof user.id !== 'string' || typeof user.email !== 'string') {
      throw new HarnessError('ERR_INVALID_USER', 'users.add() needs a GoTrue user object with an id and an email (use identity.fakeUser())')
    }
    if (options.password !== undefined && typeof options.password !== 'string') {
      throw new HarnessError('ERR_INVALID_USER', 'password must be a string')
    }
    const record: UserRecord = {
      user: serializeUser(user),
      password: options.password,
      confirmationToken: undefined,
      recoveryToken: undefined,
      emailChangeToken: undefined,
    }
    this.insert(record)
    return serializeUser(record.user)
  }

  clear(): void {
    this.#byId.clear()
    this.#byEmail.clear()
    this.#byConfirmation.clear()
    this.#byRecovery.clear()
    this.#refresh.clear()
    this.#shared = 0
  }

  // ---- internal API used by the flows ----

  /** The live record by id (lower-case UUID). */
  record(id: string): UserRecord | undefined {
    return this.#byId.get(id)
  }

  /** The live record by e-mail (case-insensitive). */
  recordByEmail(email: string): UserRecord | undefined {
    return this.#byEmail.get(email.toLowerCase())
  }

  /** The live records, in insertion order. */
  records(): IterableIterator<UserRecord> {
    return this.#byId.values()
  }

  /** Inserts a record; the id and e-mail must be free. */
  insert(record: UserRecord): void {
    const id = record.user.id
    const email = record.user.email.toLowerCase()
    if (this.#byId.has(id)) throw new HarnessError('ERR_DUPLICATE_USER', `a user with id ${id} is already stored`)
    if (this.#byEmail.has(email)) throw new HarnessError('ERR_DUPLICATE_USER', `a user with email ${record.user.email} is already stored`)
    this.#byId.set(id, record)
    this.#byEmail.set(email, record)
    this.#indexTokens(record)
  }

  /** Removes a record and its one-time tokens (refresh tokens stay, as in GoTrue, but find no user). */
  remove(record: UserRecord): void {
    this.#byId.delete(record.user.id)
    this.#unindexEmail(record)
    this.setConfirmationToken(record, undefined)
    this.setRecoveryToken(record, undefined)
  }

  /**
   * Changes a user's e-mail, keeping the index in step. `PUT /admin/users/:id` sets an e-mail
   * with no duplicate check (gotrue.md §5.3), so two users may share one: the index keeps the
   * user who had it first, and whoever holds an address only ever removes their own entry.
   */
  setEmail(record: UserRecord, email: string): void {
    this.#unindexEmail(record)
    record.user.email = email
    const key = email.toLowerCase()
    if (!this.#byEmail.has(key)) this.#byEmail.set(key, record)
    else if (this.#byEmail.get(key) !== record) this.#shared++
  }

  #unindexEmail(record: UserRecord): void {
    const key = record.user.email.toLowerCase()
    if (this.#byEmail.get(key) !== record) return
    this.#byEmail.delete(key)
    if (this.#shared === 0) return
    // Another user may share the address (see setEmail): it takes the entry over.
    for (const other of this.#byId.values()) {
      if (other !== record && other.user.email.toLowerCase() === key) {
        this.#byEmail.set(key, other)
        return
      }
    }
  }

  setConfirmationToken(record: UserRecord, token: string | undefined): void {
    if (record.confirmationToken) this.#byConfirmation.delete(record.confirmationToken)
    record.confirmationToken = token
    if (token) this.#byConfirmation.set(token, record)
  }

  setRecoveryToken(record: UserRecord, token: string | undefined): void {
    if (record.recoveryToken) this.#byRecovery.delete(record.recoveryToken)
    record.recoveryToken = token
    if (token) this.#byRecovery.set(token, record)
  }

  byConfirmationToken(token: string): UserRecord | undefined {
    return this.#byConfirmation.get(token)
  }

  byRecoveryToken(token: string): UserRecord | undefined {
    return this.#byRecovery.get(token)
  }

  addRefreshToken(token: string, userId: string, createdAt: number): void {
    this.#refresh.set(token, { userId, createdAt, revoked: false })
  }

  refreshToken(token: string): RefreshRecord | undefined {
    return this.#refresh.get(token)
  }

  /** Deletes every refresh token of a user (`/logout`). */
  deleteRefreshTokens(userId: string): void {
    for (const [token, r] of this.#refresh) if (r.userId === userId) this.#refresh.delete(token)
  }

  #indexTokens(record: UserRecord): void {
    if (record.confirmationToken) this.#byConfirmation.set(record.confirmationToken, record)
    if (record.recoveryToken) this.#byRecovery.set(record.recoveryToken, record)
  }
}
