import { HarnessError } from '../errors.js'
import type { V1Handler } from './run-v1.js'

/**
 * Anything a user has at hand that Netlify can run: a v1 `handler` function, a module namespace
 * (`{ handler }`, `{ default }`), a v2 default-export function, a typed-handler object, or a path.
 */
export type FunctionInput =
  | V1Handler
  | ((...args: never[]) => unknown)
  | { readonly handler?: unknown; readonly default?: unknown; readonly [key: string]: unknown }
  | string

/** A function once its shape is known. @internal */
export type ResolvedFunction = {
  shape: 'v1'
  handler: V1Handler
  /** The Netlify function name when known (from a file name or an option). */
  name: string | undefined
  /** Where it came from, for messages. */
  source: string
}

/** Extra knowledge about a function that does not come from its value. @internal */
export interface ResolveHints {
  name?: string | undefined
}

/**
 * Detects a function's shape explicitly (functions-runtime.md §1: v1 = a named `handler`
 * export, even with a default export beside it).
 * @internal
 */
export function resolveFunction(fn: unknown, hints: ResolveHints = {}): ResolvedFunction {
  if (typeof fn === 'function') {
    return { shape: 'v1', handler: fn as V1Handler, name: hints.name, source: fn.name ? `function ${fn.name}` : 'an anonymous function' }
  }
  if (fn !== null && typeof fn === 'object') {
    const mod = fn as Record<string, unknown>
    if (typeof mod.handler === 'function') {
      return { shape: 'v1', handler: mod.handler as V1Handler, name: hints.name, source: 'a module with a handler export' }
    }
    // A CommonJS module imported from ESM: `{ default: { handler } }`.
    const def = mod.default as Record<string, unknown> | undefined
    if (def && typeof def === 'object' && typeof def.handler === 'function') {
      return { shape: 'v1', handler: def.handler as V1Handler, name: hints.name, source: 'a CommonJS module with exports.handler' }
    }
  }
  throw new HarnessError(
    'ERR_UNSUPPORTED_FUNCTION',
    `cannot run ${typeof fn === 'string' ? `the path ${JSON.stringify(fn)}` : describeValue(fn)}: expected a handler function or a module with a \`handler\` export`,
  )
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'object') {
    const keys = Object.keys(value)
    return keys.length ? `an object with keys ${keys.map((k) => JSON.stringify(k)).join(', ')}` : 'an empty object'
  }
  return `a ${typeof value}`
}
