import { HarnessError } from './errors.js'
import type { IdentityEvent } from './types.js'
import { IDENTITY_EVENTS } from './types.js'

/**
 * Identity event names, shared by the function loader, GoTrue's hook runner, the CLI and the
 * server: a neutral module, so none of them imports another for a name.
 *
 * Infers the event from a Netlify function name: `identity-signup`,
 * `identity-login-background`, … (functions-runtime.md §6: exact, case-sensitive names).
 *
 * @example
 * ```ts
 * eventFromName('identity-login-background') // 'login'
 * eventFromName('protected')                 // undefined
 * ```
 */
export function eventFromName(name: string | undefined): IdentityEvent | undefined {
  if (!name) return undefined
  const match = /^identity-([a-z]+?)(?:-background)?$/.exec(name)
  const event = match?.[1]
  return event && isIdentityEvent(event) ? event : undefined
}

/** `identity-signup`, … for each event, made once. */
const functionNames = new Map<IdentityEvent, string>()

/** The function Netlify runs for an event: `identity-${event}` (the inverse of {@link eventFromName}). @internal */
export function eventFunctionName(event: IdentityEvent): string {
  let name = functionNames.get(event)
  if (name === undefined) functionNames.set(event, (name = `identity-${event}`))
  return name
}

/** Whether a value is one of GoTrue's identity event names. @internal */
export function isIdentityEvent(value: unknown): value is IdentityEvent {
  return typeof value === 'string' && (IDENTITY_EVENTS as readonly string[]).includes(value)
}

/** Checks an event name given by a test. @internal */
export function assertEvent(event: unknown): asserts event is IdentityEvent {
  if (!isIdentityEvent(event)) {
    throw new HarnessError(
      'ERR_UNKNOWN_EVENT',
      `unknown identity event ${JSON.stringify(event)}: expected one of ${IDENTITY_EVENTS.join(', ')}`,
    )
  }
}
