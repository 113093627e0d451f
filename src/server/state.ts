import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { HarnessError } from '../errors.js'
import type { Store } from '../gotrue/store.js'
import type { GoTrueUser } from '../types.js'
import { isRecord } from '../values.js'

/** One kept user: its JSON and what GoTrue keeps beside it. @internal */
interface KeptUser {
  user: GoTrueUser
  password?: string
  confirmation_token?: string
  recovery_token?: string
  email_change_token?: string
}

/**
 * What `--state FILE` keeps between runs: the users with their passwords and pending one-time
 * tokens (so a confirmation link printed before a restart still works), and how many runs came
 * before (each run draws ids from a fresh seeded stream, so new users never collide with kept
 * ones). Sessions (refresh tokens) are not kept: access tokens stay valid (same secret), and a
 * refresh after a restart asks the user to log in again.
 * @internal
 */
export interface ServeState {
  version: 1
  generation: number
  users: KeptUser[]
}

/** Reads a state file; `undefined` when it does not exist yet. Throws `ERR_SERVE_FILE` when it is not one. */
export function readState(file: string): ServeState | undefined {
  if (!existsSync(file)) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new HarnessError('ERR_SERVE_FILE', `--state ${file} is not JSON (${(error as Error).message}): delete it to start empty`)
  }
  if (!isRecord(parsed) || parsed.version !== 1 || !Array.isArray(parsed.users) || !Number.isSafeInteger(parsed.generation)) {
    throw new HarnessError('ERR_SERVE_FILE', `--state ${file} is not a netlify-identity-harness state file (version 1): delete it to start empty`)
  }
  return parsed as unknown as ServeState
}

/** Puts kept users back into a store. */
export function restoreState(store: Store, state: ServeState): void {
  for (const kept of state.users) {
    const record = store.newRecord(kept.user, kept.password)
    record.confirmationToken = kept.confirmation_token
    record.recoveryToken = kept.recovery_token
    record.emailChangeToken = kept.email_change_token
    store.insert(record)
  }
}

/** The store as a state file (for the given generation). */
export function snapshotState(store: Store, generation: number): ServeState {
  const users: KeptUser[] = []
  for (const r of store.records()) {
    users.push({
      user: r.user,
      ...(r.password !== undefined ? { password: r.password } : {}),
      ...(r.confirmationToken ? { confirmation_token: r.confirmationToken } : {}),
      ...(r.recoveryToken ? { recovery_token: r.recoveryToken } : {}),
      ...(r.emailChangeToken ? { email_change_token: r.emailChangeToken } : {}),
    })
  }
  return { version: 1, generation, users }
}

/** Writes a state file atomically (a crash never leaves half a file). */
export function writeState(file: string, state: ServeState): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`)
  renameSync(tmp, file)
}
