import { inspect } from 'node:util'
import type { InspectOptions } from 'node:util'

/**
 * `util.inspect` that never throws: a Proxy whose traps throw, a getter that throws or an
 * object whose `Symbol.toPrimitive` throws is described instead of crashing the harness
 * (a function's mistakes are shown, never turned into an internal error).
 * @internal
 */
export function safeInspect(value: unknown, options: InspectOptions = {}): string {
  try {
    return inspect(value, { getters: false, customInspect: false, ...options })
  } catch (error) {
    return `[a value that throws when inspected: ${safeString(error)}]`
  }
}

/** `String(value)` that never throws (falls back to {@link safeInspect}). @internal */
export function safeString(value: unknown): string {
  try {
    return String(value)
  } catch {
    try {
      return inspect(value, { getters: false, customInspect: false, depth: 0 })
    } catch {
      return '[a value that cannot be printed]'
    }
  }
}

/** Reads `obj[key]`, reporting a throwing getter or Proxy trap instead of throwing. @internal */
export function safeGet(obj: object, key: PropertyKey): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: (obj as Record<PropertyKey, unknown>)[key] }
  } catch (error) {
    return { ok: false, error }
  }
}
