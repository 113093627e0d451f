import { HarnessError } from '../errors.js'
import { TYPED_IDENTITY_HANDLERS, TYPED_KEYS } from './typed.js'
import type { TypedHandlers } from './typed.js'
import type { V2Handler } from './shapes.js'
import type { LoadOptions } from './load.js'
import { loadFunctionFile, warmFunctionFile } from './load.js'
import type { LoadedFunction } from './load.js'
import type { V1Handler } from './run-v1.js'
import { describeValue, isRecord } from '../values.js'
import type { Diagnostic } from '../types.js'

/**
 * Anything a user has at hand that Netlify can run: a v1 `handler` function, a module namespace
 * (`{ handler }`, `{ default }`), a v2 default-export function, a typed-handler object, or a path.
 */
export type FunctionInput =
  | V1Handler
  | ((...args: never[]) => unknown)
  | { readonly handler?: unknown; readonly default?: unknown; readonly [key: string]: unknown }
  | string

/** What every shape has. @internal */
interface ResolvedCommon {
  /** The Netlify function name when known (from a file name or an option). */
  name: string | undefined
  /** Where it came from, for messages. */
  source: string
  /** A background function: `-background` name or `config.background: true` (functions-runtime.md §5). */
  background?: boolean
  /** The module's (or typed object's) `config` export, when it has one. */
  config?: FunctionConfig
  /** What loading the file found (esbuild's warnings…), added to every call's diagnostics. */
  loadDiagnostics?: Diagnostic[]
}

/** The parts of a v2 `config` export the harness reads (functions-runtime.md §2.1). */
export interface FunctionConfig {
  /** Run as a background function. */
  background?: boolean
  /** URL paths the function serves (for `context.params`). */
  path?: string | string[]
  /** Any other key. */
  readonly [key: string]: unknown
}

/** A function once its shape is known (detected explicitly, functions-runtime.md §1, §2). @internal */
export type ResolvedFunction =
  | (ResolvedCommon & {
      shape: 'v1'
      handler: V1Handler
    })
  | (ResolvedCommon & {
      /** A Functions v2 default export `(req, context) => Response`. */
      shape: 'v2'
      handler: V2Handler
    })
  | (ResolvedCommon & {
      /** A default-export object with typed event handlers (`userSignup`, …) and/or `fetch`. */
      shape: 'typed'
      handlers: TypedHandlers
    })

/** Extra knowledge about a function that does not come from its value. @internal */
export interface ResolveHints {
  name?: string | undefined
  /**
   * How to run a bare function value, which carries no export name: `v1` (default) calls it as
   * a Lambda `handler`, `v2` as a Functions v2 default export.
   */
  shape?: 'v1' | 'v2' | undefined
}

/**
 * Detects a function's shape explicitly (functions-runtime.md §1: v1 = a named `handler`
 * export, even with a default export beside it).
 * @internal
 */
export function resolveFunction(fn: unknown, hints: ResolveHints = {}): ResolvedFunction {
  return withBackground(detectShape(fn, hints))
}

function detectShape(fn: unknown, hints: ResolveHints): ResolvedFunction {
  const name = hints.name
  if (typeof fn === 'function') {
    const source = fn.name ? `function ${fn.name}` : 'an anonymous function'
    if (hints.shape === 'v2') return { shape: 'v2', handler: fn as V2Handler, name, source }
    return { shape: 'v1', handler: fn as V1Handler, name, source }
  }
  if (fn !== null && typeof fn === 'object') {
    const mod = fn as Record<string, unknown>
    // v1 = a named handler export, even with a default export beside it (zisi, §1).
    if (typeof mod.handler === 'function') {
      return { shape: 'v1', handler: mod.handler as V1Handler, name, source: 'a module with a handler export' }
    }
    const def = mod.default
    if (def !== null && typeof def === 'object') {
      const inner = def as Record<string, unknown>
      // A CommonJS module imported from ESM: `{ default: { handler } }`.
      if (typeof inner.handler === 'function') {
        return { shape: 'v1', handler: inner.handler as V1Handler, name, source: 'a CommonJS module with exports.handler' }
      }
      // A transpiled ES module imported from ESM: `{ default: { __esModule, default } }`.
      if (inner.__esModule === true && 'default' in inner) return detectShape(inner, hints)
      if (isTyped(inner)) return typed(inner, name, 'a default-export object with typed handlers')
    }
    if (typeof def === 'function') {
      const config = isConfig(mod.config) ? mod.config : undefined
      return { shape: 'v2', handler: def as V2Handler, name, source: 'a module with a default-export function (Functions v2)', ...(config ? { config } : {}) }
    }
    if (isTyped(mod) && !('default' in mod)) return typed(mod, name, 'a typed-handler object')
  }
  throw new HarnessError(
    'ERR_UNSUPPORTED_FUNCTION',
    `cannot run ${typeof fn === 'string' ? `the path ${JSON.stringify(fn)}` : describeValue(fn)}: expected a handler function, a module with a \`handler\` export (v1), a default-export function (v2), or an object with typed handlers (${TYPED_IDENTITY_HANDLERS.join(', ')}, fetch)`,
  )
}

function isConfig(value: unknown): value is FunctionConfig {
  return isRecord(value)
}

function isTyped(obj: Record<string, unknown>): boolean {
  return TYPED_KEYS.some((k) => typeof obj[k] === 'function')
}

function typed(obj: Record<string, unknown>, name: string | undefined, source: string): ResolvedFunction {
  const config = isConfig(obj.config) ? obj.config : undefined
  return { shape: 'typed', handlers: obj, name, source, ...(config ? { config } : {}) }
}

function withBackground(fn: ResolvedFunction): ResolvedFunction {
  const background = fn.config?.background === true || (fn.name !== undefined && fn.name.endsWith('-background'))
  return background ? { ...fn, background: true } : fn
}

/**
 * Resolves anything a user has at hand, including a path to a function file or folder, which
 * is loaded the way Netlify bundles it (see `loadFunctionFile`). A file's name is its function
 * name (the `name` hint is for values, which carry none).
 * @internal
 */
export function resolveInput(fn: unknown, hints: ResolveHints = {}, load: LoadOptions = {}): Promise<ResolvedFunction> {
  try {
    return Promise.resolve(resolveInputNow(fn, hints, load) ?? resolveFile(fn as string, hints, load))
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Loads a function file (see {@link loadFunctionFile}) and resolves its module. @internal */
export function resolveFile(file: string, hints: ResolveHints = {}, load: LoadOptions = {}): Promise<ResolvedFunction> {
  return loadFunctionFile(file, load).then((loaded) => resolvedOf(loaded, hints))
}

/**
 * {@link resolveInput} without a promise where no file must be loaded: a function value, or a
 * warm call by path (the same file, unchanged). `undefined` when the file must be loaded; throws
 * what `resolveInput` rejects with. Spares the hot paths a promise and a microtask (issue 12).
 * @internal
 */
export function resolveInputNow(fn: unknown, hints: ResolveHints = {}, load: LoadOptions = {}): ResolvedFunction | undefined {
  if (typeof fn !== 'string') return resolveFunction(fn, hints)
  const warm = warmFunctionFile(fn, load)
  return warm ? resolvedOf(warm, hints) : undefined
}

/** A loaded module's resolved shape, worked out once per module and shape hint. */
function resolvedOf(loaded: LoadedFunction, hints: ResolveHints): ResolvedFunction {
  const shapeKey = hints.shape ?? ''
  const known = resolvedByLoad.get(loaded)?.get(shapeKey)
  if (known) return known
  const resolved = resolveLoaded(loaded, hints)
  let byShape = resolvedByLoad.get(loaded)
  if (!byShape) resolvedByLoad.set(loaded, (byShape = new Map()))
  byShape.set(shapeKey, resolved)
  return resolved
}

const resolvedByLoad = new WeakMap<LoadedFunction, Map<string, ResolvedFunction>>()

function resolveLoaded(loaded: LoadedFunction, hints: ResolveHints): ResolvedFunction {
  try {
    const resolved = resolveFunction(loaded.module, { ...hints, name: loaded.name })
    return { ...resolved, source: loaded.file, ...(loaded.diagnostics.length ? { loadDiagnostics: loaded.diagnostics } : {}) }
  } catch (error) {
    if (error instanceof HarnessError && error.code === 'ERR_UNSUPPORTED_FUNCTION') {
      const keys = Object.keys(loaded.module)
      throw new HarnessError(
        'ERR_UNSUPPORTED_FUNCTION',
        `${loaded.file} exports ${keys.length ? keys.map((k) => JSON.stringify(k)).join(', ') : 'nothing'}: expected a named \`handler\` export (v1) or a default export (a v2 function or an object with typed handlers)`,
      )
    }
    throw error
  }
}
