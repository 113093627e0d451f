import { AsyncLocalStorage } from 'node:async_hooks'

/** Environment values for a call: a value sets a variable, `undefined` unsets it. */
export type EnvOverrides = Record<string, string | undefined>

/**
 * A read of `process.env` seen by {@link observeEnvReads}: the variable's name and the value
 * the reader got (`undefined` when it was unset for that reader).
 * @internal
 */
export interface EnvRead {
  name: string
  value: string | undefined
}

/** Marks "not decided by the layer: read the real environment". */
const REAL: unique symbol = Symbol('real process.env')

/**
 * One layer of `process.env` for an async context (a function call, or a module load with
 * `env`): what it sets and unsets, on top of the Netlify variables of the instance, on top of
 * the real environment. Writes made inside the context land in the layer, never in the real
 * environment, so they vanish with the context.
 * @internal
 */
export class EnvLayer {
  /** Values set (a string) or unset (`undefined`) in this context: overrides, then the function's writes. */
  #own: Map<string, string | undefined> | undefined
  /** Variables Netlify sets for every call (functions-runtime.md §2.2), below the overrides. */
  readonly #base: Readonly<Record<string, string>> | undefined
  /** Who wants to see reads (see {@link observeEnvReads}); inherited by nested layers. */
  readonly observe: ((read: EnvRead) => void) | undefined
  /** The enclosing layer (a call made inside a `withEnv`), consulted before the real environment. */
  readonly parent: EnvLayer | undefined

  constructor(overrides: EnvOverrides | undefined, base: Readonly<Record<string, string>> | undefined, parent: EnvLayer | undefined, observe?: (read: EnvRead) => void) {
    this.#base = base
    this.parent = parent
    this.observe = observe ?? parent?.observe
    if (overrides) {
      for (const key in overrides) (this.#own ??= new Map()).set(key, overrides[key] === undefined ? undefined : String(overrides[key]))
    }
  }

  /** The variable's value in this context, or {@link REAL} when the real environment decides. */
  lookup(key: string): string | undefined | typeof REAL {
    const own = this.#own
    if (own !== undefined && own.has(key)) return own.get(key)
    const base = this.#base
    if (base !== undefined && Object.hasOwn(base, key)) return base[key]
    return this.parent === undefined ? REAL : this.parent.lookup(key)
  }

  set(key: string, value: string | undefined): void {
    ;(this.#own ??= new Map()).set(key, value)
  }

  /** Every name this layer sets, and every name it unsets. */
  keys(): { set: Set<string>; unset: Set<string> } {
    const out = this.parent?.keys() ?? { set: new Set<string>(), unset: new Set<string>() }
    const put = (key: string, value: string | undefined): void => {
      if (value === undefined) {
        out.set.delete(key)
        out.unset.add(key)
      } else {
        out.unset.delete(key)
        out.set.add(key)
      }
    }
    if (this.#base) for (const key in this.#base) put(key, this.#base[key])
    if (this.#own) for (const [key, value] of this.#own) put(key, value)
    return out
  }
}

const layers = new AsyncLocalStorage<EnvLayer>()

/** The innermost layer of the current async context (a call scope is one). @internal */
export function currentLayer(): EnvLayer | undefined {
  return layers.getStore()
}
const realEnv: NodeJS.ProcessEnv = process.env
let installed = false

/**
 * Whether the variable is being read by an installed package rather than by the function's own
 * code: msw 3's interceptors read `DEBUG_LEVEL` per request in the call's async context, and SDKs
 * probe lists of variables while they load (the stripe SDK reads a dozen AI-agent markers such as
 * `CLAUDECODE` and `CODEX_CI`), none of which is the site's configuration. The function's own
 * bundle runs from the harness's build cache, `node_modules/.cache/`, which is not a package.
 * Only looked at when reads are observed (`check`), never on a plain call.
 */
function readByPackage(): boolean {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 8
  const stack = new Error().stack ?? ''
  Error.stackTraceLimit = limit
  const caller = stack.split('\n').slice(3).find((line) => !line.includes('node:internal'))
  return caller !== undefined && /[\\/]node_modules[\\/](?!\.cache[\\/])/.test(caller)
}

/**
 * Replaces `process.env` by a view that, inside a layer's async context, answers from the layer
 * first; outside any layer it is the real environment, unchanged. Installed on first use and
 * kept: a function that timed out may still run, and its writes must keep landing in its own
 * layer rather than in the next test's environment.
 */
function install(): void {
  if (installed) return
  installed = true
  const view = new Proxy(realEnv, {
    get(target, key, receiver) {
      const layer = typeof key === 'string' ? layers.getStore() : undefined
      if (layer === undefined) return Reflect.get(target, key, receiver)
      const found = layer.lookup(key as string)
      const value = found === REAL ? target[key as string] : found
      if (layer.observe && !readByPackage()) layer.observe({ name: key as string, value })
      return value
    },
    set(target, key, value, receiver) {
      const layer = typeof key === 'string' ? layers.getStore() : undefined
      if (layer === undefined) return Reflect.set(target, key, value, receiver)
      layer.set(key as string, String(value))
      return true
    },
    deleteProperty(target, key) {
      const layer = typeof key === 'string' ? layers.getStore() : undefined
      if (layer === undefined) return Reflect.deleteProperty(target, key)
      layer.set(key as string, undefined)
      return true
    },
    has(target, key) {
      const layer = typeof key === 'string' ? layers.getStore() : undefined
      if (layer === undefined) return Reflect.has(target, key)
      const found = layer.lookup(key as string)
      const present = found === REAL ? key in target : found !== undefined
      if (layer.observe && !readByPackage()) layer.observe({ name: key as string, value: found === REAL ? target[key as string] : found })
      return present
    },
    ownKeys(target) {
      const layer = layers.getStore()
      if (layer === undefined) return Reflect.ownKeys(target)
      const { set, unset } = layer.keys()
      const names = new Set<string | symbol>(Reflect.ownKeys(target))
      for (const k of set) names.add(k)
      for (const k of unset) names.delete(k)
      return [...names]
    },
    getOwnPropertyDescriptor(target, key) {
      const layer = typeof key === 'string' ? layers.getStore() : undefined
      if (layer === undefined) return Reflect.getOwnPropertyDescriptor(target, key)
      const found = layer.lookup(key as string)
      if (found === REAL) return Reflect.getOwnPropertyDescriptor(target, key)
      if (found === undefined) return undefined
      return { value: found, writable: true, enumerable: true, configurable: true }
    },
  })
  Object.defineProperty(process, 'env', { value: view, writable: true, enumerable: true, configurable: true })
}

/**
 * Runs `fn` in its own `process.env` layer: `overrides` (a value sets, `undefined` unsets), over
 * `base` (Netlify's variables for a call), over the real environment. Reads inside `fn` and its
 * async children see the layer; writes stay in it; concurrent layers never see each other and
 * the real environment is never changed.
 * @internal
 */
export function runInEnv<T>(overrides: EnvOverrides | undefined, base: Readonly<Record<string, string>> | undefined, fn: () => T): T {
  return runInLayer(new EnvLayer(overrides, base, layers.getStore()), fn)
}

/** Runs `fn` in `layer` (built on the current one, see {@link currentLayer}). @internal */
export function runInLayer<T>(layer: EnvLayer, fn: () => T): T {
  install()
  return layers.run(layer, fn)
}

/**
 * The value `process.env[name]` has for the current context, read without reporting it to
 * {@link observeEnvReads}: for the harness's own reads made inside a call on the function's
 * behalf (the v2 `context.site` and `context.server` read `SITE_ID`, `SITE_NAME`, `URL` and
 * `AWS_REGION`), which are not the function's configuration.
 * @internal
 */
export function readEnvQuietly(name: string): string | undefined {
  const layer = layers.getStore()
  if (layer === undefined) return realEnv[name]
  const found = layer.lookup(name)
  return found === REAL ? realEnv[name] : found
}

/**
 * Runs `fn` and its async children outside every layer: the harness's own work done on behalf of
 * a call (esbuild's service, spawned on the first build with a copy of `process.env`) must
 * neither read the call's variables as the function's nor inherit them.
 * @internal
 */
export function outsideEnvLayers<T>(fn: () => T): T {
  return layers.getStore() === undefined ? fn() : layers.exit(fn)
}

/**
 * Runs `fn` with `process.env` changed for `fn` and its async children only (the real
 * environment is left alone, so concurrent calls with different values never see each other).
 * @internal
 */
export async function withEnv<T>(env: EnvOverrides | undefined, fn: () => Promise<T>): Promise<T> {
  if (!env || Object.keys(env).length === 0) return fn()
  return runInEnv(env, undefined, fn)
}

/**
 * Reports every `process.env` read made by `fn` and everything it starts — module scope of a
 * function loaded inside it, and the calls it makes (`trigger`, `invoke`) — with the value the
 * reader got. Internal hook for `check`'s "read but unset" report:
 *
 * ```ts
 * const reads = new Map<string, boolean>()
 * await observeEnvReads(() => identity.trigger('netlify/functions/identity-signup.mjs'), (r) => {
 *   reads.set(r.name, (reads.get(r.name) ?? false) || r.value !== undefined)
 * })
 * const unset = [...reads].filter(([, set]) => !set).map(([name]) => name)
 * ```
 * @internal
 */
export function observeEnvReads<T>(fn: () => T, onRead: (read: EnvRead) => void): T {
  install()
  const parent = layers.getStore()
  const outer = parent?.observe
  const observe = outer ? (read: EnvRead) => { outer(read); onRead(read) } : onRead
  return layers.run(new EnvLayer(undefined, undefined, parent, observe), fn)
}
