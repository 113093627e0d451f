import type { GoTrueUser, JsonObject } from '../types.js'
import { foldText } from './store.js'

/** GoTrue's audit actions (gotrue:models/audit_log_entry.go). */
export type AuditAction =
  | 'login'
  | 'logout'
  | 'invite_accepted'
  | 'user_signedup'
  | 'user_invited'
  | 'user_deleted'
  | 'user_modified'
  | 'user_recovery_requested'
  | 'token_revoked'
  | 'token_refreshed'

/** `actionLogTypeMap` (gotrue:models/audit_log_entry.go). */
const LOG_TYPE: Record<AuditAction, string> = {
  login: 'account',
  logout: 'account',
  invite_accepted: 'account',
  user_signedup: 'team',
  user_invited: 'team',
  user_deleted: 'team',
  token_revoked: 'token',
  token_refreshed: 'token',
  user_modified: 'user',
  user_recovery_requested: 'user',
}

/** One entry of `GET /admin/audit`, as GoTrue serialises `models.AuditLogEntry`. */
export interface AuditLogEntry {
  /** A UUID. */
  id: string
  /**
   * `{ action, actor_email, actor_id, actor_name?, log_type, timestamp, traits? }` (a JSON map:
   * Go writes its keys sorted). `actor_name` is the actor's `user_metadata.full_name` when set;
   * `traits` (`{ user_email, user_id }`) name the user an admin acted on.
   */
  payload: JsonObject
  /** When the entry was written (RFC 3339, seconds). */
  created_at: string
}

/** How many audit entries an instance keeps by default (the newest). */
export const DEFAULT_AUDIT_LOG_LIMIT = 1000

/** The system user's id: the actor of admin actions made with a `sub: "0"` token (gotrue:models/user.go `NewSystemUser`). */
export const SYSTEM_USER_ID = '00000000-0000-0000-0000-000000000000'

/** Whom an entry names as its actor: a user, or the system user (`id` nil UUID, e-mail `""`). @internal */
export type AuditActor = Pick<GoTrueUser, 'id' | 'email' | 'user_metadata'>

/** The system user as an actor. @internal */
export const SYSTEM_ACTOR: AuditActor = { id: SYSTEM_USER_ID, email: '', user_metadata: null }

/** `filterColumnMap` (gotrue:api/audit.go): which payload fields a `query=<scope>:<value>` searches. */
const FILTER_COLUMNS: Record<string, readonly string[]> = {
  author: ['actor_email', 'actor_name'],
  action: ['action'],
  type: ['log_type'],
}

/**
 * One instance's audit log (`audit_log_entries`): entries are added by a request's transaction
 * and removed again if it rolls back. @internal
 */
export class AuditLog {
  #entries: AuditLogEntry[] = []
  readonly #limit: number

  /** Keeps the newest `limit` entries (GoTrue keeps all; an in-memory log must not grow without end). */
  constructor(limit: number) {
    this.#limit = limit
  }

  /** `models.NewAuditLogEntry`: builds and appends an entry; returns it (for rollback). */
  add(id: string, at: Date, actor: AuditActor, action: AuditAction, traits?: { user_id: string; user_email: string }): AuditLogEntry {
    const payload: JsonObject = {
      action,
      actor_email: actor.email,
      actor_id: actor.id,
    }
    const meta = actor.user_metadata as JsonObject | null | undefined
    if (meta && Object.prototype.hasOwnProperty.call(meta, 'full_name')) payload.actor_name = meta.full_name ?? null
    payload.log_type = LOG_TYPE[action]
    const stamp = `${at.toISOString().slice(0, 19)}Z`
    payload.timestamp = stamp
    if (traits) payload.traits = { user_email: traits.user_email, user_id: traits.user_id }
    const entry: AuditLogEntry = { id, payload, created_at: stamp }
    this.#entries.push(entry)
    if (this.#entries.length > this.#limit) this.#entries.shift()
    return entry
  }

  /** Removes an entry (a rolled-back transaction's). */
  remove(entry: AuditLogEntry): void {
    const i = this.#entries.lastIndexOf(entry)
    if (i >= 0) this.#entries.splice(i, 1)
  }

  /** Every entry, oldest first (copies). */
  all(): AuditLogEntry[] {
    return this.#entries.map((e) => structuredClone(e))
  }

  /**
   * `FindAuditLogEntries` (gotrue:models/audit_log_entry.go): newest first (`created_at desc`,
   * ties newest-written first), filtered by `query` (`author:`, `action:`, `type:`, a `LIKE
   * %value%` under `utf8mb4_unicode_ci`), or the 400 message for a bad scope.
   */
  find(query: string | null): { entries: AuditLogEntry[] } | { error: string } {
    let columns: readonly string[] | undefined
    let value = ''
    if (query) {
      const colon = query.indexOf(':')
      columns = colon >= 0 ? FILTER_COLUMNS[query.slice(0, colon)] : undefined
      if (!columns || colon < 0 || !Object.prototype.hasOwnProperty.call(FILTER_COLUMNS, query.slice(0, colon))) return { error: `Invalid query scope: ${query}` }
      value = query.slice(colon + 1)
    }
    const out: AuditLogEntry[] = []
    const match = columns && value !== '' ? likeContains(value) : undefined
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const e = this.#entries[i]!
      if (match && !columns!.some((c) => typeof e.payload[c] === 'string' && match(e.payload[c]))) continue
      out.push(e)
    }
    return { entries: out }
  }

  clear(): void {
    this.#entries = []
  }
}

/** `LIKE '%v%'` with `%`/`_` wildcards and `\` escapes, compared folded (case- and accent-insensitive). */
function likeContains(value: string): (s: string) => boolean {
  const folded = foldText(value)
  let source = ''
  for (let i = 0; i < folded.length; i++) {
    const c = folded[i]!
    if (c === '\\' && i + 1 < folded.length) source += escape(folded[++i]!)
    else if (c === '%') source += '.*'
    else if (c === '_') source += '.'
    else source += escape(c)
  }
  const re = new RegExp(source, 'su')
  return (s) => re.test(foldText(s))
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
