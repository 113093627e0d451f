import type { V2Context } from '../netlify/v2-context.js'
import type { CamelUser } from '../users/camel.js'
import { fromCamelUser, toCamelUser } from '../users/camel.js'
import type { Diagnostic, GoTrueUser } from '../types.js'
import { isRecord, withArticle } from '../values.js'
import type { V2Handler } from './shapes.js'

/** The handler names of a typed-handler object for identity events (functions-runtime.md §2.3). */
export const TYPED_IDENTITY_HANDLERS = ['userValidate', 'userSignup', 'userLogin', 'userModified', 'userDeleted'] as const

/** Every key Netlify reads on a typed-handler object (identity, deploy and form events, `fetch`). */
export const TYPED_KEYS: readonly string[] = [
  ...TYPED_IDENTITY_HANDLERS,
  'deployBuilding', 'deploySucceeded', 'deployFailed', 'deployDeleted', 'deployLocked', 'deployUnlocked', 'formSubmitted',
  'fetch',
]

/** `x-netlify-event` slug → handler name (functions-runtime.md §2.3). */
export const SLUG_TO_HANDLER: Readonly<Record<string, (typeof TYPED_IDENTITY_HANDLERS)[number]>> = {
  identity_validate: 'userValidate',
  identity_signup: 'userSignup',
  identity_login: 'userLogin',
  identity_usermodified: 'userModified',
  identity_userdeleted: 'userDeleted',
}

/** The event a typed identity handler receives: the camelCase user and, except for `userDeleted`, `deny()`. */
export interface TypedIdentityEvent {
  /** The user, converted to Netlify's camelCase `User`. */
  user: CamelUser
  /** Denies the action: the function answers 401, which GoTrue treats as a failed hook. */
  deny?: () => undefined
}

/** A typed-handler object (`export default { userSignup(event) { … } }`). */
export type TypedHandlers = { readonly [key: string]: unknown }

/**
 * Errors the bootstrap itself throws for a typed-handler object (no handler for the event, an
 * unsupported return value): the function answers 500 like any throw, but the dispatcher's own
 * diagnostic already says why, so the call adds no `threw` for them.
 */
const dispatcherErrors = new WeakSet<object>()

function dispatcherError(message: string): TypeError {
  const error = new TypeError(message)
  dispatcherErrors.add(error)
  return error
}

/** Whether `error` is the typed-handler bootstrap's own (see {@link typedDispatcher}). @internal */
export function isDispatcherError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && dispatcherErrors.has(error)
}

const json = (status: number, body: unknown): Response => Response.json(body, { status })

function validatePayload(payload: unknown): string | undefined {
  if (!isRecord(payload)) return 'payload must be an object'
  const user = payload.user
  if (!isRecord(user)) return 'user must be an object'
  for (const key of ['id', 'email', 'created_at'] as const) {
    if (typeof user[key] !== 'string') return `user.${key} must be a string`
  }
  return undefined
}

/**
 * Turns a typed-handler object into the v2 handler the production bootstrap runs for it
 * (functions-runtime.md §2.3): the `x-netlify-event` slug picks the handler; the JSON payload is
 * checked (400 `{ error }` like the bootstrap) and its user converted to camelCase; `deny()` → 401,
 * `undefined` → 200 with no body, `{ user }` → 200 with the user converted back to GoTrue's
 * snake_case. Without a matching handler the request goes to `fetch`, else to the object itself,
 * which is not callable (a 500). Conversion notes are pushed to `diagnostics`.
 * @internal
 */
export function typedDispatcher(handlers: TypedHandlers, diagnostics: Diagnostic[]): V2Handler {
  return async (req: Request, context: V2Context): Promise<unknown> => {
    const slug = req.headers.get('x-netlify-event') ?? ''
    const handlerName = SLUG_TO_HANDLER[slug]
    const handler = handlerName ? handlers[handlerName] : undefined
    if (typeof handler !== 'function') {
      const fetchHandler = handlers.fetch
      if (typeof fetchHandler === 'function') return (fetchHandler as V2Handler).call(handlers, req, context)
      diagnostics.push({
        code: 'typed-no-handler',
        message: slug
          ? `the typed-handler object has no ${handlerName ?? `handler for "${slug}"`} and no fetch: Netlify does not subscribe it to this event.`
          : 'a typed-handler object without fetch cannot answer an HTTP request: add fetch(req, context) or call it through an identity event.',
      })
      throw dispatcherError('handler is not a function')
    }
    let payload: unknown
    try {
      payload = JSON.parse(await req.text())
    } catch {
      return json(400, { error: `Failed to parse event payload as JSON for "${slug}"` })
    }
    const invalid = validatePayload(payload)
    if (invalid) return json(400, { error: `Invalid event payload for "${slug}": ${invalid}` })
    let denied = false
    const received = (payload as { user: GoTrueUser }).user
    const event: TypedIdentityEvent = { user: toCamelUser(received) }
    if (handlerName !== 'userDeleted') {
      event.deny = () => {
        denied = true
        return undefined
      }
    }
    const result = await (handler as (e: TypedIdentityEvent) => unknown).call(handlers, event)
    if (denied) return new Response(null, { status: 401 })
    if (result === undefined) return new Response(null, { status: 200 })
    const user = result !== null && typeof result === 'object' ? (result as { user?: unknown }).user : undefined
    if (user === null || typeof user !== 'object' || typeof (user as { id?: unknown }).id !== 'string') {
      diagnostics.push({
        code: 'invalid-response',
        message: `${handlerName} returned ${result === null ? 'null' : typeof result === 'object' ? 'an object without a { user } carrying an id' : withArticle(typeof result)}; a typed identity handler returns undefined, { user } or event.deny().`,
      })
      throw dispatcherError(`${handlerName} returned an unsupported value: expected undefined or { user }`)
    }
    const converted = fromCamelUser(user as CamelUser, toCamelUser(received))
    diagnostics.push(...converted.diagnostics)
    return json(200, converted.user)
  }
}
