import { HarnessError } from '../errors.js'
import { KEY_ORDER, cloneJson, serializeUser } from '../users/json.js'
import type { AppMetadata, GoTrueUser, JsonObject } from '../types.js'
import { foldText } from './fold.js'
import { SearchText, compileLike } from './search.js'

/** The rarely set hidden fields of a record, in one object made on the first write (see {@link secretsOf}). */
interface Secrets {
  password: string | undefined
  confirmationToken: string | undefined
  recoveryToken: string | undefined
  emailChangeToken: string | undefined
}

/**
 * The hidden fields of the records that have any: most stored users (fake users without a
 * password) have none, and their record then carries no slot for them.
 */
const secretsOf = new WeakMap<UserRecord, Secrets>()

/**
 * What the emulator keeps about a user: its JSON, plus the password, the one-time tokens and the
 * keys its indexes use. None of the hidden part is ever serialised (gotrue.md §3, "Hidden
 * fields"). Fields that an index depends on (`email`, `user_metadata`, the tokens) change only
 * through {@link Store.write}, which keeps the indexes in step.
 *
 * Kept small, as a store holds one per user: the record *is* the stored user (its own
 * properties are the user's GoTrue fields, copied in at construction; {@link user} returns the
 * record itself), with one private slot for the insertion number. A wrapper object around the
 * user cost 40 bytes a stored user; the slot costs 8. The password and tokens are kept aside
 * once one is set; the search keys are derived from the user when read.
 * @internal
 */
export class UserRecord {
  /**
   * Insertion number (breaks ties between equal `created_at`, as insertion order), negative once
   * the record is removed (see {@link live}); 0 before it is first stored.
   */
  #seq = 0

  /**
   * Copies GoTrue's fields (and only those: a key such as `__proto__` in a parsed state file is
   * not a field) from `user`; the metadata maps are taken as they are (the e-mail
   * `app_metadata` is the shared one), not copied.
   */
  constructor(user: GoTrueUser, password: string | undefined) {
    const u = user as unknown as Record<string, unknown>
    if (u.confirmed_at !== undefined && u.invited_at === undefined && u.confirmation_sent_at === undefined &&
      u.recovery_sent_at === undefined && u.new_email === undefined && u.email_change_sent_at === undefined &&
      u.last_sign_in_at === undefined) {
      // The common shape (a confirmed user, no other optional timestamp: every fake user without
      // overrides): named stores in GoTrue's order, one hidden class for all such records, at a
      // fraction of the cost of the keyed stores of the loop below.
      const r = this as unknown as GoTrueUser
      if (user.id !== undefined) r.id = user.id
      if (user.aud !== undefined) r.aud = user.aud
      if (user.role !== undefined) r.role = user.role
      if (user.email !== undefined) r.email = user.email
      r.confirmed_at = user.confirmed_at
      if (user.app_metadata !== undefined) r.app_metadata = sharedAppMetadata(user.app_metadata) as GoTrueUser['app_metadata']
      if (user.user_metadata !== undefined) r.user_metadata = user.user_metadata
      if (user.created_at !== undefined) r.created_at = user.created_at
      if (user.updated_at !== undefined) r.updated_at = user.updated_at
      if (password !== undefined) this.password = password
      return
    }
    const from = u
    const to = this as unknown as Record<string, unknown>
    for (let i = 0; i < KEY_ORDER.length; i++) {
      const key = KEY_ORDER[i]!
      const value = from[key]
      if (value !== undefined) to[key] = key === 'app_metadata' ? sharedAppMetadata(value) : value
    }
    if (password !== undefined) this.password = password
  }

  /**
   * The stored user, in GoTrue's JSON shape: the record itself (its own enumerable properties
   * are exactly the user's fields). Metadata maps are replaced, never mutated in place.
   */
  get user(): GoTrueUser {
    return this as unknown as GoTrueUser
  }

  /** Insertion number: breaks ties between equal `created_at`, as insertion order. */
  get seq(): number {
    return Math.abs(this.#seq)
  }

  set seq(value: number) {
    this.#seq = value
  }

  /** False once removed (or before stored): a flow still holding the record then writes to nothing indexed. */
  get live(): boolean {
    return this.#seq > 0
  }

  set live(value: boolean) {
    this.#seq = value ? Math.abs(this.#seq) : -Math.abs(this.#seq)
  }

  /** The password in clear (a test emulator has nothing to protect); `undefined` = none set. */
  get password(): string | undefined {
    return secretsOf.get(this)?.password
  }

  set password(value: string | undefined) {
    setSecret(this, 'password', value)
  }

  /** Confirmation (and invite) token, cleared on confirmation. */
  get confirmationToken(): string | undefined {
    return secretsOf.get(this)?.confirmationToken
  }

  set confirmationToken(value: string | undefined) {
    setSecret(this, 'confirmationToken', value)
  }

  /** Recovery token, cleared by `/verify` type `recovery`. */
  get recoveryToken(): string | undefined {
    return secretsOf.get(this)?.recoveryToken
  }

  set recoveryToken(value: string | undefined) {
    setSecret(this, 'recoveryToken', value)
  }

  /** Pending e-mail change token. */
  get emailChangeToken(): string | undefined {
    return secretsOf.get(this)?.emailChangeToken
  }

  set emailChangeToken(value: string | undefined) {
    setSecret(this, 'emailChangeToken', value)
  }

  /** The e-mail folded as the database compares it (see {@link foldText}); the same string as `email` when folding changes nothing. */
  get emailKey(): string {
    return keyOf(this.user.email)
  }

  /** `user_metadata.full_name` folded, when it is a string: what `filter=` searches besides the e-mail. */
  get nameKey(): string | undefined {
    return nameKeyOf(this.user.user_metadata)
  }
}

/**
 * Sets one hidden field, making the record's {@link Secrets} on the first value set. A module
 * function, not a private method: a private method gives every instance a brand slot (8 bytes
 * a stored user).
 */
function setSecret<K extends keyof Secrets>(record: UserRecord, key: K, value: Secrets[K]): void {
  const kept = secretsOf.get(record)
  if (kept) kept[key] = value
  else if (value !== undefined) {
    const made: Secrets = { password: undefined, confirmationToken: undefined, recoveryToken: undefined, emailChangeToken: undefined }
    made[key] = value
    secretsOf.set(record, made)
  }
}

/**
 * The `app_metadata` GoTrue gives every e-mail user, `{ provider: "email" }`, stored once and
 * frozen for every record whose map is exactly that (fake users and e-mail signups: nearly all
 * of a large store), instead of one map per user (≈ 36 bytes each). Safe because stored maps are
 * never changed in place (writes replace the map: see {@link Store.write}), and every user handed
 * out is a copy ({@link serializeUser}), so nobody outside the store ever holds the shared map.
 */
const EMAIL_APP_METADATA: Readonly<AppMetadata> = Object.freeze({ provider: 'email' })

function sharedAppMetadata(value: unknown): unknown {
  if (value === EMAIL_APP_METADATA) return value
  const map = value as { provider?: unknown }
  return map !== null && typeof map === 'object' && map.provider === 'email' && Object.getPrototypeOf(map) === Object.prototype &&
    Object.keys(map).length === 1
    ? EMAIL_APP_METADATA
    : value
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
  /**
   * The user with this e-mail (compared as GoTrue's database compares it: case-insensitively),
   * in audience `aud`; without `aud`, the first one found in any audience (the default audience
   * `""` first). `undefined` when there is none. Where several users share an address (GoTrue
   * allows it, see the README), the one GoTrue's own lookup returns.
   */
  findByEmail(email: string, aud?: string): GoTrueUser | undefined
  /**
   * Stores a user as is (use `identity.fakeUser()` to make one, or `identity.createUser()` to do
   * both). Throws `ERR_DUPLICATE_USER` when the id is taken, or the e-mail in the user's audience.
   * Returns the stored copy.
   */
  add(user: GoTrueUser, options?: AddUserOptions): GoTrueUser
  /** Removes every user and every refresh token. */
  clear(): void
  /** How many users are stored. */
  readonly size: number
}

export { foldText }

/** A user's `created_at` as a key that sorts chronologically (canonical ISO strings are their own key). */
const CANONICAL_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const orderKeys = new WeakMap<UserRecord, string>()
function orderKey(record: UserRecord): string {
  const at = record.user.created_at
  if (CANONICAL_ISO.test(at)) return at
  let key = orderKeys.get(record)
  if (key === undefined) {
    const ms = Date.parse(at)
    key = Number.isFinite(ms) && ms >= 0 && ms < 253402300800000 ? new Date(ms).toISOString() : at
    orderKeys.set(record, key)
  }
  return key
}

/** Whether record `a` comes before `b` in GoTrue's `created_at` order (ties: insertion order). */
function before(a: UserRecord, b: UserRecord): boolean {
  const ka = orderKey(a)
  const kb = orderKey(b)
  return ka < kb || (ka === kb && a.seq < b.seq)
}

/** Fields of a record that {@link Store.write} can set. @internal */
export type RecordField = keyof GoTrueUser | 'password' | 'confirmationToken' | 'recoveryToken' | 'emailChangeToken'

/**
 * The store behind `identity.users`, plus the internal records the routes use: users by id, by
 * audience and e-mail (several users may share an address: GoTrue's database has no unique key
 * on it), per audience in `created_at` order (the `ORDER BY created_at` of the admin list, so a
 * page costs O(page)), and by one-time token.
 * @internal
 */
export class Store implements UserStore {
  readonly #byId = new Map<string, UserRecord>()
  /** aud → folded e-mail → the record, or the records in id order when several share it. */
  readonly #byEmail = new Map<string, Map<string, UserRecord | UserRecord[]>>()
  /** aud → records in `created_at` order. */
  readonly #ordered = new Map<string, UserRecord[]>()
  readonly #byConfirmation = new Map<string, UserRecord>()
  readonly #byRecovery = new Map<string, UserRecord>()
  readonly #refresh = new Map<string, RefreshRecord>()
  /** Audiences whose order list needs a sort before it is read. */
  readonly #unsorted = new Set<string>()
  /** aud → the `filter=` text of its ordered records; dropped whenever they or their keys change. */
  readonly #search = new Map<string, SearchText<UserRecord>>()
  #seq = 0
  /** Bumped by every change to what `filter=` or a page can see. */
  #version = 0

  get size(): number {
    return this.#byId.size
  }

  /** Changes whenever a list page could change. */
  get version(): number {
    return this.#version
  }

  all(): GoTrueUser[] {
    const out: GoTrueUser[] = []
    for (const r of this.#byId.values()) out.push(serializeUser(r.user))
    return out
  }

  get(id: string): GoTrueUser | undefined {
    const r = typeof id === 'string' ? this.#byId.get(id) : undefined
    return r && serializeUser(r.user)
  }

  findByEmail(email: string, aud?: string): GoTrueUser | undefined {
    if (typeof email !== 'string') return undefined
    let r: UserRecord | undefined
    if (aud !== undefined) r = this.recordByEmail(email, aud)
    else {
      r = this.recordByEmail(email, '')
      for (const a of this.#byEmail.keys()) r ??= this.recordByEmail(email, a)
    }
    return r && serializeUser(r.user)
  }

  add(user: GoTrueUser, options: AddUserOptions = {}): GoTrueUser {
    if (!user || typeof user !== 'object' || typeof user.id !== 'string' || typeof user.email !== 'string') {
      throw new HarnessError('ERR_INVALID_USER', 'users.add() needs a GoTrue user object with an id and an email (use identity.fakeUser())')
    }
    if (options.password !== undefined && typeof options.password !== 'string') {
      throw new HarnessError('ERR_INVALID_USER', 'password must be a string')
    }
    const copy = serializeUser(user)
    this.adopt(copy, options.password)
    return copy
  }

  /**
   * Stores a fresh user object in GoTrue's JSON shape (a fresh fake user, or {@link serializeUser}'s
   * copy) that the caller then hands out as the stored copy: the record takes its fields and its
   * maps, and `user` gets copies of the maps in their place, so the two never share one (the
   * stored maps stay the compact ones the user was built with). Refuses a taken id or e-mail as
   * {@link add} does. Returns the record.
   */
  adopt(user: GoTrueUser, password: string | undefined): UserRecord {
    const aud = user.aud ?? ''
    if (this.#byId.has(user.id)) throw new HarnessError('ERR_DUPLICATE_USER', `a user with id ${user.id} is already stored`)
    if (this.#byEmail.get(aud)?.has(keyOf(user.email))) {
      throw new HarnessError('ERR_DUPLICATE_USER', `a user with email ${user.email} is already stored${aud ? ` in audience ${JSON.stringify(aud)}` : ''}`)
    }
    const record = new UserRecord(user, password)
    this.insert(record)
    if (record.user.app_metadata === user.app_metadata) user.app_metadata = cloneJson(user.app_metadata)
    if (user.user_metadata !== null) user.user_metadata = cloneJson(user.user_metadata)
    return record
  }

  clear(): void {
    for (const r of this.#byId.values()) r.live = false
    this.#byId.clear()
    this.#byEmail.clear()
    this.#ordered.clear()
    this.#unsorted.clear()
    this.#search.clear()
    this.#byConfirmation.clear()
    this.#byRecovery.clear()
    this.#refresh.clear()
    this.#version++
  }

  // ---- internal API used by the flows ----

  /** A record for a user object (not stored yet). */
  newRecord(user: GoTrueUser, password: string | undefined): UserRecord {
    return new UserRecord(user, password)
  }

  /** The live record by id (lower-case UUID). */
  record(id: string): UserRecord | undefined {
    return this.#byId.get(id)
  }

  /**
   * GoTrue's `FindUserByEmailAndAudience` (gotrue:models/user.go): `WHERE instance_id = ? AND
   * email = ? AND aud = ?` with `First()`. The e-mail compares under the column's
   * case-insensitive collation; when several users share it, the row the
   * `(instance_id, email)` index yields first, i.e. the lowest id.
   */
  recordByEmail(email: string, aud: string): UserRecord | undefined {
    const hit = this.#byEmail.get(aud)?.get(keyOf(email))
    return Array.isArray(hit) ? hit[0] : hit
  }

  /** The live records of an audience in `created_at` order (oldest first). Do not modify. */
  ordered(aud: string): readonly UserRecord[] {
    return this.#sorted(aud) ?? EMPTY
  }

  /**
   * GoTrue's `FindUsersInAudience` filter (gotrue:models/user.go: `email LIKE %f% OR full_name
   * LIKE %f%`, the filter's own `%` and `_` being wildcards too): the matching live records of an
   * audience in `created_at` order (oldest first). Costs a native scan of one string per audience
   * plus O(matches); the string is rebuilt after the audience changes. Do not modify the result.
   */
  search(aud: string, filter: string): readonly UserRecord[] {
    const list = this.#sorted(aud)
    if (!list) return EMPTY
    let text = this.#search.get(aud)
    if (!text) this.#search.set(aud, (text = new SearchText(list)))
    return text.find(compileLike(filter))
  }

  /** The live records, in insertion order. */
  records(): IterableIterator<UserRecord> {
    return this.#byId.values()
  }

  /** Inserts a record (a fresh id; the e-mail may be shared, as GoTrue's database allows). */
  insert(record: UserRecord): void {
    const id = record.user.id
    if (this.#byId.has(id)) throw new HarnessError('ERR_DUPLICATE_USER', `a user with id ${id} is already stored`)
    record.seq = ++this.#seq
    record.live = true
    this.#byId.set(id, record)
    this.#indexEmail(record)
    this.#indexOrder(record)
    if (record.confirmationToken) this.#byConfirmation.set(record.confirmationToken, record)
    if (record.recoveryToken) this.#byRecovery.set(record.recoveryToken, record)
    this.#version++
  }

  /** Removes a record and its one-time tokens (refresh tokens stay, as in GoTrue, but find no user). */
  remove(record: UserRecord): void {
    if (!record.live) return
    this.#byId.delete(record.user.id)
    this.#unindexEmail(record)
    this.#unindexOrder(record)
    if (record.confirmationToken && this.#byConfirmation.get(record.confirmationToken) === record) this.#byConfirmation.delete(record.confirmationToken)
    if (record.recoveryToken && this.#byRecovery.get(record.recoveryToken) === record) this.#byRecovery.delete(record.recoveryToken)
    record.live = false
    this.#version++
  }

  /**
   * Sets one field of a record, keeping every index in step: the e-mail index, the search key of
   * `user_metadata.full_name`, the token indexes. The one way flows change a stored user.
   */
  write(record: UserRecord, field: RecordField, value: unknown): void {
    const live = record.live
    switch (field) {
      case 'password':
      case 'emailChangeToken':
        record[field] = value as string | undefined
        return
      case 'confirmationToken':
      case 'recoveryToken': {
        const index = field === 'confirmationToken' ? this.#byConfirmation : this.#byRecovery
        const old = record[field]
        if (live && old && index.get(old) === record) index.delete(old)
        record[field] = value as string | undefined
        if (live && value) index.set(value as string, record)
        return
      }
      case 'email':
        if (live) this.#search.delete(record.user.aud ?? '')
        if (live) this.#unindexEmail(record)
        record.user.email = value as string
        if (live) this.#indexEmail(record)
        break
      case 'user_metadata':
        record.user.user_metadata = value as GoTrueUser['user_metadata']
        if (live) this.#search.delete(record.user.aud ?? '')
        break
      default: {
        const user = record.user as unknown as Record<string, unknown>
        if (value === undefined) delete user[field]
        else user[field] = value
      }
    }
    if (live) this.#version++
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

  #indexEmail(record: UserRecord): void {
    const aud = record.user.aud ?? ''
    let byKey = this.#byEmail.get(aud)
    if (!byKey) this.#byEmail.set(aud, (byKey = new Map()))
    const key = record.emailKey
    const hit = byKey.get(key)
    if (hit === undefined) byKey.set(key, record)
    else {
      const list = Array.isArray(hit) ? hit : [hit]
      list.push(record)
      list.sort((a, b) => (a.user.id < b.user.id ? -1 : a.user.id > b.user.id ? 1 : 0))
      byKey.set(key, list)
    }
  }

  #unindexEmail(record: UserRecord): void {
    const byKey = this.#byEmail.get(record.user.aud ?? '')
    const hit = byKey?.get(record.emailKey)
    if (!byKey || hit === undefined) return
    if (hit === record) byKey.delete(record.emailKey)
    else if (Array.isArray(hit)) {
      const rest = hit.filter((r) => r !== record)
      byKey.set(record.emailKey, rest.length === 1 ? rest[0]! : rest)
    }
  }

  #indexOrder(record: UserRecord): void {
    const aud = record.user.aud ?? ''
    this.#search.delete(aud)
    let list = this.#ordered.get(aud)
    if (!list) this.#ordered.set(aud, (list = []))
    // Users are mostly created "now": in order, appending keeps the list sorted. Anything else
    // (back-dated users from users.add or fake users) marks it for one sort at the next read.
    if (list.length > 0 && !this.#unsorted.has(aud) && !before(list[list.length - 1]!, record)) this.#unsorted.add(aud)
    list.push(record)
  }

  /** Sorts an audience's list if inserts left it out of order (TimSort: near-linear on runs). */
  #sorted(aud: string): UserRecord[] | undefined {
    const list = this.#ordered.get(aud)
    if (list && this.#unsorted.delete(aud)) list.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0))
    return list
  }

  #unindexOrder(record: UserRecord): void {
    this.#search.delete(record.user.aud ?? '')
    const list = this.#sorted(record.user.aud ?? '')
    if (!list) return
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (before(list[mid]!, record)) lo = mid + 1
      else hi = mid
    }
    if (list[lo] === record) list.splice(lo, 1)
    else {
      const at = list.indexOf(record)
      if (at >= 0) list.splice(at, 1)
    }
  }

  /**
   * Checks that every index agrees with the records (used by the property tests after every
   * step): ids, e-mail keys, `created_at` order, search keys and one-time tokens point at live
   * records whose fields say so, and every live record is in each index it belongs to. Returns
   * the problems found (empty when consistent) and the e-mails shared within an audience.
   */
  check(): { problems: string[]; shared: string[] } {
    const problems: string[] = []
    const shared: string[] = []
    let inEmail = 0
    for (const [id, r] of this.#byId) {
      if (r.user.id !== id) problems.push(`byId ${id} holds user ${r.user.id}`)
      if (!r.live) problems.push(`byId ${id} holds a removed record`)
      if (r.emailKey !== keyOf(r.user.email)) problems.push(`${id}: emailKey ${r.emailKey} for ${r.user.email}`)
      if (r.nameKey !== nameKeyOf(r.user.user_metadata)) problems.push(`${id}: stale search key for full_name`)
      if (r.confirmationToken && this.#byConfirmation.get(r.confirmationToken) !== r) problems.push(`${id}: confirmation token not indexed`)
      if (r.recoveryToken && this.#byRecovery.get(r.recoveryToken) !== r) problems.push(`${id}: recovery token not indexed`)
    }
    for (const [aud, byKey] of this.#byEmail) {
      for (const [key, hit] of byKey) {
        const list = Array.isArray(hit) ? hit : [hit]
        if (list.length === 0 || (Array.isArray(hit) && list.length < 2)) problems.push(`email index ${aud}/${key}: list of ${list.length}`)
        if (list.length > 1) shared.push(`${aud}/${key}`)
        for (const r of list) {
          inEmail++
          if (!r.live || this.#byId.get(r.user.id) !== r) problems.push(`email index ${aud}/${key} holds a record not stored`)
          if (r.emailKey !== key || (r.user.aud ?? '') !== aud) problems.push(`email index ${aud}/${key} holds ${r.user.email} (${r.user.aud})`)
        }
      }
    }
    if (inEmail !== this.#byId.size) problems.push(`email index holds ${inEmail} records, store ${this.#byId.size}`)
    let inOrder = 0
    for (const aud of [...this.#ordered.keys()]) {
      const list = this.#sorted(aud)!
      for (let i = 0; i < list.length; i++) {
        const r = list[i]!
        inOrder++
        if (!r.live || this.#byId.get(r.user.id) !== r) problems.push(`order ${aud}[${i}] is not stored`)
        if ((r.user.aud ?? '') !== aud) problems.push(`order ${aud}[${i}] has aud ${r.user.aud}`)
        if (i > 0 && !before(list[i - 1]!, r)) problems.push(`order ${aud} not sorted at ${i}`)
      }
    }
    if (inOrder !== this.#byId.size) problems.push(`order index holds ${inOrder} records, store ${this.#byId.size}`)
    for (const [index, name] of [[this.#byConfirmation, 'confirmation'], [this.#byRecovery, 'recovery']] as const) {
      for (const [token, r] of index) {
        if (!r.live || this.#byId.get(r.user.id) !== r) problems.push(`${name} token ${token} points at a record not stored`)
        if ((name === 'confirmation' ? r.confirmationToken : r.recoveryToken) !== token) problems.push(`${name} token ${token} is no longer the record's`)
      }
    }
    return { problems, shared }
  }
}

const EMPTY: readonly UserRecord[] = Object.freeze([])

/** The folded e-mail, reusing the string itself when folding changes nothing (most e-mails). */
function keyOf(email: string): string {
  const folded = foldText(email)
  return folded === email ? email : folded
}

function nameKeyOf(meta: GoTrueUser['user_metadata']): string | undefined {
  const name = meta && typeof meta === 'object' ? (meta as JsonObject).full_name : undefined
  return typeof name === 'string' ? foldText(name) : undefined
}
